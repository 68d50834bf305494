import type { Entry } from "./entry.ts";
import { validateEntryInput } from "./entry.ts";
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

/**
 * Checks one stored entry by running it through the same validation as a typed one: an entry is
 * trusted only if saving it again would give exactly the same entry.
 */
function isTrustedEntry(value: unknown): value is Entry {
  if (!isRecord(value)) return false;
  const { id, openWebUiOrigin, toolServerUrl, key, headerName, scheme, enabled, addKeyAnyway } = value;
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= MAX_ENTRIES) return false;
  if (typeof enabled !== "boolean" || typeof addKeyAnyway !== "boolean") return false;
  if (typeof openWebUiOrigin !== "string" || typeof toolServerUrl !== "string" || typeof key !== "string") return false;
  if (typeof headerName !== "string" || typeof scheme !== "string") return false;
  const again = validateEntryInput({ openWebUiAddress: openWebUiOrigin, toolServerUrl, key, headerName, scheme });
  return (
    again.ok &&
    again.fields.openWebUiOrigin === openWebUiOrigin &&
    again.fields.toolServerUrl === toolServerUrl &&
    again.fields.key === key &&
    again.fields.headerName === headerName &&
    again.fields.scheme === scheme
  );
}

/** Version 1 had no `addKeyAnyway`: every entry of then stands aside where Open WebUI sends keys. */
function fromVersion1(entry: unknown): unknown {
  return isRecord(entry) ? { ...entry, addKeyAnyway: false } : entry;
}

/** Reads what storage holds; nothing stored yet is an empty list, anything untrustworthy a problem. */
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
  const entries: Entry[] = [];
  const ids = new Set<number>();
  for (const entry of stored.version === 1 ? stored.entries.map(fromVersion1) : stored.entries) {
    if (!isTrustedEntry(entry) || ids.has(entry.id)) {
      return { ok: false, problem: DAMAGED };
    }
    ids.add(entry.id);
    entries.push(entry);
  }
  return { ok: true, settings: { version: SETTINGS_VERSION, entries } };
}
