/**
 * `npm run bench`: measures ToolKey in real Chromium against the floor (the page sends the header
 * itself) and the older way (a script wraps fetch), and writes results.json, results.md and the
 * README's table. Numbers are reported, never asserted: the only exact budget (JavaScript size) is
 * checked by `npm test`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem } from "node:os";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import type { BrowserContext, Page, Worker } from "playwright-core";
import { it } from "vitest";
import { listFiles } from "../scripts/zip.ts";
import type { Settings } from "../src/core/settings.ts";
import { backgroundOf, launchChromium, POPUP_PATH, PROBE_PATH, preparePackage } from "../test/browser/harness/chromium.ts";
import { CHROMIUM_PATH } from "../test/browser/harness/environment.ts";
import { type LoggedRequest, startSite, type TestSite } from "../test/browser/harness/servers.ts";
import { settingsWithEntries } from "../test/browser/harness/stored-settings.ts";

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
async function timedCalls(page: Page, calls: { url: string; withHeader: boolean }[]): Promise<{ ms: number; status: number }[]> {
  return page.evaluate(
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

class Bench {
  constructor(
    readonly context: BrowserContext,
    readonly background: Worker,
    readonly extensionId: string,
    readonly probe: Page,
  ) {}

  async seed(settings: Settings): Promise<void> {
    await this.probe.evaluate((stored) => chrome.storage.local.set({ settings: stored }), settings);
  }

  async ruleCount(): Promise<number> {
    return this.probe.evaluate(async () => (await chrome.declarativeNetRequest.getSessionRules()).length);
  }

  async openPage(url: string): Promise<Page> {
    const page = await this.context.newPage();
    await page.goto(url);
    return page;
  }

  async reconcileMeasures(): Promise<{ duration: number; detail: Record<string, number> }[]> {
    return this.background.evaluate(() =>
      performance.getEntriesByName("toolkey:reconcile").map((entry) => ({
        duration: entry.duration,
        detail: (entry as PerformanceMeasure).detail as Record<string, number>,
      })),
    );
  }
}

declare const chrome: {
  action: { openPopup(): Promise<void> };
  extension: { getViews(filter: { type: "popup" }): Window[] };
  storage: { local: { set(items: unknown): Promise<void> } };
  declarativeNetRequest: { getSessionRules(): Promise<unknown[]> };
};

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function perRequestCost(bench: Bench, owuiOrigin: string, toolsOrigin: string) {
  const rootTab = await bench.openPage(`${owuiOrigin}/`);
  const oldWayTab = await bench.openPage(`${owuiOrigin}/old-way/`);
  const isolated = await rootTab.evaluate(() => crossOriginIsolated);
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
    const first = await timedCalls(rootTab, mixed);
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

async function saveToEffective(bench: Bench, owuiOrigin: string, toolsOrigin: string) {
  const tab = await bench.openPage(`${owuiOrigin}/`);
  const popup = await bench.openPage(`chrome-extension://${bench.extensionId}/${POPUP_PATH}`);
  const url = `${toolsOrigin}/a`;
  const samples: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    const entry = popup.locator("li.entry").filter({ hasText: url });
    if ((await entry.count()) > 0) await entry.getByRole("button", { name: `Remove ${url}`, exact: true }).click();
    await waitFor(async () => (await timedCalls(tab, [{ url: `${url}/tool`, withHeader: false }]))[0]?.status === 401, "the key to go");
    await tab.evaluate((target) => {
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
    await popup.getByLabel("Open WebUI address", { exact: true }).fill(owuiOrigin);
    await popup.getByLabel("Tool server URL", { exact: true }).fill(url);
    await popup.getByLabel("API key", { exact: true }).fill(BENCH_KEY);
    await popup.evaluate(() => {
      document.getElementById("save")?.addEventListener(
        "click",
        () => {
          (window as unknown as { clickedAt: number }).clickedAt = performance.timeOrigin + performance.now();
        },
        { capture: true, once: true },
      );
    });
    await popup.getByRole("button", { name: "Save", exact: true }).click();
    const firstWithKey = await tab.evaluate(() => (window as unknown as { firstWithKey: Promise<number> }).firstWithKey);
    const clickedAt = await popup.evaluate(() => (window as unknown as { clickedAt: number }).clickedAt);
    if (Number.isNaN(firstWithKey)) throw new Error("the key never arrived after Save");
    samples.push(firstWithKey - clickedAt);
  }
  await popup.close();
  await tab.close();
  return summarise(samples);
}

async function reconcileTimes(bench: Bench, owuiOrigin: string, toolsOrigin: string) {
  const results: { entries: number; tabs: number; summary: Summary }[] = [];
  for (const count of [1, 10, 100, 1000]) {
    for (const tabs of [1, 10]) {
      await bench.seed(settingsWithEntries(count, owuiOrigin, toolsOrigin, BENCH_KEY));
      const open: Page[] = [];
      for (let t = 0; t < tabs - 1; t++) open.push(await bench.openPage(`${owuiOrigin}/`));
      await waitFor(async () => (await bench.ruleCount()) === (tabs > 1 ? count : 0), "the rules to settle");
      const samples: number[] = [];
      for (let r = 0; r < RECONCILE_REPEATS; r++) {
        await bench.background.evaluate(() => performance.clearMeasures("toolkey:reconcile"));
        const extra = await bench.openPage(`${owuiOrigin}/`);
        await waitFor(async () => (await bench.ruleCount()) === count, "the new tab's rules");
        await sleep(200);
        const applied = (await bench.reconcileMeasures()).filter((m) => (m.detail.added ?? 0) > 0);
        samples.push(Math.max(...applied.map((m) => m.duration)));
        await extra.close();
        await waitFor(async () => (await bench.ruleCount()) === (tabs > 1 ? count : 0), "the rules after closing");
      }
      for (const page of open) await page.close();
      results.push({ entries: count, tabs, summary: summarise(samples) });
    }
  }
  const memory = await bench.background.evaluate(
    () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null,
  );
  return { results, backgroundHeapBytes: memory };
}

/** The real toolbar popup, opened over an Open WebUI tab with action.openPopup() and read through extension.getViews. */
async function popupTimes(bench: Bench, owuiOrigin: string, toolsOrigin: string) {
  const results: { entries: number; summary: Summary }[] = [];
  const tab = await bench.openPage(`${owuiOrigin}/`);
  for (const count of [1, 100, 1000]) {
    await bench.seed(settingsWithEntries(count, owuiOrigin, toolsOrigin, BENCH_KEY));
    // Let the background pick the settings up before the popup asks for them.
    const nudge = await bench.openPage(`${owuiOrigin}/`);
    await nudge.close();
    await waitFor(async () => (await bench.ruleCount()) === count, "the seeded rules");
    await tab.bringToFront();
    const samples: number[] = [];
    for (let r = 0; r < POPUP_REPEATS; r++) {
      await bench.background.evaluate(() => chrome.action.openPopup());
      await bench.probe.waitForFunction((n) => {
        const popup = chrome.extension.getViews({ type: "popup" })[0];
        // The list may still be filling in after the popup became interactive; it must end complete.
        return popup !== undefined && popup.document.querySelectorAll("li.entry").length === n;
      }, count);
      samples.push(
        await bench.probe.evaluate(() => {
          const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
          const interactive = popup.performance.getEntriesByName("toolkey:interactive")[0]?.startTime ?? Number.NaN;
          popup.close();
          return interactive;
        }),
      );
      await waitFor(
        async () => bench.probe.evaluate(() => chrome.extension.getViews({ type: "popup" }).length === 0),
        "the popup to close",
      );
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

function machine(browserVersion: string) {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    chromium: browserVersion,
    date: new Date().toISOString(),
  };
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const met = (ok: boolean) => (ok ? "met" : "**missed**");

type Results = {
  machine: ReturnType<typeof machine>;
  perRequest: Awaited<ReturnType<typeof perRequestCost>>;
  saveToEffective: Summary;
  reconcile: Awaited<ReturnType<typeof reconcileTimes>>;
  popup: Awaited<ReturnType<typeof popupTimes>>;
  sizes: ReturnType<typeof sizes>;
};

function markdown(r: Results): string {
  const lines = [
    `Measured ${r.machine.date.slice(0, 10)} on ${r.machine.cpu} (${r.machine.cores} cores, ${r.machine.memoryGiB} GiB), Linux ${r.machine.kernel}, Chromium ${r.machine.chromium}, Node ${r.machine.node}. Medians with their 95% confidence interval; timers ${r.perRequest.crossOriginIsolated ? "fine (cross-origin isolated page)" : "coarse (page not cross-origin isolated)"}.`,
    "",
    "| measurement | result | goal | |",
    "|---|---|---|---|",
    `| tool call, ToolKey's rule (a) | median ${ms(r.perRequest.toolkey.median)} [${ms(r.perRequest.toolkey.medianCi[0])}, ${ms(r.perRequest.toolkey.medianCi[1])}], p95 ${ms(r.perRequest.toolkey.p95)} | | |`,
    `| tool call, header sent by the page (b, the floor) | median ${ms(r.perRequest.floor.median)} [${ms(r.perRequest.floor.medianCi[0])}, ${ms(r.perRequest.floor.medianCi[1])}], p95 ${ms(r.perRequest.floor.p95)} | | |`,
    `| tool call, script wrapping fetch (c, the older way) | median ${ms(r.perRequest.oldWay.median)} [${ms(r.perRequest.oldWay.medianCi[0])}, ${ms(r.perRequest.oldWay.medianCi[1])}], p95 ${ms(r.perRequest.oldWay.p95)} | | |`,
    `| a/b at the median | ${r.perRequest.ratioToolkeyToFloor.toFixed(3)} | <= 1.01 | ${met(r.perRequest.ratioToolkeyToFloor <= 1.01)} |`,
    `| c/b at the median | ${r.perRequest.ratioOldWayToFloor.toFixed(3)} | | |`,
    `| Save to first tool call with the key (${r.saveToEffective.n} saves) | p50 ${ms(r.saveToEffective.median)}, p95 ${ms(r.saveToEffective.p95)} | p95 <= 50 ms | ${met(r.saveToEffective.p95 <= 50)} |`,
    ...r.reconcile.results.map(
      (row) =>
        `| reconcile, ${row.entries} ${row.entries === 1 ? "entry" : "entries"}, ${row.tabs} Open WebUI ${row.tabs === 1 ? "tab" : "tabs"} | median ${ms(row.summary.median)}, p95 ${ms(row.summary.p95)} | ${row.entries === 1000 ? "<= 20 ms" : ""} | ${row.entries === 1000 ? met(row.summary.median <= 20) : ""} |`,
    ),
    `| background heap after the reconciles | ${r.reconcile.backgroundHeapBytes === null ? "not exposed to the service worker" : `${(r.reconcile.backgroundHeapBytes / 2 ** 20).toFixed(1)} MiB`} | | |`,
    ...r.popup.map(
      (row) =>
        `| popup open to interactive, ${row.entries} ${row.entries === 1 ? "entry" : "entries"} | median ${ms(row.summary.median)}, p95 ${ms(row.summary.p95)} | ${row.entries === 1000 ? "<= 100 ms" : ""} | ${row.entries === 1000 ? met(row.summary.median <= 100) : ""} |`,
    ),
    ...r.sizes.map(
      (pkg) =>
        `| ${pkg.target} package: JavaScript / zip | ${pkg.javascriptBytes} B (${pkg.javascriptGzipped} B gzipped) / ${pkg.zipBytes} B | JS <= 30,720 B | ${met(pkg.javascriptBytes <= 30_720)} |`,
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

it("benchmark", { timeout: 30 * 60_000 }, async () => {
  const log: LoggedRequest[] = [];
  const sites: TestSite[] = [];
  const owui = await startSite(log, { isolated: true });
  const tools = await startSite(log, { tools: { "/a": BENCH_KEY, "/b": BENCH_KEY, "/c": BENCH_KEY } });
  sites.push(owui, tools);
  const owuiOrigin = `http://owui.test:${owui.port}`;
  const toolsOrigin = `http://tools.test:${tools.port}`;

  const profile = mkdtempSync(join(tmpdir(), "toolkey-bench-"));
  const extension = preparePackage(["owui.test", "tools.test"]);
  // Cross-origin isolation (fine timers) needs a secure context; the loopback test host is made one.
  const context = await launchChromium(
    profile,
    [extension, resolve(import.meta.dirname, "old-way")],
    [`--unsafely-treat-insecure-origin-as-secure=${owuiOrigin}`],
  );
  try {
    const background = await backgroundOf(context);
    const extensionId = new URL(background.url()).host;
    const probe = await context.newPage();
    await probe.goto(`chrome-extension://${extensionId}/${PROBE_PATH}`);
    const bench = new Bench(context, background, extensionId, probe);
    const browserVersion = execFileSync(CHROMIUM_PATH, ["--version"], { encoding: "utf8" })
      .trim()
      .replace(/^Chromium\s*/, "");

    const settings = settingsWithEntries(1, owuiOrigin, toolsOrigin, BENCH_KEY);
    await bench.seed({ ...settings, entries: settings.entries.map((entry) => ({ ...entry, toolServerUrl: `${toolsOrigin}/a` })) });
    const warm = await bench.openPage(`${owuiOrigin}/`);
    await waitFor(async () => (await bench.ruleCount()) === 1, "the rule for /a");
    await warm.close();

    const perRequest = await perRequestCost(bench, owuiOrigin, toolsOrigin);
    const saves = await saveToEffective(bench, owuiOrigin, toolsOrigin);
    const reconcile = await reconcileTimes(bench, owuiOrigin, toolsOrigin);
    const popup = await popupTimes(bench, owuiOrigin, toolsOrigin);
    const results: Results = { machine: machine(browserVersion), perRequest, saveToEffective: saves, reconcile, popup, sizes: sizes() };

    writeFileSync(resolve(import.meta.dirname, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    const table = markdown(results);
    writeFileSync(resolve(import.meta.dirname, "results.md"), `# ToolKey benchmark\n\n${table}`);
    writeReadmeTable(table);
    console.log(table);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(extension, { recursive: true, force: true });
    await Promise.all(sites.map((site) => site.close()));
  }
});
