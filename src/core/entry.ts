import type { FieldMessages } from "./fields.ts";
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
}

/** What a user (or an import) hands in; header name and scheme fall back to their defaults. */
export interface EntryInput {
  openWebUiAddress: string;
  toolServerUrl: string;
  key: string;
  headerName?: string;
  scheme?: string;
}

export type EntryFields = Omit<Entry, "id" | "enabled">;

export type ValidatedEntry = { ok: true; fields: EntryFields; notices: FieldMessages } | { ok: false; errors: FieldMessages };

/** Validates every field and reports all problems at once, each beside its own field. */
export function validateEntryInput(input: EntryInput): ValidatedEntry {
  const errors: FieldMessages = {};
  const notices: FieldMessages = {};

  const openWebUi = parseOpenWebUiAddress(input.openWebUiAddress);
  const toolServer = parseToolServerUrl(input.toolServerUrl);
  const headerName = parseHeaderName(input.headerName);
  const scheme = parseScheme(input.scheme);
  const key = parseKey(input.key, scheme.ok ? scheme.value : "");

  if (openWebUi.ok) {
    if (openWebUi.notice) notices.openWebUi = openWebUi.notice;
  } else errors.openWebUi = openWebUi.error;
  if (toolServer.ok && openWebUi.ok) {
    const clash = checkToolServerAgainstOpenWebUi(toolServer.value, openWebUi.value);
    if (clash !== undefined) errors.toolServer = clash;
  } else if (!toolServer.ok) errors.toolServer = toolServer.error;
  if (key.ok) {
    if (key.notice) notices.key = key.notice;
  } else errors.key = key.error;
  if (!headerName.ok) errors.headerName = headerName.error;
  if (!scheme.ok) errors.scheme = scheme.error;

  if (!openWebUi.ok || !toolServer.ok || !key.ok || !headerName.ok || !scheme.ok || Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
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
