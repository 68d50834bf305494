/**
 * The review of an import and its all-or-nothing apply (design.md, "One review for every import"):
 * what will be added, what will change and what is skipped, worked out against the saved entries.
 *
 * The plan holds the keys it will write; the review, which is all a page ever sees, holds none.
 */
import type { CommandResult } from "./commands.ts";
import { type Entry, type EntryFields, type EntryInput, entryKey, type ValidatedEntry, validateEntryInput } from "./entry.ts";
import { firstRefusal, type ImportCandidate, SKIPPED_TWICE, type SkippedServer } from "./open-webui-import.ts";
import { MAX_ENTRIES } from "./rules.ts";
import type { Settings } from "./settings.ts";
import type { UserText } from "./user-text.ts";

/**
 * What an import writes for one entry. From a file, the key may be empty: the entry it names keeps
 * its key, and a new entry is added waiting for one (it has no rule until the user adds it). A new
 * entry starts on unless `enabled` is false (a file's entry that was off).
 */
export interface ImportInput extends EntryInput {
  enabled?: boolean;
}

export interface PlannedAdd {
  label: string;
  /** An empty key: added waiting for a key. */
  fields: EntryFields;
  /** Set when the entry is added turned off. */
  off?: true;
}

export interface PlannedChange {
  id: number;
  label: string;
  fields: EntryFields;
  keyDiffers: boolean;
  /** The header name or the scheme changes (an entry that sent `X-API-Key` now sends `Authorization: Bearer`). */
  headerDiffers: boolean;
  /** Kept as it is: an import does not turn on an entry the user turned off. */
  enabled: boolean;
}

export interface PlannedUnchanged {
  id: number;
  label: string;
  openWebUiOrigin: string;
  toolServerUrl: string;
  enabled: boolean;
}

/** What an import would do; holds keys, so it stays in the background. */
export interface ImportPlan {
  add: PlannedAdd[];
  change: PlannedChange[];
  unchanged: PlannedUnchanged[];
  skipped: SkippedServer[];
}

/** One server as the review shows it. */
export interface ReviewedServer {
  label: string;
  openWebUiOrigin: string;
  toolServerUrl: string;
}

/** The plan as a page sees it: the same lists without a key, nor anything made from one. */
export interface ImportReview {
  add: (ReviewedServer & { waitsForKey?: true; off?: true })[];
  change: (ReviewedServer & { keyDiffers: boolean; headerDiffers: boolean; enabled: boolean })[];
  unchanged: (ReviewedServer & { enabled: boolean })[];
  skipped: SkippedServer[];
  /** How many entries the import button writes: the additions and the changes. */
  count: number;
  /** Said before the lists: what of the source was left unread (Open WebUI lists more servers than ToolKey reads). */
  notice?: UserText;
}

/**
 * Sets each candidate beside the saved entry it names (same Open WebUI and tool-server URL, once
 * normalised). A candidate validation refuses, or one naming the same entry as an earlier one, is
 * skipped; `skipped` (what the reading of the source already skipped) comes first in the list.
 */
export function planImport(
  entries: readonly Entry[],
  candidates: readonly (ImportCandidate & { input: ImportInput })[],
  skipped: readonly SkippedServer[] = [],
): ImportPlan {
  const plan: ImportPlan = { add: [], change: [], unchanged: [], skipped: [...skipped] };
  const saved = new Map(entries.map((entry) => [entryKey(entry), entry]));
  const seen = new Set<string>();
  for (const { label, input } of candidates) {
    const validated = validateImportInput(input);
    if (!validated.ok) {
      plan.skipped.push({ label, reason: firstRefusal(validated.errors) });
      continue;
    }
    const { fields } = validated;
    const name = entryKey(fields);
    if (seen.has(name)) {
      plan.skipped.push({ label, reason: SKIPPED_TWICE });
      continue;
    }
    seen.add(name);
    const existing = saved.get(name);
    if (existing === undefined) {
      plan.add.push(input.enabled === false ? { label, fields, off: true } : { label, fields });
      continue;
    }
    // No key in the input: the saved entry keeps its own.
    const keyDiffers = fields.key !== "" && existing.key !== fields.key;
    const headerDiffers = existing.headerName !== fields.headerName || existing.scheme !== fields.scheme;
    if (keyDiffers || headerDiffers) {
      plan.change.push({ id: existing.id, label, fields, keyDiffers, headerDiffers, enabled: existing.enabled });
    } else {
      const { id, openWebUiOrigin, toolServerUrl, enabled } = existing;
      plan.unchanged.push({ id, label, openWebUiOrigin, toolServerUrl, enabled });
    }
  }
  return plan;
}

/**
 * The review of a plan, for the page: built field by field, so that no key can come along.
 * `notice` comes from reading the source, which already made it fit to show.
 */
export function reviewOf(plan: ImportPlan, notice?: UserText): ImportReview {
  const server = ({ label, fields }: { label: string; fields: EntryFields }): ReviewedServer => ({
    label,
    openWebUiOrigin: fields.openWebUiOrigin,
    toolServerUrl: fields.toolServerUrl,
  });
  return {
    add: plan.add.map((add) => ({
      ...server(add),
      ...(add.fields.key === "" ? { waitsForKey: true as const } : {}),
      ...(add.off ? { off: true as const } : {}),
    })),
    change: plan.change.map((change) => ({
      ...server(change),
      keyDiffers: change.keyDiffers,
      headerDiffers: change.headerDiffers,
      enabled: change.enabled,
    })),
    unchanged: plan.unchanged.map(({ label, openWebUiOrigin, toolServerUrl, enabled }) => ({
      label,
      openWebUiOrigin,
      toolServerUrl,
      enabled,
    })),
    skipped: plan.skipped.map(({ label, reason }) => ({ label, reason })),
    count: plan.add.length + plan.change.length,
    ...(notice === undefined ? {} : { notice }),
  };
}

/** What the confirmed import writes: the additions and the changes of the plan, as inputs for applyImport. */
export function importInputs(plan: ImportPlan): ImportInput[] {
  const inputOf = ({ fields }: { fields: EntryFields }): ImportInput => ({
    openWebUiAddress: fields.openWebUiOrigin,
    toolServerUrl: fields.toolServerUrl,
    key: fields.key,
    headerName: fields.headerName,
    scheme: fields.scheme,
  });
  return [...plan.add.map((add) => (add.off ? { ...inputOf(add), enabled: false } : inputOf(add))), ...plan.change.map(inputOf)];
}

/** Validates an import's input as the popup would, except that the key may be empty (ImportInput). */
export function validateImportInput(input: EntryInput): ValidatedEntry {
  if (input.key.trim() !== "") return validateEntryInput(input);
  // A valid key stands in, so that only the other fields are judged; "(" is no scheme's name, so a
  // scheme cannot take it for "Bearer" pasted before the key.
  const validated = validateEntryInput({ ...input, key: "(" });
  return validated.ok ? { ...validated, fields: { ...validated.fields, key: "" } } : validated;
}

/**
 * Writes every input, or none: one that validation refuses, or too many new entries, leaves the
 * settings as they were. An input naming a saved entry updates its fields and keeps its id and its
 * on/off state (and its key, when the input has none); a later input naming the same entry as an
 * earlier one wins. A new entry starts as a typed one does, or off when its input says so. Never
 * changes its input.
 */
export function applyImport(settings: Settings, inputs: readonly ImportInput[]): CommandResult {
  const updates = new Map<string, { fields: EntryFields; enabled: boolean }>();
  for (const input of inputs) {
    const validated = validateImportInput(input);
    if (!validated.ok) return { ok: false, errors: { form: ["importNoLongerValid"] } };
    updates.set(entryKey(validated.fields), { fields: validated.fields, enabled: input.enabled !== false });
  }

  const entries = settings.entries.map((entry) => {
    const name = entryKey(entry);
    const update = updates.get(name);
    if (update === undefined) return entry;
    updates.delete(name);
    const { fields } = update;
    return { ...entry, ...fields, key: fields.key === "" ? entry.key : fields.key };
  });
  // What is left names no saved entry.
  const free = freeIds(settings.entries);
  for (const { fields, enabled } of updates.values()) {
    const id = free.next();
    if (id.done) return { ok: false, errors: { form: ["importTooMany", String(MAX_ENTRIES - settings.entries.length)] } };
    entries.push({ id: id.value, ...fields, enabled, addKeyAnyway: false });
  }
  return { ok: true, settings: { ...settings, entries }, notices: {} };
}

/** The ids no entry holds, smallest first, found in one pass however many are taken. */
function* freeIds(entries: readonly Entry[]): Generator<number, void> {
  const used = new Set(entries.map((entry) => entry.id));
  for (let id = 0; id < MAX_ENTRIES; id++) if (!used.has(id)) yield id;
}
