import { describe, expect, it } from "vitest";
import { type GoalInputs, judge, verdictOf } from "../../bench/judge/goals.ts";
import { bootstrapInterval, median, summarise } from "../../bench/judge/stats.ts";

/**
 * The benchmark's judge (bench/judge/): pure functions from samples to goals, so that a figure inside
 * its own noise is never reported as met, and a run's verdicts can be recomputed from results.json.
 */

/** Samples around `centre`, spread evenly by `noise` either side, in a fixed order. */
const around = (centre: number, noise: number, n = 20) =>
  Array.from({ length: n }, (_, i) => centre + noise * (((i * 7) % n) / (n - 1) - 0.5) * 2);

describe("verdictOf", () => {
  it.each<{ what: string; value: number; interval: [number, number]; verdict: string }>([
    { what: "the whole interval under the limit", value: 1.1, interval: [1.05, 1.15], verdict: "met" },
    { what: "the interval ending on the limit", value: 1.1, interval: [1.0, 1.2], verdict: "met" },
    { what: "a median under the limit, the interval across it", value: 1.15, interval: [1.1, 1.25], verdict: "within noise" },
    { what: "a median over the limit, the interval across it", value: 1.25, interval: [1.15, 1.3], verdict: "within noise" },
    { what: "the whole interval over the limit", value: 1.4, interval: [1.3, 1.5], verdict: "missed" },
    { what: "no figure at all", value: Number.NaN, interval: [Number.NaN, Number.NaN], verdict: "missed" },
    { what: "a figure without an interval", value: 1.0, interval: [Number.NaN, Number.NaN], verdict: "missed" },
  ])("$what: $verdict", ({ value, interval, verdict }) => {
    expect(verdictOf(value, interval, 1.2)).toBe(verdict);
  });
});

describe("summarise and median", () => {
  it("reads quartiles between the two nearest samples and leaves out what is not a number", () => {
    const summary = summarise([4, 1, 3, 2, Number.NaN, 5]);
    expect(summary).toMatchObject({ n: 5, median: 3, p25: 2, p75: 4, min: 1, max: 5 });
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("bootstrapInterval", () => {
  const ratio = (a: number, b: number) => a / b;

  it("gives the same interval for the same samples, so results.json can be judged again", () => {
    const toolkey = around(12, 3);
    const floor = around(10, 3);
    expect(bootstrapInterval(toolkey, floor, ratio)).toStrictEqual(bootstrapInterval(toolkey, floor, ratio));
  });

  it("holds the ratio of the medians, and narrows as the noise does", () => {
    const wide = bootstrapInterval(around(12, 4), around(10, 4), ratio);
    const narrow = bootstrapInterval(around(12, 0.4), around(10, 0.4), ratio);
    for (const [low, high] of [wide, narrow]) {
      expect(low).toBeLessThanOrEqual(1.2);
      expect(high).toBeGreaterThanOrEqual(1.2);
    }
    expect(narrow[1] - narrow[0]).toBeLessThan(wide[1] - wide[0]);
  });

  it("resamples samples taken in turn as pairs: a drift both sides share cancels", () => {
    // Both sides slow down together through the run; ToolKey is always 5% over its floor.
    const floor = Array.from({ length: 20 }, (_, i) => 10 + i);
    const toolkey = floor.map((value) => value * 1.05);
    const [low, high] = bootstrapInterval(toolkey, floor, ratio);
    expect(low).toBeGreaterThan(1.0);
    expect(high).toBeLessThan(1.1);
  });

  it("has no interval without samples", () => {
    expect(bootstrapInterval([], [1, 2], ratio).every(Number.isNaN)).toBe(true);
  });
});

describe("judge", () => {
  /** A run where every timed figure has ToolKey at `factor` times its floor, with some noise. */
  function run(factor: number, noise: number, overrides: Partial<GoalInputs> = {}): GoalInputs {
    const paired = (floorCentre: number) => {
      const floor = around(floorCentre, noise * floorCentre);
      return { toolkey: floor.map((value, i) => value * factor * (1 + noise * (((i * 3) % 5) - 2) * 0.01)), floor };
    };
    return {
      browser: "Test",
      toolCall: paired(5),
      reconcile: paired(100),
      chatSwitch: { toolkey: around(0.5, 0.1), floor: around(0.2, 0.1), events: 24, reconciles: 0, versionRequests: 0 },
      popupInteractive: paired(30),
      popupFirstRow: paired(30),
      bytes: { popupLoads: 30_000, javascript: 60_000, budget: 70_000 },
      ...overrides,
    };
  }
  const verdicts = (inputs: GoalInputs) => Object.fromEntries(judge(inputs).map((goal) => [goal.id, goal.verdict]));

  it("meets every goal of a run at the floor", () => {
    expect(verdicts(run(1, 0.01))).toStrictEqual({
      toolCall: "met",
      reconcile: "met",
      chatSwitchCalls: "met",
      chatSwitchTime: "met",
      popupInteractive: "met",
      popupFirstRow: "met",
      popupBytes: "met",
      packageBytes: "met",
    });
  });

  it("misses the timed goals of a run far over its floor, and says by how much", () => {
    const goals = judge(run(2, 0.01));
    expect(Object.fromEntries(goals.map((goal) => [goal.id, goal.verdict]))).toMatchObject({
      toolCall: "missed",
      reconcile: "missed",
      popupInteractive: "missed",
      popupFirstRow: "missed",
    });
    const reconcile = goals.find((goal) => goal.id === "reconcile");
    expect(reconcile?.value).toBeCloseTo(2, 1);
    expect(reconcile?.spread?.low).toBeGreaterThan(1.2);
  });

  it.each<{ what: string; overrides: Partial<GoalInputs>; id: string }>([
    {
      what: "a version request on a chat switch",
      overrides: { chatSwitch: { ...run(1, 0).chatSwitch, versionRequests: 1 } },
      id: "chatSwitchCalls",
    },
    { what: "no chat switch measured at all", overrides: { chatSwitch: { ...run(1, 0).chatSwitch, events: 0 } }, id: "chatSwitchCalls" },
    {
      what: "a chat switch 2 ms over ToolKey off",
      overrides: { chatSwitch: { ...run(1, 0).chatSwitch, toolkey: around(2.5, 0.1) } },
      id: "chatSwitchTime",
    },
    {
      what: "a popup over 36 KiB",
      overrides: { bytes: { popupLoads: 36 * 1024 + 1, javascript: 60_000, budget: 70_000 } },
      id: "popupBytes",
    },
    {
      what: "a package over its tripwire",
      overrides: { bytes: { popupLoads: 30_000, javascript: 70_001, budget: 70_000 } },
      id: "packageBytes",
    },
  ])("$what misses $id", ({ overrides, id }) => {
    expect(verdicts(run(1, 0.01, overrides))[id]).toBe("missed");
  });
});
