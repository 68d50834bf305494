/**
 * `npm run bench`: measures ToolKey in real Chromium and real Firefox against the floor (the page
 * sends the header itself) and the older way (a script adds it), and writes results.json, results.md
 * and the README's table. Numbers are reported, never asserted: the only exact budget (JavaScript
 * size) is checked by `npm test`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { it } from "vitest";
import { listFiles } from "../scripts/zip.ts";
import type { Settings } from "../src/core/settings.ts";
import { type LoggedRequest, startSite, type TestSite } from "../test/browser/harness/servers.ts";
import { settingsWithEntries } from "../test/browser/harness/stored-settings.ts";
import { type BenchBrowser, type BenchTab, launchChromiumBench, launchFirefoxBench } from "./browsers.ts";

const ROOT = resolve(import.meta.dirname, "..");
const BENCH_KEY = "bench-key-not-a-secret";
const CALLS_PER_WAY = 1000;
const SAVES = 30;
const RECONCILE_REPEATS = 5;
const POPUP_REPEATS = 10;

interface Summary {
  n: number;
  median: number;
  p95: number;
  /** 95% confidence interval of the median, by order statistics. */
  medianCi: [number, number];
}

function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (rank: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(rank)))] as number;
  const n = sorted.length;
  const half = (1.96 * Math.sqrt(n)) / 2;
  return { n, median: at((n - 1) / 2), p95: at(0.95 * (n - 1)), medianCi: [at(n / 2 - half - 1), at(n / 2 + half)] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** One timed tool call from the page: POST with Content-Type JSON, the header only when asked. */
async function timedCalls(tab: BenchTab, calls: { url: string; withHeader: boolean }[]): Promise<{ ms: number; status: number }[]> {
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

declare const chrome: {
  extension: { getViews(filter: { type: "popup" }): Window[] };
  storage: { local: { set(items: unknown): Promise<void> } };
  declarativeNetRequest: { getSessionRules(): Promise<unknown[]> };
};

function seed(bench: BenchBrowser, settings: Settings): Promise<void> {
  return bench.inExtension((stored) => chrome.storage.local.set({ settings: stored }), settings);
}

function ruleCount(bench: BenchBrowser): Promise<number> {
  return bench.inExtension(async () => (await chrome.declarativeNetRequest.getSessionRules()).length, null);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function perRequestCost(bench: BenchBrowser, owuiOrigin: string, toolsOrigin: string) {
  const rootTab = await bench.openTab(`${owuiOrigin}/`);
  const oldWayTab = await bench.openTab(`${owuiOrigin}/old-way/`);
  const isolated = await rootTab.run(() => crossOriginIsolated, null);
  const waysOf = { toolkey: [] as number[], floor: [] as number[], oldWay: [] as number[] };
  const round = async (record: boolean, perWay: number) => {
    // a and b alternate, and which goes first alternates too, so neither gains from going second.
    const mixed = Array.from({ length: perWay }, (_, i) => {
      const pair = [
        { way: "toolkey" as const, url: `${toolsOrigin}/a/tool`, withHeader: false },
        { way: "floor" as const, url: `${toolsOrigin}/b/tool`, withHeader: true },
      ];
      return i % 2 === 0 ? pair : pair.reverse();
    }).flat();
    const oldWay = Array.from({ length: perWay }, () => ({ url: `${toolsOrigin}/c/tool`, withHeader: false }));
    // Each batch from the tab in front: Firefox gives the active tab's requests priority.
    await rootTab.bringToFront();
    const first = await timedCalls(rootTab, mixed);
    await oldWayTab.bringToFront();
    const third = await timedCalls(oldWayTab, oldWay);
    for (const [i, result] of first.entries()) {
      const way = mixed[i]?.way ?? "toolkey";
      if (result.status !== 200) throw new Error(`way ${way} answered ${result.status}`);
      if (record) waysOf[way].push(result.ms);
    }
    for (const result of third) {
      if (result.status !== 200) throw new Error(`the old way answered ${result.status}`);
      if (record) waysOf.oldWay.push(result.ms);
    }
  };
  await round(false, 50);
  for (let done = 0; done < CALLS_PER_WAY; done += 10) await round(true, 10);
  await rootTab.close();
  await oldWayTab.close();
  const toolkey = summarise(waysOf.toolkey);
  const floor = summarise(waysOf.floor);
  const oldWay = summarise(waysOf.oldWay);
  return {
    crossOriginIsolated: isolated,
    toolkey,
    floor,
    oldWay,
    ratioToolkeyToFloor: toolkey.median / floor.median,
    ratioOldWayToFloor: oldWay.median / floor.median,
  };
}

async function saveToEffective(bench: BenchBrowser, owuiOrigin: string, toolsOrigin: string) {
  const tab = await bench.openTab(`${owuiOrigin}/`);
  const { tab: popupTab, popup } = await bench.openPopup();
  const url = `${toolsOrigin}/a`;
  const samples: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    if ((await popup.entryText(url)) !== undefined) await popup.clickInEntry(url, `Remove ${url}`);
    await waitFor(async () => (await timedCalls(tab, [{ url: `${url}/tool`, withHeader: false }]))[0]?.status === 401, "the key to go");
    await popup.fill("Open WebUI address", owuiOrigin);
    await popup.fill("Tool server URL", url);
    await popup.fill("API key", BENCH_KEY);
    await tab.run((target) => {
      const deadline = Date.now() + 10_000;
      (window as unknown as { firstWithKey: Promise<number> }).firstWithKey = (async () => {
        while (Date.now() < deadline) {
          const start = performance.timeOrigin + performance.now();
          const response = await fetch(target, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
          if (response.status === 200) return start;
        }
        return Number.NaN;
      })();
    }, `${url}/tool`);
    await popupTab.run(() => {
      document.getElementById("save")?.addEventListener(
        "click",
        () => {
          (window as unknown as { clickedAt: number }).clickedAt = performance.timeOrigin + performance.now();
        },
        { capture: true, once: true },
      );
    }, null);
    await popup.click("Save");
    const firstWithKey = await tab.run(() => (window as unknown as { firstWithKey: Promise<number> }).firstWithKey, null);
    const clickedAt = await popupTab.run(() => (window as unknown as { clickedAt: number }).clickedAt, null);
    if (Number.isNaN(firstWithKey)) throw new Error("the key never arrived after Save");
    samples.push(firstWithKey - clickedAt);
  }
  await popupTab.close();
  await tab.close();
  return summarise(samples);
}

async function reconcileTimes(bench: BenchBrowser, owuiOrigin: string, toolsOrigin: string) {
  const results: { entries: number; tabs: number; summary: Summary }[] = [];
  for (const count of [1, 10, 100, 1000]) {
    for (const tabs of [1, 10]) {
      await seed(bench, settingsWithEntries(count, owuiOrigin, toolsOrigin, BENCH_KEY));
      const open: BenchTab[] = [];
      for (let t = 0; t < tabs - 1; t++) open.push(await bench.openTab(`${owuiOrigin}/`));
      await waitFor(async () => (await ruleCount(bench)) === (tabs > 1 ? count : 0), "the rules to settle");
      const samples: number[] = [];
      for (let r = 0; r < RECONCILE_REPEATS; r++) {
        await bench.clearReconcileMeasures();
        const extra = await bench.openTab(`${owuiOrigin}/`);
        await waitFor(async () => (await ruleCount(bench)) === count, "the new tab's rules");
        await sleep(200);
        const applied = (await bench.reconcileMeasures()).filter((m) => (m.detail.added ?? 0) > 0);
        samples.push(Math.max(...applied.map((m) => m.duration)));
        await extra.close();
        await waitFor(async () => (await ruleCount(bench)) === (tabs > 1 ? count : 0), "the rules after closing");
      }
      for (const page of open) await page.close();
      results.push({ entries: count, tabs, summary: summarise(samples) });
    }
  }
  return { results, backgroundMemory: await bench.backgroundMemory() };
}

/** The real toolbar popup, opened over an Open WebUI tab with action.openPopup() and read through extension.getViews. */
async function popupTimes(bench: BenchBrowser, owuiOrigin: string, toolsOrigin: string) {
  const results: { entries: number; summary: Summary }[] = [];
  const tab = await bench.openTab(`${owuiOrigin}/`);
  for (const count of [1, 100, 1000]) {
    await seed(bench, settingsWithEntries(count, owuiOrigin, toolsOrigin, BENCH_KEY));
    // Let the background pick the settings up before the popup asks for them.
    const nudge = await bench.openTab(`${owuiOrigin}/`);
    await nudge.close();
    await waitFor(async () => (await ruleCount(bench)) === count, "the seeded rules");
    await tab.bringToFront();
    const samples: number[] = [];
    for (let r = 0; r < POPUP_REPEATS; r++) {
      await bench.openToolbarPopup();
      // The list may still be filling in after the popup became interactive; it must end complete.
      await waitFor(
        () =>
          bench.inExtension((n) => {
            const popup = chrome.extension.getViews({ type: "popup" })[0];
            return popup !== undefined && popup.document.querySelectorAll("li.entry").length === n;
          }, count),
        "the popup's full list",
      );
      samples.push(
        await bench.inExtension(() => {
          const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
          const interactive = popup.performance.getEntriesByName("toolkey:interactive")[0]?.startTime ?? Number.NaN;
          popup.close();
          return interactive;
        }, null),
      );
      await waitFor(() => bench.inExtension(() => chrome.extension.getViews({ type: "popup" }).length === 0, null), "the popup to close");
    }
    results.push({ entries: count, summary: summarise(samples) });
  }
  await tab.close();
  return results;
}

function sizes() {
  const packages = ["chrome", "firefox"].map((target) => {
    const dir = resolve(ROOT, "dist", target);
    const files = listFiles(dir).map((file) => {
      const bytes = readFileSync(file);
      return { file: relative(dir, file), bytes: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
    });
    const version = (JSON.parse(readFileSync(resolve(ROOT, "manifest.json"), "utf8")) as { version: string }).version;
    const zip = readFileSync(resolve(ROOT, "dist", `toolkey-${target}-${version}.zip`));
    const js = files.filter((file) => file.file.endsWith(".js"));
    return {
      target,
      files,
      javascriptBytes: js.reduce((sum, file) => sum + file.bytes, 0),
      javascriptGzipped: js.reduce((sum, file) => sum + file.gzipped, 0),
      zipBytes: zip.length,
      zipGzipped: gzipSync(zip, { level: 9 }).length,
    };
  });
  return packages;
}

function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** Everything measured in one browser. */
async function measure(bench: BenchBrowser, owuiOrigin: string, toolsOrigin: string) {
  const settings = settingsWithEntries(1, owuiOrigin, toolsOrigin, BENCH_KEY);
  await seed(bench, { ...settings, entries: settings.entries.map((entry) => ({ ...entry, toolServerUrl: `${toolsOrigin}/a` })) });
  const warm = await bench.openTab(`${owuiOrigin}/`);
  await waitFor(async () => (await ruleCount(bench)) === 1, "the rule for /a");
  await warm.close();
  return {
    browser: bench.name,
    version: bench.version,
    oldWay: bench.oldWay,
    perRequest: await perRequestCost(bench, owuiOrigin, toolsOrigin),
    saveToEffective: await saveToEffective(bench, owuiOrigin, toolsOrigin),
    reconcile: await reconcileTimes(bench, owuiOrigin, toolsOrigin),
    popup: await popupTimes(bench, owuiOrigin, toolsOrigin),
  };
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const met = (ok: boolean) => (ok ? "met" : "**missed**");

type Measured = Awaited<ReturnType<typeof measure>>;
type Results = { machine: ReturnType<typeof machine>; browsers: Measured[]; sizes: ReturnType<typeof sizes> };

const median = (summary: Summary) => `${ms(summary.median)} [${ms(summary.medianCi[0])}, ${ms(summary.medianCi[1])}]`;

function markdown(r: Results): string {
  const [first] = r.browsers;
  if (first === undefined) throw new Error("no browser was measured");
  /** One row: what was measured, the goal, and a cell per browser. */
  const row = (what: string, goal: string, cell: (m: Measured) => string) => `| ${what} | ${goal} | ${r.browsers.map(cell).join(" | ")} |`;
  const lines = [
    `Measured ${r.machine.date.slice(0, 10)} on ${r.machine.cpu} (${r.machine.cores} cores, ${r.machine.memoryGiB} GiB), Linux ${r.machine.kernel}, Node ${r.machine.node}; ${r.browsers.map((m) => `${m.browser} ${m.version}`).join(", ")}. Tool calls: medians with their 95% confidence interval, and p95.`,
    "",
    `| measurement | goal | ${r.browsers.map((m) => m.browser).join(" | ")} |`,
    `|---|---|${r.browsers.map(() => "---").join("|")}|`,
    row("page timers", "", (m) => (m.perRequest.crossOriginIsolated ? "fine (cross-origin isolated)" : "coarse")),
    row("tool call, ToolKey's rule (a)", "", (m) => `${median(m.perRequest.toolkey)}, p95 ${ms(m.perRequest.toolkey.p95)}`),
    row("tool call, header sent by the page (b, the floor)", "", (m) => `${median(m.perRequest.floor)}, p95 ${ms(m.perRequest.floor.p95)}`),
    row("tool call, the older way (c)", "", (m) => `${median(m.perRequest.oldWay)}, p95 ${ms(m.perRequest.oldWay.p95)} (${m.oldWay})`),
    row(
      "a/b at the median",
      "<= 1.01",
      (m) => `${m.perRequest.ratioToolkeyToFloor.toFixed(3)} ${met(m.perRequest.ratioToolkeyToFloor <= 1.01)}`,
    ),
    row("c/b at the median", "", (m) => m.perRequest.ratioOldWayToFloor.toFixed(3)),
    row(
      `Save to first tool call with the key (${first.saveToEffective.n} saves)`,
      "p95 <= 50 ms",
      (m) => `p50 ${ms(m.saveToEffective.median)}, p95 ${ms(m.saveToEffective.p95)} ${met(m.saveToEffective.p95 <= 50)}`,
    ),
    ...first.reconcile.results.map((_, i) => {
      const { entries, tabs } = first.reconcile.results[i] as { entries: number; tabs: number };
      return row(
        `reconcile, ${entries} ${entries === 1 ? "entry" : "entries"}, ${tabs} Open WebUI ${tabs === 1 ? "tab" : "tabs"}`,
        entries === 1000 ? "median <= 20 ms" : "",
        (m) => {
          const summary = (m.reconcile.results[i] as { summary: Summary }).summary;
          return `median ${ms(summary.median)}, p95 ${ms(summary.p95)}${entries === 1000 ? ` ${met(summary.median <= 20)}` : ""}`;
        },
      );
    }),
    row("background memory after the reconciles", "", (m) => m.reconcile.backgroundMemory),
    ...first.popup.map((_, i) => {
      const entries = (first.popup[i] as { entries: number }).entries;
      return row(
        `popup open to interactive, ${entries} ${entries === 1 ? "entry" : "entries"}`,
        entries === 1000 ? "median <= 100 ms" : "",
        (m) => {
          const summary = (m.popup[i] as { summary: Summary }).summary;
          return `median ${ms(summary.median)}, p95 ${ms(summary.p95)}${entries === 1000 ? ` ${met(summary.median <= 100)}` : ""}`;
        },
      );
    }),
    "",
    "| package | JavaScript | zip | budget |",
    "|---|---|---|---|",
    ...r.sizes.map(
      (pkg) =>
        `| ${pkg.target} | ${pkg.javascriptBytes} B (${pkg.javascriptGzipped} B gzipped) | ${pkg.zipBytes} B | JS <= 30,720 B: ${met(pkg.javascriptBytes <= 30_720)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

function writeReadmeTable(table: string): void {
  const path = resolve(ROOT, "README.md");
  const readme = readFileSync(path, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1) throw new Error("README.md lacks the bench markers");
  writeFileSync(path, `${readme.slice(0, from + start.length)}\n${table}${readme.slice(to)}`);
}

it("benchmark", { timeout: 60 * 60_000 }, async () => {
  const log: LoggedRequest[] = [];
  const sites: TestSite[] = [];
  const owui = await startSite(log, { isolated: true });
  const tools = await startSite(log, { tools: { "/a": BENCH_KEY, "/b": BENCH_KEY, "/c": BENCH_KEY } });
  sites.push(owui, tools);
  const owuiOrigin = `http://owui.test:${owui.port}`;
  const toolsOrigin = `http://tools.test:${tools.port}`;
  try {
    const browsers: Measured[] = [];
    // One browser at a time, so that neither takes the other's processor time.
    for (const launch of [launchChromiumBench, launchFirefoxBench]) {
      const bench = await launch(owuiOrigin);
      try {
        browsers.push(await measure(bench, owuiOrigin, toolsOrigin));
      } finally {
        await bench.close();
      }
    }
    const results: Results = { machine: machine(), browsers, sizes: sizes() };
    writeFileSync(resolve(import.meta.dirname, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    const table = markdown(results);
    writeFileSync(resolve(import.meta.dirname, "results.md"), `# ToolKey benchmark\n\n${table}`);
    writeReadmeTable(table);
    console.log(table);
  } finally {
    await Promise.all(sites.map((site) => site.close()));
  }
});
