import { httpOriginOf } from "./urls.ts";

/**
 * Whether a tab event is a page really loading (a new document) rather than a navigation inside the
 * page, such as a chat switch. Measured in Chromium 156: a reload reports "loading" without a new
 * address; arriving from another site reports the new origin; but a full load of another address
 * on the same origin reports "loading" with that address exactly as `history.pushState` does. What
 * tells them apart is the tab's favicon: the browser drops it when a new document starts loading,
 * and a navigation inside the page keeps it (every Open WebUI page has one). Firefox reports no
 * "loading" for a navigation inside the page.
 */
export function isPageLoad(
  change: { status?: string; url?: string },
  before: string | undefined,
  tab: { url?: string; favIconUrl?: string },
): boolean {
  if (change.status !== "loading") return false;
  if (change.url === undefined || change.url === before) return true;
  return httpOriginOf(before) !== httpOriginOf(tab.url) || tab.favIconUrl === undefined;
}
