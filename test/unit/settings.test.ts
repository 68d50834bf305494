import { describe, expect, it } from "vitest";
import { emptySettings, parseSettings, SETTINGS_VERSION, type Settings } from "../../src/core/settings.ts";
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
    { what: "a null entry", value: withEntry(null as unknown as Record<string, unknown>) },
    { what: "an entry that is a string", value: withEntry("entry" as unknown as Record<string, unknown>) },
    { what: "an id as a string", value: withEntry(entry({ id: "2" })) },
    { what: "a negative id", value: withEntry(entry({ id: -1 })) },
    { what: "an id past the last rule id", value: withEntry(entry({ id: 5000 })) },
    { what: "a fractional id", value: withEntry(entry({ id: 2.5 })) },
    { what: "enabled as a string", value: withEntry(entry({ enabled: "true" })) },
    { what: "a missing addKeyAnyway", value: withEntry(entry({ addKeyAnyway: undefined })) },
    { what: "addKeyAnyway as a string", value: withEntry(entry({ addKeyAnyway: "false" })) },
    { what: "a key that is a number", value: withEntry(entry({ key: 42 })) },
    { what: "a missing key", value: withEntry(entry({ key: undefined })) },
    { what: "a null header name", value: withEntry(entry({ headerName: null })) },
    { what: "a missing scheme", value: withEntry(entry({ scheme: undefined })) },
    { what: "an Open WebUI origin with a trailing slash", value: withEntry(entry({ openWebUiOrigin: "http://localhost:3000/" })) },
    { what: "an upper-case Open WebUI origin", value: withEntry(entry({ openWebUiOrigin: "HTTP://LOCALHOST:3000" })) },
    { what: "a tool-server URL with a trailing slash", value: withEntry(entry({ toolServerUrl: "http://localhost:8002/" })) },
    { what: "a tool-server URL with a default port", value: withEntry(entry({ toolServerUrl: "http://localhost:80/x" })) },
    { what: "a key with the scheme still in front", value: withEntry(entry({ key: "Bearer fake-key-not-real-0003" })) },
    { what: "a key with a space", value: withEntry(entry({ key: "fake-key-not real-0003" })) },
    { what: "a key with a line break", value: withEntry(entry({ key: "fake-key-not\nreal-0003" })) },
    { what: "a forbidden header name", value: withEntry(entry({ headerName: "Cookie" })) },
    { what: "a scheme of two words", value: withEntry(entry({ scheme: "Bearer token" })) },
    { what: "a tool server on the Open WebUI's own API", value: withEntry(entry({ toolServerUrl: "http://localhost:3000/api" })) },
    { what: "two entries with one id", value: withEntry(entry({ id: 1 })) },
  ])("$what is damaged settings, not a partial list", ({ value }) => {
    expect(parseSettings(value)).toStrictEqual({ ok: false, problem: DAMAGED });
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

  it("a version 1 entry that was damaged is still damaged after the step to version 2", () => {
    const { addKeyAnyway: _new, ...first } = makeEntry({ id: 0, key: "fake key with spaces" });
    expect(parseSettings({ version: 1, entries: [first] })).toStrictEqual({ ok: false, problem: DAMAGED });
  });

  it("never quotes a key in a problem", () => {
    const keys = ["fake-key-not-real-0004", "Bearer fake-key-not-real-0004", "fake-key-not real-0004"];
    for (const key of keys) {
      for (const version of [SETTINGS_VERSION, SETTINGS_VERSION + 1]) {
        const parsed = parseSettings({ version, entries: [entry({ key, id: -1 })] });
        expect(parsed.ok).toBe(false);
        expect(JSON.stringify(parsed)).not.toContain("not-real");
      }
    }
  });
});
