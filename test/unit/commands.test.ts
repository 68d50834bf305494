import { describe, expect, it } from "vitest";
import { applyCommand, type Command } from "../../src/core/commands.ts";
import type { EntryInput } from "../../src/core/entry.ts";
import { MAX_ENTRIES } from "../../src/core/rules.ts";
import { emptySettings, SETTINGS_VERSION, type Settings } from "../../src/core/settings.ts";
import { deepFreeze, makeEntry } from "./fixtures.ts";

const GONE = ["entryGone"];

const input: EntryInput = {
  openWebUiAddress: "http://localhost:3000",
  toolServerUrl: "http://localhost:8000/time",
  key: "fake-key-not-real-0001",
};

const settingsOf = (...entries: ReturnType<typeof makeEntry>[]): Settings => deepFreeze({ version: SETTINGS_VERSION, entries });

/** Applies a command to frozen settings and checks they are still what they were. */
function apply(settings: Settings, command: Command) {
  const before = structuredClone(settings);
  const result = applyCommand(deepFreeze(settings), command);
  expect(settings).toStrictEqual(before);
  return result;
}

describe("save", () => {
  it("adds a new, enabled entry with id 0 to empty settings", () => {
    expect(apply(deepFreeze(emptySettings()), { type: "save", input })).toStrictEqual({
      ok: true,
      settings: {
        version: SETTINGS_VERSION,
        entries: [
          {
            id: 0,
            openWebUiOrigin: "http://localhost:3000",
            toolServerUrl: "http://localhost:8000/time",
            key: "fake-key-not-real-0001",
            headerName: "Authorization",
            scheme: "Bearer",
            enabled: true,
            addKeyAnyway: false,
          },
        ],
      },
      notices: {},
      savedId: 0,
    });
  });

  it("gives a new entry the smallest free id", () => {
    const settings = settingsOf(
      makeEntry({ id: 0, toolServerUrl: "http://localhost:8000" }),
      makeEntry({ id: 3, toolServerUrl: "http://localhost:8003" }),
      makeEntry({ id: 1, toolServerUrl: "http://localhost:8001" }),
    );
    const result = apply(settings, { type: "save", input });
    expect(result).toMatchObject({ ok: true, savedId: 2 });
    expect(result.ok && result.settings.entries.map((entry) => entry.id)).toStrictEqual([0, 3, 1, 2]);
  });

  it("passes on what it normalised, beside each field", () => {
    const result = apply(settingsOf(), {
      type: "save",
      input: { ...input, openWebUiAddress: "http://localhost:3000/c/abc", key: "Bearer fake-key-not-real-0001" },
    });
    expect(result).toMatchObject({
      ok: true,
      notices: {
        openWebUi: ["addressReduced", "http://localhost:3000"],
        key: ["key_schemeRemoved", "Bearer"],
      },
    });
    expect(result.ok && result.settings.entries[0]?.key).toBe("fake-key-not-real-0001");
  });

  it.each([
    { what: "the same URLs", openWebUiAddress: "http://localhost:3000", toolServerUrl: "http://localhost:8000/time" },
    { what: "a trailing slash", openWebUiAddress: "http://localhost:3000/", toolServerUrl: "http://localhost:8000/time/" },
    { what: "upper-case hosts", openWebUiAddress: "HTTP://LOCALHOST:3000", toolServerUrl: "http://LocalHost:8000/time" },
    { what: "a pasted chat URL", openWebUiAddress: "http://localhost:3000/c/abc", toolServerUrl: "http://localhost:8000/time" },
  ])("saving a duplicate written with $what updates it in place, keeping its id", ({ openWebUiAddress, toolServerUrl }) => {
    const other = makeEntry({ id: 0, toolServerUrl: "http://localhost:8000" });
    const existing = makeEntry({ id: 4, toolServerUrl: "http://localhost:8000/time", enabled: false });
    const result = apply(settingsOf(other, existing), {
      type: "save",
      input: { openWebUiAddress, toolServerUrl, key: "fake-key-not-real-0002", headerName: "X-API-Key", scheme: "" },
    });
    expect(result).toStrictEqual({
      ok: true,
      settings: {
        version: SETTINGS_VERSION,
        entries: [other, { ...existing, key: "fake-key-not-real-0002", headerName: "X-API-Key", scheme: "", enabled: true }],
      },
      notices: expect.any(Object),
      savedId: 4,
    });
  });

  it("the same tool server under two Open WebUI origins is two entries", () => {
    const first = apply(settingsOf(), { type: "save", input });
    if (!first.ok) throw new Error("the first save was refused");
    const second = apply(first.settings, { type: "save", input: { ...input, openWebUiAddress: "http://localhost:3001" } });
    expect(second).toMatchObject({ ok: true, savedId: 1 });
    expect(second.ok && second.settings.entries.map((entry) => [entry.id, entry.openWebUiOrigin])).toStrictEqual([
      [0, "http://localhost:3000"],
      [1, "http://localhost:3001"],
    ]);
  });

  it("an invalid save changes nothing and says what to fix, field by field", () => {
    const settings = settingsOf(makeEntry({ id: 0 }));
    const result = apply(settings, {
      type: "save",
      input: { openWebUiAddress: "localhost:3000", toolServerUrl: "http://localhost:8000", key: "" },
    });
    expect(result).toStrictEqual({
      ok: false,
      errors: {
        openWebUi: ["openWebUi_noScheme"],
        key: ["key_empty"],
      },
    });
  });

  it("an invalid save of an existing entry leaves it as it was", () => {
    const existing = makeEntry({ id: 0, toolServerUrl: "http://localhost:8000/time", enabled: false });
    const result = apply(settingsOf(existing), { type: "save", input: { ...input, key: "fake-key-not real" } });
    expect(result).toStrictEqual({
      ok: false,
      errors: { key: ["key_space", "13"] },
    });
  });
});

describe(`the limit of ${MAX_ENTRIES} entries`, () => {
  const full = settingsOf(
    ...Array.from({ length: MAX_ENTRIES }, (_, id) => makeEntry({ id, toolServerUrl: `http://localhost:8000/t${id}` })),
  );

  it("a new entry past the limit is refused with a message for the whole form", () => {
    expect(applyCommand(full, { type: "save", input })).toStrictEqual({
      ok: false,
      errors: { form: ["tooManyEntries"] },
    });
  });

  it("an existing entry can still be updated at the limit", () => {
    const result = applyCommand(full, { type: "save", input: { ...input, toolServerUrl: "http://localhost:8000/t17" } });
    expect(result).toMatchObject({ ok: true, savedId: 17 });
    expect(result.ok && result.settings.entries.length).toBe(MAX_ENTRIES);
  });

  it("after one removal a new entry takes the freed id", () => {
    const removed = applyCommand(full, { type: "remove", id: 1234 });
    if (!removed.ok) throw new Error("the removal was refused");
    expect(applyCommand(removed.settings, { type: "save", input })).toMatchObject({ ok: true, savedId: 1234 });
  });
});

describe("save with the key left empty (editing an entry)", () => {
  const existing = makeEntry({ id: 4, toolServerUrl: "http://localhost:8000/time", key: "fake-key-kept-not-real-04" });
  const settings = settingsOf(existing);

  it.each([
    { what: "as saved", openWebUiAddress: "http://localhost:3000", toolServerUrl: "http://localhost:8000/time" },
    { what: "written differently", openWebUiAddress: "HTTP://LOCALHOST:3000/c/1", toolServerUrl: "http://localhost:8000/time/" },
  ])("keeps the key of the entry it names $what, and takes the new header and scheme", ({ openWebUiAddress, toolServerUrl }) => {
    const result = apply(settings, {
      type: "save",
      input: { openWebUiAddress, toolServerUrl, key: "  ", headerName: "X-API-Key", scheme: "" },
    });
    expect(result).toMatchObject({ ok: true, savedId: 4 });
    expect(result.ok && result.settings.entries).toStrictEqual([{ ...existing, headerName: "X-API-Key", scheme: "" }]);
  });

  it("is refused for a new entry: there is no key to keep", () => {
    const result = apply(settings, {
      type: "save",
      input: { openWebUiAddress: "http://localhost:3000", toolServerUrl: "http://localhost:8000/other", key: "" },
    });
    expect(result).toStrictEqual({ ok: false, errors: { key: ["key_empty"] } });
  });
});

describe("save of an entry put in the form by Edit", () => {
  const first = makeEntry({ id: 0 });
  const second = makeEntry({ id: 4, toolServerUrl: "http://localhost:8001" });
  const settings = settingsOf(first, second);
  const input = { openWebUiAddress: "http://localhost:3000", toolServerUrl: "http://localhost:8009", key: "" };

  it("updates that entry in place, keeping its id and key, when its URL's path changes", () => {
    const result = apply(settings, { type: "save", input: { ...input, toolServerUrl: "http://localhost:8000/time" }, editing: 0 });
    expect(result).toMatchObject({ ok: true, savedId: 0 });
    expect(result.ok && result.settings.entries).toStrictEqual([{ ...first, toolServerUrl: "http://localhost:8000/time" }, second]);
  });

  it.each([
    { what: "another tool-server port", changes: { toolServerUrl: "http://localhost:8009" }, origin: "http://localhost:8009" },
    { what: "another tool-server host", changes: { toolServerUrl: "http://127.0.0.1:8000" }, origin: "http://127.0.0.1:8000" },
    { what: "another tool-server scheme", changes: { toolServerUrl: "https://localhost:8000" }, origin: "https://localhost:8000" },
    { what: "another Open WebUI", changes: { openWebUiAddress: "http://localhost:3001" }, origin: "http://localhost:3001" },
  ])("asks for the key again when the entry moves to $what, and changes nothing", ({ changes, origin }) => {
    const result = apply(settings, { type: "save", input: { ...input, toolServerUrl: "http://localhost:8000", ...changes }, editing: 0 });
    expect(result).toStrictEqual({ ok: false, errors: { key: ["key_newHost", origin] } });
  });

  it("moves the entry to another host with the key typed again", () => {
    const key = "fake-key-typed-again-not-a-secret";
    const result = apply(settings, { type: "save", input: { ...input, key }, editing: 0 });
    expect(result.ok && result.settings.entries).toStrictEqual([{ ...first, toolServerUrl: "http://localhost:8009", key }, second]);
  });

  it("refuses a URL another entry already has, beside the URL field, and changes nothing", () => {
    expect(apply(settings, { type: "save", input: { ...input, toolServerUrl: "http://localhost:8001" }, editing: 0 })).toStrictEqual({
      ok: false,
      errors: { toolServer: ["toolServer_taken"] },
    });
  });

  it("of an entry removed in another window says so", () => {
    expect(apply(settings, { type: "save", input, editing: 9 })).toStrictEqual({ ok: false, errors: { form: GONE } });
  });
});

describe("setEnabled", () => {
  const settings = settingsOf(makeEntry({ id: 0 }), makeEntry({ id: 1, toolServerUrl: "http://localhost:8001" }));

  it("turns one entry off and leaves the others alone", () => {
    const result = apply(settings, { type: "setEnabled", ids: [1], enabled: false });
    expect(result).toStrictEqual({
      ok: true,
      settings: { ...settings, entries: [settings.entries[0], { ...settings.entries[1], enabled: false }] },
      notices: {},
    });
  });

  it("turns several entries off at once, skipping ids that are gone", () => {
    const three = settingsOf(...settings.entries, makeEntry({ id: 2, toolServerUrl: "http://localhost:8002" }));
    const result = apply(three, { type: "setEnabled", ids: [0, 2, 9], enabled: false });
    expect(result.ok && result.settings.entries.map((entry) => entry.enabled)).toStrictEqual([false, true, false]);
  });

  it("on an entry removed in another window says so", () => {
    expect(apply(settings, { type: "setEnabled", ids: [7], enabled: true })).toStrictEqual({ ok: false, errors: { form: GONE } });
  });
});

describe("setAddKeyAnyway", () => {
  const settings = settingsOf(makeEntry({ id: 0 }), makeEntry({ id: 1, toolServerUrl: "http://localhost:8001" }));

  it("sets one entry to add its key anyway, and back, leaving the others alone", () => {
    const on = apply(settings, { type: "setAddKeyAnyway", id: 1, addKeyAnyway: true });
    expect(on).toStrictEqual({
      ok: true,
      settings: { ...settings, entries: [settings.entries[0], { ...settings.entries[1], addKeyAnyway: true }] },
      notices: {},
    });
    const off = on.ok ? apply(on.settings, { type: "setAddKeyAnyway", id: 1, addKeyAnyway: false }) : on;
    expect(off.ok && off.settings).toStrictEqual(settings);
  });

  it("a Save over an entry set to add its key anyway keeps that choice", () => {
    const anyway = settingsOf(makeEntry({ id: 0, addKeyAnyway: true }));
    const result = apply(anyway, {
      type: "save",
      input: { openWebUiAddress: "http://localhost:3000", toolServerUrl: "http://localhost:8000", key: "" },
    });
    expect(result.ok && result.settings.entries[0]?.addKeyAnyway).toBe(true);
  });

  it("on an entry removed in another window says so", () => {
    expect(apply(settings, { type: "setAddKeyAnyway", id: 7, addKeyAnyway: true })).toStrictEqual({ ok: false, errors: { form: GONE } });
  });
});

describe("remove", () => {
  const settings = settingsOf(makeEntry({ id: 0 }), makeEntry({ id: 1, toolServerUrl: "http://localhost:8001" }));

  it("removes that entry only", () => {
    expect(apply(settings, { type: "remove", id: 0 })).toStrictEqual({
      ok: true,
      settings: { ...settings, entries: [settings.entries[1]] },
      notices: {},
    });
  });

  it("of an entry removed in another window says so", () => {
    expect(apply(settings, { type: "remove", id: 2 })).toStrictEqual({ ok: false, errors: { form: GONE } });
  });
});
