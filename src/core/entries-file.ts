/**
 * The file of entries, `toolkey-entries.json` (design.md, "Files"): written from the user's own
 * entries, with their keys only when asked, and read back into import candidates for the review.
 *
 * A file that is not exactly what ToolKey writes is refused whole, with a message that names the
 * entry and the field but quotes neither a key nor more than a few characters of the file.
 */

import { displayLabel, MAX_QUOTED_LENGTH } from "./display-label.ts";
import { MAX_ENTRIES_FILE_BYTES } from "./entries-file-name.ts";
import { type Entry, entryKey } from "./entry.ts";
import { readableUrl } from "./idn.ts";
import { type ImportInput, validateImportInput } from "./import-review.ts";
import { firstRefusal } from "./open-webui-import.ts";
import { isRecord } from "./records.ts";
import { MAX_ENTRIES } from "./rules.ts";
import type { UserText } from "./user-text.ts";

const ENTRIES_FILE_FORMAT = "toolkey-entries";
const ENTRIES_FILE_VERSION = 1;

/** One entry as the file holds it. */
export interface FileEntry {
  openWebUi: string;
  toolServer: string;
  header: string;
  scheme: string;
  enabled: boolean;
  key?: string;
}

/** The file's text for these entries; a key only with `includeKeys`, and never an empty one. */
export function writeEntriesFile(entries: readonly Entry[], includeKeys: boolean): string {
  const file = {
    format: ENTRIES_FILE_FORMAT,
    version: ENTRIES_FILE_VERSION,
    entries: entries.map((entry): FileEntry => {
      const written: FileEntry = {
        openWebUi: entry.openWebUiOrigin,
        toolServer: entry.toolServerUrl,
        header: entry.headerName,
        scheme: entry.scheme,
        enabled: entry.enabled,
      };
      if (includeKeys && entry.key !== "") written.key = entry.key;
      return written;
    }),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The entries of a file as import candidates, labelled by their tool-server URL, in the file's order. */
export type EntriesFileReading =
  | { ok: true; candidates: { label: string; input: ImportInput }[] }
  /** `detail`: the popup's own message for the field that is refused. */
  | { ok: false; problem: UserText; detail?: UserText };

const STRING_FIELDS = ["openWebUi", "toolServer", "header", "scheme", "key"] as const;
const REQUIRED_FIELDS = new Set<string>(["openWebUi", "toolServer"]);

/** The field of an item whose type is not the file's, if any; unknown fields are ignored. */
function wrongField(item: Record<string, unknown>): string | undefined {
  for (const field of STRING_FIELDS) {
    const value = item[field];
    if (value === undefined ? REQUIRED_FIELDS.has(field) : typeof value !== "string") return field;
  }
  if (item.enabled !== undefined && typeof item.enabled !== "boolean") return "enabled";
  return undefined;
}

/** Reads a file's text; never throws, and nothing in a refusal comes from a key. */
export function readEntriesFile(text: string): EntriesFileReading {
  if (text.length > MAX_ENTRIES_FILE_BYTES) return { ok: false, problem: ["fileTooLarge"] };
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    // The parser's own message quotes the file: never shown.
    return { ok: false, problem: ["fileNotJson"] };
  }
  if (!isRecord(file) || file.format !== ENTRIES_FILE_FORMAT) return { ok: false, problem: ["fileNotEntries"] };
  if (typeof file.version === "number" && file.version > ENTRIES_FILE_VERSION) return { ok: false, problem: ["fileNewer"] };
  if (file.version !== ENTRIES_FILE_VERSION || !Array.isArray(file.entries)) return { ok: false, problem: ["fileNotEntries"] };
  if (file.entries.length > MAX_ENTRIES) return { ok: false, problem: ["fileTooMany"] };

  const candidates: { label: string; input: ImportInput }[] = [];
  const seen = new Map<string, number>();
  for (const [index, item] of file.entries.entries()) {
    const position = String(index + 1);
    if (!isRecord(item)) return { ok: false, problem: ["fileEntryNotEntry", position] };
    const field = wrongField(item);
    if (field !== undefined) return { ok: false, problem: ["fileEntryField", position, field] };
    const input: ImportInput = {
      openWebUiAddress: item.openWebUi as string,
      toolServerUrl: item.toolServer as string,
      key: (item.key as string | undefined) ?? "",
      headerName: item.header as string | undefined,
      scheme: item.scheme as string | undefined,
    };
    if (item.enabled === false) input.enabled = false;
    const validated = validateImportInput(input);
    if (!validated.ok) {
      const [name, ...quoted] = firstRefusal(validated.errors);
      // A key typed into another field is blanked out, and any quote kept short.
      const secrets = [input.key.trim()];
      const detail: UserText = [name, ...quoted.map((value) => displayLabel(value, secrets, MAX_QUOTED_LENGTH))];
      return { ok: false, problem: ["fileEntryInvalid", position], detail };
    }
    const { fields } = validated;
    const name = entryKey(fields);
    const first = seen.get(name);
    if (first !== undefined) return { ok: false, problem: ["fileEntryDuplicate", position, String(first)] };
    seen.set(name, index + 1);
    candidates.push({ label: readableUrl(fields.toolServerUrl), input });
  }
  return { ok: true, candidates };
}
