import { describe, expect, it } from "vitest";
import type { Entry, EntryInput } from "../../src/core/entry.ts";
import { applyImport, type ImportPlan, importInputs, planImport, reviewOf } from "../../src/core/import-review.ts";
import {
  type ImportCandidate,
  MAX_IMPORTED_SERVERS,
  readOpenWebUiToolServers,
  type SkippedServer,
} from "../../src/core/open-webui-import.ts";
import { MAX_ENTRIES } from "../../src/core/rules.ts";
import { SETTINGS_VERSION, type Settings } from "../../src/core/settings.ts";
import type { UserText } from "../../src/core/user-text.ts";
import { LANGUAGES, render } from "../locales.ts";
import { deepFreeze, makeEntry } from "./fixtures.ts";

const ORIGIN = "http://localhost:3000";
const SAVED_KEY = "fake-import-key-not-a-secret-01";
const NEW_KEY = "fake-import-key-not-a-secret-02";
const OTHER_KEY = "fake-import-key-not-a-secret-03";
const KEYS = [SAVED_KEY, NEW_KEY, OTHER_KEY];

const candidate = (toolServerUrl: string, key: string, label = toolServerUrl): ImportCandidate => ({
  label,
  input: { openWebUiAddress: ORIGIN, toolServerUrl, key, headerName: "Authorization", scheme: "Bearer" },
});

const fieldsOf = ({ openWebUiOrigin, toolServerUrl, key, headerName, scheme }: Entry) => ({
  openWebUiOrigin,
  toolServerUrl,
  key,
  headerName,
  scheme,
});

const settingsOf = (...entries: Entry[]): Settings => deepFreeze({ version: SETTINGS_VERSION, entries });

/** The saved entries these tests review against: one per case a review tells apart. */
const same = makeEntry({ id: 0, toolServerUrl: "http://localhost:8000/same", key: SAVED_KEY });
const rotated = makeEntry({ id: 1, toolServerUrl: "http://localhost:8000/rotated", key: SAVED_KEY });
const otherHeader = makeEntry({
  id: 2,
  toolServerUrl: "http://localhost:8000/header",
  key: SAVED_KEY,
  headerName: "X-API-Key",
  scheme: "",
});
const turnedOff = makeEntry({ id: 3, toolServerUrl: "http://localhost:8000/off", key: SAVED_KEY, enabled: false });
const untouched = makeEntry({ id: 5, toolServerUrl: "http://localhost:8000/untouched", key: OTHER_KEY });
const saved = deepFreeze([same, rotated, otherHeader, turnedOff, untouched]);

describe("planImport sets each server beside the saved entry it names", () => {
  it.each<{ what: string; candidate: ImportCandidate; expected: Partial<ImportPlan> }>([
    {
      what: "a server ToolKey has no entry for is added",
      candidate: candidate("http://localhost:8000/new", NEW_KEY, "New"),
      expected: { add: [{ label: "New", fields: { ...fieldsOf(same), toolServerUrl: "http://localhost:8000/new", key: NEW_KEY } }] },
    },
    {
      what: "the same server under another Open WebUI is added",
      candidate: {
        label: "Same",
        input: { ...candidate("http://localhost:8000/same", SAVED_KEY).input, openWebUiAddress: "http://localhost:3001" },
      },
      expected: { add: [{ label: "Same", fields: { ...fieldsOf(same), openWebUiOrigin: "http://localhost:3001" } }] },
    },
    {
      what: "a rotated key is a change that names the key, not shows it",
      candidate: candidate("http://localhost:8000/rotated", NEW_KEY, "Rotated"),
      expected: {
        change: [
          {
            id: 1,
            label: "Rotated",
            fields: { ...fieldsOf(rotated), key: NEW_KEY },
            keyDiffers: true,
            headerDiffers: false,
            enabled: true,
          },
        ],
      },
    },
    {
      what: "another header with the same key is a change whose key does not differ",
      candidate: candidate("http://localhost:8000/header", SAVED_KEY),
      expected: {
        change: [
          {
            id: 2,
            label: "http://localhost:8000/header",
            fields: { ...fieldsOf(otherHeader), headerName: "Authorization", scheme: "Bearer" },
            keyDiffers: false,
            headerDiffers: true,
            enabled: true,
          },
        ],
      },
    },
    {
      what: "a change to an entry the user turned off says it stays off",
      candidate: candidate("http://localhost:8000/off", NEW_KEY),
      expected: {
        change: [
          {
            id: 3,
            label: "http://localhost:8000/off",
            fields: { ...fieldsOf(turnedOff), key: NEW_KEY },
            keyDiffers: true,
            headerDiffers: false,
            enabled: false,
          },
        ],
      },
    },
    {
      what: "a server equal to its entry is unchanged",
      candidate: candidate("http://localhost:8000/same", SAVED_KEY, "Same"),
      expected: {
        unchanged: [{ id: 0, label: "Same", openWebUiOrigin: ORIGIN, toolServerUrl: "http://localhost:8000/same", enabled: true }],
      },
    },
    {
      what: "a server equal to its entry, written differently, is unchanged",
      candidate: {
        label: "Same",
        input: {
          openWebUiAddress: "HTTP://LOCALHOST:3000/c/1",
          toolServerUrl: "http://LOCALHOST:8000/same/",
          key: ` Bearer ${SAVED_KEY} `,
        },
      },
      expected: {
        unchanged: [{ id: 0, label: "Same", openWebUiOrigin: ORIGIN, toolServerUrl: "http://localhost:8000/same", enabled: true }],
      },
    },
    {
      what: "a server validation refuses is skipped with validation's reason",
      candidate: candidate("http://localhost:3000/api/tools", NEW_KEY),
      expected: { skipped: [{ label: "http://localhost:3000/api/tools", reason: ["toolServer_ownPath", "/api"] }] },
    },
  ])("$what", ({ candidate, expected }) => {
    expect(planImport(saved, [candidate])).toStrictEqual({ add: [], change: [], unchanged: [], skipped: [], ...expected });
  });

  it("a second server naming the same entry is skipped as listed twice", () => {
    const plan = planImport(saved, [
      candidate("http://localhost:8000/rotated", NEW_KEY),
      candidate("http://localhost:8000/rotated/", OTHER_KEY, "Again"),
    ]);
    expect(plan.change).toHaveLength(1);
    expect(plan.change[0]?.fields.key).toBe(NEW_KEY);
    expect(plan.skipped).toStrictEqual([{ label: "Again", reason: ["importSkippedTwice"] }]);
  });

  it("what reading already skipped comes first in the skipped list", () => {
    const before: SkippedServer[] = [{ label: "Memory", reason: ["importSkippedSession"] }];
    const plan = planImport(saved, [candidate("http://localhost:3000", NEW_KEY)], before);
    expect(plan.skipped).toStrictEqual([...before, { label: "http://localhost:3000", reason: ["toolServer_isOpenWebUi"] }]);
  });
});

describe("the review a page sees", () => {
  const plan = planImport(saved, [
    candidate("http://localhost:8000/new", NEW_KEY, "New"),
    candidate("http://localhost:8000/rotated", NEW_KEY, "Rotated"),
    candidate("http://localhost:8000/header", SAVED_KEY, "Header"),
    candidate("http://localhost:8000/same", SAVED_KEY, "Same"),
  ]);

  it("lists what is added, changed, unchanged and skipped, and counts what the button writes", () => {
    expect(reviewOf(plan)).toStrictEqual({
      add: [{ label: "New", openWebUiOrigin: ORIGIN, toolServerUrl: "http://localhost:8000/new" }],
      change: [
        {
          label: "Rotated",
          openWebUiOrigin: ORIGIN,
          toolServerUrl: "http://localhost:8000/rotated",
          keyDiffers: true,
          headerDiffers: false,
          enabled: true,
        },
        {
          label: "Header",
          openWebUiOrigin: ORIGIN,
          toolServerUrl: "http://localhost:8000/header",
          keyDiffers: false,
          headerDiffers: true,
          enabled: true,
        },
      ],
      unchanged: [{ label: "Same", openWebUiOrigin: ORIGIN, toolServerUrl: "http://localhost:8000/same", enabled: true }],
      skipped: [],
      count: 3,
    });
  });

  it("carries the notice of what reading left out, and has none otherwise", () => {
    const notice: UserText = ["importFirstServers", String(MAX_IMPORTED_SERVERS + 1), String(MAX_IMPORTED_SERVERS)];
    expect(reviewOf(plan, notice)).toStrictEqual({ ...reviewOf(plan), notice });
    expect(reviewOf(plan)).not.toHaveProperty("notice");
  });

  it("holds no key, while the plan it comes from does", () => {
    expect(JSON.stringify(plan)).toContain(NEW_KEY);
    const shown = JSON.stringify(reviewOf(plan));
    for (const key of KEYS) expect(shown).not.toContain(key);
  });

  it("the import writes the additions and the changes, with their keys", () => {
    expect(importInputs(plan)).toStrictEqual([
      candidate("http://localhost:8000/new", NEW_KEY).input,
      candidate("http://localhost:8000/rotated", NEW_KEY).input,
      candidate("http://localhost:8000/header", SAVED_KEY).input,
    ]);
  });
});

describe("applyImport writes all or nothing", () => {
  /** Applies an import to frozen settings and checks they are still what they were. */
  function apply(settings: Settings, inputs: readonly EntryInput[]) {
    const before = structuredClone(settings);
    const result = applyImport(settings, deepFreeze(inputs));
    expect(settings).toStrictEqual(before);
    return result;
  }

  const withAddKeyAnyway = { ...rotated, addKeyAnyway: true };
  const settings = settingsOf(same, withAddKeyAnyway, turnedOff, untouched);

  it("adds new entries, enabled, under the smallest free ids, and updates saved ones in place", () => {
    const result = apply(settings, [
      candidate("http://localhost:8000/a", NEW_KEY).input,
      candidate("http://localhost:8000/rotated", NEW_KEY).input,
      candidate("http://localhost:8000/off", NEW_KEY).input,
      candidate("http://localhost:8000/b", OTHER_KEY).input,
      candidate("http://localhost:8000/c", OTHER_KEY).input,
    ]);
    expect(result).toStrictEqual({
      ok: true,
      settings: {
        version: SETTINGS_VERSION,
        entries: [
          same,
          { ...withAddKeyAnyway, key: NEW_KEY },
          { ...turnedOff, key: NEW_KEY },
          untouched,
          makeEntry({ id: 2, toolServerUrl: "http://localhost:8000/a", key: NEW_KEY }),
          makeEntry({ id: 4, toolServerUrl: "http://localhost:8000/b", key: OTHER_KEY }),
          makeEntry({ id: 6, toolServerUrl: "http://localhost:8000/c", key: OTHER_KEY }),
        ],
      },
      notices: {},
    });
  });

  it("a later input naming the same entry wins", () => {
    const result = apply(settings, [
      candidate("http://localhost:8000/a", NEW_KEY).input,
      candidate("http://localhost:8000/a/", OTHER_KEY).input,
    ]);
    expect(result.ok && result.settings.entries.slice(4)).toStrictEqual([
      makeEntry({ id: 2, toolServerUrl: "http://localhost:8000/a", key: OTHER_KEY }),
    ]);
  });

  it("nothing to write leaves the entries as they were", () => {
    expect(apply(settings, [])).toStrictEqual({ ok: true, settings, notices: {} });
  });

  it.each<{ what: string; input: EntryInput }>([
    { what: "an address validation refuses", input: candidate("localhost:8000", NEW_KEY).input },
    { what: "a key validation refuses", input: candidate("http://localhost:8000/x", "fake import key").input },
  ])("one input with $what imports nothing and says so for the whole import", ({ input }) => {
    const result = apply(settings, [
      candidate("http://localhost:8000/a", NEW_KEY).input,
      candidate("http://localhost:8000/rotated", NEW_KEY).input,
      input,
    ]);
    expect(result).toStrictEqual({ ok: false, errors: { form: ["importNoLongerValid"] } });
  });

  describe(`the limit of ${MAX_ENTRIES} entries`, () => {
    const nearlyFull = settingsOf(
      ...Array.from({ length: MAX_ENTRIES - 2 }, (_, id) =>
        makeEntry({ id, toolServerUrl: `http://localhost:8000/t${id}`, key: SAVED_KEY }),
      ),
    );

    it("an import past the limit writes nothing and says how much room is left", () => {
      const result = apply(nearlyFull, [
        candidate("http://localhost:8000/t7", NEW_KEY).input,
        candidate("http://localhost:8000/x", NEW_KEY).input,
        candidate("http://localhost:8000/y", NEW_KEY).input,
        candidate("http://localhost:8000/z", NEW_KEY).input,
      ]);
      expect(result).toStrictEqual({ ok: false, errors: { form: ["importTooMany", "2"] } });
    });

    it("an import that fills it exactly is written, updates included", () => {
      const result = apply(nearlyFull, [
        candidate("http://localhost:8000/t7", NEW_KEY).input,
        candidate("http://localhost:8000/x", NEW_KEY).input,
        candidate("http://localhost:8000/y", NEW_KEY).input,
      ]);
      expect(result.ok && result.settings.entries.length).toBe(MAX_ENTRIES);
      expect(result.ok && result.settings.entries.slice(-2).map((entry) => entry.id)).toStrictEqual([MAX_ENTRIES - 2, MAX_ENTRIES - 1]);
      expect(result.ok && result.settings.entries[7]?.key).toBe(NEW_KEY);
    });

    it("a thousand new entries fill the gaps between four thousand saved ones, each with its own id", () => {
      // Saved ids 0-3, 5-8, 10-13, ...: a gap after every fourth.
      const gappy = settingsOf(
        ...Array.from({ length: 4000 }, (_, i) => makeEntry({ id: i + Math.floor(i / 4), toolServerUrl: `http://localhost:8000/t${i}` })),
      );
      const inputs = Array.from({ length: 1000 }, (_, i) => candidate(`http://localhost:8001/n${i}`, NEW_KEY).input);
      const result = apply(gappy, inputs);
      if (!result.ok) throw new Error("the import was refused");
      const ids = result.settings.entries.map((entry) => entry.id);
      expect(new Set(ids).size).toBe(MAX_ENTRIES);
      expect(Math.max(...ids)).toBe(MAX_ENTRIES - 1);
      expect(ids.slice(4000, 4003)).toStrictEqual([4, 9, 14]);
    });

    it.each(LANGUAGES)("the message reads in %s with the real limit and the room left", (language) => {
      const shown = render(language, ["importTooMany", "2"]);
      expect(shown).toContain(MAX_ENTRIES.toLocaleString("en"));
      expect(shown).toContain("2");
    });
  });
});

describe("from Open WebUI's answer to the saved entries", () => {
  it("reads, reviews and imports exactly the bearer servers, and the review never shows a key", () => {
    const reply = {
      status: 200,
      body: JSON.stringify({
        ui: {
          toolServers: [
            { url: "http://localhost:8000/same", path: "openapi.json", auth_type: "bearer", key: SAVED_KEY, config: { enable: true } },
            { url: "http://localhost:8000/rotated/", path: "openapi.json", auth_type: "bearer", key: NEW_KEY, config: { enable: true } },
            {
              url: "http://localhost:8000/new",
              path: "openapi.json",
              auth_type: "bearer",
              key: NEW_KEY,
              config: { enable: true },
              info: { name: "New" },
            },
            { url: "http://localhost:8000/memory", path: "openapi.json", auth_type: "session", key: OTHER_KEY, config: { enable: true } },
            { type: "mcp", url: "http://localhost:8000/mcp", key: OTHER_KEY, config: { enable: true } },
            { url: "http://localhost:8000/disabled", key: OTHER_KEY, config: { enable: false } },
          ],
        },
      }),
    };
    const read = readOpenWebUiToolServers(ORIGIN, reply);
    if (!read.ok) throw new Error("the answer was refused");
    const settings = settingsOf(same, rotated);
    const plan = planImport(settings.entries, read.candidates, read.skipped);
    const review = reviewOf(plan);

    expect(review).toMatchObject({
      add: [{ label: "New" }],
      change: [{ toolServerUrl: "http://localhost:8000/rotated", keyDiffers: true }],
      unchanged: [{ toolServerUrl: "http://localhost:8000/same" }],
      skipped: [{ reason: ["importSkippedSession"] }, { reason: ["importSkippedMcp"] }, { reason: ["importSkippedDisabled"] }],
      count: 2,
    });
    const shown = JSON.stringify(review);
    for (const key of KEYS) expect(shown).not.toContain(key);

    const result = applyImport(settings, importInputs(plan));
    expect(result).toStrictEqual({
      ok: true,
      settings: {
        version: SETTINGS_VERSION,
        entries: [same, { ...rotated, key: NEW_KEY }, makeEntry({ id: 2, toolServerUrl: "http://localhost:8000/new", key: NEW_KEY })],
      },
      notices: {},
    });
  });
});
