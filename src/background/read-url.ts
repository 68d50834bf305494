/**
 * The one way the background reads the network: the version check, the import and Test all go
 * through here, so that none of them can wait forever, download without limit or follow a
 * redirect, and none of them has to catch anything.
 */
import type { ReadFailure } from "../core/read-failure.ts";

export type ReadUrlResult =
  /** `body` is read for a 2xx reply only: every caller judges any other by its status alone. */
  { ok: true; status: number; headers: Headers; body: string } | { ok: false; why: ReadFailure };

export interface ReadUrlOptions {
  /**
   * "include" sends the browser's cookies for that address (Open WebUI's own sign-in, or a sign-in
   * proxy in front of it); "omit" where the request's own header is its only credential.
   */
  credentials: "include" | "omit";
  timeoutMs: number;
  /** The most bytes of a 2xx body read; 0 where only the status and headers matter. */
  maxBytes: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Replaceable so that unit tests can answer in the network's place. */
  fetchFn?: typeof fetch;
}

/**
 * Reads `url` once; never throws. Redirects are not followed, so a key or a cookie never goes to
 * another address; "manual" rather than "error" because a redirect then shows as itself (an
 * opaque-redirect reply, measured in Chromium 156 and Firefox ESR 153) instead of as a network
 * failure. "no-store" because every caller wants the server's answer now, not a cached one.
 */
export async function readUrl(url: string, options: ReadUrlOptions): Promise<ReadUrlResult> {
  // Destructured so that fetch is called bare: called as a method of `options` it throws "Illegal invocation".
  const { credentials, timeoutMs, maxBytes, method, headers, body, fetchFn = fetch } = options;
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  let reply: Response | undefined;
  try {
    reply = await fetchFn(url, { method, headers, body, credentials, redirect: "manual", cache: "no-store", signal: abort.signal });
    if (reply.type === "opaqueredirect") return { ok: false, why: "redirect" };
    const text = reply.ok && maxBytes > 0 ? await readAtMost(reply, maxBytes) : "";
    if (text === undefined) return { ok: false, why: "tooLarge" };
    return { ok: true, status: reply.status, headers: reply.headers, body: text };
  } catch {
    // The abort of the timeout surfaces as an error from fetch or from the body's reader alike.
    return { ok: false, why: timedOut ? "timeout" : "network" };
  } finally {
    clearTimeout(timer);
    // A body left unread or read only in part is let go rather than downloaded.
    void reply?.body?.cancel().catch(() => undefined);
  }
}

/** The body as text, or undefined as soon as it grows past `limit`, without holding more than that. */
async function readAtMost(reply: Response, limit: number): Promise<string | undefined> {
  const reader = reply.body?.getReader();
  if (reader === undefined) return "";
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > limit) return undefined;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    // Unlocked so that what is left can be cancelled.
    reader.releaseLock();
  }
  return text + decoder.decode();
}
