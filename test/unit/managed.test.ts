import { describe, expect, it } from "vitest";
import { applyCommand } from "../../src/core/commands.ts";
import { coversSameUrls, MANAGED_ID_FIRST, NO_POLICY, parseManagedPolicy } from "../../src/core/managed.ts";
import { MAX_ENTRIES } from "../../src/core/rules.ts";
import { emptySettings } from "../../src/core/settings.ts";
import { makeEntry } from "./fixtures.ts";

const OWUI = "https://chat.example.com";
const KEY = "fake-managed-key-not-a-secret-01";
const valid = (toolServer = "https://tools.example.com/time", extra: object = {}) => ({ openWebUi: OWUI, toolServer, key: KEY, ...extra });

describe("parseManagedPolicy: the organisation's entries go through a typed entry's validation", () => {
  it("a valid entry becomes an enabled entry with defaults for header and scheme, under a managed id", () => {
    expect(parseManagedPolicy({ entries: [valid()] })).toStrictEqual({
      entries: [
        {
          id: MANAGED_ID_FIRST,
          openWebUiOrigin: OWUI,
          toolServerUrl: "https://tools.example.com/time",
          key: KEY,
          headerName: "Authorization",
          scheme: "Bearer",
          enabled: true,
          addKeyAnyway: false,
        },
      ],
      problems: [],
      allowUserEntries: true,
    });
  });

  it("normalises as the popup does: a chat URL is reduced to its origin, a trailing slash and a pasted scheme dropped", () => {
    const [entry] = parseManagedPolicy({
      entries: [{ openWebUi: `${OWUI}/c/123`, toolServer: "https://TOOLS.example.com/time/", key: `Bearer ${KEY}` }],
    }).entries;
    expect(entry).toMatchObject({ openWebUiOrigin: OWUI, toolServerUrl: "https://tools.example.com/time", key: KEY });
  });

  it("header and scheme are taken when given; an empty scheme sends the key alone", () => {
    const [entry] = parseManagedPolicy({ entries: [valid(undefined, { header: "X-API-Key", scheme: "" })] }).entries;
    expect(entry).toMatchObject({ headerName: "X-API-Key", scheme: "" });
  });

  it.each([
    ["no policy at all", undefined],
    ["an empty object", {}],
  ])("%s is no policy", (_name, value) => {
    expect(parseManagedPolicy(value)).toStrictEqual(NO_POLICY);
  });

  it("an invalid entry is ignored with its place, its URL and the popup's own reason; the valid ones apply", () => {
    const policy = parseManagedPolicy({
      entries: [
        valid(),
        valid("ftp://tools.example.com"),
        valid("https://tools.example.com/weather"),
        { ...valid(), toolServer: `${OWUI}/api` },
      ],
    });
    expect(policy.entries.map((entry) => [entry.id, entry.toolServerUrl])).toStrictEqual([
      [MANAGED_ID_FIRST, "https://tools.example.com/time"],
      [MANAGED_ID_FIRST + 2, "https://tools.example.com/weather"],
    ]);
    expect(policy.problems).toStrictEqual([
      { at: 2, toolServer: "ftp://tools.example.com", problem: ["notHttp", "ftp"] },
      { at: 4, toolServer: `${OWUI}/api`, problem: ["toolServer_ownPath", "/api"] },
    ]);
  });

  it.each([
    ["not an object", "text"],
    ["a number", 7],
    ["fields of the wrong types", { openWebUi: OWUI, toolServer: 8000, key: KEY }],
    ["a missing key", { openWebUi: OWUI, toolServer: "https://tools.example.com" }],
    ["a header that is not text", { ...valid(), header: ["Authorization"] }],
  ])("an entry that is %s is ignored and said so", (_name, item) => {
    const policy = parseManagedPolicy({ entries: [item, valid()] });
    expect(policy.entries).toHaveLength(1);
    expect(policy.problems).toHaveLength(1);
    expect(policy.problems[0]?.at).toBe(1);
    expect(policy.problems[0]?.problem).toStrictEqual(["managedEntryShape"]);
  });

  it("an empty key is refused as in the popup", () => {
    expect(parseManagedPolicy({ entries: [valid(undefined, { key: " " })] }).problems[0]?.problem).toStrictEqual(["key_empty"]);
  });

  it("a second entry for the same Open WebUI and tool-server URL is ignored; a longer prefix under it is not", () => {
    const policy = parseManagedPolicy({
      entries: [valid(), valid("https://tools.example.com/time/"), valid("https://tools.example.com/time/slow")],
    });
    expect(policy.entries.map((entry) => entry.toolServerUrl)).toStrictEqual([
      "https://tools.example.com/time",
      "https://tools.example.com/time/slow",
    ]);
    expect(policy.problems).toStrictEqual([{ at: 2, toolServer: "https://tools.example.com/time/", problem: ["managedEntryDuplicate"] }]);
  });

  it.each([
    ["a list", [valid()]],
    ["text", "entries"],
    ["null", null],
    ["a number", 42],
  ])("a policy that is %s gives nothing and one problem", (_name, value) => {
    expect(parseManagedPolicy(value)).toStrictEqual({
      entries: [],
      problems: [{ problem: ["managedUnreadable"] }],
      allowUserEntries: true,
    });
  });

  it("entries that are not a list give nothing, and one problem", () => {
    expect(parseManagedPolicy({ entries: { 0: valid() } })).toStrictEqual({
      entries: [],
      problems: [{ problem: ["managedUnreadable"] }],
      allowUserEntries: true,
    });
  });

  it(`more than ${MAX_ENTRIES} entries give nothing, and one problem with the limit`, () => {
    const entries = Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => valid(`https://tools.example.com/t${i}`));
    expect(parseManagedPolicy({ entries })).toStrictEqual({
      entries: [],
      problems: [{ problem: ["managedTooMany", String(MAX_ENTRIES)] }],
      allowUserEntries: true,
    });
  });

  it(`exactly ${MAX_ENTRIES} entries all apply, under ids that never meet a user entry's`, () => {
    const entries = Array.from({ length: MAX_ENTRIES }, (_, i) => valid(`https://tools.example.com/t${i}`));
    const policy = parseManagedPolicy({ entries });
    expect(policy.entries).toHaveLength(MAX_ENTRIES);
    expect(policy.entries.every((entry) => entry.id >= MAX_ENTRIES && entry.id < 2 * MAX_ENTRIES)).toBe(true);
  });

  it("allowUserEntries false is kept; true or left out allows user entries", () => {
    expect(parseManagedPolicy({ allowUserEntries: false }).allowUserEntries).toBe(false);
    expect(parseManagedPolicy({ allowUserEntries: true }).allowUserEntries).toBe(true);
    expect(parseManagedPolicy({ entries: [] }).allowUserEntries).toBe(true);
  });

  it.each([["no"], ["false"], ["true"], [0], [1], [null], [[]], [{}]])(
    "allowUserEntries %j is a policy problem, read the safe way: only the organisation's entries apply",
    (value) => {
      expect(parseManagedPolicy({ allowUserEntries: value })).toStrictEqual({
        entries: [],
        problems: [{ problem: ["managedAllowUserEntries"] }],
        allowUserEntries: false,
      });
    },
  );

  it("a toolServer that holds the entry's key, or is not a URL, is never quoted", () => {
    const key = "fake-key-swapped-not-a-secret-7";
    const policy = parseManagedPolicy({
      entries: [
        { openWebUi: OWUI, toolServer: key, key: "https://tools.example.com" },
        { openWebUi: "not an address", toolServer: `https://tools.example.com/${key}`, key },
        { openWebUi: OWUI, toolServer: `https://tools.example.com/${"x".repeat(300)}`, key: 5 },
      ],
    });
    expect(policy.problems.map((problem) => problem.toolServer)).toStrictEqual([undefined, undefined, undefined]);
    expect(JSON.stringify(policy.problems)).not.toContain(key);
  });

  it("addKeyAnyway true is the organisation's own Add the key anyway; of another type the entry is ignored", () => {
    const policy = parseManagedPolicy({
      entries: [
        { ...valid(), addKeyAnyway: true },
        { ...valid("https://tools.example.com/two"), addKeyAnyway: "yes" },
      ],
    });
    expect(policy.entries.map((entry) => entry.addKeyAnyway)).toStrictEqual([true]);
    expect(policy.problems).toStrictEqual([{ at: 2, toolServer: "https://tools.example.com/two", problem: ["managedEntryShape"] }]);
  });
});

describe("managed entries win", () => {
  const managed = parseManagedPolicy({ entries: [valid()] });

  it.each([
    ["the same URL", "https://tools.example.com/time", true],
    ["a URL under it", "https://tools.example.com/time/get", true],
    ["the server's root, which covers it", "https://tools.example.com", true],
    ["a sibling path", "https://tools.example.com/time2", false],
    ["another port", "https://tools.example.com:8443/time", false],
  ])("a user entry with %s %s", (_name, toolServerUrl, covers) => {
    expect(coversSameUrls(makeEntry({ openWebUiOrigin: OWUI, toolServerUrl }), managed.entries[0] as never)).toBe(covers);
  });

  it("another Open WebUI may use the same tool server", () => {
    expect(
      coversSameUrls(
        makeEntry({ openWebUiOrigin: "https://other.example.com", toolServerUrl: "https://tools.example.com/time" }),
        managed.entries[0] as never,
      ),
    ).toBe(false);
  });

  it("saving a user entry that covers a managed entry's URL is refused with a message naming it", () => {
    const input = { openWebUiAddress: OWUI, toolServerUrl: "https://tools.example.com/time/get", key: "fake-user-key-0001" };
    expect(applyCommand(emptySettings(), { type: "save", input }, managed)).toStrictEqual({
      ok: false,
      errors: { toolServer: ["toolServer_managed", "https://tools.example.com/time"] },
    });
    expect(applyCommand(emptySettings(), { type: "import", inputs: [input] }, managed).ok).toBe(false);
    expect(
      applyCommand(emptySettings(), { type: "save", input: { ...input, toolServerUrl: "https://tools.example.com/other" } }, managed).ok,
    ).toBe(true);
  });

  it("with allowUserEntries false no entry can be saved or imported", () => {
    const closed = { ...managed, allowUserEntries: false };
    const input = { openWebUiAddress: OWUI, toolServerUrl: "https://tools.example.com/other", key: "fake-user-key-0001" };
    expect(applyCommand(emptySettings(), { type: "save", input }, closed)).toStrictEqual({
      ok: false,
      errors: { form: ["userEntriesOff"] },
    });
    expect(applyCommand(emptySettings(), { type: "import", inputs: [input] }, closed)).toStrictEqual({
      ok: false,
      errors: { form: ["userEntriesOff"] },
    });
  });
});
