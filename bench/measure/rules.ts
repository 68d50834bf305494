/**
 * ToolKey's session rules as the benchmark reads them back from a browser, and the bare
 * extension's, which it sets by hand: the floor that holds the same rules without ToolKey.
 */
import { type HeaderRule, isOwnedRuleId } from "../../src/core/rules.ts";
import { settingsWithEntries } from "../../test/browser/harness/stored-settings.ts";
import type { BenchBrowser } from "./browsers.ts";
import { BENCH_KEY } from "./sites.ts";
import { waitFor } from "./waiting.ts";

/** The extension APIs called here from extension pages (Firefox has the `chrome` namespace too). */
declare const chrome: {
  declarativeNetRequest: {
    getSessionRules(): Promise<InstalledRule[]>;
    updateSessionRules(update: { removeRuleIds?: number[]; addRules?: HeaderRule[] }): Promise<void>;
  };
};

/** A session rule as a browser hands it back: Firefox adds every unset field as null. */
interface InstalledRule {
  id: number;
  priority: number;
  action: { type: string; requestHeaders?: { header: string; operation: string; value?: string }[] };
  condition: {
    urlFilter?: string;
    isUrlFilterCaseSensitive?: boolean;
    initiatorDomains?: string[] | null;
    tabIds?: number[] | null;
    resourceTypes?: string[] | null;
  };
}

/** The rule as ToolKey sends it (the fields it sets and nothing else), so that it can be sent again. */
function asHeaderRule(rule: InstalledRule): HeaderRule {
  return {
    id: rule.id,
    priority: rule.priority,
    action: {
      type: "modifyHeaders",
      requestHeaders: (rule.action.requestHeaders ?? []).map(({ header, value }) => ({ header, operation: "set", value: value ?? "" })),
    },
    condition: {
      urlFilter: rule.condition.urlFilter ?? "",
      isUrlFilterCaseSensitive: true,
      initiatorDomains: rule.condition.initiatorDomains ?? [],
      tabIds: rule.condition.tabIds ?? [],
      resourceTypes: ["xmlhttprequest"],
    },
  };
}

/** ToolKey's session rules, as the browser holds them, by rule id. */
async function toolkeyRules(bench: BenchBrowser): Promise<HeaderRule[]> {
  const rules = await bench.inExtension(() => chrome.declarativeNetRequest.getSessionRules(), null);
  return rules
    .filter((rule) => isOwnedRuleId(rule.id))
    .map(asHeaderRule)
    .sort((a, b) => a.id - b.id);
}

/** Waits until ToolKey holds a rule for each of `count` entries, each for `tabs` tabs, and returns them. */
export function waitForRules(bench: BenchBrowser, count: number, tabs: number): Promise<HeaderRule[]> {
  return waitFor(async () => {
    const rules = await toolkeyRules(bench);
    return rules.length === count && rules.every((rule) => rule.condition.tabIds.length === tabs) && rules;
  }, `${count} rules for ${tabs} tab(s)`);
}

/** Replaces every session rule of the bare extension with these. */
export function bareHolds(bench: BenchBrowser, rules: HeaderRule[]): Promise<void> {
  return bench.inBare(async (wanted) => {
    const held = (await chrome.declarativeNetRequest.getSessionRules()).map((rule) => rule.id);
    await chrome.declarativeNetRequest.updateSessionRules({ removeRuleIds: held, addRules: wanted });
  }, rules);
}

/** Stores `count` entries of one Open WebUI for ToolKey's background to start from. */
export function seedEntries(bench: BenchBrowser, count: number, owuiOrigin: string, toolsOrigin: string): Promise<void> {
  return bench.seed(settingsWithEntries(count, owuiOrigin, toolsOrigin, BENCH_KEY));
}

/** Stores one entry, for the tool server's prefix `path`. */
export function seedOneEntry(bench: BenchBrowser, owuiOrigin: string, toolsOrigin: string, path: string): Promise<void> {
  const settings = settingsWithEntries(1, owuiOrigin, toolsOrigin, BENCH_KEY);
  return bench.seed({ ...settings, entries: settings.entries.map((entry) => ({ ...entry, toolServerUrl: `${toolsOrigin}${path}` })) });
}
