import type { World } from "../core/decision.ts";
import type { Entry } from "../core/entry.ts";
import { type ManagedPolicy, NO_POLICY, parseManagedPolicy } from "../core/managed.ts";
import { parseVersionBook, type VersionBook } from "../core/open-webui-version.ts";
import { patternCovers } from "../core/permissions.ts";
import { groupTabsByOrigin, isOwnedRuleId, patternsOf, type Tab } from "../core/rules.ts";
import { emptySettings, entryProblems, type LoadedSettings, parseSettings } from "../core/settings.ts";
import type { UserText } from "../core/user-text.ts";
import type { BrowserPort } from "./port.ts";

/**
 * What the background knows while it lives, read once when it wakes and kept up to date from its
 * own writes and from the browser's events (design.md, "State in memory, storage for persistence").
 */
export interface Memory {
  loaded: LoadedSettings;
  /**
   * What the organisation set through browser policy: the browser's last answer, kept for the
   * session so that a wake starts from it; none after a browser start until the browser answers.
   */
  managed: ManagedPolicy;
  /** The Open WebUI origins the entries name: only their tabs matter to the rules. */
  origins: Set<string>;
  /** Why a stored entry cannot have a rule, by entry id: derived from the entries on every write. */
  problems: Map<number, UserText>;
  versions: VersionBook;
  /** The host-access patterns the browser lists as held. */
  held: string[];
  /** The entries' patterns that `held` covers: what hasAccess is asked against. */
  granted: Set<string>;
  /** Each open tab's address, or undefined where the extension may not see it. */
  tabs: Map<number, string | undefined>;
  /** ToolKey's rules as the browser holds them; undefined after a failure, until read again. */
  installed: Map<number, unknown> | undefined;
  /** Rules the browser refused, by rule id, as sent: not sent again on their own until they change. */
  refused: Map<number, string>;
  /** The browser's refusal of an entry's rule, by entry id, for the popup. */
  errors: Map<number, string>;
  /** Set while a failed reconcile has left ToolKey without rules. */
  rulesProblem: string | undefined;
}

/** The user's own entries. */
export function userEntriesOf(memory: Memory): Entry[] {
  return memory.loaded.ok ? memory.loaded.settings.entries : [];
}

/** Every entry: the organisation's first, then the user's. */
export function entriesOf(memory: Memory): Entry[] {
  return [...memory.managed.entries, ...userEntriesOf(memory)];
}

/** The entries' patterns that the held access covers (a held `*://host/*` covers `http://host/*`). */
export function grantedPatterns(entries: readonly Entry[], held: readonly string[]): Set<string> {
  const patterns = new Set(entries.flatMap(patternsOf));
  return new Set([...patterns].filter((pattern) => held.some((grant) => patternCovers(grant, pattern))));
}

/** Each open tab's address by tab id, from the browser's list (tabs of other kinds have no id here). */
export function tabMap(tabs: readonly Tab[]): Map<number, string | undefined> {
  return new Map(tabs.flatMap((tab) => (tab.id === undefined || tab.id < 0 ? [] : [[tab.id, tab.url] as const])));
}

function tabList(memory: Memory): Tab[] {
  return [...memory.tabs].map(([id, url]) => ({ id, url }));
}

/** Takes new settings into memory, with what follows from them. */
export function takeSettings(memory: Memory, loaded: LoadedSettings): void {
  memory.loaded = loaded;
  derive(memory);
}

/** Takes a new policy into memory, with what follows from it. */
export function takeManaged(memory: Memory, managed: ManagedPolicy): void {
  memory.managed = managed;
  derive(memory);
}

/** What follows from the entries. */
function derive(memory: Memory): void {
  const entries = entriesOf(memory);
  memory.origins = new Set(entries.map((entry) => entry.openWebUiOrigin));
  memory.problems = entryProblems(userEntriesOf(memory));
  memory.granted = grantedPatterns(entries, memory.held);
  const ids = new Set(entries.map((entry) => entry.id));
  for (const id of memory.errors.keys()) if (!ids.has(id)) memory.errors.delete(id);
}

/** Everything the decision of each entry is made from (core/decision.ts). */
export function worldOf(memory: Memory): World {
  return {
    tabsByOrigin: groupTabsByOrigin(tabList(memory)),
    granted: memory.granted,
    versions: memory.versions,
    policy: memory.managed,
    problems: memory.problems,
    refused: memory.errors,
    rulesFailed: memory.rulesProblem !== undefined,
  };
}

/**
 * Reads everything once, before the first reconcile of a wake (design.md, "A wake starts from
 * everything"): settings, versions, the last policy answer of this browser session, held access,
 * open tabs and the rules the browser holds.
 */
export async function loadMemory(port: BrowserPort): Promise<Memory> {
  const [stored, policy, held, tabs, rules] = await Promise.all([
    port.readStorage(),
    port.readKeptPolicy(),
    port.grantedOrigins(),
    port.openTabs(),
    port.sessionRules(),
  ]);
  const memory: Memory = {
    loaded: { ok: true, settings: emptySettings() },
    managed: policy === undefined ? NO_POLICY : parseManagedPolicy(policy.value),
    origins: new Set(),
    problems: new Map(),
    versions: parseVersionBook(stored.versions),
    held,
    granted: new Set(),
    tabs: tabMap(tabs),
    installed: new Map(rules.filter((rule) => isOwnedRuleId(rule.id)).map((rule) => [rule.id, rule])),
    refused: new Map(),
    errors: new Map(),
    rulesProblem: undefined,
  };
  takeSettings(memory, parseSettings(stored.settings));
  return memory;
}
