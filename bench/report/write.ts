/** Writes a run's results: bench/results.json, bench/results.md, and the tables in docs/performance.md. */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { markdown } from "./markdown.ts";
import type { Results } from "./results.ts";

const BENCH = resolve(import.meta.dirname, "..");
const PERFORMANCE_PAGE = resolve(BENCH, "../docs/performance.md");
const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

/**
 * JSON with every number to the microsecond (or a thousandth of a ratio) and each list of numbers
 * on one line: the samples stay in the file without making it thousands of lines long.
 */
function compactJson(value: unknown): string {
  const text = JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === "number" && !Number.isInteger(item) ? Number(item.toFixed(3)) : item),
    2,
  );
  return text.replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_match, items: string) => `[${items.split(/,\s*/).join(", ")}]`);
}

function writePerformanceTables(tables: string): void {
  const page = readFileSync(PERFORMANCE_PAGE, "utf8");
  const from = page.indexOf(START);
  const to = page.indexOf(END);
  if (from === -1 || to === -1) throw new Error("docs/performance.md lacks the bench markers");
  writeFileSync(PERFORMANCE_PAGE, `${page.slice(0, from + START.length)}\n${tables}${page.slice(to)}`);
}

export function writeResults(results: Results): string {
  writeFileSync(resolve(BENCH, "results.json"), `${compactJson(results)}\n`);
  const tables = markdown(results);
  writeFileSync(resolve(BENCH, "results.md"), `# ToolKey benchmark\n\n${tables}`);
  writePerformanceTables(tables);
  return tables;
}
