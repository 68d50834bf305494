import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { listFiles } from "../../scripts/zip.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * The first version of each browser with every extension API ToolKey's code calls, and with the
 * rule conditions it sets (MDN's browser compatibility data). "Before MV3" members are given the
 * first version that runs Manifest V3 extensions at all: Chrome 88, Firefox 109.
 * An API that is not listed here fails the test below: add it, with its versions, before using it.
 */
const SINCE: Record<string, { chrome: number; firefox: number }> = {
  "declarativeNetRequest.getSessionRules": { chrome: 90, firefox: 113 },
  "declarativeNetRequest.updateSessionRules": { chrome: 90, firefox: 113 },
  "action.setBadgeBackgroundColor": { chrome: 88, firefox: 109 },
  // Before MV3 (Chrome 22, Firefox 45): the retry's backstop.
  "alarms.create": { chrome: 88, firefox: 109 },
  "alarms.clear": { chrome: 88, firefox: 109 },
  "alarms.onAlarm": { chrome: 88, firefox: 109 },
  "action.setBadgeText": { chrome: 88, firefox: 109 },
  "action.setTitle": { chrome: 88, firefox: 109 },
  "i18n.getMessage": { chrome: 88, firefox: 109 },
  "permissions.contains": { chrome: 88, firefox: 109 },
  "permissions.getAll": { chrome: 88, firefox: 109 },
  "permissions.request": { chrome: 88, firefox: 109 },
  "permissions.onAdded": { chrome: 88, firefox: 109 },
  "permissions.onRemoved": { chrome: 88, firefox: 109 },
  "runtime.onInstalled": { chrome: 88, firefox: 109 },
  "runtime.onStartup": { chrome: 88, firefox: 109 },
  "runtime.onMessage": { chrome: 88, firefox: 109 },
  "runtime.id": { chrome: 88, firefox: 109 },
  "runtime.getURL": { chrome: 88, firefox: 109 },
  "runtime.sendMessage": { chrome: 88, firefox: 109 },
  "runtime.connect": { chrome: 88, firefox: 109 },
  "runtime.onConnect": { chrome: 88, firefox: 109 },
  "storage.local": { chrome: 88, firefox: 109 },
  // Both before MV3 (Chrome 33 and Firefox 57 for managed storage, which reads the organisation's policy).
  "storage.managed": { chrome: 88, firefox: 109 },
  "storage.onChanged": { chrome: 88, firefox: 109 },
  // The policy answer kept for a wake: what sets Chrome's minimum.
  "storage.session": { chrome: 102, firefox: 115 },
  "tabs.query": { chrome: 88, firefox: 109 },
  "tabs.onUpdated": { chrome: 88, firefox: 109 },
  "tabs.onRemoved": { chrome: 88, firefox: 109 },
  "tabs.onReplaced": { chrome: 88, firefox: 109 },
  // Rule conditions (src/core/decision.ts).
  "RuleCondition.initiatorDomains": { chrome: 101, firefox: 113 },
  "RuleCondition.tabIds": { chrome: 92, firefox: 113 },
};

function sourceText(): string {
  return listFiles(resolve(ROOT, "src"))
    .filter((file) => file.endsWith(".ts"))
    .map((file) => readFileSync(file, "utf8"))
    .join("\n");
}

/** `browser.<namespace>.<member>` as the code writes it (a line break may sit before the member). */
function apisCalled(text: string): string[] {
  const calls = [...text.matchAll(/\bbrowser\.(\w+)\s*\.(\w+)/g)].map(([, namespace, member]) => `${namespace}.${member}`);
  const conditions = ["initiatorDomains", "tabIds"].filter((key) => new RegExp(`\\b${key}\\s*:`).test(text));
  return [...new Set([...calls, ...conditions.map((key) => `RuleCondition.${key}`)])].sort();
}

function manifestOf(target: string): Record<string, unknown> {
  return JSON.parse(readFileSync(resolve(ROOT, "dist", target, "manifest.json"), "utf8")) as Record<string, unknown>;
}

it("every extension API the code calls is listed with the browser versions that have it", () => {
  expect(apisCalled(sourceText()).filter((api) => SINCE[api] === undefined)).toEqual([]);
});

it("minimum_chrome_version is exactly the newest Chrome any of those APIs needs", () => {
  const needed = Math.max(...apisCalled(sourceText()).map((api) => SINCE[api]?.chrome ?? Number.POSITIVE_INFINITY));
  expect(manifestOf("chrome").minimum_chrome_version).toBe(String(needed));
});

it("Firefox's strict_min_version is at least what those APIs need (140 is set by addons.mozilla.org's data consent key)", () => {
  const needed = Math.max(...apisCalled(sourceText()).map((api) => SINCE[api]?.firefox ?? Number.POSITIVE_INFINITY));
  const gecko = (manifestOf("firefox").browser_specific_settings as { gecko: { strict_min_version: string } }).gecko;
  expect(Number.parseFloat(gecko.strict_min_version)).toBeGreaterThanOrEqual(needed);
});

it("the code uses no API that Firefox lacks (getMatchedRules, setExtensionActionOptions, onRuleMatchedDebug)", () => {
  const text = sourceText();
  for (const chromeOnly of ["getMatchedRules", "setExtensionActionOptions", "onRuleMatchedDebug"]) expect(text).not.toContain(chromeOnly);
});
