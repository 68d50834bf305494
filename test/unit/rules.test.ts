import { describe, expect, it } from "vitest";
import { compileRules as compileDecided } from "../../src/core/decision.ts";
import type { Entry } from "../../src/core/entry.ts";
import { NO_POLICY } from "../../src/core/managed.ts";
import type { VersionBook } from "../../src/core/open-webui-version.ts";
import {
  diffRules,
  entryIdOfRule,
  groupTabsByOrigin,
  type HeaderRule,
  isOwnedRuleId,
  MAX_ENTRIES,
  matchesWanted,
  missingAccessOf,
  patternsOf,
  RULE_ID_FIRST,
  ruleIdOf,
  type Tab,
} from "../../src/core/rules.ts";
import { makeEntry } from "./fixtures.ts";

const local = makeEntry({ id: 0 });
const localTime = makeEntry({ id: 1, toolServerUrl: "http://localhost:8000/time" });
const remote = makeEntry({
  id: 3,
  openWebUiOrigin: "https://chat.example.com",
  toolServerUrl: "https://tools.example.com/time",
  key: "fake-key-not-real-0002",
  headerName: "X-API-Key",
  scheme: "",
});

/**
 * The rules the decision gives these entries (core/decision.ts) where every Open WebUI reported
 * 0.6.0, except those in `patched`, which reported 0.6.5.
 */
function compileRules(entries: Entry[], tabs: Tab[], granted: ReadonlySet<string>, patched: ReadonlySet<string> = new Set()): HeaderRule[] {
  const versions: VersionBook = {};
  for (const { openWebUiOrigin } of entries)
    versions[openWebUiOrigin] = { read: { version: patched.has(openWebUiOrigin) ? "0.6.5" : "0.6.0", at: 1 } };
  const world = {
    tabsByOrigin: groupTabsByOrigin(tabs),
    granted,
    versions,
    policy: NO_POLICY,
    problems: new Map(),
    refused: new Map(),
    rulesFailed: false,
  };
  return compileDecided(entries, world);
}

function compileRule(entry: Entry, tabs: Tab[], granted: ReadonlySet<string>, patched?: ReadonlySet<string>): HeaderRule | undefined {
  return compileRules([entry], tabs, granted, patched)[0];
}

const tabsOnOrigin = (tabs: Tab[], origin: string) => groupTabsByOrigin(tabs).get(origin) ?? [];

const ALL_GRANTED = new Set(["http://localhost/*", "https://chat.example.com/*", "https://tools.example.com/*"]);

/** Tabs on the Open WebUI origins, and tabs that must never count as one. */
const TABS: Tab[] = [
  { id: 7, url: "http://localhost:3000/" },
  { id: 1, url: "http://localhost:3000/c/abc" },
  { id: 2, url: "http://localhost:3001/" },
  { id: 3, url: "https://localhost:3000/" },
  { id: 4, url: "http://sub.localhost:3000/" },
  { id: 5 },
  { id: -1, url: "http://localhost:3000/" },
  { url: "http://localhost:3000/" },
  { id: 8, url: "view-source:http://localhost:3000/" },
  { id: 10, url: "https://chat.example.com/c/1" },
  { id: 11, url: "https://a.chat.example.com/" },
  { id: 12, url: "http://chat.example.com/" },
  { id: 13, url: "https://chat.example.com:8443/" },
];

const localRule: HeaderRule = {
  id: 1000,
  priority: 22,
  action: {
    type: "modifyHeaders",
    requestHeaders: [{ header: "Authorization", operation: "set", value: "Bearer fake-key-not-real-0001" }],
  },
  condition: {
    urlFilter: "|http://localhost:8000/",
    isUrlFilterCaseSensitive: true,
    initiatorDomains: ["localhost"],
    tabIds: [1, 7],
    resourceTypes: ["xmlhttprequest"],
  },
};

const localTimeRule: HeaderRule = {
  id: 1001,
  priority: 27,
  action: {
    type: "modifyHeaders",
    requestHeaders: [{ header: "Authorization", operation: "set", value: "Bearer fake-key-not-real-0001" }],
  },
  condition: {
    urlFilter: "|http://localhost:8000/time/",
    isUrlFilterCaseSensitive: true,
    initiatorDomains: ["localhost"],
    tabIds: [1, 7],
    resourceTypes: ["xmlhttprequest"],
  },
};

const remoteRule: HeaderRule = {
  id: 1003,
  priority: 31,
  action: {
    type: "modifyHeaders",
    requestHeaders: [{ header: "X-API-Key", operation: "set", value: "fake-key-not-real-0002" }],
  },
  condition: {
    urlFilter: "|https://tools.example.com/time/",
    isUrlFilterCaseSensitive: true,
    initiatorDomains: ["chat.example.com"],
    tabIds: [10],
    resourceTypes: ["xmlhttprequest"],
  },
};

describe("this configuration gives exactly these rules", () => {
  it.each<{ what: string; entries: Entry[]; tabs: Tab[]; granted: Set<string>; rules: HeaderRule[] }>([
    {
      what: "three entries with Open WebUI tabs open and access granted",
      entries: [local, localTime, remote],
      tabs: TABS,
      granted: ALL_GRANTED,
      rules: [localRule, localTimeRule, remoteRule],
    },
    { what: "a disabled entry", entries: [{ ...local, enabled: false }], tabs: TABS, granted: ALL_GRANTED, rules: [] },
    { what: "no host access at all", entries: [local, remote], tabs: TABS, granted: new Set(), rules: [] },
    {
      what: "access to the Open WebUI but not the tool server",
      entries: [remote],
      tabs: TABS,
      granted: new Set(["https://chat.example.com/*"]),
      rules: [],
    },
    { what: "no tab open", entries: [local, remote], tabs: [], granted: ALL_GRANTED, rules: [] },
    {
      what: "tabs only on another port, scheme or subdomain, or unseen",
      entries: [local],
      tabs: TABS.filter((tab) => tab.id !== 1 && tab.id !== 7 && tab.id !== undefined),
      granted: ALL_GRANTED,
      rules: [],
    },
    {
      what: "only a tab without an id and a service worker's tab -1",
      entries: [local],
      tabs: [{ url: "http://localhost:3000/" }, { id: -1, url: "http://localhost:3000/" }],
      granted: ALL_GRANTED,
      rules: [],
    },
    {
      what: "one entry with access and one without",
      entries: [local, remote],
      tabs: TABS,
      granted: new Set(["http://localhost/*"]),
      rules: [localRule],
    },
  ])("$what", ({ entries, tabs, granted, rules }) => {
    expect(compileRules(entries, tabs, granted)).toStrictEqual(rules);
  });
});

describe("compileRule", () => {
  it("a page on another port, another scheme or a subdomain of the Open WebUI host gets no header", () => {
    const rule = compileRule(local, TABS, ALL_GRANTED);
    expect(rule?.condition.tabIds).toStrictEqual([1, 7]);
  });

  it("an Open WebUI tab whose address the extension cannot see leaves the rule", () => {
    expect(compileRule(local, [{ id: 7 }], ALL_GRANTED)).toBeUndefined();
  });

  it("never leaves tabIds out: an entry with no Open WebUI tab has no rule at all", () => {
    expect(compileRule(local, [{ id: 2, url: "http://localhost:3001/" }], ALL_GRANTED)).toBeUndefined();
  });

  it("a longer tool-server prefix wins over a shorter one on the same host", () => {
    const short = compileRule(local, TABS, ALL_GRANTED);
    const long = compileRule(localTime, TABS, ALL_GRANTED);
    expect(long?.priority).toBeGreaterThan(short?.priority ?? Number.POSITIVE_INFINITY);
  });

  it("an empty scheme sends the key alone", () => {
    expect(compileRule(remote, TABS, ALL_GRANTED)?.action.requestHeaders).toStrictEqual([
      { header: "X-API-Key", operation: "set", value: "fake-key-not-real-0002" },
    ]);
  });

  it("the urlFilter ends with a slash, so /time never covers /time2", () => {
    const filter = compileRule(localTime, TABS, ALL_GRANTED)?.condition.urlFilter;
    expect(filter).toBe("|http://localhost:8000/time/");
    expect("http://localhost:8000/time2/x".startsWith(filter?.slice(1) ?? "")).toBe(false);
  });

  it("an Authorization: Bearer entry whose Open WebUI sends keys itself (0.6.1 and later) has no rule; an X-API-Key one keeps its rule", () => {
    expect(compileRule(local, TABS, ALL_GRANTED, new Set([local.openWebUiOrigin]))).toBeUndefined();
    expect(compileRules([local, remote], TABS, ALL_GRANTED, new Set([local.openWebUiOrigin])).map((rule) => rule.id)).toStrictEqual([
      ruleIdOf(remote.id),
    ]);
  });

  it("an entry set to add the key anyway keeps its rule where Open WebUI sends keys itself", () => {
    const anyway = { ...local, addKeyAnyway: true };
    expect(compileRule(anyway, TABS, ALL_GRANTED, new Set([local.openWebUiOrigin]))).toStrictEqual(compileRule(local, TABS, ALL_GRANTED));
  });

  it("an Open WebUI host written with a final dot is in initiatorDomains with and without it (Chromium drops it, Firefox keeps it)", () => {
    const entry = makeEntry({ openWebUiOrigin: "http://open_webui.:8080", toolServerUrl: "http://tools.example.com" });
    const rule = compileRule(
      entry,
      [{ id: 4, url: "http://open_webui.:8080/c/1" }],
      new Set(["http://open_webui./*", "http://tools.example.com/*"]),
    );
    expect(rule?.condition.initiatorDomains).toStrictEqual(["open_webui.", "open_webui"]);
    expect(rule?.condition.tabIds).toStrictEqual([4]);
  });

  it("initiatorDomains holds the Open WebUI host alone, without scheme or port", () => {
    const entry = makeEntry({ openWebUiOrigin: "https://chat.example.com:8443", toolServerUrl: "https://tools.example.com" });
    const rule = compileRule(entry, [{ id: 4, url: "https://chat.example.com:8443/" }], ALL_GRANTED);
    expect(rule?.condition.initiatorDomains).toStrictEqual(["chat.example.com"]);
    expect(rule?.condition.tabIds).toStrictEqual([4]);
  });
});

describe("rule ids", () => {
  it.each([0, 1, 17, MAX_ENTRIES - 1, 2 * MAX_ENTRIES - 1])("the rule of entry %i lies inside the owned range and maps back", (entryId) => {
    const ruleId = ruleIdOf(entryId);
    expect(isOwnedRuleId(ruleId)).toBe(true);
    expect(entryIdOfRule(ruleId)).toBe(entryId);
  });

  it.each([0, 1, RULE_ID_FIRST - 1, RULE_ID_FIRST + 2 * MAX_ENTRIES, 100_000])("rule id %i belongs to someone else", (ruleId) => {
    expect(isOwnedRuleId(ruleId)).toBe(false);
  });

  it("every compiled rule has an owned id", () => {
    const entries = [makeEntry({ id: 0 }), makeEntry({ id: MAX_ENTRIES - 1, toolServerUrl: "http://localhost:8001" })];
    for (const rule of compileRules(entries, TABS, ALL_GRANTED)) expect(isOwnedRuleId(rule.id)).toBe(true);
  });
});

/** A rule as Firefox hands it back: every field ToolKey left unset is reported as null. */
function asFirefoxReports(rule: HeaderRule): unknown {
  return {
    ...rule,
    action: { ...rule.action, redirect: null, responseHeaders: null },
    condition: {
      ...rule.condition,
      regexFilter: null,
      domainType: null,
      requestDomains: null,
      excludedRequestDomains: null,
      excludedInitiatorDomains: null,
      excludedTabIds: null,
      requestMethods: null,
      excludedRequestMethods: null,
      excludedResourceTypes: null,
    },
  };
}

describe("diffRules", () => {
  it("has nothing to do when the installed rules are the desired ones", () => {
    expect(diffRules([localRule, remoteRule], [localRule, remoteRule])).toStrictEqual({ removeRuleIds: [], addRules: [] });
  });

  it("has nothing to do when the installed rules carry extra null fields, as Firefox reports them", () => {
    const installed = [asFirefoxReports(localRule), asFirefoxReports(remoteRule)] as { id: number }[];
    expect(diffRules(installed, [localRule, remoteRule])).toStrictEqual({ removeRuleIds: [], addRules: [] });
  });

  it("removes and re-adds a rule whose tabs changed", () => {
    const before = { ...localRule, condition: { ...localRule.condition, tabIds: [7] } };
    expect(diffRules([before, remoteRule], [localRule, remoteRule])).toStrictEqual({ removeRuleIds: [1000], addRules: [localRule] });
  });

  it("removes and re-adds a rule whose key changed", () => {
    const before: HeaderRule = {
      ...localRule,
      action: {
        ...localRule.action,
        requestHeaders: [{ header: "Authorization", operation: "set", value: "Bearer fake-key-not-real-0009" }],
      },
    };
    expect(diffRules([before], [localRule])).toStrictEqual({ removeRuleIds: [1000], addRules: [localRule] });
  });

  it("removes a rule whose installed copy lacks a field ToolKey sets", () => {
    const { resourceTypes: _, ...condition } = localRule.condition;
    const installed = { ...localRule, condition };
    expect(diffRules([installed], [localRule])).toStrictEqual({ removeRuleIds: [1000], addRules: [localRule] });
  });

  it("removes an owned rule that is no longer wanted and adds a new one", () => {
    expect(diffRules([localRule], [remoteRule])).toStrictEqual({ removeRuleIds: [1000], addRules: [remoteRule] });
  });

  it("never touches rules outside its id range", () => {
    const foreign = [{ id: 1 }, { id: RULE_ID_FIRST - 1 }, { id: RULE_ID_FIRST + 2 * MAX_ENTRIES }, { ...localRule, id: 999 }];
    expect(diffRules([...foreign, localRule], [])).toStrictEqual({ removeRuleIds: [1000], addRules: [] });
    expect(diffRules(foreign, [localRule])).toStrictEqual({ removeRuleIds: [], addRules: [localRule] });
  });
});

describe("matchesWanted", () => {
  it.each<{ what: string; wanted: unknown; installed: unknown; matches: boolean }>([
    { what: "equal strings", wanted: "a", installed: "a", matches: true },
    { what: "a number and its string", wanted: 1, installed: "1", matches: false },
    { what: "an object with extra null fields", wanted: { a: 1 }, installed: { a: 1, b: null }, matches: true },
    { what: "an object with extra fields of a browser's own", wanted: { a: 1 }, installed: { a: 1, b: 2 }, matches: true },
    { what: "an object missing a wanted field", wanted: { a: 1 }, installed: {}, matches: false },
    { what: "null where an object is wanted", wanted: { a: 1 }, installed: null, matches: false },
    { what: "an array with one item more", wanted: [1, 2], installed: [1, 2, 3], matches: false },
    { what: "an array in another order", wanted: [1, 2], installed: [2, 1], matches: false },
    { what: "an object where an array is wanted", wanted: [1], installed: { 0: 1, length: 1 }, matches: false },
    { what: "nested items with extra nulls", wanted: { a: [{ b: 1 }] }, installed: { a: [{ b: 1, c: null }] }, matches: true },
    { what: "a wanted null and a missing field", wanted: { a: null }, installed: {}, matches: false },
  ])("$what: $matches", ({ wanted, installed, matches }) => {
    expect(matchesWanted(wanted, installed)).toBe(matches);
  });
});

describe("patternsOf", () => {
  it.each([
    { what: "both on one host, ports aside", entry: local, patterns: ["http://localhost/*"] },
    { what: "two hosts", entry: remote, patterns: ["https://chat.example.com/*", "https://tools.example.com/*"] },
    {
      what: "one host, two schemes",
      entry: makeEntry({ toolServerUrl: "https://localhost:8443/tools" }),
      patterns: ["http://localhost/*", "https://localhost/*"],
    },
  ])("asks for $patterns with $what", ({ entry, patterns }) => {
    expect(patternsOf(entry)).toStrictEqual(patterns);
  });
});

describe("missingAccessOf", () => {
  it.each([
    { what: "both patterns are granted", granted: ["https://chat.example.com/*", "https://tools.example.com/*"], access: true },
    { what: "only the Open WebUI's is granted", granted: ["https://chat.example.com/*"], access: false },
    { what: "only the tool server's is granted", granted: ["https://tools.example.com/*"], access: false },
    { what: "the other scheme is granted", granted: ["http://chat.example.com/*", "http://tools.example.com/*"], access: false },
    { what: "nothing is granted", granted: [], access: false },
  ])("an entry has access when $what: $access", ({ granted, access }) => {
    expect(missingAccessOf(remote, new Set(granted)).length === 0).toBe(access);
  });

  it("one granted pattern is enough when both are on one host", () => {
    expect(missingAccessOf(local, new Set(["http://localhost/*"]))).toStrictEqual([]);
  });
});

describe("groupTabsByOrigin", () => {
  it("lists the tabs of each http(s) origin in ascending order, and nothing else", () => {
    const tabs = [
      { id: 9, url: "http://localhost:3000/c/1" },
      { id: 2, url: "http://localhost:3000/" },
      { id: 5, url: "http://localhost:3001/" },
      { id: 7, url: "chrome://newtab/" },
      { id: 8 },
      { id: -1, url: "http://localhost:3000/" },
      { url: "http://localhost:3000/" },
    ];
    expect(groupTabsByOrigin(tabs)).toEqual(
      new Map([
        ["http://localhost:3000", [2, 9]],
        ["http://localhost:3001", [5]],
      ]),
    );
  });
});

describe("tabsOnOrigin", () => {
  it("lists, sorted, only the tabs exactly on the origin", () => {
    expect(tabsOnOrigin(TABS, "http://localhost:3000")).toStrictEqual([1, 7]);
    expect(tabsOnOrigin(TABS, "https://chat.example.com")).toStrictEqual([10]);
    expect(tabsOnOrigin(TABS, "https://chat.example.com:8443")).toStrictEqual([13]);
  });

  it("finds nothing on an origin no tab is on", () => {
    expect(tabsOnOrigin(TABS, "http://localhost:9999")).toStrictEqual([]);
    expect(tabsOnOrigin([], "http://localhost:3000")).toStrictEqual([]);
  });
});
