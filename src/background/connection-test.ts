import {
  type ConnectionReport,
  corsWarning,
  fail,
  failureReport,
  isBlockedAsMixedContent,
  keyStatusReport,
  MAX_SPEC_BYTES,
  readSpec,
  specStatusReport,
  specUrlOf,
  TEST_TIMEOUT_MS,
} from "../core/connection-test.ts";
import type { Entry } from "../core/entry.ts";
import { headerValue } from "../core/headers.ts";

/**
 * Tests an entry from the background: reads the spec with the entry's header, then checks the key
 * on an operation that refuses an empty body, so no tool runs. The background's own requests have
 * tab id -1, outside every rule, so it sets the header itself. `fetchFn` is replaceable for tests.
 */
export async function runConnectionTest(entry: Entry, fetchFn: typeof fetch = fetch): Promise<ConnectionReport> {
  if (isBlockedAsMixedContent(entry.openWebUiOrigin, entry.toolServerUrl)) return fail(["testMixedContent"]);
  const auth = { [entry.headerName]: headerValue(entry.scheme, entry.key) };
  const specUrl = specUrlOf(entry.toolServerUrl);
  try {
    const read = await request(fetchFn, specUrl, { headers: auth }, async (reply) => {
      if (!reply.ok) return reply.status;
      const text = await readAtMost(reply, MAX_SPEC_BYTES);
      if (text === undefined) return "tooLarge";
      try {
        return readSpec(JSON.parse(text), entry.toolServerUrl);
      } catch {
        return { ok: false } as const;
      }
    });
    if (read === "redirect") return fail(["testRedirect", specUrl]);
    if (read === "tooLarge") return fail(["testSpecTooLarge", String(MAX_SPEC_BYTES / 1024 / 1024)]);
    if (typeof read === "number") return specStatusReport(read, entry.toolServerUrl);
    if (!read.ok) return fail(["testNotOpenApi", specUrl]);
    const { spec, keyCheck } = read;
    if (keyCheck === undefined) return { outcome: "unknown", verdict: ["testKeyUnchecked"], warnings: [], spec };

    const init = { method: keyCheck.method, headers: { ...auth, "Content-Type": "application/json" }, body: "{}" };
    const checked = await request(fetchFn, keyCheck.url, init, async (reply) => ({
      status: reply.status,
      allowOrigin: reply.headers.get("access-control-allow-origin"),
    }));
    if (checked === "redirect") return fail(["testRedirect", keyCheck.url], spec);
    const report = keyStatusReport(checked.status, spec);
    const warning = corsWarning(entry.openWebUiOrigin, entry.toolServerUrl, checked.allowOrigin);
    return warning === undefined ? report : { ...report, warnings: [warning] };
  } catch (error) {
    return failureReport(error, entry.toolServerUrl);
  }
}

/**
 * One request, read within the timeout. No cookies: the entry's header is the only credential.
 * Redirects are not followed, so the key never goes to another address; "manual" rather than
 * "error" because a redirect then shows as itself (an opaque-redirect reply, measured in Chromium
 * 156 and Firefox ESR 153) instead of as a network failure.
 */
async function request<T>(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  read: (reply: Response) => Promise<T>,
): Promise<T | "redirect"> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TEST_TIMEOUT_MS);
  try {
    const reply = await fetchFn(url, { ...init, credentials: "omit", redirect: "manual", cache: "no-store", signal: controller.signal });
    if (reply.type === "opaqueredirect") return "redirect";
    const result = await read(reply);
    // A body left unread or read only in part is let go rather than downloaded.
    void reply.body?.cancel().catch(() => undefined);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** The body as text, or undefined as soon as it grows past `limit`, without holding more than that. */
async function readAtMost(reply: Response, limit: number): Promise<string | undefined> {
  const reader = reply.body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  try {
    for (let chunk = await reader?.read(); chunk !== undefined && !chunk.done; chunk = await reader?.read()) {
      size += chunk.value.byteLength;
      if (size > limit) return undefined;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    // Unlocked so that the caller can cancel what is left.
    reader?.releaseLock();
  }
  return text + decoder.decode();
}
