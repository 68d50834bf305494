/** Everything measured in one browser, and the samples its goals are judged from. */
import { type GoalInputs, JUDGED_ENTRIES } from "../judge/goals.ts";
import type { BenchBrowser } from "./browsers.ts";
import { chatSwitches } from "./chat-switch.ts";
import { popupTimes } from "./popup.ts";
import { tabEventReconciles } from "./reconcile.ts";
import { saveToEffective } from "./save.ts";
import type { Sites } from "./sites.ts";
import { toolCalls } from "./tool-calls.ts";

export async function measureBrowser(bench: BenchBrowser, sites: Sites) {
  return {
    browser: bench.name,
    version: bench.version,
    oldWay: bench.oldWay,
    perRequest: await toolCalls(bench, sites),
    saveToEffective: await saveToEffective(bench, sites),
    reconcile: await tabEventReconciles(bench, sites),
    popup: await popupTimes(bench, sites),
    unchanged: await chatSwitches(bench, sites),
  };
}

export type Measured = Awaited<ReturnType<typeof measureBrowser>>;

/** The timed goals' samples of one browser (the bytes come from the package, not the browser). */
export function goalSamples(m: Measured): Omit<GoalInputs, "bytes"> {
  const judged = <T extends { entries: number }>(rows: T[]) => rows.find((row) => row.entries === JUDGED_ENTRIES);
  const reconcile = judged(m.reconcile.results)?.samples ?? { toolkey: [], floor: [] };
  const popup = judged(m.popup)?.samples ?? { interactive: [], firstRow: [], blank: [] };
  return {
    browser: m.browser,
    toolCall: m.perRequest.samples,
    reconcile,
    chatSwitch: m.unchanged.samples,
    popupInteractive: { toolkey: popup.interactive, floor: popup.blank },
    popupFirstRow: { toolkey: popup.firstRow, floor: popup.blank },
  };
}
