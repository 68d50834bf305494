/**
 * Reads Open WebUI's answer to `GET <origin>/api/v1/users/user/settings` into the tool servers
 * ToolKey can import, and the others with why they are skipped (design.md, "Import reads what Open
 * WebUI already knows"; the item shapes by version: reference/open-webui.md).
 *
 * The answer holds keys in plain text. A key goes only into a candidate's input, the one place it is
 * written from; labels and reasons are for display and never hold one.
 */

import { displayLabel, MAX_QUOTED_LENGTH } from "./display-label.ts";
import { type EntryInput, validateEntryInput } from "./entry.ts";
import type { Field, FieldMessages } from "./fields.ts";
import { DEFAULT_HEADER_NAME, DEFAULT_SCHEME } from "./headers.ts";
import type { ReadFailure } from "./read-failure.ts";
import { isRecord } from "./records.ts";
import { parseOpenWebUiAddress } from "./urls.ts";
import type { UserText } from "./user-text.ts";

/** A tool server ToolKey can import: what the user recognises it by, and the entry it becomes. */
export interface ImportCandidate {
  label: string;
  input: EntryInput;
}

/** A tool server that is not imported, and why, in words for the user. */
export interface SkippedServer {
  /** Empty only for an item that has neither a name nor a URL; its reason then says which item. */
  label: string;
  reason: UserText;
}

export type OpenWebUiToolServers =
  | { ok: false; problem: UserText }
  /** `notice`: what the review says first, when Open WebUI lists more servers than ToolKey reads. */
  | { ok: true; candidates: ImportCandidate[]; skipped: SkippedServer[]; notice?: UserText };

/** Open WebUI's answer as the background's reader received it, or why there was none. */
export type SettingsReply = { status: number; body: string } | { failed: ReadFailure };

/**
 * The most bytes of the answer that are read. Settings are mostly a few kilobytes, but Open WebUI
 * keeps a chat background image in them as an uncompressed data URL (Settings > Interface), so a
 * real answer can be several megabytes. The cap leaves room for a large photo and still stops a
 * wrong address that streams something huge.
 */
export const MAX_SETTINGS_REPLY_BYTES = 32 * 1024 * 1024;

/**
 * The most tool servers read from one answer: far more than anyone configures by hand, few enough
 * that the review stays a list a person can read. The review says when Open WebUI lists more.
 */
export const MAX_IMPORTED_SERVERS = 500;

/** The user name and password of a URL, which must not be shown beside it. */
const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/** Every OAuth kind: `system_oauth` (0.6.27), `oauth_2.1` (0.6.31), `oauth_2.1_static` (0.8.11). */
const OAUTH = /oauth/i;

/** A later item with the URL of an earlier one: Open WebUI lists it twice, ToolKey keeps the first. */
export const SKIPPED_TWICE: UserText = ["importSkippedTwice"];

/** The key as Open WebUI holds it and as ToolKey would keep it (a pasted "Bearer " dropped). */
function secretsOf(key: string): string[] {
  const trimmed = key.trim();
  return [trimmed, trimmed.replace(/^bearer\s+/i, "")];
}

/** What the user recognises a server by: its name (0.6.18 and later), else its URL. */
function labelOf(item: Record<string, unknown>, secrets: readonly string[]): string {
  const name = isRecord(item.info) ? item.info.name : undefined;
  if (typeof name === "string" && name.trim() !== "") return displayLabel(name, secrets);
  return typeof item.url === "string" ? displayLabel(item.url.replace(URL_CREDENTIALS, "$1"), secrets) : "";
}

const FIELD_ORDER: readonly Field[] = ["toolServer", "key", "openWebUi", "headerName", "scheme"];

/** Why validation refuses a server, in one text: its first reason, in the order of the popup's form. */
export function firstRefusal(errors: FieldMessages): UserText {
  for (const field of FIELD_ORDER) {
    const error = errors[field];
    if (error !== undefined) return error;
  }
  return ["importSkippedInvalid"];
}

type ItemReading = { ok: true; input: EntryInput } | { ok: false; reason: UserText };

/**
 * Why one item of `ui.toolServers` is not imported, or its entry. Judged the way Open WebUI's page
 * judges it: it calls a server only when `config.enable` is truthy (so a missing `config` is off),
 * and sends the key when `auth_type` is `bearer`, absent or null (0.6.0 has no `auth_type`: all its
 * servers get the key). A field of the wrong type makes the item unreadable.
 */
function readItem(item: Record<string, unknown>, position: number, openWebUiOrigin: string): ItemReading {
  const malformed: ItemReading = { ok: false, reason: ["importSkippedMalformed", String(position)] };
  const key = item.key ?? "";
  if (typeof item.url !== "string" || typeof key !== "string") return malformed;
  const secrets = secretsOf(key);

  const type = item.type ?? "openapi";
  const authType = item.auth_type ?? "bearer";
  if (typeof type !== "string" || typeof authType !== "string") return malformed;
  if (type === "mcp") return { ok: false, reason: ["importSkippedMcp"] };
  if (type !== "openapi") return { ok: false, reason: ["importSkippedUnknownType", displayLabel(type, secrets, MAX_QUOTED_LENGTH)] };
  if (authType === "session") return { ok: false, reason: ["importSkippedSession"] };
  if (authType === "none") return { ok: false, reason: ["importSkippedNoAuth"] };
  if (OAUTH.test(authType)) return { ok: false, reason: ["importSkippedOAuth"] };
  if (authType !== "bearer") {
    return { ok: false, reason: ["importSkippedUnknownAuth", displayLabel(authType, secrets, MAX_QUOTED_LENGTH)] };
  }

  if (!isRecord(item.config) || !item.config.enable) return { ok: false, reason: ["importSkippedDisabled"] };
  if (key.trim() === "") return { ok: false, reason: ["importSkippedNoKey"] };

  const validated = validateEntryInput({
    openWebUiAddress: openWebUiOrigin,
    // Tool calls go to `url` plus the route's path; `path` only says where the spec is.
    toolServerUrl: item.url.replace(/\/+$/, ""),
    key,
    headerName: DEFAULT_HEADER_NAME,
    scheme: DEFAULT_SCHEME,
  });
  if (!validated.ok) return { ok: false, reason: firstRefusal(validated.errors) };
  const { fields } = validated;
  return {
    ok: true,
    input: {
      openWebUiAddress: fields.openWebUiOrigin,
      toolServerUrl: fields.toolServerUrl,
      key: fields.key,
      headerName: fields.headerName,
      scheme: fields.scheme,
    },
  };
}

/** Why no answer arrived to be read. */
function problemWithRead(openWebUiOrigin: string, failed: ReadFailure): UserText {
  switch (failed) {
    // Too slow is told like no answer: either way Open WebUI is not answering at this address.
    case "network":
    case "timeout":
      return ["importUnreachable", openWebUiOrigin];
    case "tooLarge":
      return ["importTooLarge", openWebUiOrigin];
    case "redirect":
      return ["importRedirected", openWebUiOrigin];
  }
}

/** Why Open WebUI's answer cannot be read at all, or undefined when its body holds the settings. */
function problemWithStatus(openWebUiOrigin: string, status: number): UserText | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 401 || status === 403) return ["importSignedOut", openWebUiOrigin];
  if (status === 404) return ["importNotOpenWebUi", openWebUiOrigin];
  if (status >= 500 && status < 600) return ["importServerError", openWebUiOrigin, String(status)];
  return ["importUnexpectedStatus", openWebUiOrigin, String(status)];
}

/** Reads the signed-in user's tool servers out of Open WebUI's answer; never throws. */
export function readOpenWebUiToolServers(openWebUiAddress: string, reply: SettingsReply): OpenWebUiToolServers {
  const address = parseOpenWebUiAddress(openWebUiAddress);
  if (!address.ok) return { ok: false, problem: address.error };
  const origin = address.value;

  if ("failed" in reply) return { ok: false, problem: problemWithRead(origin, reply.failed) };
  const statusProblem = problemWithStatus(origin, reply.status);
  if (statusProblem !== undefined) return { ok: false, problem: statusProblem };

  const notOpenWebUi: OpenWebUiToolServers = { ok: false, problem: ["importNotOpenWebUi", origin] };
  let settings: unknown;
  try {
    settings = JSON.parse(reply.body);
  } catch {
    return notOpenWebUi;
  }
  const none: OpenWebUiToolServers = { ok: false, problem: ["importNoToolServers", origin] };
  // A user who never changed a setting has none at all: Open WebUI answers `null`, and `ui` may be null.
  if (settings === null) return none;
  if (!isRecord(settings)) return notOpenWebUi;
  const ui = settings.ui ?? null;
  if (ui === null) return none;
  if (!isRecord(ui)) return notOpenWebUi;
  const servers = ui.toolServers ?? null;
  if (servers === null) return none;
  if (!Array.isArray(servers)) return notOpenWebUi;
  if (servers.length === 0) return none;

  const candidates: ImportCandidate[] = [];
  const skipped: SkippedServer[] = [];
  const seen = new Set<string>();
  servers.slice(0, MAX_IMPORTED_SERVERS).forEach((item: unknown, index) => {
    if (!isRecord(item)) {
      skipped.push({ label: "", reason: ["importSkippedMalformed", String(index + 1)] });
      return;
    }
    const label = labelOf(item, typeof item.key === "string" ? secretsOf(item.key) : []);
    const read = readItem(item, index + 1, origin);
    if (!read.ok) skipped.push({ label, reason: read.reason });
    else if (seen.has(read.input.toolServerUrl)) skipped.push({ label, reason: SKIPPED_TWICE });
    else {
      seen.add(read.input.toolServerUrl);
      candidates.push({ label, input: read.input });
    }
  });
  if (servers.length <= MAX_IMPORTED_SERVERS) return { ok: true, candidates, skipped };
  return { ok: true, candidates, skipped, notice: ["importFirstServers", String(servers.length), String(MAX_IMPORTED_SERVERS)] };
}
