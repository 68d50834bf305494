/**
 * `npm run bench`: measures ToolKey in real Chromium and then real Firefox, each figure next to its
 * floor in the same run and the same browser (design.md, "Measuring speed"); judges issue 21's goals
 * from the samples; writes results.json, results.md and the tables in docs/performance.md.
 * measure/ drives the browsers, sizes/ reads the built packages, judge/ turns samples into goals
 * (pure), report/ writes them down.
 */
import { resolve } from "node:path";
import { it } from "vitest";
import { judge } from "./judge/goals.ts";
import { goalSamples, type Measured, measureBrowser } from "./measure/browser.ts";
import { launchChromiumBench, launchFirefoxBench } from "./measure/browsers.ts";
import { machine } from "./measure/machine.ts";
import { startSites } from "./measure/sites.ts";
import type { Results } from "./report/results.ts";
import { writeResults } from "./report/write.ts";
import { packageSizes } from "./sizes/packages.ts";

const ROOT = resolve(import.meta.dirname, "..");
/** The package each browser runs. */
const PACKAGE_OF: Record<string, string> = { Chromium: "chrome", Firefox: "firefox" };

it("benchmark", { timeout: 60 * 60_000 }, async () => {
  const began = Date.now();
  // First: it fails at once if dist/ is not the build of this tree.
  const sizes = await packageSizes(ROOT);
  const sites = await startSites();
  const browsers: Measured[] = [];
  try {
    // One browser at a time, so that neither takes the other's processor time.
    for (const launch of [launchChromiumBench, launchFirefoxBench]) {
      const bench = await launch(sites.owuiOrigin);
      try {
        browsers.push(await measureBrowser(bench, sites));
      } finally {
        await bench.close();
      }
      // The request log is only read for counts; it need not hold a whole browser's calls.
      sites.log.length = 0;
    }
  } finally {
    await sites.close();
  }
  const goals = browsers.flatMap((m) => {
    const pkg = sizes.find((size) => size.target === PACKAGE_OF[m.browser]);
    const popup = pkg?.pages.find((page) => page.page === "popup");
    const bytes = {
      popupLoads: popup?.bytes.total ?? Number.NaN,
      javascript: pkg?.javascript.total ?? Number.NaN,
      budget: pkg?.javascriptBudget ?? Number.NaN,
    };
    return judge({ ...goalSamples(m), bytes });
  });
  const results: Results = {
    machine: { ...machine(), benchSeconds: Math.round((Date.now() - began) / 1000) },
    goals,
    browsers,
    sizes,
  };
  console.log(writeResults(results));
});
