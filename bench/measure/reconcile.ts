/**
 * The reconcile for a tab event that rewrites every rule (a second Open WebUI tab opens, then
 * closes: each rule's tabIds gains it, then loses it), with the time of every reconcile the event
 * causes added up, against its floor: the bare extension, holding the same rules as ToolKey, sends
 * the same changes at the same moment of a tab's life (a tab on another site opens and closes:
 * ToolKey changes nothing for it), timed from the event to the browser's answer. The two take
 * turns, cycle by cycle. Also reported: the same update sent when the browser is quiet, right
 * after ToolKey's.
 */
import { diffRules, type HeaderRule } from "../../src/core/rules.ts";
import { JUDGED_ENTRIES } from "../judge/goals.ts";
import { summarise } from "../judge/stats.ts";
import type { BenchBrowser, BenchTab } from "./browsers.ts";
import { bareHolds, seedEntries, waitForRules } from "./rules.ts";
import type { Sites } from "./sites.ts";
import { sleep, waitFor } from "./waiting.ts";

/** Each cycle opens a second Open WebUI tab and closes it: two tab events that rewrite every rule. */
const RECONCILE_CYCLES = 10;
export const RECONCILE_ENTRIES = [1, 100, JUDGED_ENTRIES];

/** The extension APIs the bare extension's page calls (Firefox has the `chrome` namespace too). */
declare const chrome: {
  tabs: {
    onUpdated: TabEvent<(tabId: number, change: { url?: string }) => void>;
    onRemoved: TabEvent<(tabId: number) => void>;
  };
  declarativeNetRequest: {
    updateSessionRules(update: { removeRuleIds?: number[]; addRules?: HeaderRule[] }): Promise<void>;
  };
};

interface TabEvent<Listener> {
  addListener(listener: Listener): void;
  removeListener(listener: Listener): void;
}

/**
 * Waits until the background has recorded a reconcile and then none for `quietMs`, and returns
 * the reconciles' durations: a tab event may cost more than one.
 */
async function settledReconciles(bench: BenchBrowser, quietMs = 300): Promise<{ duration: number; detail: Record<string, number> }[]> {
  let seen = -1;
  let quietSince = Date.now();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const measures = await bench.reconcileMeasures();
    if (measures.length !== seen) {
      seen = measures.length;
      quietSince = Date.now();
    } else if (seen > 0 && Date.now() - quietSince >= quietMs) {
      return measures;
    }
    if (Date.now() > deadline) throw new Error("timed out waiting for the reconcile of a tab event");
    await sleep(50);
  }
}

type RuleUpdate = { removeRuleIds: number[]; addRules: HeaderRule[] };

/** Runs in the bare extension's page: the browser's own call, timed from the call to its answer. */
async function timedBareUpdate(update: RuleUpdate): Promise<number> {
  const start = performance.now();
  await chrome.declarativeNetRequest.updateSessionRules(update);
  return performance.now() - start;
}

/** What the bare extension's tab listeners found, kept on its page's window. */
interface BareFloor {
  tabId: number;
  openMs: number;
  closeMs: number;
  rulesChanged: number;
  off(): void;
}

/**
 * Runs in the bare extension's page, holding `rules` (ToolKey's rules with one Open WebUI tab): the
 * next tab that reaches an address under `prefix` is added to every rule's tabIds as soon as the
 * browser reports that address (the event ToolKey reconciles on), and taken out again when it
 * closes, as ToolKey's reconcile changes its rules when a second Open WebUI tab opens and closes.
 * Each update is timed from the event to the browser's answer.
 */
function armBareFloor({ prefix, rules }: { prefix: string; rules: HeaderRule[] }): void {
  const ids = rules.map((rule) => rule.id);
  const withTab = (tabId: number) =>
    rules.map((rule) => ({ ...rule, condition: { ...rule.condition, tabIds: [...rule.condition.tabIds, tabId].sort((a, b) => a - b) } }));
  const timed = async (update: RuleUpdate) => {
    const start = performance.now();
    await chrome.declarativeNetRequest.updateSessionRules(update);
    return performance.now() - start;
  };
  const onUpdated = (tabId: number, change: { url?: string }) => {
    if (floor.tabId !== -1 || change.url?.startsWith(prefix) !== true) return;
    floor.tabId = tabId;
    void timed({ removeRuleIds: ids, addRules: withTab(tabId) }).then((ms) => {
      floor.openMs = ms;
    });
  };
  const onRemoved = (tabId: number) => {
    if (tabId !== floor.tabId) return;
    void timed({ removeRuleIds: ids, addRules: rules }).then((ms) => {
      floor.closeMs = ms;
    });
  };
  const floor: BareFloor = {
    tabId: -1,
    openMs: Number.NaN,
    closeMs: Number.NaN,
    rulesChanged: rules.length,
    off() {
      chrome.tabs.onUpdated.removeListener(onUpdated);
      chrome.tabs.onRemoved.removeListener(onRemoved);
    },
  };
  (window as unknown as { benchFloor: BareFloor }).benchFloor = floor;
  chrome.tabs.onUpdated.addListener(onUpdated);
  chrome.tabs.onRemoved.addListener(onRemoved);
}

/** Runs in the bare extension's page: what its listeners have timed so far. */
function bareFloorTimes(): { openMs: number; closeMs: number } {
  const { openMs, closeMs } = (window as unknown as { benchFloor: BareFloor }).benchFloor;
  return { openMs, closeMs };
}

/** The reconciles and their floor at 1, 100 and 1,000 entries; the goal is judged at 1,000. */
export async function tabEventReconciles(bench: BenchBrowser, { owuiOrigin, toolsOrigin, otherOrigin }: Sites) {
  const results = [];
  for (const count of RECONCILE_ENTRIES) {
    await seedEntries(bench, count, owuiOrigin, toolsOrigin);
    const first = await bench.openTab(`${owuiOrigin}/`);
    const oneTab = await waitForRules(bench, count, 1);
    await bareHolds(bench, oneTab);
    /** Each event's reconciles, an opening first, then a closing, and so on. */
    const toolkey: number[][] = [];
    /** Where each event's reconciles spent their time (src/background/reconcile.ts), added up. */
    const parts: Record<"compileMs" | "applyMs" | "showMs", number[]> = { compileMs: [], applyMs: [], showMs: [] };
    /** The processor time of the background's thread from each event until its reconciles were over. */
    const ran: number[] = [];
    const floor: number[] = [];
    const quiet: number[] = [];
    let changed = 0;
    const toolkeyEvent = async (act: () => Promise<void>, before: HeaderRule[], tabsAfter: number) => {
      await bench.clearReconcileMeasures();
      const ranBefore = bench.backgroundRunNs();
      await act();
      const measures = await settledReconciles(bench);
      toolkey.push(measures.map((measure) => measure.duration));
      for (const part of ["compileMs", "applyMs", "showMs"] as const) {
        parts[part].push(measures.reduce((sum, measure) => sum + (measure.detail[part] ?? 0), 0));
      }
      const ranAfter = bench.backgroundRunNs();
      ran.push(ranBefore === undefined || ranAfter === undefined ? Number.NaN : (ranAfter - ranBefore) / 1e6);
      const after = await waitForRules(bench, count, tabsAfter);
      const update = diffRules(before, after);
      changed += update.addRules.length;
      quiet.push(await bench.inBare(timedBareUpdate, update));
      return after;
    };
    const toolkeyCycle = async () => {
      let second: BenchTab | undefined;
      const open = async () => {
        second = await bench.openTab(`${owuiOrigin}/`);
      };
      const twoTabs = await toolkeyEvent(open, oneTab, 2);
      await toolkeyEvent(async () => second?.close(), twoTabs, 1);
    };
    const floorCycle = async () => {
      await bench.inBare(armBareFloor, { prefix: `${otherOrigin}/`, rules: oneTab });
      const other = await bench.openTab(`${otherOrigin}/`);
      const { openMs } = await waitFor(async () => {
        const times = await bench.inBare(bareFloorTimes, null);
        return Number.isFinite(times.openMs) && times;
      }, "the bare extension's update for the other site's tab");
      await sleep(300);
      await other.close();
      const { closeMs } = await waitFor(async () => {
        const times = await bench.inBare(bareFloorTimes, null);
        return Number.isFinite(times.closeMs) && times;
      }, "the bare extension's update for the other site's tab closing");
      await bench.inBare(() => (window as unknown as { benchFloor: BareFloor }).benchFloor.off(), null);
      floor.push(openMs, closeMs);
    };
    const cycles = count === JUDGED_ENTRIES ? RECONCILE_CYCLES : Math.ceil(RECONCILE_CYCLES / 2);
    for (let cycle = 0; cycle < cycles; cycle++) {
      if (cycle % 2 === 0) {
        await toolkeyCycle();
        await floorCycle();
      } else {
        await floorCycle();
        await toolkeyCycle();
      }
    }
    await bareHolds(bench, []);
    await first.close();
    const totals = toolkey.map((durations) => durations.reduce((sum, ms) => sum + ms, 0));
    const total = summarise(totals);
    const perEvent = (events: number[][]) => events.reduce((sum, durations) => sum + durations.length, 0) / events.length;
    const bareUpdate = summarise(floor);
    results.push({
      entries: count,
      rulesChanged: changed / toolkey.length,
      reconcilesPerOpening: perEvent(toolkey.filter((_, i) => i % 2 === 0)),
      reconcilesPerClosing: perEvent(toolkey.filter((_, i) => i % 2 === 1)),
      /** How much of it the background's thread ran (the rest is waiting, mostly for the browser's answer). */
      backgroundRan: summarise(ran),
      /** Every reconcile of the event, added up: what is judged. */
      toolkey: total,
      /** Where the time went: compiling and comparing, the browser's update, the badge and the pages' state. */
      parts: { compile: summarise(parts.compileMs), apply: summarise(parts.applyMs), show: summarise(parts.showMs) },
      /** The longest reconcile of each event (the one that sent the rules). */
      toolkeyLongest: summarise(toolkey.map((durations) => Math.max(...durations))),
      /** The bare extension's update at the same moment of a tab's life: the floor. */
      bareUpdate,
      /** The same update, sent when the browser is quiet (right after ToolKey's event has settled). */
      bareUpdateQuiet: summarise(quiet),
      ratio: total.median / bareUpdate.median,
      /** What the goal is judged from: each event's reconciles added up, and the floor's updates. */
      samples: { toolkey: totals, floor },
    });
  }
  return { results, backgroundMemory: await bench.backgroundMemory() };
}
