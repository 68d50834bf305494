import { describeEntries, type State } from "../core/messages.ts";
import type { HeaderRule } from "../core/rules.ts";
import { markTabs } from "./badge.ts";
import { entriesOf, type Memory, worldOf } from "./memory.ts";
import type { BrowserPort } from "./port.ts";

/**
 * The state as pages see it: every entry with its decision, and what is wrong as a whole. With
 * `first`, only the first entries are described: a popup's first screenful, before the rest.
 */
export function stateOf(m: Memory, first?: number): State {
  const entries = entriesOf(m);
  const shown = first === undefined || first >= entries.length ? entries : entries.slice(0, first);
  const state: State = { entries: describeEntries(shown, worldOf(m)) };
  if (shown.length < entries.length) state.total = entries.length;
  if (!m.loaded.ok) state.problem = m.loaded.problem;
  if (m.managed.problems.length > 0) state.managedProblems = m.managed.problems;
  if (!m.managed.allowUserEntries) state.allowUserEntries = false;
  if (m.rulesProblem !== undefined) state.rulesProblem = m.rulesProblem;
  return state;
}

/**
 * What the user sees of the background after a reconcile: the toolbar button of each tab where a
 * rule the browser holds adds a key, and the state, told to the open pages only when it changed.
 */
export function createOutputs(port: BrowserPort) {
  /** What each tab's toolbar button shows now. */
  const marked = new Map<number, boolean>();
  /** The pages have not been told the latest state. */
  let unsaid = true;

  return {
    marked,
    /** Something the pages show changed: the next `show` tells them. */
    changed(): void {
      unsaid = true;
    },
    show(m: Memory): void {
      const active = new Set([...(m.installed?.values() ?? [])].flatMap((rule) => (rule as HeaderRule).condition?.tabIds ?? []));
      markTabs(port, marked, m.tabs.keys(), active);
      if (!unsaid) return;
      unsaid = false;
      port.broadcast(() => stateOf(m));
    },
  };
}

export type Outputs = ReturnType<typeof createOutputs>;
