import type { FieldMessages, Parsed } from "./fields.ts";
import { parseHeaderName, parseKey, parseScheme } from "./headers.ts";
import { checkToolServerAgainstOpenWebUi, parseOpenWebUiAddress, parseToolServerUrl } from "./urls.ts";

/** One saved entry: which key goes to which tool server from which Open WebUI. */
export interface Entry {
  /** Small integer, unique among entries; the entry's rule id is derived from it. */
  id: number;
  /** An origin: scheme, host and port. */
  openWebUiOrigin: string;
  /** An origin plus an optional path prefix, without a trailing slash. */
  toolServerUrl: string;
  key: string;
  headerName: string;
  /** Put before the key with a space; empty sends the key alone. */
  scheme: string;
  enabled: boolean;
  /**
   * Add the key even where Open WebUI sends keys itself (0.6.1 and later): for a server Open WebUI
   * does not know about. Off by default, so that ToolKey stands aside on patched deployments.
   */
  addKeyAnyway: boolean;
}

/** What a user (or an import) hands in; header name and scheme fall back to their defaults. */
export interface EntryInput {
  openWebUiAddress: string;
  toolServerUrl: string;
  key: string;
  headerName?: string;
  scheme?: string;
}

export type EntryFields = Omit<Entry, "id" | "enabled" | "addKeyAnyway">;

export type ValidatedEntry = { ok: true; fields: EntryFields; notices: FieldMessages } | { ok: false; errors: FieldMessages };

/**
 * Validates every field and reports all problems at once, each beside its own field. With
 * `keyMayStayEmpty` (a save that may keep an entry's key), a key field left empty is valid and
 * gives an empty key, for the caller to fill or refuse.
 */
export function validateEntryInput(input: EntryInput, { keyMayStayEmpty = false } = {}): ValidatedEntry {
  const openWebUi = parseOpenWebUiAddress(input.openWebUiAddress);
  const toolServer = parseToolServerUrl(input.toolServerUrl);
  const headerName = parseHeaderName(input.headerName);
  const scheme = parseScheme(input.scheme);
  const key: Parsed<string> =
    keyMayStayEmpty && input.key.trim() === "" ? { ok: true, value: "" } : parseKey(input.key, scheme.ok ? scheme.value : "");

  const errors: FieldMessages = {};
  if (!openWebUi.ok) errors.openWebUi = openWebUi.error;
  if (!toolServer.ok) errors.toolServer = toolServer.error;
  else if (openWebUi.ok) {
    const clash = checkToolServerAgainstOpenWebUi(toolServer.value, openWebUi.value);
    if (clash !== undefined) errors.toolServer = clash;
  }
  if (!key.ok) errors.key = key.error;
  if (!headerName.ok) errors.headerName = headerName.error;
  if (!scheme.ok) errors.scheme = scheme.error;
  if (!openWebUi.ok || !toolServer.ok || !key.ok || !headerName.ok || !scheme.ok || errors.toolServer !== undefined) {
    return { ok: false, errors };
  }

  const notices: FieldMessages = {};
  if (openWebUi.notice !== undefined) notices.openWebUi = openWebUi.notice;
  if (key.notice !== undefined) notices.key = key.notice;
  return {
    ok: true,
    fields: {
      openWebUiOrigin: openWebUi.value,
      toolServerUrl: toolServer.value,
      key: key.value,
      headerName: headerName.value,
      scheme: scheme.value,
    },
    notices,
  };
}

/** Two entries are the same when they join the same Open WebUI to the same tool-server URL. */
export function isSameEntry(
  a: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">,
  b: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">,
): boolean {
  return a.openWebUiOrigin === b.openWebUiOrigin && a.toolServerUrl === b.toolServerUrl;
}

/** Whether an entry still joins the same Open WebUI to the same tool-server origin: its key may stay with it. */
export function keepsHosts(
  a: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">,
  b: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">,
): boolean {
  return a.openWebUiOrigin === b.openWebUiOrigin && new URL(a.toolServerUrl).origin === new URL(b.toolServerUrl).origin;
}

/** Names an entry by what makes two entries the same (isSameEntry), so that a set or map finds it in one step. */
export function entryKey(entry: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">): string {
  return JSON.stringify([entry.openWebUiOrigin, entry.toolServerUrl]);
}
