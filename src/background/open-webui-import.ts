import { importInputs, planImport, reviewOf } from "../core/import-review.ts";
import type { ImportReply } from "../core/messages.ts";
import { MAX_SETTINGS_REPLY_BYTES, readOpenWebUiToolServers } from "../core/open-webui-import.ts";
import type { LoadedSettings } from "../core/settings.ts";
import { parseOpenWebUiAddress } from "../core/urls.ts";
import { readUrl } from "./read-url.ts";

/** Open WebUI answers in well under a second; a request that hangs this long is not coming back. */
const IMPORT_TIMEOUT_MS = 15_000;

/**
 * Reads the signed-in user's tool servers from the Open WebUI at `address` and plans their import
 * against the saved entries. The request carries Open WebUI's own sign-in cookie, which the browser
 * sends because ToolKey holds host access to that Open WebUI: the session token itself never enters
 * ToolKey. Nothing is written here; the page shows the review and confirms with one command.
 * `fetchFn` is replaceable for tests.
 */
export async function readOpenWebUi(address: string, loaded: LoadedSettings, fetchFn: typeof fetch = fetch): Promise<ImportReply> {
  const origin = parseOpenWebUiAddress(address);
  if (!origin.ok) return { ok: false, problem: origin.error };
  const reply = await readUrl(`${origin.value}/api/v1/users/user/settings`, {
    credentials: "include",
    timeoutMs: IMPORT_TIMEOUT_MS,
    maxBytes: MAX_SETTINGS_REPLY_BYTES,
    headers: { Accept: "application/json" },
    fetchFn,
  });
  const servers = readOpenWebUiToolServers(origin.value, reply.ok ? { status: reply.status, body: reply.body } : { failed: reply.why });
  if (!servers.ok) return { ok: false, problem: servers.problem };
  if (!loaded.ok) return { ok: false, problem: loaded.problem };
  const plan = planImport(loaded.settings.entries, servers.candidates, servers.skipped);
  return { ok: true, origin: origin.value, review: reviewOf(plan, servers.notice), inputs: importInputs(plan) };
}
