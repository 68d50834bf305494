import { describe, expect, it } from "vitest";
import type { World } from "../../src/core/decision.ts";
import { NO_POLICY } from "../../src/core/managed.ts";
import { describeEntries, isRequest } from "../../src/core/messages.ts";
import { groupTabsByOrigin, type Tab } from "../../src/core/rules.ts";
import { makeEntry } from "./fixtures.ts";

const LONG_KEY = "fake-key-not-real-0001-wxyz";

const local = makeEntry({ id: 0, key: LONG_KEY });
const remote = makeEntry({
  id: 2,
  openWebUiOrigin: "https://chat.example.com",
  toolServerUrl: "https://tools.example.com/time",
  key: "fake-key-not-real-0002",
  headerName: "X-API-Key",
  scheme: "",
});
const tabs: Tab[] = [
  { id: 1, url: "http://localhost:3000/" },
  { id: 2, url: "http://localhost:3000/c/abc" },
  { id: 3, url: "http://localhost:3001/" },
  { id: 4, url: "https://chat.example.com/" },
];
const granted = new Set(["http://localhost/*", "https://chat.example.com/*", "https://tools.example.com/*"]);
/** Everything the decision needs: both Open WebUIs reported 0.6.0, all access held. */
function world(changes: Partial<World> = {}): World {
  return {
    tabsByOrigin: groupTabsByOrigin(tabs),
    granted,
    versions: {
      "http://localhost:3000": { read: { version: "0.6.0", at: 1 } },
      "https://chat.example.com": { read: { version: "0.6.0", at: 1 } },
    },
    policy: NO_POLICY,
    problems: new Map(),
    refused: new Map(),
    rulesFailed: false,
    ...changes,
  };
}

describe("describeEntries", () => {
  it("shows each entry with its key masked, its decision and the tabs its rule is in force in", () => {
    expect(describeEntries([local, remote], world())).toStrictEqual([
      {
        id: 0,
        openWebUiOrigin: "http://localhost:3000",
        toolServerUrl: "http://localhost:8000",
        headerName: "Authorization",
        scheme: "Bearer",
        enabled: true,
        addKeyAnyway: false,
        maskedKey: "••••••••wxyz",
        missingAccess: [],
        activeTabs: 2,
        versionNotes: [],
        canAddAnyway: false,
        canTest: true,
      },
      {
        id: 2,
        openWebUiOrigin: "https://chat.example.com",
        toolServerUrl: "https://tools.example.com/time",
        headerName: "X-API-Key",
        scheme: "",
        enabled: true,
        addKeyAnyway: false,
        maskedKey: "••••••••0002",
        missingAccess: [],
        activeTabs: 1,
        versionNotes: [],
        canAddAnyway: false,
        canTest: true,
      },
    ]);
  });

  it("never lets a full key out in what pages are sent", () => {
    const views = describeEntries([local, remote], world({ refused: new Map([[0, "Rule refused"]]) }));
    const sent = JSON.stringify(views);
    expect(sent).not.toContain(LONG_KEY);
    expect(sent).not.toContain("fake-key-not-real-0002");
    expect(sent).not.toContain("not-real");
    for (const view of views) expect(view).not.toHaveProperty("key");
  });

  it.each([
    { what: "nothing is granted", granted: [], missing: ["https://chat.example.com/*", "https://tools.example.com/*"] },
    { what: "only the Open WebUI is granted", granted: ["https://chat.example.com/*"], missing: ["https://tools.example.com/*"] },
    { what: "only the tool server is granted", granted: ["https://tools.example.com/*"], missing: ["https://chat.example.com/*"] },
  ])("when $what, the entry says it lacks access, lists only $missing to grant and counts no tabs", ({ granted, missing }) => {
    const [view] = describeEntries([remote], world({ granted: new Set(granted) }));
    expect(view).toMatchObject({ reason: { why: "noAccess", missing }, missingAccess: missing, activeTabs: 0, canTest: false });
  });

  it("a stored entry that cannot have a rule shows why, cannot be tested, and the others are untouched", () => {
    const problems = new Map([[2, ["entryDuplicate"] as const]]);
    const [ok, bad] = describeEntries([local, remote], world({ problems }));
    expect(ok).not.toHaveProperty("reason");
    expect(bad).toMatchObject({ reason: { why: "invalid", problem: ["entryDuplicate"] }, activeTabs: 0, canTest: false });
  });

  it("the browser's refusal is shown on its own entry only", () => {
    const views = describeEntries([local, remote], world({ refused: new Map([[2, "Rule with id 1002 is invalid."]]) }));
    expect(views[0]).not.toHaveProperty("reason");
    expect(views[1]).toMatchObject({ reason: { why: "refused", error: "Rule with id 1002 is invalid." }, activeTabs: 0 });
  });
});

describe("isRequest", () => {
  const save = { openWebUiAddress: "http://localhost:3000", toolServerUrl: "http://localhost:8000", key: "fake-key-not-real-0001" };

  it.each<{ what: string; message: unknown }>([
    { what: "getState", message: { type: "getState" } },
    { what: "getState of the first entries", message: { type: "getState", first: 30 } },
    { what: "reset", message: { type: "reset" } },
    { what: "revealKey with an id", message: { type: "revealKey", id: 3 } },
    { what: "save with the three required fields", message: { type: "command", command: { type: "save", input: save } } },
    {
      what: "save with header name and scheme",
      message: { type: "command", command: { type: "save", input: { ...save, headerName: "X-API-Key", scheme: "" } } },
    },
    { what: "setEnabled", message: { type: "command", command: { type: "setEnabled", ids: [1], enabled: false } } },
    { what: "setEnabled of several", message: { type: "command", command: { type: "setEnabled", ids: [1, 4, 9], enabled: true } } },
    { what: "remove", message: { type: "command", command: { type: "remove", id: 1 } } },
    { what: "setAddKeyAnyway", message: { type: "command", command: { type: "setAddKeyAnyway", id: 1, addKeyAnyway: true } } },
    { what: "checkVersion with an address", message: { type: "checkVersion", address: "http://localhost:3000" } },
    { what: "readOpenWebUi with an address", message: { type: "readOpenWebUi", address: "http://localhost:3000" } },
    { what: "testEntry with an id", message: { type: "testEntry", id: 2 } },
    { what: "import of two inputs", message: { type: "command", command: { type: "import", inputs: [save, { ...save, scheme: "" }] } } },
    { what: "save editing an entry", message: { type: "command", command: { type: "save", input: save, editing: 3 } } },
    { what: "import of nothing", message: { type: "command", command: { type: "import", inputs: [] } } },
  ])("accepts $what", ({ message }) => {
    expect(isRequest(message)).toBe(true);
  });

  it.each<{ what: string; message: unknown }>([
    { what: "undefined", message: undefined },
    { what: "null", message: null },
    { what: "a string", message: "getState" },
    { what: "an array", message: [] },
    { what: "an object without a type", message: {} },
    { what: "an unknown type", message: { type: "deleteEverything" } },
    { what: "revealKey without an id", message: { type: "revealKey" } },
    { what: "revealKey with a string id", message: { type: "revealKey", id: "3" } },
    { what: "a command without a command", message: { type: "command" } },
    { what: "a command that is a string", message: { type: "command", command: "save" } },
    { what: "an unknown command", message: { type: "command", command: { type: "deleteEverything" } } },
    { what: "import without inputs", message: { type: "command", command: { type: "import" } } },
    { what: "import with inputs that are not a list", message: { type: "command", command: { type: "import", inputs: save } } },
    {
      what: "import with an input without a key",
      message: { type: "command", command: { type: "import", inputs: [{ ...save, key: undefined }] } },
    },
    {
      what: "import of more inputs than ToolKey holds entries",
      message: { type: "command", command: { type: "import", inputs: Array.from({ length: 5001 }, () => save) } },
    },
    { what: "readOpenWebUi without an address", message: { type: "readOpenWebUi" } },
    { what: "getState of the first zero entries", message: { type: "getState", first: 0 } },
    { what: "getState of the first 2.5 entries", message: { type: "getState", first: 2.5 } },
    { what: "getState of the first '30' entries", message: { type: "getState", first: "30" } },
    { what: "testEntry with a string id", message: { type: "testEntry", id: "1" } },
    { what: "save without input", message: { type: "command", command: { type: "save" } } },
    { what: "save without a key", message: { type: "command", command: { type: "save", input: { ...save, key: undefined } } } },
    { what: "save with a numeric key", message: { type: "command", command: { type: "save", input: { ...save, key: 42 } } } },
    {
      what: "save with a null header name",
      message: { type: "command", command: { type: "save", input: { ...save, headerName: null } } },
    },
    { what: "save with a numeric scheme", message: { type: "command", command: { type: "save", input: { ...save, scheme: 1 } } } },
    { what: "setEnabled without enabled", message: { type: "command", command: { type: "setEnabled", ids: [1] } } },
    {
      what: "setEnabled with enabled as a string",
      message: { type: "command", command: { type: "setEnabled", ids: [1], enabled: "false" } },
    },
    { what: "setEnabled with one id, not a list", message: { type: "command", command: { type: "setEnabled", id: 1, enabled: true } } },
    {
      what: "setEnabled with a string among its ids",
      message: { type: "command", command: { type: "setEnabled", ids: [1, "2"], enabled: true } },
    },
    { what: "remove with a string id", message: { type: "command", command: { type: "remove", id: "1" } } },
    { what: "save editing a string id", message: { type: "command", command: { type: "save", input: save, editing: "1" } } },
    { what: "setAddKeyAnyway without a choice", message: { type: "command", command: { type: "setAddKeyAnyway", id: 1 } } },
    {
      what: "setAddKeyAnyway with a string choice",
      message: { type: "command", command: { type: "setAddKeyAnyway", id: 1, addKeyAnyway: "true" } },
    },
    { what: "checkVersion without an address", message: { type: "checkVersion" } },
    { what: "checkVersion with a numeric address", message: { type: "checkVersion", address: 3000 } },
  ])("refuses $what", ({ message }) => {
    expect(isRequest(message)).toBe(false);
  });
});
