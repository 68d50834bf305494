import { type Entry, type EntryInput, isSameEntry, validateEntryInput } from "./entry.ts";
import type { FieldMessages } from "./fields.ts";
import { applyImport, type ImportInput } from "./import-review.ts";
import { type ManagedPolicy, managedCovering, NO_POLICY } from "./managed.ts";
import { MAX_ENTRIES } from "./rules.ts";
import type { Settings } from "./settings.ts";
import { parseOpenWebUiAddress, parseToolServerUrl } from "./urls.ts";
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

/** The saved entry the input names (same Open WebUI and tool-server URL, once normalised), if any. */
function entryNamedBy(settings: Settings, input: EntryInput): Entry | undefined {
  const origin = parseOpenWebUiAddress(input.openWebUiAddress);
  const url = parseToolServerUrl(input.toolServerUrl);
  if (!origin.ok || !url.ok) return undefined;
  return settings.entries.find((entry) => isSameEntry(entry, { openWebUiOrigin: origin.value, toolServerUrl: url.value }));
}

/**
 * What the organisation's policy forbids of an added or saved entry: any, when it lets no one add
 * their own; else one that would share a URL with a managed entry of the same Open WebUI.
 */
function refusedByPolicy(
  inputs: readonly EntryInput[],
  policy: Pick<ManagedPolicy, "entries" | "allowUserEntries">,
): CommandResult | undefined {
  if (!policy.allowUserEntries) return { ok: false, errors: { form: ["userEntriesOff"] } };
  for (const input of inputs) {
    const origin = parseOpenWebUiAddress(input.openWebUiAddress);
    const url = parseToolServerUrl(input.toolServerUrl);
    const managed =
      origin.ok && url.ok ? managedCovering(policy.entries, { openWebUiOrigin: origin.value, toolServerUrl: url.value }) : undefined;
    if (managed !== undefined) return { ok: false, errors: { toolServer: ["toolServer_managed", managed.toolServerUrl] } };
  }
  return undefined;
}

/** Applies one command to the settings, or explains why it cannot; never changes its input. */
export function applyCommand(
  settings: Settings,
  command: Command,
  policy: Pick<ManagedPolicy, "entries" | "allowUserEntries"> = NO_POLICY,
): CommandResult {
  if (command.type === "save" || command.type === "import") {
    const refused = refusedByPolicy(command.type === "save" ? [command.input] : command.inputs, policy);
    if (refused !== undefined) return refused;
  }
  switch (command.type) {
    case "save": {
      const edited = command.editing === undefined ? undefined : settings.entries.find((entry) => entry.id === command.editing);
      if (command.editing !== undefined && edited === undefined) return { ok: false, errors: { form: GONE } };
      // Editing an entry without typing its key again keeps the key it has.
      const keep = command.input.key.trim() === "" ? (edited ?? entryNamedBy(settings, command.input))?.key : undefined;
      const validated = validateEntryInput(keep === undefined ? command.input : { ...command.input, key: keep });
      if (!validated.ok) return { ok: false, errors: validated.errors };
      const named = settings.entries.find((entry) => isSameEntry(entry, validated.fields));
      if (edited !== undefined && named !== undefined && named.id !== edited.id) {
        return { ok: false, errors: { toolServer: ["toolServer_taken"] } };
      }
      const existing = edited ?? named;
      if (existing !== undefined) {
        const updated = { ...existing, ...validated.fields, enabled: true };
        return {
          ok: true,
          settings: { ...settings, entries: settings.entries.map((entry) => (entry.id === existing.id ? updated : entry)) },
          notices: validated.notices,
          savedId: existing.id,
        };
      }
      const id = freeId(settings);
      if (id === undefined) {
        return { ok: false, errors: { form: ["tooManyEntries"] } };
      }
      return {
        ok: true,
        settings: { ...settings, entries: [...settings.entries, { id, ...validated.fields, enabled: true, addKeyAnyway: false }] },
        notices: validated.notices,
        savedId: id,
      };
    }
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
      return applyImport(settings, command.inputs);
    case "remove": {
      if (!settings.entries.some((entry) => entry.id === command.id)) return { ok: false, errors: { form: GONE } };
      return { ok: true, settings: { ...settings, entries: settings.entries.filter((entry) => entry.id !== command.id) }, notices: {} };
    }
  }
}
