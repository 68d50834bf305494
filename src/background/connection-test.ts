import {
  type ConnectionReport,
  corsWarning,
  fail,
  failureReport,
  isBlockedAsMixedContent,
  keyStatusReport,
  MAX_SPEC_BYTES,
  type ReadSpec,
  readSpec,
  specStatusReport,
  specUrlOf,
  TEST_TIMEOUT_MS,
} from "../core/connection-test.ts";
import type { Entry } from "../core/entry.ts";
import { headerValue } from "../core/headers.ts";
import { readUrl } from "./read-url.ts";

/**
 * Tests an entry from the background: reads the spec with the entry's header, then checks the key
 * on an operation that refuses an empty body, so no tool runs. The background's own requests have
 * tab id -1, outside every rule, so it sets the header itself. `fetchFn` is replaceable for tests.
 */
export async function runConnectionTest(entry: Entry, fetchFn: typeof fetch = fetch): Promise<ConnectionReport> {
  if (isBlockedAsMixedContent(entry.openWebUiOrigin, entry.toolServerUrl)) return fail(["testMixedContent"]);
  const auth = { [entry.headerName]: headerValue(entry.scheme, entry.key) };
  // No cookies: the entry's header is the only credential.
  const request = { credentials: "omit", timeoutMs: TEST_TIMEOUT_MS, fetchFn } as const;

  const specUrl = specUrlOf(entry.toolServerUrl);
  const specReply = await readUrl(specUrl, { ...request, maxBytes: MAX_SPEC_BYTES, headers: auth });
  if (!specReply.ok) return failureReport(specReply.why, specUrl, entry.toolServerUrl);
  if (specReply.status < 200 || specReply.status > 299) return specStatusReport(specReply.status, entry.toolServerUrl);
  const read = readSpecText(specReply.body, entry.toolServerUrl, [entry.key]);
  if (!read.ok) return fail(["testNotOpenApi", specUrl]);
  const { spec, keyCheck } = read;
  if (keyCheck === undefined) return { outcome: "unknown", verdict: ["testKeyUnchecked"], warnings: [], spec };

  // Judged by its status and headers alone: its body is not read.
  const checked = await readUrl(keyCheck.url, {
    ...request,
    maxBytes: 0,
    method: keyCheck.method,
    headers: { ...auth, "Content-Type": "application/json" },
    body: "{}",
  });
  if (!checked.ok) return failureReport(checked.why, keyCheck.url, entry.toolServerUrl, spec);
  const report = keyStatusReport(checked.status, spec);
  const warning = corsWarning(entry.openWebUiOrigin, entry.toolServerUrl, checked.headers.get("access-control-allow-origin"));
  return warning === undefined ? report : { ...report, warnings: [warning] };
}

function readSpecText(text: string, toolServerUrl: string, secrets: readonly string[]): ReadSpec {
  try {
    return readSpec(JSON.parse(text), toolServerUrl, secrets);
  } catch {
    return { ok: false };
  }
}
