/** The run's results as Markdown tables: the goals, the bytes, and every figure reported beside them. Pure. */
import { GOAL_NAMES, type Goal, type GoalId, JUDGED_ENTRIES } from "../judge/goals.ts";
import type { Summary } from "../judge/stats.ts";
import type { Measured } from "../measure/browser.ts";
import { SAVES } from "../measure/save.ts";
import type { Bytes, PackageSize } from "../sizes/packages.ts";
import type { Results } from "./results.ts";

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : "n/a");
const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : "n/a");
const bytes = (value: number) => `${value.toLocaleString("en")} B`;
const ci = (summary: Summary) => `${ms(summary.median)} [${ms(summary.medianCi[0])}, ${ms(summary.medianCi[1])}]`;
const spread = (summary: Summary) =>
  `median ${ms(summary.median)} (IQR ${Number.isFinite(summary.p25) ? summary.p25.toFixed(2) : "n/a"}-${ms(summary.p75)}), p95 ${ms(summary.p95)}`;
const entriesText = (count: number) => `${count.toLocaleString("en")} ${count === 1 ? "entry" : "entries"}`;

const VERDICT_TEXT = { met: "met", missed: "**missed**", "within noise": "**within noise**" } as const;

function goalValue(goal: Goal): string {
  if (goal.value === null) return "n/a";
  const interval = goal.spread === null ? "" : ` [${goal.spread.low}, ${goal.spread.high}]`;
  if (goal.unit === "ms") return `${goal.value} ms${interval}`;
  if (goal.unit === "bytes") return bytes(goal.value);
  return `${goal.value}${interval}`;
}

function goalTarget(goal: Goal): string {
  if (goal.unit === "bytes") return `<= ${bytes(goal.limit)}`;
  if (goal.unit === "count") return `${goal.limit}`;
  return goal.goal;
}

function goalTable(r: Results): string[] {
  const browsers = r.browsers.map((m) => m.browser);
  const rows = (Object.keys(GOAL_NAMES) as GoalId[]).map((id) => {
    const of = (browser: string) => r.goals.find((g) => g.browser === browser && g.id === id);
    const first = browsers.map(of).find((goal) => goal !== undefined);
    const cells = browsers.map((browser) => {
      const goal = of(browser);
      return goal === undefined ? "n/a" : `${goalValue(goal)}, ${VERDICT_TEXT[goal.verdict]}`;
    });
    return `| ${GOAL_NAMES[id]} | ${first === undefined ? "" : goalTarget(first)} | ${cells.join(" | ")} |`;
  });
  return [`| goal | target | ${browsers.join(" | ")} |`, `|---|---|${browsers.map(() => "---").join("|")}|`, ...rows];
}

function bytesTable(sizes: PackageSize[]): string[] {
  const cells = (b: Bytes) => `${bytes(b.toolkey)} | ${bytes(b.polyfill)} | ${bytes(b.glue)} | ${bytes(b.total)}`;
  const rows = sizes.flatMap((pkg) => [
    ...pkg.pages.map((page) => {
      const later = page.onDemand.files.length === 0 ? "" : `; ${bytes(page.onDemand.bytes.total)} more on demand`;
      const files = `${page.files.length} ${page.files.length === 1 ? "file" : "files"}`;
      return `| ${pkg.target} | ${page.page} (${page.entry}: ${files}${later}) | ${cells(page.bytes)} |`;
    }),
    `| ${pkg.target} | the whole package (${bytes(pkg.javascriptGzipped)} gzipped; zip ${bytes(pkg.zipBytes)}) | ${cells(pkg.javascript)} |`,
  ]);
  return ["| package | JavaScript | ToolKey's own | webextension-polyfill | glue | total |", "|---|---|---|---|---|---|", ...rows];
}

function reportedTable(browsers: Measured[]): string[] {
  const row = (what: string, cell: (m: Measured) => string) => `| ${what} | ${browsers.map(cell).join(" | ")} |`;
  /** Rows for each entry count of a list measured per count (the same counts in every browser). */
  const perCount = <T extends { entries: number }>(
    list: (m: Measured) => T[],
    rows: (entries: number, of: (m: Measured) => T | undefined) => string[],
  ) =>
    (browsers[0] === undefined ? [] : list(browsers[0])).flatMap(({ entries }) =>
      rows(entries, (m) => list(m).find((item) => item.entries === entries)),
    );
  const cell = <T>(value: T | undefined, text: (value: T) => string) => (value === undefined ? "n/a" : text(value));
  const reconcileRows = perCount(
    (m) => m.reconcile.results,
    (entries, of) => [
      row(`reconcile for a tab event, ${entriesText(entries)}: all its reconciles added up`, (m) =>
        cell(
          of(m),
          (v) =>
            `${spread(v.toolkey)} (${v.rulesChanged} rules changed; reconciles per opening ${v.reconcilesPerOpening}, per closing ${v.reconcilesPerClosing}, the longest median ${ms(v.toolkeyLongest.median)}; the background's thread ran median ${ms(v.backgroundRan.median)} of it)`,
        ),
      ),
      row(
        "the bare extension's updateSessionRules with the same changes at the same moment of a tab's life (the floor); in a quiet moment",
        (m) => cell(of(m), (v) => `${spread(v.bareUpdate)}; quiet ${spread(v.bareUpdateQuiet)}; ratio ${ratio(v.ratio)}`),
      ),
    ],
  );
  type Windows = Measured["unchanged"]["chatSwitch"];
  const eventRow = (what: string, pick: (m: Measured) => Windows, withToolkey = true) =>
    row(what, (m) => {
      const windows = pick(m);
      if (!withToolkey) return spread(windows.cpu);
      const reconcile = windows.reconcilesPerEvent > 0 ? ` (median ${ms(windows.reconcile.median)})` : "";
      return `${spread(windows.cpu)}; reconciles per event ${windows.reconcilesPerEvent}${reconcile}; version checks per event ${windows.versionChecksPerEvent}`;
    });
  const from = (source: string) => (source === "mark" ? "marked by the popup" : "observed");
  const popupRows = perCount(
    (m) => m.popup,
    (entries, of) => [
      row(
        `popup open to interactive, ${entriesText(entries)} (in brackets: from the page's own start, and its DOMContentLoaded); a getState round trip`,
        (m) =>
          cell(
            of(m),
            (v) =>
              `${spread(v.toolkey.interactive)} (${ms(v.toolkey.interactiveInPage.median)}; ${ms(v.toolkey.contentLoadedInPage.median)}); getState median ${ms(v.toolkey.stateRoundTrip.median)}`,
          ),
      ),
      row(`popup open to its first row drawn, ${entriesText(entries)}`, (m) =>
        cell(of(m), (v) => `${spread(v.toolkey.firstRow)} (${from(v.toolkey.firstRowFrom)})`),
      ),
      row(`popup open to the full list drawn, ${entriesText(entries)}`, (m) =>
        cell(of(m), (v) => `${spread(v.toolkey.listDrawn)} (${from(v.toolkey.listDrawnFrom)})`),
      ),
      row("blank popup open to interactive, opened in turn with it (the floor); ratios to it: interactive, first row", (m) =>
        cell(
          of(m),
          (v) =>
            `${spread(v.blank.interactive)} (${ms(v.blank.interactiveInPage.median)}; ${ms(v.blank.contentLoadedInPage.median)}); ratios ${ratio(v.ratio)}, ${ratio(v.firstRowRatio)}`,
        ),
      ),
    ],
  );
  return [
    `| measurement | ${browsers.map((m) => m.browser).join(" | ")} |`,
    `|---|${browsers.map(() => "---").join("|")}|`,
    row("page timers", (m) => (m.perRequest.crossOriginIsolated ? "fine (cross-origin isolated)" : "coarse")),
    row("tool call, ToolKey's rule (a)", (m) => `${ci(m.perRequest.toolkey)}, p95 ${ms(m.perRequest.toolkey.p95)}`),
    row("tool call, the bare extension's equivalent rule (a0)", (m) => `${ci(m.perRequest.bare)}, p95 ${ms(m.perRequest.bare.p95)}`),
    row("tool call, header sent by the page (b)", (m) => `${ci(m.perRequest.floor)}, p95 ${ms(m.perRequest.floor.p95)}`),
    row("tool call, the older way (c)", (m) => `${ci(m.perRequest.oldWay)}, p95 ${ms(m.perRequest.oldWay.p95)} (${m.oldWay})`),
    row("a/b, a0/b, c/b at the median", (m) =>
      [m.perRequest.ratioToolkeyToFloor, m.perRequest.ratioBareToFloor, m.perRequest.ratioOldWayToFloor].map(ratio).join(", "),
    ),
    row(`Save to the first tool call with the key (${SAVES} saves)`, (m) => spread(m.saveToEffective)),
    ...reconcileRows,
    row("background memory after the reconciles", (m) => m.reconcile.backgroundMemory),
    row("processor time measured on", (m) => m.unchanged.thread),
    eventRow(`a chat switch, ${entriesText(JUDGED_ENTRIES)}`, (m) => m.unchanged.chatSwitch),
    eventRow("the same window with nothing happening", (m) => m.unchanged.nothing),
    eventRow("the same chat switch with ToolKey off (the floor)", (m) => m.unchanged.chatSwitchWithoutToolkey, false),
    eventRow("the same window with nothing happening, ToolKey off", (m) => m.unchanged.nothingWithoutToolkey, false),
    eventRow("a page load inside the same Open WebUI", (m) => m.unchanged.pageLoad),
    ...popupRows,
  ];
}

export function markdown(r: Results): string {
  const browsers = r.browsers;
  const lines = [
    `Measured ${r.machine.date.slice(0, 10)} on ${r.machine.cpu} (${r.machine.cores} cores, ${r.machine.memoryGiB} GiB), Linux ${r.machine.kernel}, Node ${r.machine.node}; ${browsers.map((m) => `${m.browser} ${m.version}`).join(", ")}; the run took ${Math.round(r.machine.benchSeconds / 60)} min.`,
    "",
    "Each timed goal is a ratio of two medians (or their difference, in ms) measured in the same run and browser, ToolKey and its floor in turn; in brackets, its 95% bootstrap interval. A goal is met only when the whole interval meets it, missed only when the whole interval misses it, and within noise when the run cannot tell.",
    "",
    ...goalTable(r),
    "",
    "JavaScript by where it came from (glue: what no source maps, the bundler's imports, exports and helpers, and the background's loader):",
    "",
    ...bytesTable(r.sizes),
    "",
    "Reported, not judged (tool calls: medians with their 95% confidence interval; IQR: where the middle half of the samples fell):",
    "",
    ...reportedTable(browsers),
  ];
  return `${lines.join("\n")}\n`;
}
