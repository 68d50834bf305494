/**
 * The review of an import and its all-or-nothing apply (design.md, "One review for every import"):
 * what will be added, what will change and what is skipped, worked out against the saved entries.
 *
 * The plan holds the keys it will write; the review, which is all a page ever sees, holds none.
 */
import type { CommandResult } from "./commands.ts";
import { type Entry, type EntryFields, type EntryInput, validateEntryInput } from "./entry.ts";
import { firstRefusal, type ImportCandidate, SKIPPED_TWICE, type SkippedServer } from "./open-webui-import.ts";
import { MAX_ENTRIES } from "./rules.ts";
import type { Settings } from "./settings.ts";

export interface PlannedAdd {
  label: string;
  fields: EntryFields;
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
  add: ReviewedServer[];
  change: (ReviewedServer & { keyDiffers: boolean; headerDiffers: boolean; enabled: boolean })[];
  unchanged: (ReviewedServer & { enabled: boolean })[];
  skipped: SkippedServer[];
  /** How many entries the import button writes: the additions and the changes. */
  count: number;
}

/**
 * Sets each candidate beside the saved entry it names (same Open WebUI and tool-server URL, once
 * normalised). A candidate validation refuses, or one naming the same entry as an earlier one, is
 * skipped; `skipped` (what the reading of the source already skipped) comes first in the list.
 */
export function planImport(
  entries: readonly Entry[],
  candidates: readonly ImportCandidate[],
  skipped: readonly SkippedServer[] = [],
): ImportPlan {
  const plan: ImportPlan = { add: [], change: [], unchanged: [], skipped: [...skipped] };
  const saved = new Map(entries.map((entry) => [entryKey(entry), entry]));
  const seen = new Set<string>();
  for (const { label, input } of candidates) {
    const validated = validateEntryInput(input);
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
      plan.add.push({ label, fields });
      continue;
    }
    const keyDiffers = existing.key !== fields.key;
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

/** The review of a plan, for the page: built field by field, so that no key can come along. */
export function reviewOf(plan: ImportPlan): ImportReview {
  const server = ({ label, fields }: { label: string; fields: EntryFields }): ReviewedServer => ({
    label,
    openWebUiOrigin: fields.openWebUiOrigin,
    toolServerUrl: fields.toolServerUrl,
  });
  return {
    add: plan.add.map(server),
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
  };
}

/** What the confirmed import writes: the additions and the changes of the plan, as inputs for applyImport. */
export function importInputs(plan: ImportPlan): EntryInput[] {
  return [...plan.add, ...plan.change].map(({ fields }) => ({
    openWebUiAddress: fields.openWebUiOrigin,
    toolServerUrl: fields.toolServerUrl,
    key: fields.key,
    headerName: fields.headerName,
    scheme: fields.scheme,
  }));
}

/** What a new entry starts with besides its fields; an imported entry starts as a typed one does. */
const NEW_ENTRY = { enabled: true, addKeyAnyway: false } as const;

/**
 * Writes every input, or none: one that validation refuses, or too many new entries, leaves the
 * settings as they were. An input naming a saved entry updates its fields and keeps its id and its
 * on/off state; a later input naming the same entry as an earlier one wins. Never changes its input.
 */
export function applyImport(settings: Settings, inputs: readonly EntryInput[]): CommandResult {
  const updates = new Map<string, EntryFields>();
  for (const input of inputs) {
    const validated = validateEntryInput(input);
    if (!validated.ok) return { ok: false, errors: { form: ["importNoLongerValid"] } };
    updates.set(entryKey(validated.fields), validated.fields);
  }

  const entries = settings.entries.map((entry) => {
    const name = entryKey(entry);
    const fields = updates.get(name);
    if (fields === undefined) return entry;
    updates.delete(name);
    return { ...entry, ...fields };
  });
  // What is left names no saved entry.
  const free = freeIds(settings.entries);
  for (const fields of updates.values()) {
    const id = free.next();
    if (id.done) return { ok: false, errors: { form: ["importTooMany", String(MAX_ENTRIES - settings.entries.length)] } };
    entries.push({ id: id.value, ...fields, ...NEW_ENTRY });
  }
  return { ok: true, settings: { ...settings, entries }, notices: {} };
}

/** Names an entry by what makes two entries the same (isSameEntry), so that a map finds it in one step. */
function entryKey(entry: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">): string {
  return JSON.stringify([entry.openWebUiOrigin, entry.toolServerUrl]);
}

/** The ids no entry holds, smallest first, found in one pass however many are taken. */
function* freeIds(entries: readonly Entry[]): Generator<number, void> {
  const used = new Set(entries.map((entry) => entry.id));
  for (let id = 0; id < MAX_ENTRIES; id++) if (!used.has(id)) yield id;
}
