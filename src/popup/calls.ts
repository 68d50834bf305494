import browser from "webextension-polyfill";
import type { Request } from "../core/messages.ts";

/** The popup's calls to the background and to the browser's permission prompt. */

/** Sends a request to the background, which owns the settings and answers with its reply type. */
export function ask<Reply>(request: Request): Promise<Reply> {
  return browser.runtime.sendMessage(request) as Promise<Reply>;
}

/**
 * Asks the browser for host access. Must be called synchronously from a click: Firefox refuses the
 * request after an `await`, and Chromium may close the popup while its dialog is open.
 */
export function requestAccess(patterns: string[], granted: string[], then?: (ok: boolean) => void): void {
  browser.permissions
    .request({ origins: patterns })
    .catch(() => false)
    .then((ok) => {
      if (ok) granted.push(...patterns);
      then?.(ok);
    });
}
