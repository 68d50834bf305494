import { type Entry, isSameEntry, validateEntryInput } from "./entry.ts";
import { isRecord } from "./records.ts";
import { MAX_ENTRIES } from "./rules.ts";
import type { UserText } from "./user-text.ts";

/**
 * Managed entries take the ids after the user's (0 to MAX_ENTRIES - 1), one per place in the
 * policy's list, so that their rules never share an id with a user entry's.
 */
export const MANAGED_ID_FIRST = MAX_ENTRIES;

/** Why part of the policy is ignored: `at` is the entry's place in the policy's list, from 1. */
export interface ManagedProblem {
  at?: number;
  toolServer?: string;
  problem: UserText;
}

/** What an organisation set through browser policy (design.md, "Managed entries"), as ToolKey uses it. */
export interface ManagedPolicy {
  /** The valid entries, always enabled, standing aside where Open WebUI sends keys itself. */
  entries: Entry[];
  problems: ManagedProblem[];
  allowUserEntries: boolean;
}

export const NO_POLICY: ManagedPolicy = { entries: [], problems: [], allowUserEntries: true };

const optional = (value: unknown) => value === undefined || typeof value === "string";

/**
 * Reads what `storage.managed` holds. Each entry goes through the same validation as a typed one;
 * an invalid one, or a second one for the same Open WebUI and tool-server URL, is ignored with its
 * reason. A policy that cannot be read at all (not an object, a list that is not one, more entries
 * than ToolKey holds) gives no entries and one problem: it never touches the user's own entries.
 */
export function parseManagedPolicy(value: unknown): ManagedPolicy {
  if (value === undefined || (isRecord(value) && Object.keys(value).length === 0)) return NO_POLICY;
  if (!isRecord(value)) return { ...NO_POLICY, problems: [{ problem: ["managedUnreadable"] }] };
  const problems: ManagedProblem[] = [];
  // Anything but a boolean is a problem, and is read the safe way: only the organisation's entries apply.
  const allowUserEntries = value.allowUserEntries === undefined || value.allowUserEntries === true;
  if (value.allowUserEntries !== undefined && typeof value.allowUserEntries !== "boolean") {
    problems.push({ problem: ["managedAllowUserEntries"] });
  }
  const list = value.entries ?? [];
  if (!Array.isArray(list)) return { entries: [], problems: [...problems, { problem: ["managedUnreadable"] }], allowUserEntries };
  if (list.length > MAX_ENTRIES) {
    return { entries: [], problems: [...problems, { problem: ["managedTooMany", String(MAX_ENTRIES)] }], allowUserEntries };
  }
  const entries: Entry[] = [];
  list.forEach((item: unknown, index) => {
    const at = index + 1;
    const fields = isRecord(item) ? item : {};
    const { openWebUi, toolServer, key, header, scheme, addKeyAnyway } = fields;
    const named = quotable(toolServer, key) ? { at, toolServer } : { at };
    if (
      typeof openWebUi !== "string" ||
      typeof toolServer !== "string" ||
      typeof key !== "string" ||
      !optional(header) ||
      !optional(scheme) ||
      (addKeyAnyway !== undefined && typeof addKeyAnyway !== "boolean")
    ) {
      problems.push({ ...named, problem: ["managedEntryShape"] });
      return;
    }
    const validated = validateEntryInput({ openWebUiAddress: openWebUi, toolServerUrl: toolServer, key, headerName: header, scheme });
    if (!validated.ok) {
      problems.push({
        ...named, // validateEntryInput reports the fields in the form's order: the first is the one to fix first.
        problem: Object.values(validated.errors)[0] ?? ["managedEntryShape"],
      });
      return;
    }
    if (entries.some((entry) => isSameEntry(entry, validated.fields))) {
      problems.push({ ...named, problem: ["managedEntryDuplicate"] });
      return;
    }
    entries.push({ id: MANAGED_ID_FIRST + index, ...validated.fields, enabled: true, addKeyAnyway: addKeyAnyway === true });
  });
  return { entries, problems, allowUserEntries };
}

/** The longest tool-server value a problem quotes: every user of the browser reads it. */
const MAX_QUOTED_TOOL_SERVER = 200;

/**
 * Whether a policy's `toolServer` may be quoted to the user: a URL, short, and not holding the
 * entry's key (a policy with swapped fields must not show its key to everyone).
 */
function quotable(toolServer: unknown, key: unknown): toolServer is string {
  if (typeof toolServer !== "string" || toolServer.length > MAX_QUOTED_TOOL_SERVER || !/^[a-z][a-z0-9+.-]*:\/\//i.test(toolServer.trim()))
    return false;
  return typeof key !== "string" || key.trim() === "" || !toolServer.includes(key.trim());
}

export function isManagedId(id: number): boolean {
  return id >= MANAGED_ID_FIRST;
}

/**
 * Whether two entries of the same Open WebUI would put a key on some same URL: one tool-server URL
 * is the other's, or lies under it at a "/" boundary (design.md, "Managed entries win").
 */
export function coversSameUrls(
  a: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">,
  b: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">,
): boolean {
  if (a.openWebUiOrigin !== b.openWebUiOrigin) return false;
  const [x, y] = [`${a.toolServerUrl}/`, `${b.toolServerUrl}/`];
  return x.startsWith(y) || y.startsWith(x);
}

/** The managed entry whose URLs this one would share, if any. */
export function managedCovering(entries: readonly Entry[], entry: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">): Entry | undefined {
  return entries.find((managed) => coversSameUrls(managed, entry));
}
