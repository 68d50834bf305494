/**
 * Watching ToolKey's pages (and Firefox's background page) for promise rejections that no handler
 * takes, and for uncaught errors (design.md, "Fail closed": no promise is left unhandled). The
 * watcher writes a console line that starts with UNHANDLED_MARK; the drivers keep every console
 * line, so what was seen outlives the page, the background and a browser restart. Chromium's
 * service worker is heard through DevTools instead (chromium-worker.ts).
 */

/** Starts every console line the watchers write. */
export const UNHANDLED_MARK = "[toolkey-test:unhandled]";

/** The extension API the page watcher calls (Firefox has the `chrome` namespace too). */
declare const chrome: { extension: { getViews(): Window[]; getBackgroundPage?(): Window | null } };

/**
 * Runs in an extension page that stays open (sent as text: self-contained). Adds the listeners to
 * every extension page and to the background page where there is one (Firefox). Neither call
 * wakes a stopped background; a page or background that appears is watched from the next check
 * on (a background tab's timers may run only once a second, so a wake's first moments can pass
 * unwatched). The listeners live in this page: their console lines are written here.
 */
export function watchExtensionViews(mark: string): void {
  const scope = window as unknown as { toolkeyTestWatching?: boolean };
  if (scope.toolkeyTestWatching === true) return;
  scope.toolkeyTestWatching = true;
  // One line, whatever realm the reason comes from (instanceof Error fails across pages).
  const describe = (reason: unknown) => {
    const stack = (reason as { stack?: unknown } | null)?.stack;
    return `${String(reason)}${typeof stack === "string" && stack !== "" ? ` at ${stack.replaceAll("\n", " < ")}` : ""}`;
  };
  const watch = (view: Window | null | undefined) => {
    const watched = view as (Window & { toolkeyTestWatched?: boolean }) | null | undefined;
    if (watched === null || watched === undefined || watched.toolkeyTestWatched === true) return;
    watched.toolkeyTestWatched = true;
    const where = watched.location.href;
    watched.addEventListener("unhandledrejection", (event) => {
      console.error(`${mark} unhandled rejection in ${where}: ${describe(event.reason)}`);
    });
    watched.addEventListener("error", (event) => {
      console.error(`${mark} uncaught error in ${where}: ${event.message} (${event.filename}:${event.lineno})`);
    });
  };
  const check = () => {
    try {
      watch(chrome.extension.getBackgroundPage?.());
      for (const view of chrome.extension.getViews()) watch(view);
    } catch {
      // A view closing while it is looked at: the next check sees the rest.
    }
  };
  check();
  setInterval(check, 20);
}
