import browser from "webextension-polyfill";
import { isRequest } from "../core/messages.ts";
import { httpOriginOf } from "../core/urls.ts";
import { requestReconcile } from "./reconcile.ts";
import { checkVersionOf, handleRequest } from "./requests.ts";
import { loadSettings } from "./store.ts";

// Session rules vanish with the browser and the background may have been stopped at any point:
// every start rebuilds the rules from the settings, and so does every event that changes what they
// should be. Listeners are registered synchronously so that the events wake the background.
const reconcileOnEvent = () => void requestReconcile();

browser.runtime.onInstalled.addListener(reconcileOnEvent);
browser.runtime.onStartup.addListener(reconcileOnEvent);
browser.permissions.onAdded.addListener(reconcileOnEvent);
browser.permissions.onRemoved.addListener(reconcileOnEvent);
browser.tabs.onRemoved.addListener(reconcileOnEvent);
browser.tabs.onReplaced.addListener(reconcileOnEvent);
browser.tabs.onUpdated.addListener((_tabId, change, tab) => {
  // No URL in the event means the tab moved to a page the extension cannot see: it has left the
  // Open WebUI, and the reconcile must drop it from the rules at once.
  if (change.url !== undefined || change.status === "loading") reconcileOnEvent();
  if (change.status === "loading") void checkVersionOnLoad(tab.url);
});

/**
 * A saved Open WebUI's page is loading: read its version again, so that an upgrade (or a
 * downgrade) takes effect from this load on, both ways.
 */
async function checkVersionOnLoad(url: string | undefined): Promise<void> {
  const origin = httpOriginOf(url);
  if (origin === undefined) return;
  const loaded = await loadSettings();
  if (loaded.ok && loaded.settings.entries.some((entry) => entry.openWebUiOrigin === origin)) await checkVersionOf(origin);
}
browser.runtime.onMessage.addListener((message: unknown) => (isRequest(message) ? handleRequest(message) : undefined));

// Green, the colour of "working", for the badge that marks a tab where ToolKey adds a key.
browser.action.setBadgeBackgroundColor({ color: "#1a7f37" }).catch(() => undefined);

reconcileOnEvent();
