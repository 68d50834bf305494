import { describe, expect, it } from "vitest";
import { emptySettings, entryProblems, parseSettings, SETTINGS_VERSION, type Settings } from "../../src/core/settings.ts";
import { makeEntry } from "./fixtures.ts";

const DAMAGED = ["settingsDamaged"];

const stored: Settings = {
  version: SETTINGS_VERSION,
  entries: [
    makeEntry({ id: 0 }),
    makeEntry({
      id: 4,
      openWebUiOrigin: "https://chat.example.com",
      toolServerUrl: "https://tools.example.com/time",
      key: "fake-key-not-real-0002",
      headerName: "X-API-Key",
      scheme: "",
      enabled: false,
    }),
  ],
};

/** Stored settings whose only fault is one entry. */
const withEntry = (entry: Record<string, unknown>) => ({ version: SETTINGS_VERSION, entries: [makeEntry({ id: 1 }), entry] });
const entry = (overrides: Record<string, unknown>) => ({ ...makeEntry({ id: 2, toolServerUrl: "http://localhost:8002" }), ...overrides });

describe("parseSettings", () => {
  it("nothing stored yet is an empty list", () => {
    expect(parseSettings(undefined)).toStrictEqual({ ok: true, settings: emptySettings() });
    expect(emptySettings()).toStrictEqual({ version: SETTINGS_VERSION, entries: [] });
  });

  it("reads back exactly what was saved, after a trip through storage", () => {
    expect(parseSettings(JSON.parse(JSON.stringify(stored)))).toStrictEqual({ ok: true, settings: stored });
    expect(parseSettings(structuredClone(stored))).toStrictEqual({ ok: true, settings: stored });
  });

  it("settings from a newer ToolKey are not read, and the user is told to update", () => {
    const parsed = parseSettings({ version: SETTINGS_VERSION + 1, entries: [{ anything: "new" }] });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toStrictEqual(["settingsNewer"]);
  });

  it.each<{ what: string; value: unknown }>([
    { what: "null", value: null },
    { what: "a string", value: "settings" },
    { what: "a number", value: 1 },
    { what: "an array", value: [stored] },
    { what: "an object without a version", value: { entries: [] } },
    { what: "a version as a string", value: { version: "1", entries: [] } },
    { what: "version 0", value: { version: 0, entries: [] } },
    { what: "a version that is not a number at all", value: { version: Number.NaN, entries: [] } },
    { what: "missing entries", value: { version: SETTINGS_VERSION } },
    { what: "entries that are an object", value: { version: SETTINGS_VERSION, entries: { 0: makeEntry() } } },
  ])("$what is damaged settings, not a partial list", ({ value }) => {
    expect(parseSettings(value)).toStrictEqual({ ok: false, problem: DAMAGED });
  });

  it("an entry that is not an object holds nothing to keep: it is left out, and the others stay", () => {
    for (const bad of [null, "entry", 42, [makeEntry({ id: 2 })]]) {
      expect(parseSettings(withEntry(bad as unknown as Record<string, unknown>))).toStrictEqual({
        ok: true,
        settings: { version: SETTINGS_VERSION, entries: [makeEntry({ id: 1 })] },
      });
    }
  });

  it.each<{ what: string; value: Record<string, unknown>; reason: readonly string[] }>([
    { what: "enabled as a string", value: entry({ enabled: "true" }), reason: [] },
    { what: "a missing addKeyAnyway", value: entry({ addKeyAnyway: undefined }), reason: [] },
    { what: "addKeyAnyway as a string", value: entry({ addKeyAnyway: "false" }), reason: [] },
    { what: "a key that is a number", value: entry({ key: 42 }), reason: ["entryWaitingForKey"] },
    { what: "a missing key", value: entry({ key: undefined }), reason: ["entryWaitingForKey"] },
    { what: "a null header name, read as the default", value: entry({ headerName: null }), reason: [] },
    { what: "a missing scheme, read as the default", value: entry({ scheme: undefined }), reason: [] },
    { what: "an empty header name", value: entry({ headerName: "" }), reason: ["headerName_empty"] },
    {
      what: "an Open WebUI origin with a trailing slash",
      value: entry({ openWebUiOrigin: "http://localhost:3000/" }),
      reason: ["entryChanged"],
    },
    { what: "an upper-case Open WebUI origin", value: entry({ openWebUiOrigin: "HTTP://LOCALHOST:3000" }), reason: ["entryChanged"] },
    {
      what: "a tool-server URL with a trailing slash",
      value: entry({ toolServerUrl: "http://localhost:8002/" }),
      reason: ["entryChanged"],
    },
    { what: "a tool-server URL with a default port", value: entry({ toolServerUrl: "http://localhost:80/x" }), reason: ["entryChanged"] },
    { what: "a key with the scheme still in front", value: entry({ key: "Bearer fake-key-not-real-0003" }), reason: ["entryChanged"] },
    { what: "a key with a space", value: entry({ key: "fake-key-not real-0003" }), reason: ["key_space"] },
    { what: "a key with a line break", value: entry({ key: "fake-key-not\nreal-0003" }), reason: ["key_control"] },
    { what: "a forbidden header name", value: entry({ headerName: "Cookie" }), reason: ["headerName_forbidden", "Cookie"] },
    { what: "a scheme of two words", value: entry({ scheme: "Bearer token" }), reason: ["scheme_notToken"] },
    {
      what: "a tool server on the Open WebUI's own API",
      value: entry({ toolServerUrl: "http://localhost:3000/api" }),
      reason: ["toolServer_ownPath", "/api"],
    },
    { what: "a missing tool-server URL", value: entry({ toolServerUrl: undefined }), reason: ["toolServer_empty"] },
  ])("an entry with $what is kept beside the good one and named with its reason; the good one stays usable", ({ value, reason }) => {
    const parsed = parseSettings(withEntry(value));
    expect(parsed.ok).toBe(true);
    const entries = parsed.ok ? parsed.settings.entries : [];
    expect(entries.map((kept) => kept.id)).toStrictEqual([1, 2]);
    const problems = entryProblems(entries);
    expect(problems.has(1)).toBe(false);
    if (reason.length === 0) expect(problems.has(2)).toBe(false);
    else expect(problems.get(2)?.[0]).toBe(reason[0]);
  });

  it.each<{ what: string; id: unknown }>([
    { what: "an id as a string", id: "2" },
    { what: "a negative id", id: -1 },
    { what: "an id past the last rule id", id: 5000 },
    { what: "a fractional id", id: 2.5 },
    { what: "a missing id", id: undefined },
    { what: "the id of an entry before it", id: 1 },
  ])("an entry with $what gets the lowest free id and is otherwise kept as it was", ({ id }) => {
    const parsed = parseSettings({ version: SETTINGS_VERSION, entries: [makeEntry({ id: 1 }), entry({ id })] });
    expect(parsed).toStrictEqual({
      ok: true,
      settings: { version: SETTINGS_VERSION, entries: [makeEntry({ id: 1 }), { ...entry({}), id: 0 }] },
    });
  });

  it("of two entries with the same Open WebUI and tool-server URL, the later is the duplicate; the earlier stays usable", () => {
    const entries = [makeEntry({ id: 3 }), makeEntry({ id: 1, key: "fake-key-not-real-0009" })];
    expect([...entryProblems(entries)]).toStrictEqual([[1, ["entryDuplicate"]]]);
  });

  it("fields ToolKey does not know are dropped from what is read", () => {
    const parsed = parseSettings(withEntry({ ...entry({}), colour: "red", key2: "fake-key-not-real-0010" }));
    expect(parsed.ok && parsed.settings.entries[1]).toStrictEqual(entry({}));
  });

  it("settings of version 1 (ToolKey 0.1.0) read as version 2, every entry standing aside where Open WebUI sends keys", () => {
    const { addKeyAnyway: _new, ...first } = makeEntry({ id: 0 });
    const { addKeyAnyway: _alsoNew, ...second } = makeEntry({ id: 3, toolServerUrl: "http://localhost:8003", enabled: false });
    expect(parseSettings({ version: 1, entries: [first, second] })).toStrictEqual({
      ok: true,
      settings: {
        version: 2,
        entries: [
          { ...first, addKeyAnyway: false },
          { ...second, addKeyAnyway: false },
        ],
      },
    });
  });

  it("a version 1 entry that today's validation refuses is kept, named with its reason, after the step to version 2", () => {
    const { addKeyAnyway: _new, ...first } = makeEntry({ id: 0, key: "fake key with spaces" });
    const parsed = parseSettings({ version: 1, entries: [first] });
    expect(parsed.ok && entryProblems(parsed.settings.entries).get(0)?.[0]).toBe("key_space");
  });

  it("more entries than ToolKey holds are damaged settings", () => {
    const entries = Array.from({ length: 5001 }, (_, id) => makeEntry({ id, toolServerUrl: `http://localhost:8000/t${id}` }));
    expect(parseSettings({ version: SETTINGS_VERSION, entries })).toStrictEqual({ ok: false, problem: DAMAGED });
  });

  it("never quotes a key in a problem", () => {
    const keys = ["fake-key-not-real-0004", "Bearer fake-key-not-real-0004", "fake-key-not real-0004", "fake\u0000key-not-real"];
    for (const key of keys) {
      const newer = parseSettings({ version: SETTINGS_VERSION + 1, entries: [entry({ key, id: -1 })] });
      expect(JSON.stringify(newer)).not.toContain("not-real");
      const parsed = parseSettings({ version: SETTINGS_VERSION, entries: [entry({ key })] });
      const problems = parsed.ok ? entryProblems(parsed.settings.entries) : new Map();
      expect(JSON.stringify([...problems])).not.toContain("not");
    }
  });
});
