import type { Entry } from "./entry.ts";
import { entryKey, isSameEntry, validateEntryInput } from "./entry.ts";
import type { FieldMessages } from "./fields.ts";
import { DEFAULT_HEADER_NAME, DEFAULT_SCHEME } from "./headers.ts";
import { isRecord } from "./records.ts";
import { MAX_ENTRIES } from "./rules.ts";
import type { UserText } from "./user-text.ts";

/**
 * Bump when the stored shape changes, and teach parseSettings the step from the previous one.
 * 1: ToolKey 0.1.0. 2: each entry gains `addKeyAnyway` (false for entries from 1).
 */
export const SETTINGS_VERSION = 2;

/** What ToolKey keeps in storage.local under SETTINGS_KEY. */
export interface Settings {
  version: typeof SETTINGS_VERSION;
  entries: Entry[];
}

export const SETTINGS_KEY = "settings";

export function emptySettings(): Settings {
  return { version: SETTINGS_VERSION, entries: [] };
}

export type LoadedSettings = { ok: true; settings: Settings } | { ok: false; problem: UserText };

const DAMAGED: UserText = ["settingsDamaged"];

const text = (value: unknown, otherwise = "") => (typeof value === "string" ? value : otherwise);

/**
 * A stored entry in today's shape, whatever it holds: a field of the wrong type reads as empty (or
 * off), header name and scheme as their defaults (as when the popup leaves them out), unknown fields
 * are dropped. Whether it is usable is for entryProblems to say.
 */
function readEntry(value: Record<string, unknown>, id: number): Entry {
  return {
    id,
    openWebUiOrigin: text(value.openWebUiOrigin),
    toolServerUrl: text(value.toolServerUrl),
    key: text(value.key),
    headerName: text(value.headerName, DEFAULT_HEADER_NAME),
    scheme: text(value.scheme, DEFAULT_SCHEME),
    enabled: value.enabled === true,
    addKeyAnyway: value.addKeyAnyway === true,
  };
}

/** Version 1 had no `addKeyAnyway`: every entry of then stands aside where Open WebUI sends keys. */
function fromVersion1(entry: unknown): unknown {
  return isRecord(entry) ? { ...entry, addKeyAnyway: false } : entry;
}

/**
 * Reads what storage holds. Nothing stored yet is an empty list; settings that cannot be read at all,
 * or that a newer ToolKey wrote, are a problem that stops every rule. Otherwise every entry is kept,
 * one by one, even one that today's validation refuses: entryProblems says which, and only those go
 * without a rule. An entry whose id is missing, out of range or taken gets a free one.
 */
export function parseSettings(stored: unknown): LoadedSettings {
  if (stored === undefined) return { ok: true, settings: emptySettings() };
  if (!isRecord(stored) || typeof stored.version !== "number") {
    return { ok: false, problem: DAMAGED };
  }
  if (stored.version > SETTINGS_VERSION) {
    return { ok: false, problem: ["settingsNewer"] };
  }
  if (!Number.isInteger(stored.version) || stored.version < 1 || !Array.isArray(stored.entries)) {
    return { ok: false, problem: DAMAGED };
  }
  const records = (stored.version === 1 ? stored.entries.map(fromVersion1) : stored.entries).filter(isRecord);
  if (records.length > MAX_ENTRIES) return { ok: false, problem: DAMAGED };
  // First come, first kept: an entry whose id is not a free one in range is given the lowest free id.
  const validId = (id: unknown): id is number => typeof id === "number" && Number.isInteger(id) && id >= 0 && id < MAX_ENTRIES;
  const kept = new Set<number>();
  const ids = records.map((record) => {
    if (!validId(record.id) || kept.has(record.id)) return undefined;
    kept.add(record.id);
    return record.id;
  });
  let free = 0;
  const entries = records.map((record, i) => {
    let id = ids[i];
    if (id === undefined) {
      while (kept.has(free)) free++;
      id = free;
      kept.add(id);
    }
    return readEntry(record, id);
  });
  return { ok: true, settings: { version: SETTINGS_VERSION, entries } };
}

/**
 * Why a stored entry cannot have a rule, by entry id: one that saving it again would not give back
 * exactly (a stricter rule in a later ToolKey, a damaged field, no key yet), and the later of two entries with
 * the same Open WebUI and tool-server URL. Entries not named here are usable.
 */
export function entryProblems(entries: readonly Entry[]): Map<number, UserText> {
  const problems = new Map<number, UserText>();
  const seen = new Set<string>();
  for (const entry of entries) {
    const problem = problemOf(entry);
    const name = entryKey(entry);
    if (problem !== undefined) problems.set(entry.id, problem);
    else if (seen.has(name)) problems.set(entry.id, ["entryDuplicate"]);
    seen.add(name);
  }
  return problems;
}

const FIELD_ORDER = ["openWebUi", "toolServer", "key", "headerName", "scheme"] as const;

function problemOf(entry: Entry): UserText | undefined {
  const again = validateEntryInput({
    openWebUiAddress: entry.openWebUiOrigin,
    toolServerUrl: entry.toolServerUrl,
    key: entry.key,
    headerName: entry.headerName,
    scheme: entry.scheme,
  });
  if (!again.ok) {
    const first = firstError(again.errors);
    // An entry imported from a file without its key is kept, waiting for the user to add one.
    return first?.[0] === "key_empty" ? ["entryWaitingForKey"] : (first ?? ["entryChanged"]);
  }
  return isSameEntry(again.fields, entry) &&
    again.fields.key === entry.key &&
    again.fields.headerName === entry.headerName &&
    again.fields.scheme === entry.scheme
    ? undefined
    : ["entryChanged"];
}

function firstError(errors: FieldMessages): UserText | undefined {
  for (const field of FIELD_ORDER) if (errors[field] !== undefined) return errors[field];
  return undefined;
}
