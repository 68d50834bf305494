import browser, { type DeclarativeNetRequest } from "webextension-polyfill";
import type { Entry } from "../core/entry.ts";
import { describeEntries, type State, type StateBroadcast } from "../core/messages.ts";
import { originsSendingKeys, type VersionChecks } from "../core/open-webui-version.ts";
import {
  compileRules,
  diffRules,
  entryIdOfRule,
  type HeaderRule,
  isOwnedRuleId,
  patternsOf,
  type Tab,
  tabsWithKeys,
} from "../core/rules.ts";
import type { UserText } from "../core/user-text.ts";
import { markTabs } from "./button.ts";
import { serial } from "./queue.ts";
import { loadSettings } from "./store.ts";
import { loadVersionChecks } from "./versions.ts";

export const RECONCILE_MEASURE = "toolkey:reconcile";

/** What the last reconcile saw; the state pages are shown is built from it. */
interface Observed {
  entries: Entry[];
  problem: UserText | undefined;
  tabs: Tab[];
  granted: Set<string>;
  errors: Map<number, string>;
  versions: VersionChecks;
}

let lastSeen: Observed = { entries: [], problem: undefined, tabs: [], granted: new Set(), errors: new Map(), versions: {} };

export function currentState(): State {
  const { entries, problem, tabs, granted, errors, versions } = lastSeen;
  const views = describeEntries(entries, tabs, granted, errors, originsSendingKeys(versions));
  return problem === undefined ? { entries: views, versions } : { entries: views, versions, problem };
}

async function grantedPatterns(entries: readonly Entry[]): Promise<Set<string>> {
  const patterns = [...new Set(entries.flatMap(patternsOf))];
  const held = await Promise.all(patterns.map((pattern) => browser.permissions.contains({ origins: [pattern] })));
  return new Set(patterns.filter((_, i) => held[i]));
}

/** A browser's error text, with the key taken out in case the browser quoted the rule. */
function describeError(error: unknown, entry: Entry | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  return entry === undefined ? message : message.split(entry.key).join("•••");
}

/**
 * Installs the rules in one update; if the browser refuses the batch, installs them one by one so
 * that one bad rule never blocks the others, and records each refusal on its entry.
 */
async function applyRules(
  installed: DeclarativeNetRequest.Rule[],
  desired: HeaderRule[],
  entries: readonly Entry[],
): Promise<{ errors: Map<number, string>; removed: number; added: number }> {
  const errors = new Map<number, string>();
  const { removeRuleIds, addRules } = diffRules(installed, desired);
  const outcome = { errors, removed: removeRuleIds.length, added: addRules.length };
  if (removeRuleIds.length === 0 && addRules.length === 0) return outcome;
  try {
    await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds, addRules });
  } catch {
    await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: [...removeRuleIds, ...addRules.map((rule) => rule.id)] });
    for (const rule of addRules) {
      try {
        await browser.declarativeNetRequest.updateSessionRules({ addRules: [rule] });
      } catch (error) {
        const entryId = entryIdOfRule(rule.id);
        const entry = entries.find((candidate) => candidate.id === entryId);
        errors.set(entryId, describeError(error, entry));
      }
    }
  }
  return outcome;
}

/**
 * Makes the installed session rules equal to what the settings, the open tabs and the granted host
 * access call for, and returns the state pages are shown. Idempotent; must run inside `serial`.
 */
export async function reconcileNow(): Promise<State> {
  const start = performance.now();
  const [loaded, versions] = await Promise.all([loadSettings(), loadVersionChecks()]);
  const entries = loaded.ok ? loaded.settings.entries : [];
  const [tabs, granted, installed] = await Promise.all([
    browser.tabs.query({}),
    grantedPatterns(entries),
    browser.declarativeNetRequest.getSessionRules(),
  ]);
  const owned = installed.filter((rule) => isOwnedRuleId(rule.id));
  const desired = compileRules(entries, tabs, granted, originsSendingKeys(versions));
  const { errors, removed, added } = await applyRules(owned, desired, entries);
  markTabs(tabs, tabsWithKeys(desired, new Set(errors.keys())));
  recordDuration(start, { entries: entries.length, tabs: tabs.length, removed, added });
  lastSeen = { entries, problem: loaded.ok ? undefined : loaded.problem, tabs, granted, errors, versions };
  const state = currentState();
  const broadcast: StateBroadcast = { type: "state", state };
  // Rejects when no extension page is open to hear it, which is fine.
  browser.runtime.sendMessage(broadcast).catch(() => undefined);
  return state;
}

/**
 * Keeps the durations of the latest reconciles in the background's performance timeline, for the
 * benchmark and for anyone profiling ToolKey in DevTools; bounded so that it never grows.
 */
function recordDuration(start: number, detail: Record<string, number>): void {
  if (performance.getEntriesByName(RECONCILE_MEASURE).length >= 100) performance.clearMeasures(RECONCILE_MEASURE);
  performance.measure(RECONCILE_MEASURE, { start, detail });
}

let queued: Promise<void> | undefined;

/** Asks for a reconcile; triggers that arrive while one is waiting to start share it. */
export function requestReconcile(): Promise<void> {
  queued ??= serial(async () => {
    queued = undefined;
    await reconcileNow();
  });
  return queued;
}
