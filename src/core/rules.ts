import type { Entry } from "./entry.ts";
import { httpOriginOf, originPattern } from "./urls.ts";

/** The rule ids ToolKey owns: it never reads or touches a session rule outside this range. */
export const RULE_ID_FIRST = 1000;
export const MAX_ENTRIES = 5000;

export function ruleIdOf(entryId: number): number {
  return RULE_ID_FIRST + entryId;
}

export function entryIdOfRule(ruleId: number): number {
  return ruleId - RULE_ID_FIRST;
}

/** The user's entries, then as many set by policy (managed.ts). */
export function isOwnedRuleId(ruleId: number): boolean {
  return ruleId >= RULE_ID_FIRST && ruleId < RULE_ID_FIRST + 2 * MAX_ENTRIES;
}

/** The shape of a declarativeNetRequest session rule, as far as ToolKey uses it. */
export interface HeaderRule {
  id: number;
  priority: number;
  action: {
    type: "modifyHeaders";
    requestHeaders: { header: string; operation: "set"; value: string }[];
  };
  condition: {
    urlFilter: string;
    isUrlFilterCaseSensitive: true;
    initiatorDomains: string[];
    tabIds: number[];
    resourceTypes: ["xmlhttprequest"];
  };
}

export interface Tab {
  id?: number;
  /** Absent when the extension may not see the tab's address: such a tab is never Open WebUI. */
  url?: string;
}

/** The ids of the tabs on each http(s) origin, in ascending order; each tab's URL is parsed once. */
export function groupTabsByOrigin(tabs: readonly Tab[]): Map<string, number[]> {
  const byOrigin = new Map<string, number[]>();
  for (const tab of tabs) {
    const origin = httpOriginOf(tab.url);
    if (tab.id === undefined || tab.id < 0 || origin === undefined) continue;
    const ids = byOrigin.get(origin);
    if (ids === undefined) byOrigin.set(origin, [tab.id]);
    else ids.push(tab.id);
  }
  for (const ids of byOrigin.values()) ids.sort((a, b) => a - b);
  return byOrigin;
}

/** Each entry's patterns, worked out once: every reconcile asks them of every entry it compiles. */
const patternsOfEntry = new WeakMap<object, readonly string[]>();

/** The host-access patterns an entry needs: its Open WebUI's and its tool server's. */
export function patternsOf(entry: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">): readonly string[] {
  let patterns = patternsOfEntry.get(entry);
  if (patterns === undefined) {
    const both = [originPattern(entry.openWebUiOrigin), originPattern(entry.toolServerUrl)];
    patterns = both[0] === both[1] ? [both[0] as string] : both;
    patternsOfEntry.set(entry, patterns);
  }
  return patterns;
}

/** The host-access patterns of the entry that have not been granted. */
export function missingAccessOf(entry: Pick<Entry, "openWebUiOrigin" | "toolServerUrl">, granted: ReadonlySet<string>): string[] {
  return patternsOf(entry).filter((pattern) => !granted.has(pattern));
}

/**
 * Whether a rule the browser hands back is the one wanted. Only the fields ToolKey sets are compared:
 * Firefox reports unset fields as null, and a browser may add defaults of its own.
 */
export function matchesWanted(wanted: unknown, installed: unknown): boolean {
  if (Array.isArray(wanted)) {
    return Array.isArray(installed) && installed.length === wanted.length && wanted.every((item, i) => matchesWanted(item, installed[i]));
  }
  if (typeof wanted === "object" && wanted !== null) {
    if (typeof installed !== "object" || installed === null) return false;
    const got = installed as Record<string, unknown>;
    return Object.entries(wanted).every(([key, value]) => matchesWanted(value, got[key]));
  }
  return wanted === installed;
}

/** The one update that turns the installed owned rules into the desired ones. */
export function diffRules(
  installed: readonly { id: number }[],
  desired: readonly HeaderRule[],
): { removeRuleIds: number[]; addRules: HeaderRule[] } {
  const wanted = new Map(desired.map((rule) => [rule.id, rule]));
  const removeRuleIds: number[] = [];
  const unchanged = new Set<number>();
  for (const rule of installed) {
    if (!isOwnedRuleId(rule.id)) continue;
    const want = wanted.get(rule.id);
    if (want !== undefined && matchesWanted(want, rule)) unchanged.add(rule.id);
    else removeRuleIds.push(rule.id);
  }
  return { removeRuleIds, addRules: desired.filter((rule) => !unchanged.has(rule.id)) };
}
