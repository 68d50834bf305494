import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/background/engine.ts";
import type { BrowserPort } from "../../src/background/port.ts";
import type { Entry } from "../../src/core/entry.ts";
import { MANAGED_ID_FIRST } from "../../src/core/managed.ts";
import type { State } from "../../src/core/messages.ts";
import { type HeaderRule, ruleIdOf, type Tab } from "../../src/core/rules.ts";
import { SETTINGS_VERSION, type Settings } from "../../src/core/settings.ts";
import { makeEntry } from "./fixtures.ts";

const A = "http://localhost:3000";
const B = "http://localhost:3001";

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
function fakeBrowser(options: { entries?: Entry[]; tabs?: Tab[]; settings?: unknown; managed?: unknown; versions?: unknown } = {}) {
  const calls: string[] = [];
  const rules = new Map<number, HeaderRule>();
  const timers: (() => void)[] = [];
  const broadcasts: State[] = [];
  let failNext = 0;
  const port: BrowserPort = {
    async readStorage() {
      calls.push("readStorage");
      return {
        settings: options.settings ?? { version: SETTINGS_VERSION, entries: options.entries ?? ENTRIES },
        versions: options.versions,
      };
    },
    async writeSettings() {
      calls.push("writeSettings");
    },
    async readManaged() {
      calls.push("readManaged");
      return options.managed;
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
      broadcasts.push(state);
    },
    later(task, ms) {
      calls.push(`later ${ms}`);
      timers.push(task);
    },
  };
  return {
    port,
    calls,
    rules,
    timers,
    broadcasts,
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

describe("what an event costs in browser calls", () => {
  it("a wake reads storage, access, tabs and rules once each, then installs the rules in one update", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    expect(fake.calls).toStrictEqual([
      "readStorage",
      "grantedOrigins",
      "openTabs",
      "sessionRules",
      `updateSessionRules -[] +[${ids(0, 1, 2)}]`,
      "markTab 1 true",
      "broadcast",
    ]);
    fake.settle();
    await engine.tabUpdated(2, { status: "loading" }, "https://example.com/");
    await engine.state();
    expect(fake.calls).toStrictEqual([]);
  });

  it("a chat switch inside Open WebUI (a navigation within its origin) makes no browser call", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    await engine.tabUpdated(1, { url: `${A}/c/another-chat` }, `${A}/c/another-chat`);
    await engine.tabUpdated(1, { status: "complete" }, `${A}/c/another-chat`);
    expect(fake.calls).toStrictEqual([]);
  });

  it("a tab on a site no entry names, opened, moved and closed, makes no browser call", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    await engine.tabUpdated(5, { status: "loading", url: "https://example.com/" }, "https://example.com/");
    await engine.tabUpdated(5, { url: "https://example.org/" }, "https://example.org/");
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
    await engine.tabUpdated(3, { status: "loading", url: `${B}/` }, `${B}/`);
    expect(fake.calls).toStrictEqual([`updateSessionRules -[${ids(3, 4)}] +[${ids(3, 4)}]`, "markTab 3 true", "broadcast"]);
    expect(fake.rules.get(ruleIdOf(3))?.condition.tabIds).toStrictEqual([2, 3]);
    expect(fake.rules.get(ruleIdOf(0))?.condition.tabIds).toStrictEqual([1]);
  });

  it("a tab that leaves the Open WebUI for a site ToolKey may not see leaves the rules at once", async () => {
    const { fake, engine } = await started({
      tabs: [
        { id: 1, url: `${A}/` },
        { id: 2, url: `${A}/` },
      ],
    });
    fake.settle();
    await engine.tabUpdated(2, { status: "loading" }, undefined);
    // The browser cleared the tab's mark as the new page loaded: nothing to clear.
    expect(fake.calls).toStrictEqual([`updateSessionRules -[${ids(0, 1, 2)}] +[${ids(0, 1, 2)}]`, "broadcast"]);
    expect(fake.rules.get(ruleIdOf(0))?.condition.tabIds).toStrictEqual([1]);
  });

  it("a reload of a tab where ToolKey adds a key puts its mark back (the browser clears it) and costs nothing else", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    await engine.tabUpdated(1, { status: "loading" }, `${A}/`);
    expect(fake.calls).toStrictEqual(["markTab 1 true"]);
  });

  it("disabling one entry removes its rule alone", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    const reply = await engine.command({ type: "setEnabled", ids: [1], enabled: false });
    expect(reply.ok).toBe(true);
    expect(fake.calls).toStrictEqual(["writeSettings", `updateSessionRules -[${ids(1)}] +[]`, "broadcast"]);
  });
});

describe("failing closed", () => {
  it("a browser call that fails removes every ToolKey rule, says so, and retries until it works", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    fake.failNextCalls(2);
    await engine.tabUpdated(2, { status: "loading", url: `${A}/` }, `${A}/`);
    expect(fake.calls).toStrictEqual([
      `updateSessionRules -[${ids(0, 1, 2)}] +[${ids(0, 1, 2)}]`,
      `updateSessionRules -[${ids(0, 1, 2)}] +[]`,
      "sessionRules",
      `updateSessionRules -[${ids(0, 1, 2)}] +[]`,
      "later 1000",
      "markTab 1 false",
      "broadcast",
    ]);
    expect(fake.rules.size).toBe(0);
    const failed = fake.broadcasts.at(-1);
    expect(failed?.rulesProblem).toBe("The browser failed");
    // No entry claims to be active while ToolKey holds no rule.
    expect(failed?.entries.map((entry) => entry.openTabs)).toStrictEqual([0, 0, 0, 0, 0]);

    fake.settle();
    fake.timers.shift()?.();
    await engine.state();
    expect(fake.calls).toStrictEqual([`updateSessionRules -[] +[${ids(0, 1, 2)}]`, "markTab 1 true", "markTab 2 true", "broadcast"]);
    expect(fake.broadcasts.at(-1)?.rulesProblem).toBeUndefined();
    expect(fake.rules.get(ruleIdOf(0))?.condition.tabIds).toStrictEqual([1, 2]);
  });

  it("the retries wait longer each time, up to a minute", async () => {
    const { fake, engine } = await started({ tabs: [{ id: 1, url: `${A}/` }] });
    fake.settle();
    fake.failNextCalls(1000);
    await engine.tabUpdated(2, { status: "loading", url: `${A}/` }, `${A}/`);
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
    await engine.tabUpdated(2, { status: "loading", url: `${A}/` }, `${A}/`);
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
    expect(state.entries.find((entry) => entry.id === 7)?.problem?.[0]).toBe("key_space");
    expect(state.entries.find((entry) => entry.id === 8)?.problem).toStrictEqual(["entryDuplicate"]);
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
    expect((await engine.state()).entries.find((entry) => entry.id === 1)?.error).toBe("Rule refused");
    fake.settle();
    await engine.tabUpdated(1, { status: "complete" }, `${A}/`);
    await engine.tabUpdated(5, { status: "loading" }, "https://example.com/");
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
    expect(await engine.readManaged()).toStrictEqual([A]);
    expect(fake.calls).toStrictEqual(["readManaged", `updateSessionRules -[${ids(1)}] +[${ids(managedId)}]`, "broadcast"]);
    const state = fake.broadcasts.at(-1) as State;
    expect(state.entries.find((entry) => entry.id === 1)?.problem).toStrictEqual(["entryManagedCovers"]);
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
    expect(await engine.readManaged()).toStrictEqual([]);
    expect(fake.calls).toStrictEqual([`updateSessionRules -[${ids(managedId)}] +[${ids(managedId)}]`, "broadcast"]);
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
    const reply = await engine.command({
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
      versions: { [A]: { version: "0.6.5" } },
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
