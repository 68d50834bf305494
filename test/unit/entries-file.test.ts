import { describe, expect, it } from "vitest";
import { type EntriesFileReading, readEntriesFile, writeEntriesFile } from "../../src/core/entries-file.ts";
import { MAX_ENTRIES_FILE_BYTES } from "../../src/core/entries-file-name.ts";
import type { Entry } from "../../src/core/entry.ts";
import { applyImport, importInputs, planImport, reviewOf } from "../../src/core/import-review.ts";
import { MAX_ENTRIES } from "../../src/core/rules.ts";
import { entryProblems, SETTINGS_VERSION, type Settings } from "../../src/core/settings.ts";
import type { UserText } from "../../src/core/user-text.ts";
import { LANGUAGES, render } from "../locales.ts";
import { deepFreeze, makeEntry } from "./fixtures.ts";

const KEY_A = "fake-file-key-not-a-secret-0001";
const KEY_B = "fake-file-key-not-a-secret-0002";
const KEY_SAVED = "fake-file-key-not-a-secret-0003";

const entries = deepFreeze([
  makeEntry({ id: 0, toolServerUrl: "http://localhost:8000/time", key: KEY_A }),
  makeEntry({ id: 3, toolServerUrl: "http://localhost:8001", key: KEY_B, headerName: "X-API-Key", scheme: "", enabled: false }),
]);

const settingsOf = (...saved: Entry[]): Settings => deepFreeze({ version: SETTINGS_VERSION, entries: saved });

/** A file as ToolKey writes it, with these entries. */
const fileWith = (items: unknown[], top: Record<string, unknown> = {}) =>
  JSON.stringify({ format: "toolkey-entries", version: 1, entries: items, ...top });

const item = (overrides: Record<string, unknown> = {}) => ({
  openWebUi: "http://localhost:3000",
  toolServer: "http://localhost:8000/time",
  header: "Authorization",
  scheme: "Bearer",
  enabled: true,
  ...overrides,
});

function problemOf(reading: EntriesFileReading): UserText[] {
  if (reading.ok) throw new Error("the file was read");
  return reading.detail === undefined ? [reading.problem] : [reading.problem, reading.detail];
}

describe("writeEntriesFile", () => {
  it("writes the format of design.md, without any key by default", () => {
    const text = writeEntriesFile(entries, false);
    expect(JSON.parse(text)).toStrictEqual({
      format: "toolkey-entries",
      version: 1,
      entries: [
        {
          openWebUi: "http://localhost:3000",
          toolServer: "http://localhost:8000/time",
          header: "Authorization",
          scheme: "Bearer",
          enabled: true,
        },
        { openWebUi: "http://localhost:3000", toolServer: "http://localhost:8001", header: "X-API-Key", scheme: "", enabled: false },
      ],
    });
    for (const key of [KEY_A, KEY_B]) expect(text).not.toContain(key);
  });

  it("with keys, each entry holds exactly its own key; an entry waiting for a key has none", () => {
    const text = writeEntriesFile([...entries, makeEntry({ id: 4, toolServerUrl: "http://localhost:8002", key: "" })], true);
    expect(JSON.parse(text).entries.map((entry: { key?: string }) => entry.key)).toEqual([KEY_A, KEY_B, undefined]);
  });

  it("reads back as the entries it was written from, keys included", () => {
    const reading = readEntriesFile(writeEntriesFile(entries, true));
    if (!reading.ok) throw new Error("refused its own file");
    const result = applyImport(settingsOf(), importInputs(planImport([], reading.candidates)));
    if (!result.ok) throw new Error("import refused");
    expect(result.settings.entries).toStrictEqual(entries.map((entry, id) => ({ ...entry, id })));
  });
});

describe("readEntriesFile refuses a bad file whole, saying why", () => {
  const tooMany = fileWith(Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => item({ toolServer: `http://localhost:8000/t${i}` })));
  it.each<{ what: string; text: string; expected: UserText[] }>([
    { what: "not JSON", text: `{"format": "toolkey-entries", "key": "${KEY_A}"`, expected: [["fileNotJson"]] },
    { what: "JSON that is not an object", text: "[1, 2]", expected: [["fileNotEntries"]] },
    { what: "another format", text: JSON.stringify({ ui: { toolServers: [] } }), expected: [["fileNotEntries"]] },
    { what: "a newer version", text: fileWith([], { version: 2 }), expected: [["fileNewer"]] },
    { what: "a version that is not one", text: fileWith([], { version: "1" }), expected: [["fileNotEntries"]] },
    { what: "entries that are not a list", text: fileWith([], { entries: {} }), expected: [["fileNotEntries"]] },
    { what: `${MAX_ENTRIES + 1} entries`, text: tooMany, expected: [["fileTooMany"]] },
    { what: "more than 10 MB", text: " ".repeat(MAX_ENTRIES_FILE_BYTES + 1), expected: [["fileTooLarge"]] },
    { what: "an entry that is not an object", text: fileWith([item(), "x"]), expected: [["fileEntryNotEntry", "2"]] },
    { what: "a missing tool server", text: fileWith([item({ toolServer: undefined })]), expected: [["fileEntryField", "1", "toolServer"]] },
    { what: "a key that is a number", text: fileWith([item({ key: 42 })]), expected: [["fileEntryField", "1", "key"]] },
    { what: "enabled as text", text: fileWith([item({ enabled: "yes" })]), expected: [["fileEntryField", "1", "enabled"]] },
    { what: "a header that is null", text: fileWith([item({ header: null })]), expected: [["fileEntryField", "1", "header"]] },
    {
      what: "the same entry twice, once in another spelling",
      text: fileWith([item(), item({ toolServer: "HTTP://LOCALHOST:8000/time/" })]),
      expected: [["fileEntryDuplicate", "2", "1"]],
    },
    {
      what: "a tool-server URL the popup refuses",
      text: fileWith([item(), item({ toolServer: "ftp://localhost/x" })]),
      expected: [
        ["fileEntryInvalid", "2"],
        ["notHttp", "ftp"],
      ],
    },
    {
      what: "a tool server on the Open WebUI's own API",
      text: fileWith([item({ toolServer: "http://localhost:3000/api" })]),
      expected: [
        ["fileEntryInvalid", "1"],
        ["toolServer_ownPath", "/api"],
      ],
    },
    {
      what: "an address the popup refuses",
      text: fileWith([item({ openWebUi: "localhost" })]),
      expected: [["fileEntryInvalid", "1"], ["openWebUi_noScheme"]],
    },
    {
      what: "a forbidden header",
      text: fileWith([item({ header: "Cookie" })]),
      expected: [
        ["fileEntryInvalid", "1"],
        ["headerName_forbidden", "Cookie"],
      ],
    },
    {
      what: "a scheme that is not a token",
      text: fileWith([item({ scheme: "Be arer" })]),
      expected: [["fileEntryInvalid", "1"], ["scheme_notToken"]],
    },
    {
      what: "a key with a space",
      text: fileWith([item({ key: "fake key" })]),
      expected: [
        ["fileEntryInvalid", "1"],
        ["key_space", "5"],
      ],
    },
  ])("$what", ({ text, expected }) => {
    expect(problemOf(readEntriesFile(text))).toStrictEqual(expected);
  });

  it("a message never quotes a key, nor more than a few characters of the file", () => {
    const long = `k${"x".repeat(500)}`;
    const cases = [
      fileWith([item({ key: KEY_A, toolServer: `${KEY_A}://x` })]),
      fileWith([item({ key: `${KEY_A} ${KEY_B}` })]),
      fileWith([item({ toolServer: `${long}://x` })]),
      `{"entries": [{"key": "${KEY_A}"}]`,
    ];
    for (const text of cases) {
      for (const language of LANGUAGES) {
        const said = problemOf(readEntriesFile(text))
          .map((message) => render(language, message))
          .join(" ");
        for (const key of [KEY_A, KEY_B]) expect(said).not.toContain(key);
        expect(said).not.toContain("x".repeat(50));
      }
    }
  });

  it("every refusal has its words in every language", () => {
    for (const name of ["fileNotJson", "fileNotEntries", "fileNewer", "fileTooMany", "fileTooLarge", "fileUnreadable"] as const) {
      for (const language of LANGUAGES) expect(render(language, [name])).not.toBe("");
    }
  });
});

describe("an entry of a file without a key", () => {
  const saved = makeEntry({ id: 0, toolServerUrl: "http://localhost:8000/time", key: KEY_SAVED });
  const keyless = readEntriesFile(
    fileWith([item({ header: "X-API-Key", scheme: "" }), item({ toolServer: "http://localhost:8009/new", enabled: false })]),
  );
  if (!keyless.ok) throw new Error("refused");
  const plan = planImport([saved], keyless.candidates);

  it("updates the other fields of its match and keeps the match's key; a new one is added off, waiting for a key", () => {
    expect(reviewOf(plan)).toMatchObject({
      add: [{ toolServerUrl: "http://localhost:8009/new", waitsForKey: true, off: true }],
      change: [{ toolServerUrl: "http://localhost:8000/time", keyDiffers: false, headerDiffers: true }],
      count: 2,
    });
    const result = applyImport(settingsOf(saved), importInputs(plan));
    if (!result.ok) throw new Error("import refused");
    expect(result.settings.entries).toStrictEqual([
      { ...saved, headerName: "X-API-Key", scheme: "" },
      makeEntry({ id: 1, toolServerUrl: "http://localhost:8009/new", key: "", enabled: false }),
    ]);
  });

  it("the entry added without a key has no rule and says it is waiting for one", () => {
    const result = applyImport(settingsOf(saved), importInputs(plan));
    if (!result.ok) throw new Error("import refused");
    expect([...entryProblems(result.settings.entries)]).toStrictEqual([[1, ["entryWaitingForKey"]]]);
  });

  it("with the same header and scheme as its match, it changes nothing", () => {
    const same = readEntriesFile(fileWith([item()]));
    if (!same.ok) throw new Error("refused");
    expect(reviewOf(planImport([saved], same.candidates))).toMatchObject({ add: [], change: [], count: 0 });
  });
});
