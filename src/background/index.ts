import browser from "webextension-polyfill";
import { isRequest } from "../core/messages.ts";
import { requestReconcile } from "./reconcile.ts";
import { handleRequest } from "./requests.ts";

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
browser.tabs.onUpdated.addListener((_tabId, change) => {
  // No URL in the event means the tab moved to a page the extension cannot see: it has left the
  // Open WebUI, and the reconcile must drop it from the rules at once.
  if (change.url !== undefined || change.status === "loading") reconcileOnEvent();
});
browser.runtime.onMessage.addListener((message: unknown) => (isRequest(message) ? handleRequest(message) : undefined));

// Green, the colour of "working", for the badge that marks a tab where ToolKey adds a key.
browser.action.setBadgeBackgroundColor({ color: "#1a7f37" }).catch(() => undefined);

reconcileOnEvent();
