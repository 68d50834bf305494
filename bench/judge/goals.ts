/**
 * Issue 21's goals, judged from one browser's samples: each timed figure (a ratio of medians, or a
 * difference of medians in milliseconds) with its 95% bootstrap interval, and a verdict that trusts
 * the interval, not the median alone. Pure: from samples to `goals` in results.json.
 */
import { bootstrapInterval, median, summarise } from "./stats.ts";

/** Where the goals apply. */
export const JUDGED_ENTRIES = 1000;

/** "36 KB", in the sense the size budget uses (KiB). */
const POPUP_BYTES = 36 * 1024;

export type Verdict = "met" | "missed" | "within noise";

/** Samples of ToolKey's figure and of its floor, taken in turn in the same run and browser. */
export interface Paired {
  toolkey: readonly number[];
  floor: readonly number[];
}

/** What one browser's run gives the judge. */
export interface GoalInputs {
  browser: string;
  toolCall: Paired;
  reconcile: Paired;
  /** Milliseconds of the background's thread per chat switch, with ToolKey on (toolkey) and off (floor). */
  chatSwitch: Paired & { events: number; reconciles: number; versionRequests: number };
  popupInteractive: Paired;
  popupFirstRow: Paired;
  /** The package this browser runs: what its popup loads, all its JavaScript, and the tripwire. */
  bytes: { popupLoads: number; javascript: number; budget: number };
}

export type GoalId =
  | "toolCall"
  | "reconcile"
  | "chatSwitchCalls"
  | "chatSwitchTime"
  | "popupInteractive"
  | "popupFirstRow"
  | "popupBytes"
  | "packageBytes";

interface Side {
  n: number;
  median: number;
  p25: number;
  p75: number;
}

/** What a goal's value counts. */
export type Unit = "ratio" | "ms" | "count" | "bytes";

export interface Goal {
  browser: string;
  id: GoalId;
  name: string;
  value: number | null;
  goal: string;
  /** The goal as a number in `unit`: the value must be at most this. */
  limit: number;
  unit: Unit;
  /** verdict === "met". */
  met: boolean;
  verdict: Verdict;
  /** Where the figure could lie with this run's noise; null for an exact figure (a count, bytes). */
  spread: { low: number; high: number; of: string } | null;
  /** ToolKey's samples and its floor's, for a timed goal: how many, and their middle half. */
  toolkey?: Side;
  floor?: Side;
}

export const GOAL_NAMES: Record<GoalId, string> = {
  toolCall: "a/a0: tool call with ToolKey's rule against a bare extension holding one equivalent rule",
  reconcile: `reconcile for a tab event with ${JUDGED_ENTRIES.toLocaleString("en")} entries against the browser's own updateSessionRules with the same rule changes`,
  chatSwitchCalls: `reconciles and version requests seen over all the chat switches, ${JUDGED_ENTRIES.toLocaleString("en")} entries (badge calls: unit tests)`,
  chatSwitchTime: `background's processor time on a chat switch, ${JUDGED_ENTRIES.toLocaleString("en")} entries, less the same thread's time with ToolKey off (ms)`,
  popupInteractive: `popup open to interactive with ${JUDGED_ENTRIES.toLocaleString("en")} entries against a blank extension popup opened the same way`,
  popupFirstRow: `popup open to its first row drawn with ${JUDGED_ENTRIES.toLocaleString("en")} entries against the blank popup open to interactive`,
  popupBytes: "JavaScript the popup loads when it opens: its page script and every chunk that imports, transitively (36 KiB)",
  packageBytes: "JavaScript of the whole package, against the size tripwire of `npm test` (JS_BUDGET_BYTES)",
};

/**
 * Met only when the whole interval meets the limit; missed only when the whole interval misses
 * it; otherwise the run cannot tell, and says so. A figure without samples is missed.
 */
export function verdictOf(value: number, [low, high]: readonly [number, number], limit: number): Verdict {
  if (![value, low, high].every(Number.isFinite)) return "missed";
  if (value <= limit && high <= limit) return "met";
  if (value > limit && low > limit) return "missed";
  return "within noise";
}

const rounded = (value: number, digits = 3) => Number(value.toFixed(digits));

function side(samples: readonly number[]): Side {
  const { n, median, p25, p75 } = summarise(samples);
  return { n, median: rounded(median), p25: rounded(p25), p75: rounded(p75) };
}

type Figure = { kind: "ratio"; unit: "ratio" } | { kind: "difference"; unit: "ms" };
const RATIO: Figure = { kind: "ratio", unit: "ratio" };
const DIFFERENCE: Figure = { kind: "difference", unit: "ms" };

/** A goal on ToolKey's median against its floor's: their ratio, or their difference in ms. */
function timedGoal(browser: string, id: GoalId, samples: Paired, limit: number, figure: Figure): Goal {
  const compute = figure.kind === "ratio" ? (a: number, b: number) => a / b : (a: number, b: number) => a - b;
  const value = compute(median(samples.toolkey), median(samples.floor));
  const interval = bootstrapInterval(samples.toolkey, samples.floor, compute);
  const verdict = verdictOf(value, interval, limit);
  const known = Number.isFinite(value);
  return {
    browser,
    id,
    name: GOAL_NAMES[id],
    value: known ? rounded(value) : null,
    goal: `<= ${limit}${figure.unit === "ms" ? " ms" : ""}`,
    limit,
    unit: figure.unit,
    met: verdict === "met",
    verdict,
    spread: interval.every(Number.isFinite)
      ? { low: rounded(interval[0]), high: rounded(interval[1]), of: `95% bootstrap interval of the ${figure.kind} of medians` }
      : null,
    toolkey: side(samples.toolkey),
    floor: side(samples.floor),
  };
}

/** A goal on an exact figure (a count, bytes): no noise to weigh. */
function exactGoal(browser: string, id: GoalId, value: number, limit: number, unit: "count" | "bytes"): Goal {
  const met = Number.isFinite(value) && value <= limit;
  return {
    browser,
    id,
    name: GOAL_NAMES[id],
    value: Number.isFinite(value) ? value : null,
    goal: `<= ${limit}${unit === "bytes" ? " bytes" : ""}`,
    limit,
    unit,
    met,
    verdict: met ? "met" : "missed",
    spread: null,
  };
}

export function judge(run: GoalInputs): Goal[] {
  const { browser, chatSwitch, bytes } = run;
  return [
    timedGoal(browser, "toolCall", run.toolCall, 1.01, RATIO),
    timedGoal(browser, "reconcile", run.reconcile, 1.2, RATIO),
    exactGoal(
      browser,
      "chatSwitchCalls",
      chatSwitch.events > 0 ? chatSwitch.reconciles + chatSwitch.versionRequests : Number.NaN,
      0,
      "count",
    ),
    timedGoal(browser, "chatSwitchTime", chatSwitch, 1, DIFFERENCE),
    timedGoal(browser, "popupInteractive", run.popupInteractive, 1.5, RATIO),
    timedGoal(browser, "popupFirstRow", run.popupFirstRow, 1.2, RATIO),
    exactGoal(browser, "popupBytes", bytes.popupLoads, POPUP_BYTES, "bytes"),
    exactGoal(browser, "packageBytes", bytes.javascript, bytes.budget, "bytes"),
  ];
}
