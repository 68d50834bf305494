/** What one run of the benchmark gives: bench/results.json, of which the Markdown tables are a view. */
import type { Goal } from "../judge/goals.ts";
import type { Measured } from "../measure/browser.ts";
import type { Machine } from "../measure/machine.ts";
import type { PackageSize } from "../sizes/packages.ts";

export interface Results {
  machine: Machine & { benchSeconds: number };
  /** One per goal and browser: what anyone should read first. */
  goals: Goal[];
  /** Everything measured in each browser, with the samples the goals are judged from. */
  browsers: Measured[];
  sizes: PackageSize[];
}
