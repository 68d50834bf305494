import { expect } from "vitest";
import type { ExtensionBrowser } from "./driver.ts";

/**
 * Waits until ToolKey's rule for the tool-server URL applies to exactly these tabs (none: no rule
 * at all), as the browser reports its session rules.
 */
export async function waitForRule(browser: ExtensionBrowser, toolServerUrl: string, tabIds: readonly number[]): Promise<void> {
  const filter = `|${toolServerUrl}/`;
  const sorted = (ids: readonly number[]) => [...ids].sort((a, b) => a - b);
  await expect
    .poll(
      async () => {
        const rule = (await browser.sessionRules()).find((candidate) => candidate.condition.urlFilter === filter);
        return sorted(rule?.condition.tabIds ?? []);
      },
      { timeout: 10_000, interval: 50 },
    )
    .toEqual(sorted(tabIds));
}
