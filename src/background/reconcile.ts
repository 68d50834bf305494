import { compileRules } from "../core/decision.ts";
import { isOwnedRuleId, ruleIdOf } from "../core/rules.ts";
import { applyRules, describeError } from "./apply-rules.ts";
import { entriesOf, type Memory, worldOf } from "./memory.ts";
import type { Outputs } from "./outputs.ts";
import type { BrowserPort } from "./port.ts";

const RECONCILE_MEASURE = "toolkey:reconcile";

/** The first retry after a failed reconcile, doubled each time up to the last. */
const RETRY_FIRST_MS = 1000;
const RETRY_LAST_MS = 60_000;

/**
 * The one reconcile (design.md, "Reconcile, don't patch"): the rules every entry's decision wants,
 * brought about by sending the browser only what changed. A failed browser call fails closed: every
 * ToolKey rule is removed, the problem is kept for the pages, and the reconcile is tried again with
 * a growing delay, by a timer while the background lives and by an alarm if it does not.
 * `retry` runs a reconcile in turn with everything else.
 */
export function createReconciler(port: BrowserPort, outputs: Outputs, retry: () => void) {
  let failures = 0;
  let retrying = false;

  function retryLater(): void {
    if (retrying) return;
    retrying = true;
    const delay = Math.min(RETRY_LAST_MS, RETRY_FIRST_MS * 2 ** failures);
    failures++;
    port.wakeAfter(delay).catch(() => undefined);
    port.later(() => {
      retrying = false;
      retry();
    }, delay);
  }

  /** A browser call failed: no rule of ToolKey's may stay in force, since some may be stale. */
  async function failClosed(m: Memory, error: unknown): Promise<void> {
    m.rulesProblem = describeError(error, entriesOf(m));
    m.installed = undefined;
    outputs.changed();
    try {
      const owned = (await port.sessionRules()).map((rule) => rule.id).filter(isOwnedRuleId);
      if (owned.length > 0) await port.updateSessionRules({ removeRuleIds: owned, addRules: [] });
      m.installed = new Map();
    } catch {
      // Still unknown: the retry reads them again.
    }
    retryLater();
  }

  /**
   * `concerned`: the Open WebUI origins whose entries may have changed their rules (a tab event
   * concerns one or two); only their rules are compiled and compared. Without it, all.
   */
  async function reconcile(m: Memory, concerned?: ReadonlySet<string>): Promise<void> {
    const start = performance.now();
    // After a failure every rule was removed: whatever the event, all come back.
    const scope = m.rulesProblem === undefined && m.installed !== undefined ? concerned : undefined;
    const all = entriesOf(m);
    const entries = scope === undefined ? all : all.filter((entry) => scope.has(entry.openWebUiOrigin));
    const desired = compileRules(entries, worldOf(m));
    const compiled = performance.now();
    let applied = compiled;
    try {
      m.installed ??= new Map(
        (await port.sessionRules()).filter((rule) => isOwnedRuleId(rule.id)).map((rule) => [rule.id, rule] as [number, unknown]),
      );
      const ruleIds = scope === undefined ? undefined : new Set(entries.map((entry) => ruleIdOf(entry.id)));
      const sent = await applyRules(port, m, desired, all, ruleIds);
      applied = performance.now();
      if (sent) outputs.changed();
      if (m.rulesProblem !== undefined) {
        m.rulesProblem = undefined;
        outputs.changed();
        port.wakeAfter(undefined).catch(() => undefined);
      }
      failures = 0;
    } catch (error) {
      await failClosed(m, error);
    }
    const shown = performance.now();
    outputs.show(m);
    // Where the time went: compiling and comparing, the browser's update, the badge and the pages' state.
    const times = { compileMs: compiled - start, applyMs: applied - compiled, showMs: performance.now() - shown };
    recordDuration(start, { entries: all.length, compiled: entries.length, tabs: m.tabs.size, rules: desired.length, ...times });
  }

  return reconcile;
}

/**
 * Keeps the durations of the latest reconciles in the background's performance timeline, for the
 * benchmark and for anyone profiling ToolKey in DevTools; bounded so that it never grows.
 */
function recordDuration(start: number, detail: Record<string, number>): void {
  if (performance.getEntriesByName(RECONCILE_MEASURE).length >= 100) performance.clearMeasures(RECONCILE_MEASURE);
  performance.measure(RECONCILE_MEASURE, { start, detail });
}
