/**
 * The tool call itself: ToolKey's rule (a), the bare extension's equivalent rule (a0: the same
 * urlFilter shape, initiatorDomains, tabIds and header, on another path of the same tool server),
 * the page sending the header itself (b), interleaved in one tab; the older way (c) in a tab of its own.
 */
import type { HeaderRule } from "../../src/core/rules.ts";
import { summarise } from "../judge/stats.ts";
import type { BenchBrowser, BenchTab } from "./browsers.ts";
import { bareHolds, seedOneEntry, waitForRules } from "./rules.ts";
import { BENCH_KEY, type Sites } from "./sites.ts";

/**
 * Calls per way for a, a0 and b: the goal a/a0 <= 1.01 needs its interval narrower than 1%, and
 * one call's time varies by several per cent (1,000 each gave about +-1.5%).
 */
export const CALLS_PER_WAY = 4000;
/** The older way is reported, not judged: one batch of it for every OLD_WAY_EVERY rounds of the others. */
const OLD_WAY_EVERY = 4;

/** Timed tool calls from the page, one after another: POST with Content-Type JSON, the header only when asked. */
export async function timedCalls(tab: BenchTab, calls: { url: string; withHeader: boolean }[]): Promise<{ ms: number; status: number }[]> {
  return tab.run(
    async ({ calls, key }) => {
      const results: { ms: number; status: number }[] = [];
      for (const call of calls) {
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (call.withHeader) headers.authorization = `Bearer ${key}`;
        const start = performance.now();
        const response = await fetch(call.url, { method: "POST", headers, body: "{}" });
        await response.text();
        results.push({ ms: performance.now() - start, status: response.status });
      }
      return results;
    },
    { calls, key: BENCH_KEY },
  );
}

/** Every order of the three ways in turn, so that none gains from its place in a round. */
const ORDERS = [
  [0, 1, 2],
  [1, 2, 0],
  [2, 0, 1],
  [0, 2, 1],
  [2, 1, 0],
  [1, 0, 2],
] as const;

export async function toolCalls(bench: BenchBrowser, { owuiOrigin, toolsOrigin }: Sites) {
  await seedOneEntry(bench, owuiOrigin, toolsOrigin, "/a");
  const rootTab = await bench.openTab(`${owuiOrigin}/`);
  const oldWayTab = await bench.openTab(`${owuiOrigin}/old-way/`);
  // Both tabs are on the Open WebUI: ToolKey's one rule names both.
  const [rule] = await waitForRules(bench, 1, 2);
  if (rule === undefined) throw new Error("ToolKey holds no rule for /a");
  const barePrefix = `${toolsOrigin}/a0/`;
  const bareRule: HeaderRule = {
    ...rule,
    priority: barePrefix.length,
    condition: { ...rule.condition, urlFilter: `|${barePrefix}` },
  };
  await bareHolds(bench, [bareRule]);
  const isolated = await rootTab.run(() => crossOriginIsolated, null);
  const ways = [
    { name: "toolkey", url: `${toolsOrigin}/a/tool`, withHeader: false },
    { name: "bare", url: `${toolsOrigin}/a0/tool`, withHeader: false },
    { name: "floor", url: `${toolsOrigin}/b/tool`, withHeader: true },
  ] as const;
  const samples = { toolkey: [] as number[], bare: [] as number[], floor: [] as number[], oldWay: [] as number[] };
  let turn = 0;
  let rounds = 0;
  const round = async (record: boolean, perWay: number) => {
    const mixed = Array.from({ length: perWay }, () => ORDERS[turn++ % ORDERS.length]?.map((i) => ways[i]) ?? []).flat();
    const withOldWay = rounds++ % OLD_WAY_EVERY === 0;
    const oldWay = Array.from({ length: perWay }, () => ({ url: `${toolsOrigin}/c/tool`, withHeader: false }));
    // Each batch from the tab in front: Firefox gives the active tab's requests priority.
    await rootTab.bringToFront();
    const first = await timedCalls(rootTab, mixed);
    if (withOldWay) await oldWayTab.bringToFront();
    const third = withOldWay ? await timedCalls(oldWayTab, oldWay) : [];
    for (const [i, result] of first.entries()) {
      const way = mixed[i]?.name ?? "toolkey";
      if (result.status !== 200) throw new Error(`way ${way} answered ${result.status}`);
      if (record) samples[way].push(result.ms);
    }
    for (const result of third) {
      if (result.status !== 200) throw new Error(`the old way answered ${result.status}`);
      if (record) samples.oldWay.push(result.ms);
    }
  };
  await round(false, 50);
  for (let done = 0; done < CALLS_PER_WAY; done += 10) await round(true, 10);
  await bareHolds(bench, []);
  await rootTab.close();
  await oldWayTab.close();
  const toolkey = summarise(samples.toolkey);
  const bare = summarise(samples.bare);
  const floor = summarise(samples.floor);
  const oldWay = summarise(samples.oldWay);
  return {
    crossOriginIsolated: isolated,
    toolkey,
    bare,
    floor,
    oldWay,
    ratioToolkeyToFloor: toolkey.median / floor.median,
    ratioBareToFloor: bare.median / floor.median,
    ratioOldWayToFloor: oldWay.median / floor.median,
    /** What the goal a/a0 is judged from. */
    samples: { toolkey: samples.toolkey, floor: samples.bare },
  };
}
