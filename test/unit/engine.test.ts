import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/background/engine.ts";
import type { BrowserPort } from "../../src/background/port.ts";
import type { Command } from "../../src/core/commands.ts";
import type { Entry } from "../../src/core/entry.ts";
import { MANAGED_ID_FIRST } from "../../src/core/managed.ts";
import type { State } from "../../src/core/messages.ts";
import type { VersionCheck, VersionKnowledge } from "../../src/core/open-webui-version.ts";
import { type HeaderRule, ruleIdOf, type Tab } from "../../src/core/rules.ts";
import { SETTINGS_VERSION, type Settings } from "../../src/core/settings.ts";
import { makeEntry } from "./fixtures.ts";

const A = "http://localhost:3000";
const B = "http://localhost:3001";
/** Both Open WebUIs read as 0.6.0, as storage keeps it. */
const BOTH_ON_0_6_0 = { [A]: { read: { version: "0.6.0", at: 1 } }, [B]: { read: { version: "0.6.0", at: 1 } } };

/** Entries of two Open WebUIs: three of A's and two of B's. */
const ENTRIES: Entry[] = [
  makeEntry({ id: 0, openWebUiOrigin: A, toolServerUrl: "http://localhost:8000/a0" }),
  makeEntry({ id: 1, openWebUiOrigin: A, toolServerUrl: "http://localhost:8000/a1" }),
  makeEntry({ id: 2, openWebUiOrigin: A, toolServerUrl: "http://localhost:8000/a2" }),
  makeEntry({ id: 3, openWebUiOrigin: B, toolServerUrl: "http://localhost:8000/b0" }),
  makeEntry({ id: 4, openWebUiOrigin: B, toolServerUrl: "http://localhost:8000/b1" }),
];

/**
 * A recording fake of every browser call the background makes (port.ts): the pure counts of what an
 * event costs. What the browser does with the rules is proven in the real-browser scenarios.
 */
function fakeBrowser(
  options: {
    entries?: Entry[];
    tabs?: Tab[];
    settings?: unknown;
    managed?: unknown;
    versions?: unknown;
    kept?: { value: unknown };
    rules?: Map<number, HeaderRule>;
  } = {},
) {
  const calls: string[] = [];
  const rules = options.rules ?? new Map<number, HeaderRule>();
  let kept = options.kept;
  const timers: (() => void)[] = [];
  const broadcasts: State[] = [];
  let failNext = 0;
  const port: BrowserPort = {
    async readStorage() {
      calls.push("readStorage");
      return {
        settings: options.settings ?? { version: SETTINGS_VERSION, entries: options.entries ?? ENTRIES },
        versions: options.versions ?? BOTH_ON_0_6_0,
      };
    },
    async writeSettings() {
      calls.push("writeSettings");
    },
    async readManaged() {
      calls.push("readManaged");
      return options.managed;
    },
    async readKeptPolicy() {
      calls.push("readKeptPolicy");
      return kept;
    },
    async keepPolicy(value) {
      calls.push("keepPolicy");
      kept = { value };
    },
    async writeVersions() {
      calls.push("writeVersions");
    },
    async grantedOrigins() {
      calls.push("grantedOrigins");
      return ["http://localhost/*"];
    },
    async openTabs() {
      calls.push("openTabs");
      return options.tabs ?? [];
    },
    async sessionRules() {
      calls.push("sessionRules");
      return [...rules.values()];
    },
    async updateSessionRules({ removeRuleIds, addRules }) {
      calls.push(`updateSessionRules -[${removeRuleIds.join(",")}] +[${addRules.map((rule) => rule.id).join(",")}]`);
      if (failNext > 0) {
        failNext--;
        throw new Error("The browser failed");
      }
      for (const id of removeRuleIds) rules.delete(id);
      for (const rule of addRules) rules.set(rule.id, rule);
    },
    async markTab(tabId, on) {
      calls.push(`markTab ${tabId} ${on}`);
    },
    broadcast(state) {
      calls.push("broadcast");
      broadcasts.push(state());
    },
    later(task, ms) {
      calls.push(`later ${ms}`);
      timers.push(task);
    },
    async wakeAfter(ms) {
      calls.push(`wakeAfter ${ms ?? "cancelled"}`);
    },
  };
  return {
    port,
    calls,
    rules,
    timers,
    broadcasts,
    /** The policy answer kept for the session, as a new start of the background would read it. */
    get kept() {
      return kept;
    },
    failNextCalls(count: number) {
      failNext = count;
    },
    /** Forgets the calls so far: what comes next is what one event costs. */
    settle() {
      calls.length = 0;
    },
  };
}

async function started(options: Parameters<typeof fakeBrowser>[0] = {}) {
  const fake = fakeBrowser(options);
  const engine = createEngine(fake.port);
  await engine.start();
  return { fake, engine };
}

const ids = (...entryIds: number[]) => entryIds.map(ruleIdOf).join(",");

/** The same browser after the background was stopped: a new engine reads everything again. */
async function woken(fake: ReturnType<typeof fakeBrowser>) {
  fake.settle();
  const engine = createEngine(fake.port);
  await engine.start();
  return engine;
}

describe("what an event costs in browser calls", () => {
  it("a wake reads storage, access, tabs and rules once each, then installs the rules in one update", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    expect(fake.calls).toStrictEqual([
      "readStorage",
      "readKeptPolicy",
      "grantedOrigins",
      "openTabs",
      "sessionRules",
      `updateSessionRules -[] +[${ids(0, 1, 2)}]`,
      "markTab 1 true",
      "broadcast",
    ]);
    fake.settle();
    await engine.tabUpdated(2, { status: "loading" }, { url: "https://example.com/" });
    await engine.state();
    expect(fake.calls).toStrictEqual([]);
  });

  it("a chat switch inside Open WebUI (a navigation within its origin) makes no browser call", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    await engine.tabUpdated(1, { url: `${A}/c/another-chat` }, { url: `${A}/c/another-chat` });
    await engine.tabUpdated(1, { status: "complete" }, { url: `${A}/c/another-chat` });
    expect(fake.calls).toStrictEqual([]);
  });

  it("a chat switch as Chromium reports it (loading, with the new address, the page's favicon kept) makes no browser call and reads no version", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    const favIconUrl = `${A}/static/favicon.png`;
    for (let chat = 0; chat < 10; chat++) {
      expect(
        await engine.tabUpdated(1, { status: "loading", url: `${A}/c/${chat}` }, { url: `${A}/c/${chat}`, favIconUrl }),
      ).toBeUndefined();
      await engine.tabUpdated(1, { status: "complete" }, { url: `${A}/c/${chat}`, favIconUrl });
    }
    expect(fake.calls).toStrictEqual([]);
  });

  it("a tab on a site no entry names, opened, moved and closed, makes no browser call", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    await engine.tabUpdated(5, { status: "loading", url: "https://example.com/" }, { url: "https://example.com/" });
    await engine.tabUpdated(5, { url: "https://example.org/" }, { url: "https://example.org/" });
    await engine.tabRemoved(5);
    expect(fake.calls).toStrictEqual([]);
  });

  it("opening a second Open WebUI tab rewrites only the rules of that Open WebUI", async () => {
    const { fake, engine } = await started({
      tabs: [
        { id: 1, url: `${A}/` },
        { id: 2, url: `${B}/` },
      ],
    });
    fake.settle();
    await engine.tabUpdated(3, { status: "loading", url: `${B}/` }, { url: `${B}/` });
    expect(fake.calls).toStrictEqual([`updateSessionRules -[${ids(3, 4)}] +[${ids(3, 4)}]`, "markTab 3 true", "broadcast"]);
    expect(fake.rules.get(ruleIdOf(3))?.condition.tabIds).toStrictEqual([2, 3]);
    expect(fake.rules.get(ruleIdOf(0))?.condition.tabIds).toStrictEqual([1]);
  });

  it("a tab event on one Open WebUI compiles and compares only that Open WebUI's entries", async () => {
    const { engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    performance.clearMeasures("toolkey:reconcile");
    await engine.tabUpdated(3, { status: "loading", url: `${B}/` }, { url: `${B}/` });
    await engine.tabRemoved(1);
    const reconciles = performance.getEntriesByName("toolkey:reconcile") as PerformanceMeasure[];
    // B has two entries, A three: each event compiled its own Open WebUI's alone, of five.
    expect(reconciles.map(({ detail: { entries, compiled, tabs, rules } }) => ({ entries, compiled, tabs, rules }))).toStrictEqual([
      { entries: 5, compiled: 2, tabs: 2, rules: 2 },
      { entries: 5, compiled: 3, tabs: 1, rules: 0 },
    ]);
  });

  it("a tab that leaves the Open WebUI for a site ToolKey may not see leaves the rules at once", async () => {
    const { fake, engine } = await started({
      tabs: [
        { id: 1, url: `${A}/` },
        { id: 2, url: `${A}/` },
      ],
    });
    fake.settle();
    await engine.tabUpdated(2, { status: "loading" }, { url: undefined });
    // The browser cleared the tab's mark as the new page loaded: nothing to clear.
    expect(fake.calls).toStrictEqual([`updateSessionRules -[${ids(0, 1, 2)}] +[${ids(0, 1, 2)}]`, "broadcast"]);
    expect(fake.rules.get(ruleIdOf(0))?.condition.tabIds).toStrictEqual([1]);
  });

  it("a reload of a tab where ToolKey adds a key puts its mark back (the browser clears it) and costs nothing else", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    await engine.tabUpdated(1, { status: "loading" }, { url: `${A}/` });
    expect(fake.calls).toStrictEqual([]);
    await engine.tabUpdated(1, { status: "complete" }, { url: `${A}/` });
    expect(fake.calls).toStrictEqual(["markTab 1 true"]);
  });

  it("disabling one entry removes its rule alone", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    const { reply } = await engine.command({ type: "setEnabled", ids: [1], enabled: false });
    expect(reply.ok).toBe(true);
    expect(fake.calls).toStrictEqual(["writeSettings", `updateSessionRules -[${ids(1)}] +[]`, "broadcast"]);
  });
});

describe("failing closed", () => {
  it("a browser call that fails removes every ToolKey rule, says so, and retries until it works", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    fake.failNextCalls(2);
    await engine.tabUpdated(2, { status: "loading", url: `${A}/` }, { url: `${A}/` });
    expect(fake.calls).toStrictEqual([
      `updateSessionRules -[${ids(0, 1, 2)}] +[${ids(0, 1, 2)}]`,
      `updateSessionRules -[${ids(0, 1, 2)}] +[]`,
      "sessionRules",
      `updateSessionRules -[${ids(0, 1, 2)}] +[]`,
      "wakeAfter 1000",
      "later 1000",
      "markTab 1 false",
      "broadcast",
    ]);
    expect(fake.rules.size).toBe(0);
    const failed = fake.broadcasts.at(-1);
    expect(failed?.rulesProblem).toBe("The browser failed");
    // No entry claims to be active while ToolKey holds no rule.
    expect(failed?.entries.map((entry) => entry.activeTabs)).toStrictEqual([0, 0, 0, 0, 0]);
    expect(failed?.entries.map((entry) => entry.reason?.why)).toStrictEqual([
      "rulesFailed",
      "rulesFailed",
      "rulesFailed",
      "noTab",
      "noTab",
    ]);

    fake.settle();
    fake.timers.shift()?.();
    await engine.state();
    expect(fake.calls).toStrictEqual([
      `updateSessionRules -[] +[${ids(0, 1, 2)}]`,
      "wakeAfter cancelled",
      "markTab 1 true",
      "markTab 2 true",
      "broadcast",
    ]);
    expect(fake.broadcasts.at(-1)?.rulesProblem).toBeUndefined();
    expect(fake.rules.get(ruleIdOf(0))?.condition.tabIds).toStrictEqual([1, 2]);
  });

  it("after a failure, a tab event on one Open WebUI brings back the rules of every Open WebUI", async () => {
    const { fake, engine } = await started({
      tabs: [
        { id: 1, url: `${A}/` },
        { id: 2, url: `${B}/` },
      ],
    });
    fake.failNextCalls(2);
    await engine.tabUpdated(3, { status: "loading", url: `${A}/` }, { url: `${A}/` });
    expect(fake.rules.size).toBe(0);
    await engine.tabUpdated(4, { status: "loading", url: `${A}/` }, { url: `${A}/` });
    expect([...fake.rules.keys()].sort()).toStrictEqual([ruleIdOf(0), ruleIdOf(1), ruleIdOf(2), ruleIdOf(3), ruleIdOf(4)]);
    expect((await engine.state()).rulesProblem).toBeUndefined();
  });

  it("the retries wait longer each time, up to a minute", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    fake.failNextCalls(1000);
    await engine.tabUpdated(2, { status: "loading", url: `${A}/` }, { url: `${A}/` });
    for (let i = 0; i < 8; i++) {
      fake.timers.shift()?.();
      await engine.state();
    }
    const delays = fake.calls.filter((call) => call.startsWith("later")).map((call) => Number(call.split(" ")[1]));
    expect(delays).toStrictEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it("a key the browser quotes in its error is taken out before the problem is shown", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.port.updateSessionRules = async () => {
      throw new Error(`Rule value "Bearer ${ENTRIES[0]?.key}" refused`);
    };
    await engine.tabUpdated(2, { status: "loading", url: `${A}/` }, { url: `${A}/` });
    const state = await engine.state();
    expect(state.rulesProblem).toBeDefined();
    expect(state.rulesProblem).not.toContain(ENTRIES[0]?.key);
  });
});

describe("one bad stored entry never disables the others", () => {
  it("an entry that today's validation refuses, and a duplicate, get no rule; the others do", async () => {
    const bad = { ...makeEntry({ id: 7, openWebUiOrigin: A, toolServerUrl: "http://localhost:8000/bad" }), key: "fake key with a space" };
    const duplicate = makeEntry({ id: 8, openWebUiOrigin: A, toolServerUrl: "http://localhost:8000/a0" });
    const settings: Settings = { version: SETTINGS_VERSION, entries: [...ENTRIES, bad, duplicate] };
    const { fake, engine } = await started({ settings, tabs: [{ id: 1, url: `${A}/` }] });
    expect([...fake.rules.keys()].sort()).toStrictEqual([ruleIdOf(0), ruleIdOf(1), ruleIdOf(2)]);
    const state = await engine.state();
    expect(state.entries.find((entry) => entry.id === 7)?.reason).toStrictEqual({ why: "invalid", problem: ["key_space", "5"] });
    expect(state.entries.find((entry) => entry.id === 8)?.reason).toStrictEqual({ why: "invalid", problem: ["entryDuplicate"] });
  });

  it("a rule the browser refuses is kept on its entry and not sent again on its own; the others are installed", async () => {
    const fake = fakeBrowser({ tabs: [{ id: 1, url: `${A}/` }] });
    const update = fake.port.updateSessionRules;
    fake.port.updateSessionRules = async (change) => {
      if (change.addRules.some((rule) => rule.id === ruleIdOf(1))) {
        fake.calls.push("refused");
        throw new Error("Rule refused");
      }
      return update(change);
    };
    const engine = createEngine(fake.port);
    await engine.start();
    expect([...fake.rules.keys()].sort()).toStrictEqual([ruleIdOf(0), ruleIdOf(2)]);
    expect((await engine.state()).entries.find((entry) => entry.id === 1)?.reason).toStrictEqual({ why: "refused", error: "Rule refused" });
    fake.settle();
    await engine.tabUpdated(1, { status: "complete" }, { url: `${A}/` });
    await engine.tabUpdated(5, { status: "loading" }, { url: "https://example.com/" });
    expect(fake.calls).toStrictEqual([]);
  });
});

describe("managed entries", () => {
  const MANAGED_KEY = "fake-managed-key-not-a-secret-01";
  const policy = (key = MANAGED_KEY, extra: object = {}) => ({
    entries: [{ openWebUi: A, toolServer: "http://localhost:8000/a1", key }],
    ...extra,
  });
  const managedId = MANAGED_ID_FIRST;

  it("the user's rules are installed without waiting for the policy, which then adds its own in one more update", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }], managed: policy() });
    expect(fake.calls).not.toContain("readManaged");
    expect([...fake.rules.keys()]).toStrictEqual([ruleIdOf(0), ruleIdOf(1), ruleIdOf(2)]);
    fake.settle();
    // A user entry for the same URL as the managed one (entry 1) stands aside: the organisation's wins.
    await engine.readManaged();
    expect(fake.calls).toStrictEqual(["readManaged", "keepPolicy", `updateSessionRules -[${ids(1)}] +[${ids(managedId)}]`, "broadcast"]);
    const state = fake.broadcasts.at(-1) as State;
    expect(state.entries.find((entry) => entry.id === 1)?.reason).toStrictEqual({ why: "managedCovers" });
    expect(state.entries.find((entry) => entry.id === managedId)?.managed).toBe(true);
    expect(fake.rules.get(ruleIdOf(managedId))?.action.requestHeaders[0]?.value).toBe(`Bearer ${MANAGED_KEY}`);
  });

  it("a policy read again unchanged costs nothing; a rotated key rewrites only its rule", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }], managed: policy() });
    await engine.readManaged();
    fake.settle();
    await engine.readManaged();
    expect(fake.calls).toStrictEqual(["readManaged"]);
    fake.settle();
    const rotated = fakeBrowser({ managed: policy("fake-rotated-key-not-a-secret-02") });
    fake.port.readManaged = rotated.port.readManaged;
    await engine.readManaged();
    expect(fake.calls).toStrictEqual(["keepPolicy", `updateSessionRules -[${ids(managedId)}] +[${ids(managedId)}]`, "broadcast"]);
  });

  it("a managed key is never revealed; a user's is", async () => {
    const { engine } = await started({ managed: policy() });
    await engine.readManaged();
    expect(await engine.key(managedId)).toBeUndefined();
    expect(await engine.key(0)).toBe(ENTRIES[0]?.key);
    expect(JSON.stringify(await engine.state())).not.toContain(MANAGED_KEY);
  });

  it("with allowUserEntries false a save is refused, and the state says so", async () => {
    const { engine } = await started({ managed: policy(MANAGED_KEY, { allowUserEntries: false }) });
    await engine.readManaged();
    expect((await engine.state()).allowUserEntries).toBe(false);
    const { reply } = await engine.command({
      type: "save",
      input: { openWebUiAddress: B, toolServerUrl: "http://localhost:9000", key: "fake-key-0003" },
    });
    expect(reply).toStrictEqual({ ok: false, errors: { form: ["userEntriesOff"] } });
  });

  it("managed entries stand aside where Open WebUI sends keys itself", async () => {
    const { fake, engine } = await started({
      entries: [],
      tabs: [{ id: 1, url: `${A}/` }],
      managed: policy(),
      versions: { [A]: { read: { version: "0.6.5", at: 1 } } },
    });
    await engine.readManaged();
    expect(fake.rules.size).toBe(0);
  });

  it("a malformed policy is reported and the user's entries keep their rules", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }], managed: ["not", "an", "object"] });
    await engine.readManaged();
    expect((await engine.state()).managedProblems).toStrictEqual([{ problem: ["managedUnreadable"] }]);
    expect([...fake.rules.keys()]).toStrictEqual([ruleIdOf(0), ruleIdOf(1), ruleIdOf(2)]);
  });
});

describe('a wake starts from everything (design.md, "A wake starts from everything")', () => {
  const MANAGED_KEY = "fake-managed-key-not-a-secret-01";
  const policy = { entries: [{ openWebUi: A, toolServer: "http://localhost:8000/a1", key: MANAGED_KEY }] };

  it("a wake with unchanged state makes no updateSessionRules call", async () => {
    const { fake } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    const again = await woken(fake);
    await again.state();
    expect(fake.calls.filter((call) => call.startsWith("updateSessionRules"))).toStrictEqual([]);
  });

  it("a wake keeps the organisation's rule and never puts the user's rule for its URL in its place", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }], managed: policy });
    await engine.readManaged();
    expect(fake.rules.has(ruleIdOf(MANAGED_ID_FIRST))).toBe(true);
    const again = await woken(fake);
    // The policy kept for the session is read with the rest: the first reconcile already knows it.
    expect(fake.calls.filter((call) => call.startsWith("updateSessionRules"))).toStrictEqual([]);
    await again.readManaged();
    expect(fake.calls.filter((call) => call.startsWith("updateSessionRules"))).toStrictEqual([]);
    expect([...fake.rules.keys()].sort()).toStrictEqual([ruleIdOf(0), ruleIdOf(2), ruleIdOf(MANAGED_ID_FIRST)]);
  });

  it("a failed reconcile asks for an alarm, and a background woken by it puts the rules back", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.failNextCalls(2);
    await engine.tabUpdated(2, { status: "loading", url: `${A}/` }, { url: `${A}/` });
    expect(fake.calls).toContain("wakeAfter 1000");
    expect(fake.rules.size).toBe(0);
    // The background was stopped before its timer ran: the alarm starts a new one.
    await woken(fake);
    expect(fake.rules.get(ruleIdOf(0))?.condition.tabIds).toStrictEqual([1]);
  });
});

describe("allowUserEntries: false", () => {
  const MANAGED_KEY = "fake-managed-key-not-a-secret-01";
  const policy = (allowUserEntries: unknown) => ({
    entries: [{ openWebUi: A, toolServer: "http://localhost:8000/org", key: MANAGED_KEY }],
    allowUserEntries,
  });

  it("only the organisation's entries get rules; the user's are kept, say why, and come back when the policy changes", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }], managed: policy(false) });
    await engine.readManaged();
    expect([...fake.rules.keys()]).toStrictEqual([ruleIdOf(MANAGED_ID_FIRST)]);
    const state = await engine.state();
    expect(state.entries.filter((entry) => !entry.managed).map((entry) => entry.reason?.why)).toStrictEqual(
      Array(5).fill("userEntriesOff"),
    );
    fake.port.readManaged = async () => policy(true);
    await engine.readManaged();
    expect([...fake.rules.keys()].sort()).toStrictEqual([ruleIdOf(0), ruleIdOf(1), ruleIdOf(2), ruleIdOf(MANAGED_ID_FIRST)]);
  });

  it.each([["false"], [0], [null], [{}]])("allowUserEntries %j is a policy problem, read as false", async (value) => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }], managed: policy(value) });
    await engine.readManaged();
    const state = await engine.state();
    expect(state.allowUserEntries).toBe(false);
    expect(state.managedProblems).toStrictEqual([{ problem: ["managedAllowUserEntries"] }]);
    expect([...fake.rules.keys()]).toStrictEqual([ruleIdOf(MANAGED_ID_FIRST)]);
  });
});

describe("version knowledge", () => {
  const KNOWN_0_6_5 = { [A]: { read: { version: "0.6.5", at: 1 } }, [B]: { read: { version: "0.6.0", at: 1 } } };

  it("a failed check of a known 0.6.5 keeps its Bearer entries standing aside: no rule call at all", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }], versions: KNOWN_0_6_5 });
    expect(fake.rules.size).toBe(0);
    fake.settle();
    const known = await engine.learnVersion(A, { unknown: "status", status: 502 }, 50);
    expect(known).toStrictEqual({ read: { version: "0.6.5", at: 1 }, failed: { failure: { unknown: "status", status: 502 }, at: 50 } });
    expect(fake.calls.filter((call) => call.startsWith("updateSessionRules"))).toStrictEqual([]);
    const entry = (await engine.state()).entries.find((view) => view.id === 0);
    expect(entry?.reason).toStrictEqual({ why: "standsAside", version: "0.6.5" });
    // The key returns when the version reads 0.6.0 again.
    await engine.learnVersion(A, { version: "0.6.0" }, 60);
    expect([...fake.rules.keys()].sort()).toStrictEqual([ruleIdOf(0), ruleIdOf(1), ruleIdOf(2)]);
  });

  it("an X-API-Key entry on a known 0.6.5 gets its rule beside Bearer entries standing aside", async () => {
    const entries = [
      ...ENTRIES,
      makeEntry({ id: 5, openWebUiOrigin: A, toolServerUrl: "http://localhost:8000/x", headerName: "X-API-Key", scheme: "" }),
    ];
    const { fake } = await started({ entries, tabs: [{ id: 1, url: `${A}/` }], versions: KNOWN_0_6_5 });
    expect([...fake.rules.keys()]).toStrictEqual([ruleIdOf(5)]);
  });

  it.each<{ what: string; command: Command; named: string[] }>([
    {
      what: "a save names its entry's Open WebUI",
      command: {
        type: "save",
        input: { openWebUiAddress: `${B}/`, toolServerUrl: "http://localhost:9000", key: "fake-key-not-a-secret-0005" },
      },
      named: [B],
    },
    {
      what: "an import names the Open WebUIs of the entries it writes, once each",
      command: {
        type: "import",
        inputs: [
          { openWebUiAddress: A, toolServerUrl: "http://localhost:8000/a0", key: ENTRIES[0]?.key ?? "" },
          { openWebUiAddress: B, toolServerUrl: "http://localhost:9001", key: "fake-key-not-a-secret-0006" },
          { openWebUiAddress: B, toolServerUrl: "http://localhost:9002", key: "fake-key-not-a-secret-0007" },
        ],
      },
      named: [A, B],
    },
    { what: "a switch names none", command: { type: "setEnabled", ids: [0], enabled: false }, named: [] },
    {
      what: "a refused save names none",
      command: { type: "save", input: { openWebUiAddress: "ftp://x", toolServerUrl: "", key: "" } },
      named: [],
    },
  ])("$what: its versions are read next", async ({ command, named }) => {
    const { engine } = await started();
    expect((await engine.command(command)).named).toStrictEqual(named);
  });

  it("a new entry of an Open WebUI never checked gets no rule until its version is read, then follows it", async () => {
    const { fake, engine } = await started({ entries: [], tabs: [{ id: 1, url: "http://localhost:3002/" }] });
    const { reply } = await engine.command({
      type: "save",
      input: { openWebUiAddress: "http://localhost:3002", toolServerUrl: "http://localhost:9000", key: "fake-key-not-a-secret-0004" },
    });
    expect(reply.ok && reply.state.entries[0]?.reason).toStrictEqual({ why: "awaitingVersion" });
    expect(await engine.originsToCheck(false)).toStrictEqual(["http://localhost:3002"]);
    expect(fake.rules.size).toBe(0);
    await engine.learnVersion("http://localhost:3002", { version: "0.6.5" }, 70);
    expect(fake.rules.size).toBe(0);
    await engine.learnVersion("http://localhost:3002", { unknown: "network" }, 80);
    expect(fake.rules.size).toBe(0);
  });

  it("a check that fails for an Open WebUI never read lets its entry have its rule, as for 0.6.0", async () => {
    const { fake, engine } = await started({ entries: [], tabs: [{ id: 1, url: "http://localhost:3002/" }] });
    await engine.command({
      type: "save",
      input: { openWebUiAddress: "http://localhost:3002", toolServerUrl: "http://localhost:9000", key: "fake-key-not-a-secret-0004" },
    });
    await engine.learnVersion("http://localhost:3002", { unknown: "network" }, 80);
    expect([...fake.rules.keys()]).toStrictEqual([ruleIdOf(0)]);
    // Checked again on a wake only while never checked; when access is granted, also while unknown.
    expect(await engine.originsToCheck(false)).toStrictEqual([]);
    expect(await engine.originsToCheck(true)).toStrictEqual(["http://localhost:3002"]);
  });

  const fail = { unknown: "status", status: 502 } as const;
  it.each<{ what: string; known?: VersionKnowledge; check: VersionCheck; news: boolean }>([
    { what: "the same version read again", known: { read: { version: "0.6.0", at: 1 } }, check: { version: "0.6.0" }, news: false },
    { what: "another version", known: { read: { version: "0.6.5", at: 1 } }, check: { version: "0.6.0" }, news: true },
    { what: "a first read", check: { version: "0.6.0" }, news: true },
    { what: "a failure after a read", known: { read: { version: "0.6.5", at: 1 } }, check: fail, news: true },
    {
      what: "the same failure again, later",
      known: { read: { version: "0.6.5", at: 1 }, failed: { failure: fail, at: 2 } },
      check: fail,
      news: false,
    },
    {
      what: "another failure",
      known: { read: { version: "0.6.5", at: 1 }, failed: { failure: fail, at: 2 } },
      check: { unknown: "network" },
      news: true,
    },
    {
      what: "a read after a failure",
      known: { read: { version: "0.6.5", at: 1 }, failed: { failure: fail, at: 2 } },
      check: { version: "0.6.5" },
      news: true,
    },
  ])("$what is kept; it tells the pages and reconciles only if the decisions differ ($news)", async ({ known, check, news }) => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }], versions: known === undefined ? {} : { [A]: known } });
    fake.settle();
    await engine.learnVersion(A, check, 99);
    expect(fake.calls[0]).toBe("writeVersions");
    expect(fake.calls.includes("broadcast")).toBe(news);
    if (!news) expect(fake.calls).toStrictEqual(["writeVersions"]);
  });

  it("a check of an Open WebUI no entry names is not kept", async () => {
    const { fake, engine } = await started();
    fake.settle();
    expect(await engine.learnVersion("http://localhost:3009", { version: "0.6.0" }, 1)).toBeUndefined();
    expect(fake.calls).toStrictEqual([]);
  });
});

describe("which tab events read an Open WebUI's version again", () => {
  const favIconUrl = `${A}/static/favicon.png`;
  /** One tab event: what changed, and the tab as the browser then reports it. */
  type Event = [{ status?: string; url?: string }, { url?: string; favIconUrl?: string }];
  const loading = (url: string | undefined, withUrl: boolean, favicon: boolean): Event => [
    withUrl ? { status: "loading", url } : { status: "loading" },
    favicon ? { url, favIconUrl } : { url },
  ];
  const complete = (url: string): Event => [{ status: "complete" }, { url, favIconUrl }];

  it.each<{ what: string; before: string | undefined; events: Event[]; reads: string[] }>([
    { what: "a reload (Chromium)", before: `${A}/c/1`, events: [loading(`${A}/c/1`, false, true), complete(`${A}/c/1`)], reads: [A] },
    {
      // Measured in Firefox ESR 153: "loading" twice, the first while the old address is still current.
      what: "a reload (Firefox)",
      before: `${A}/c/1`,
      events: [loading(`${A}/c/1`, false, true), loading(`${A}/c/1`, true, false), complete(`${A}/c/1`)],
      reads: [A],
    },
    {
      // Measured in Chromium 156: reported as a chat switch is, but the new document has no favicon yet.
      what: "a full load of another address on it (Chromium)",
      before: `${A}/c/1`,
      events: [loading(`${A}/`, true, false), complete(`${A}/`)],
      reads: [A],
    },
    {
      what: "a full load of another address on it (Firefox)",
      before: `${A}/c/1`,
      events: [loading(`${A}/c/1`, false, true), loading(`${A}/`, true, false), complete(`${A}/`)],
      reads: [A],
    },
    {
      what: "arriving from another site",
      before: "https://example.com/",
      events: [loading(`${A}/`, true, false), complete(`${A}/`)],
      reads: [A],
    },
    { what: "a new tab opening on it", before: undefined, events: [loading(`${A}/`, true, false), complete(`${A}/`)], reads: [A] },
    {
      what: "leaving it for another site (Firefox)",
      before: `${A}/c/1`,
      events: [loading(`${A}/c/1`, false, true), loading("https://example.com/", true, false), complete("https://example.com/")],
      reads: [],
    },
    {
      what: "a chat switch (Chromium: loading with the new address, the favicon kept)",
      before: `${A}/c/1`,
      events: [loading(`${A}/c/2`, true, true), complete(`${A}/c/2`)],
      reads: [],
    },
    {
      what: "a chat switch (Firefox: complete with the new address)",
      before: `${A}/c/1`,
      events: [
        [
          { status: "complete", url: `${A}/c/2` },
          { url: `${A}/c/2`, favIconUrl },
        ],
      ],
      reads: [],
    },
    {
      what: "a chat switch reported as an address alone",
      before: `${A}/c/1`,
      events: [[{ url: `${A}/c/2` }, { url: `${A}/c/2`, favIconUrl }]],
      reads: [],
    },
    {
      what: "a site no entry names loading",
      before: undefined,
      events: [loading("https://example.com/", true, false), complete("https://example.com/")],
      reads: [],
    },
  ])("$what reads $reads", async ({ before, events, reads }) => {
    const { engine } = await started({ tabs: before === undefined ? [] : [{ id: 1, url: before }] });
    const read: string[] = [];
    for (const [change, tab] of events) {
      const loaded = await engine.tabUpdated(1, change, tab);
      if (loaded !== undefined) read.push(loaded);
    }
    expect(read).toStrictEqual(reads);
  });
});

describe("the popup's first, small answer", () => {
  it("holds only the first entries and says how many there are; the whole state holds all", async () => {
    const { engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    const first = await engine.state(2);
    expect(first.entries.map((entry) => entry.id)).toStrictEqual([0, 1]);
    expect(first.total).toBe(5);
    const whole = await engine.state();
    expect(whole.entries).toHaveLength(5);
    expect(whole.total).toBeUndefined();
    expect((await engine.state(50)).total).toBeUndefined();
  });
});
