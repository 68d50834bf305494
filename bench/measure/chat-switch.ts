/**
 * What the background spends on a tab event that changes no rule, at 1,000 entries with their rules
 * in force: the processor time of the thread it runs on (cpu.ts), from just before the event until
 * it has had EVENT_WINDOW_MS to finish everything the event started (listener, any reconcile, badge,
 * version check). The event is a chat switch: a navigation inside the Open WebUI page, as its router
 * makes one. Beside each, the same window with nothing happening in the tab.
 *
 * The floor is the same chat switch with ToolKey turned off: what that thread spends on it without
 * ToolKey (in Firefox every extension page shares it; in Chromium ToolKey's service worker has it
 * to itself, and it is gone). ToolKey is turned off and on again in blocks (on, off, off, on, on,
 * off, ...), so that both sides are measured all through the run. Before the blocks, page loads
 * inside the same Open WebUI are measured (reported; the browser clears the badge on each).
 */
import { JUDGED_ENTRIES } from "../judge/goals.ts";
import { summarise } from "../judge/stats.ts";
import type { BenchBrowser } from "./browsers.ts";
import { seedEntries, waitForRules } from "./rules.ts";
import type { Sites } from "./sites.ts";
import { sleep } from "./waiting.ts";

/** How long the background is left to finish what an event started before its processor time is read. */
const EVENT_WINDOW_MS = 400;
/** Blocks of chat switches, half with ToolKey on, half off. */
const BLOCKS = 12;
/** Chat switches (and as many quiet windows beside them) per block. */
const SWITCHES_PER_BLOCK = 4;
const PAGE_LOADS = 8;
/** How long a background that has just started, or a browser that has just lost it, is left to settle. */
const SETTLE_MS = 1000;

interface EventWindow {
  cpuMs: number;
  reconciles: number;
  reconcileMs: number;
  versionChecks: number;
}

/** ToolKey on in blocks 0, 3, 4, 7, 8, 11; off in 1, 2, 5, 6, 9, 10: each side as often early as late. */
function toolkeyOnInBlock(block: number): boolean {
  return Math.floor((block + 1) / 2) % 2 === 0;
}

function summariseWindows(windows: EventWindow[]) {
  return {
    cpu: summarise(windows.map((w) => w.cpuMs)),
    reconcilesPerEvent: windows.reduce((sum, w) => sum + w.reconciles, 0) / windows.length,
    reconcile: summarise(windows.filter((w) => w.reconciles > 0).map((w) => w.reconcileMs)),
    versionChecksPerEvent: windows.reduce((sum, w) => sum + w.versionChecks, 0) / windows.length,
  };
}

export async function chatSwitches(bench: BenchBrowser, { owuiOrigin, toolsOrigin, owuiPort, log }: Sites) {
  await seedEntries(bench, JUDGED_ENTRIES, owuiOrigin, toolsOrigin);
  const tab = await bench.openTab(`${owuiOrigin}/`);
  await waitForRules(bench, JUDGED_ENTRIES, 1);
  await sleep(SETTLE_MS);
  const versionChecks = () => log.filter((request) => request.port === owuiPort && request.path === "/api/version").length;
  let toolkeyOn = true;
  const timed = async (act: () => Promise<unknown>, waitMs: number): Promise<EventWindow> => {
    if (toolkeyOn) await bench.clearReconcileMeasures();
    const checks = versionChecks();
    const before = bench.backgroundRunNs();
    await act();
    await sleep(waitMs);
    const after = bench.backgroundRunNs();
    const measures = toolkeyOn ? await bench.reconcileMeasures() : [];
    // Without ToolKey, Chromium has no thread of its background left: it spends nothing.
    const cpuNs = before !== undefined && after !== undefined ? after - before : toolkeyOn ? Number.NaN : 0;
    return {
      cpuMs: cpuNs / 1e6,
      reconciles: measures.length,
      reconcileMs: measures.reduce((sum, measure) => sum + measure.duration, 0),
      versionChecks: versionChecks() - checks,
    };
  };
  let switchNumber = 0;
  const chatSwitch = () => timed(() => tab.run((path) => history.pushState({}, "", path), `/c/chat-${switchNumber++}`), EVENT_WINDOW_MS);
  const nothing = () => timed(() => tab.run(() => 0, null), EVENT_WINDOW_MS);

  const loads: EventWindow[] = [];
  for (let i = 0; i < PAGE_LOADS; i++) loads.push(await timed(() => tab.goto(`${owuiOrigin}/c/load-${i}`), EVENT_WINDOW_MS + 400));

  const on = { switches: [] as EventWindow[], quiet: [] as EventWindow[] };
  const off = { switches: [] as EventWindow[], quiet: [] as EventWindow[] };
  for (let block = 0; block < BLOCKS; block++) {
    const wanted = toolkeyOnInBlock(block);
    if (wanted !== toolkeyOn) {
      if (wanted) {
        await bench.enableToolkey();
        await waitForRules(bench, JUDGED_ENTRIES, 1);
      } else {
        await bench.disableToolkey();
      }
      toolkeyOn = wanted;
      await sleep(SETTLE_MS);
    }
    const into = toolkeyOn ? on : off;
    // One switch first, unrecorded: the first of a kind after a start compiles code the others reuse.
    await chatSwitch();
    for (let i = 0; i < SWITCHES_PER_BLOCK; i++) {
      if (i % 2 === 0) {
        into.switches.push(await chatSwitch());
        into.quiet.push(await nothing());
      } else {
        into.quiet.push(await nothing());
        into.switches.push(await chatSwitch());
      }
    }
  }
  await tab.close();
  const count = (windows: EventWindow[], of: (w: EventWindow) => number) => windows.reduce((sum, w) => sum + of(w), 0);
  return {
    thread: bench.backgroundThread,
    chatSwitch: summariseWindows(on.switches),
    nothing: summariseWindows(on.quiet),
    pageLoad: summariseWindows(loads),
    chatSwitchWithoutToolkey: summariseWindows(off.switches),
    nothingWithoutToolkey: summariseWindows(off.quiet),
    /** What the goals are judged from: each chat switch's processor time with ToolKey on and off, and what ToolKey did on them. */
    samples: {
      toolkey: on.switches.map((w) => w.cpuMs),
      floor: off.switches.map((w) => w.cpuMs),
      events: on.switches.length,
      reconciles: count(on.switches, (w) => w.reconciles),
      versionRequests: count(on.switches, (w) => w.versionChecks),
    },
  };
}
