import { type EntryInput, isSameEntry, validateEntryInput } from "./entry.ts";
import type { FieldMessages } from "./fields.ts";
import { MAX_ENTRIES } from "./rules.ts";
import type { Settings } from "./settings.ts";
import type { UserText } from "./user-text.ts";

/** What pages ask the background to change. The background alone writes settings. */
export type Command =
  | { type: "save"; input: EntryInput }
  | { type: "setEnabled"; id: number; enabled: boolean }
  | { type: "remove"; id: number };

export type CommandResult =
  | { ok: true; settings: Settings; notices: FieldMessages; savedId?: number }
  | { ok: false; errors: FieldMessages & { form?: UserText } };

const GONE: UserText = ["entryGone"];

function freeId(settings: Settings): number | undefined {
  const used = new Set(settings.entries.map((entry) => entry.id));
  for (let id = 0; id < MAX_ENTRIES; id++) if (!used.has(id)) return id;
  return undefined;
}

/** Applies one command to the settings, or explains why it cannot; never changes its input. */
export function applyCommand(settings: Settings, command: Command): CommandResult {
  switch (command.type) {
    case "save": {
      const validated = validateEntryInput(command.input);
      if (!validated.ok) return { ok: false, errors: validated.errors };
      const existing = settings.entries.find((entry) => isSameEntry(entry, validated.fields));
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
        settings: { ...settings, entries: [...settings.entries, { id, ...validated.fields, enabled: true }] },
        notices: validated.notices,
        savedId: id,
      };
    }
    case "setEnabled": {
      if (!settings.entries.some((entry) => entry.id === command.id)) return { ok: false, errors: { form: GONE } };
      return {
        ok: true,
        settings: {
          ...settings,
          entries: settings.entries.map((entry) => (entry.id === command.id ? { ...entry, enabled: command.enabled } : entry)),
        },
        notices: {},
      };
    }
    case "remove": {
      if (!settings.entries.some((entry) => entry.id === command.id)) return { ok: false, errors: { form: GONE } };
      return { ok: true, settings: { ...settings, entries: settings.entries.filter((entry) => entry.id !== command.id) }, notices: {} };
    }
  }
}
