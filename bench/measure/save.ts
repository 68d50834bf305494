/** From the click on Save in the popup to the first tool call from the Open WebUI tab that carries the key. */
import { summarise } from "../judge/stats.ts";
import type { BenchBrowser } from "./browsers.ts";
import { seedOneEntry } from "./rules.ts";
import { BENCH_KEY, type Sites } from "./sites.ts";
import { timedCalls } from "./tool-calls.ts";
import { waitFor } from "./waiting.ts";

export const SAVES = 30;

export async function saveToEffective(bench: BenchBrowser, { owuiOrigin, toolsOrigin }: Sites) {
  await seedOneEntry(bench, owuiOrigin, toolsOrigin, "/a");
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
