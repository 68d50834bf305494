import browser, { type Runtime, type Tabs } from "webextension-polyfill";
import { isRequest } from "../core/messages.ts";
import { createEngine } from "./engine.ts";
import { listenForPages } from "./pages.ts";
import { realBrowser } from "./port.ts";
import { createRequestHandler } from "./requests.ts";

const engine = createEngine(realBrowser);
const requests = createRequestHandler(engine);

/** Only ToolKey's own pages may ask anything of the background: no web page and no other extension. */
function isOwnPage(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && sender.url?.startsWith(browser.runtime.getURL("")) === true;
}

// Session rules vanish with the browser and the background may have been stopped at any point:
// every wake reads what it needs once and reconciles. Listeners are registered synchronously so
// that the events wake the background.
browser.runtime.onInstalled.addListener(() => void engine.start());
browser.runtime.onStartup.addListener(() => void engine.start());
// The backstop of a retry whose timer died with a stopped background: waking is the retry.
browser.alarms.onAlarm.addListener(() => void engine.start());
browser.permissions.onAdded.addListener(() => {
  engine
    .permissionsChanged()
    .then(() => requests.checkUnread(true))
    .catch(() => undefined);
});
browser.permissions.onRemoved.addListener(() => void engine.permissionsChanged());
browser.tabs.onRemoved.addListener((tabId) => void engine.tabRemoved(tabId));
browser.tabs.onReplaced.addListener(() => void engine.tabReplaced());
function onTabUpdated(tabId: number, change: Tabs.OnUpdatedChangeInfoType, tab: Tabs.Tab): void {
  // Only a navigation (a new status or address) can move a tab. Firefox also reports other changes
  // of a loading page (isArticle, title) on a tab whose URL it does not give yet, which would read
  // as the tab leaving and bring every rule down and up again (measured by the benchmark).
  if (change.status === undefined && change.url === undefined) return;
  // No URL on the tab means it moved to a page the extension cannot see: it has left the Open
  // WebUI, and the engine drops it from the rules at once. A saved Open WebUI's page that really
  // loaded has its version read again, so that an upgrade (or a downgrade) takes effect from this
  // load on, both ways.
  engine
    .tabUpdated(tabId, change, tab)
    .then((loaded) => (loaded === undefined ? undefined : requests.checkVersionOf(loaded)))
    .catch(() => undefined);
}
// Firefox can leave out the changes that cannot move a tab (a title, a favicon), each of which would
// otherwise wake a stopped background for nothing; Chromium takes no such filter.
if ("getBrowserInfo" in browser.runtime) browser.tabs.onUpdated.addListener(onTabUpdated, { properties: ["status", "url"] });
else browser.tabs.onUpdated.addListener(onTabUpdated);
// A policy change (Chromium re-reads its policy files while it runs) applies without a restart.
browser.storage.onChanged.addListener((_changes, area) => {
  if (area === "managed") void readManaged();
});
listenForPages(isOwnPage);
browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) =>
  isRequest(message) && isOwnPage(sender) ? requests.handle(message) : undefined,
);

/** Takes in the organisation's policy; an Open WebUI it newly names has its version read, as on a save. */
async function readManaged(): Promise<void> {
  await engine.readManaged();
  await requests.checkUnread();
}

// Green, the colour of "working", for the badge that marks a tab where ToolKey adds a key.
browser.action.setBadgeBackgroundColor({ color: "#1a7f37" }).catch(() => undefined);

void engine.start();
// An entry whose Open WebUI was never checked (saved just before the background stopped) gets its check.
requests.checkUnread().catch(() => undefined);
readManaged().catch(() => undefined);
