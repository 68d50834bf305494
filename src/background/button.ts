import browser from "webextension-polyfill";
import type { Tab } from "../core/rules.ts";
import type { MessageName } from "../core/user-text.ts";

/** What each tab's toolbar button shows now, so that only changes are sent to the browser. */
const marked = new Map<number, boolean>();

const message = (name: MessageName) => browser.i18n.getMessage(name);

/**
 * Marks the toolbar button of every tab where ToolKey adds a key (a badge, and a title saying so),
 * and clears it elsewhere. The browser forgets a tab's marks when the tab closes.
 */
export function markTabs(tabs: readonly Tab[], active: ReadonlySet<number>): void {
  const open = new Set<number>();
  for (const { id } of tabs) {
    if (id === undefined || id < 0) continue;
    open.add(id);
    const on = active.has(id);
    if (marked.get(id) === on) continue;
    marked.set(id, on);
    // A tab may close before its mark lands.
    browser.action.setBadgeText({ tabId: id, text: on ? message("buttonOn") : "" }).catch(() => undefined);
    browser.action.setTitle({ tabId: id, title: message(on ? "buttonOnTitle" : "extShortName") }).catch(() => undefined);
  }
  for (const id of marked.keys()) if (!open.has(id)) marked.delete(id);
}
