import { type EntryFields, type EntryInput, isSameEntry, keepsHosts, validateEntryInput } from "./entry.ts";
import type { FieldMessages } from "./fields.ts";
import { applyImport, type ImportInput } from "./import-review.ts";
import { type ManagedPolicy, managedCovering, NO_POLICY } from "./managed.ts";
import { MAX_ENTRIES } from "./rules.ts";
import type { Settings } from "./settings.ts";
import type { UserText } from "./user-text.ts";

/** What pages ask the background to change. The background alone writes settings. */
export type Command =
  /**
   * Adds an entry, or updates the one with the same Open WebUI and tool-server URL. `editing`: the
   * entry put in the form by Edit, updated in place even when its address or URL changes.
   */
  | { type: "save"; input: EntryInput; editing?: number }
  /** Several entries at once (the full tab's "Enable shown" and "Disable shown"); ids no longer there are skipped. */
  | { type: "setEnabled"; ids: number[]; enabled: boolean }
  | { type: "remove"; id: number }
  /** The confirmed review of an import: every input is written, or none. */
  | { type: "import"; inputs: ImportInput[] }
  /** "Add the key anyway" (true) or "Stand aside" (false) where Open WebUI sends keys itself. */
  | { type: "setAddKeyAnyway"; id: number; addKeyAnyway: boolean };

export type CommandResult =
  | { ok: true; settings: Settings; notices: FieldMessages; savedId?: number }
  | { ok: false; errors: FieldMessages & { form?: UserText } };

const GONE: UserText = ["entryGone"];

function freeId(settings: Settings): number | undefined {
  const used = new Set(settings.entries.map((entry) => entry.id));
  for (let id = 0; id < MAX_ENTRIES; id++) if (!used.has(id)) return id;
  return undefined;
}

/**
 * What the organisation's policy forbids of a saved entry: any, when it lets no one add their own;
 * else one that would share a URL with a managed entry of the same Open WebUI.
 */
function refusedByPolicy(fields: EntryFields, policy: Pick<ManagedPolicy, "entries" | "allowUserEntries">): CommandResult | undefined {
  if (!policy.allowUserEntries) return { ok: false, errors: { form: ["userEntriesOff"] } };
  const managed = managedCovering(policy.entries, fields);
  return managed === undefined ? undefined : { ok: false, errors: { toolServer: ["toolServer_managed", managed.toolServerUrl] } };
}

/**
 * A save, validated once: it updates the entry put in the form by Edit, or the one with the same
 * Open WebUI and tool-server URL, or adds one. A key left empty keeps the key of the entry updated,
 * but only while the entry stays with the same Open WebUI and tool-server origin: a key never
 * follows an entry to another host by itself.
 */
function save(
  settings: Settings,
  input: EntryInput,
  editing: number | undefined,
  policy: Pick<ManagedPolicy, "entries" | "allowUserEntries">,
): CommandResult {
  const edited = editing === undefined ? undefined : settings.entries.find((entry) => entry.id === editing);
  if (editing !== undefined && edited === undefined) return { ok: false, errors: { form: GONE } };
  const validated = validateEntryInput(input, { keyMayStayEmpty: true });
  if (!validated.ok) {
    // A key left empty for a new entry is one more thing to fix, said with the rest.
    const noKey = input.key.trim() === "" && edited === undefined && validated.errors.key === undefined;
    return noKey ? { ok: false, errors: { ...validated.errors, key: ["key_empty"] } } : validated;
  }
  const { fields, notices } = validated;
  const refused = refusedByPolicy(fields, policy);
  if (refused !== undefined) return refused;
  const named = settings.entries.find((entry) => isSameEntry(entry, fields));
  if (edited !== undefined && named !== undefined && named.id !== edited.id) {
    return { ok: false, errors: { toolServer: ["toolServer_taken"] } };
  }
  const existing = edited ?? named;
  if (fields.key === "") {
    if (existing === undefined) return { ok: false, errors: { key: ["key_empty"] } };
    if (!keepsHosts(existing, fields)) {
      const moved = existing.openWebUiOrigin === fields.openWebUiOrigin ? new URL(fields.toolServerUrl).origin : fields.openWebUiOrigin;
      return { ok: false, errors: { key: ["key_newHost", moved] } };
    }
    fields.key = existing.key;
  }
  if (existing !== undefined) {
    const updated = { ...existing, ...fields, enabled: true };
    return {
      ok: true,
      settings: { ...settings, entries: settings.entries.map((entry) => (entry.id === existing.id ? updated : entry)) },
      notices,
      savedId: existing.id,
    };
  }
  const id = freeId(settings);
  if (id === undefined) return { ok: false, errors: { form: ["tooManyEntries"] } };
  return {
    ok: true,
    settings: { ...settings, entries: [...settings.entries, { id, ...fields, enabled: true, addKeyAnyway: false }] },
    notices,
    savedId: id,
  };
}

/** An import, refused whole where the policy forbids any entry it adds or changes. */
function importChecked(
  settings: Settings,
  inputs: readonly ImportInput[],
  policy: Pick<ManagedPolicy, "entries" | "allowUserEntries">,
): CommandResult {
  const result = applyImport(settings, inputs);
  if (!result.ok) return result;
  const before = new Set(settings.entries);
  for (const entry of result.settings.entries) {
    // Entries the import leaves alone keep their object.
    const refused = before.has(entry) ? undefined : refusedByPolicy(entry, policy);
    if (refused !== undefined) return refused;
  }
  return result;
}

/** Applies one command to the settings, or explains why it cannot; never changes its input. */
export function applyCommand(
  settings: Settings,
  command: Command,
  policy: Pick<ManagedPolicy, "entries" | "allowUserEntries"> = NO_POLICY,
): CommandResult {
  switch (command.type) {
    case "save":
      return save(settings, command.input, command.editing, policy);
    case "setEnabled": {
      const ids = new Set(command.ids);
      if (!settings.entries.some((entry) => ids.has(entry.id))) return { ok: false, errors: { form: GONE } };
      return {
        ok: true,
        settings: {
          ...settings,
          entries: settings.entries.map((entry) => (ids.has(entry.id) ? { ...entry, enabled: command.enabled } : entry)),
        },
        notices: {},
      };
    }
    case "setAddKeyAnyway": {
      if (!settings.entries.some((entry) => entry.id === command.id)) return { ok: false, errors: { form: GONE } };
      return {
        ok: true,
        settings: {
          ...settings,
          entries: settings.entries.map((entry) => (entry.id === command.id ? { ...entry, addKeyAnyway: command.addKeyAnyway } : entry)),
        },
        notices: {},
      };
    }
    case "import":
      return importChecked(settings, command.inputs, policy);
    case "remove": {
      if (!settings.entries.some((entry) => entry.id === command.id)) return { ok: false, errors: { form: GONE } };
      return { ok: true, settings: { ...settings, entries: settings.entries.filter((entry) => entry.id !== command.id) }, notices: {} };
    }
  }
}
