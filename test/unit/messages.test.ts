import { describe, expect, it } from "vitest";
import { describeEntries, isRequest } from "../../src/core/messages.ts";
import type { Tab } from "../../src/core/rules.ts";
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
/** No Open WebUI known to send keys itself. */
const NONE = new Set<string>();

describe("describeEntries", () => {
  it("shows each entry with its key masked, its access and its open Open WebUI tabs", () => {
    expect(
      describeEntries([local, remote], { tabs, granted: granted, errors: new Map(), sendingKeys: NONE, problems: new Map() }),
    ).toStrictEqual([
      {
        id: 0,
        openWebUiOrigin: "http://localhost:3000",
        toolServerUrl: "http://localhost:8000",
        headerName: "Authorization",
        scheme: "Bearer",
        enabled: true,
        addKeyAnyway: false,
        maskedKey: "••••••••wxyz",
        access: true,
        missingAccess: [],
        openTabs: 2,
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
        access: true,
        missingAccess: [],
        openTabs: 1,
      },
    ]);
  });

  it("never lets a full key out in what pages are sent", () => {
    const views = describeEntries([local, remote], {
      tabs,
      granted: granted,
      errors: new Map([[0, "Rule refused"]]),
      sendingKeys: NONE,
      problems: new Map(),
    });
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
  ])("when $what, the entry has no access, lists only $missing to grant and counts no tabs", ({ granted, missing }) => {
    const [view] = describeEntries([remote], {
      tabs,
      granted: new Set(granted),
      errors: new Map(),
      sendingKeys: NONE,
      problems: new Map(),
    });
    expect(view).toMatchObject({ access: false, missingAccess: missing, openTabs: 0 });
  });

  it("a disabled entry counts no tabs", () => {
    const [view] = describeEntries([{ ...local, enabled: false }], {
      tabs,
      granted: granted,
      errors: new Map(),
      sendingKeys: NONE,
      problems: new Map(),
    });
    expect(view).toMatchObject({ enabled: false, access: true, openTabs: 0 });
  });

  it("an entry whose Open WebUI sends keys itself counts no tabs, unless it adds the key anyway", () => {
    const sending = new Set(["http://localhost:3000"]);
    const [standing, adding] = describeEntries([local, { ...local, id: 1, addKeyAnyway: true }], {
      tabs,
      granted: granted,
      errors: new Map(),
      sendingKeys: sending,
      problems: new Map(),
    });
    expect(standing).toMatchObject({ addKeyAnyway: false, openTabs: 0 });
    expect(adding).toMatchObject({ addKeyAnyway: true, openTabs: 2 });
  });

  it("a stored entry that cannot have a rule shows why and counts no tabs; the others are untouched", () => {
    const problems = new Map([[2, ["entryDuplicate"] as const]]);
    const [ok, bad] = describeEntries([local, remote], { tabs, granted, errors: new Map(), sendingKeys: NONE, problems });
    expect(ok).not.toHaveProperty("problem");
    expect(bad).toMatchObject({ problem: ["entryDuplicate"], openTabs: 0 });
  });

  it("the browser's refusal is shown on its own entry only", () => {
    const views = describeEntries([local, remote], {
      tabs,
      granted: granted,
      errors: new Map([[2, "Rule with id 1002 is invalid."]]),
      sendingKeys: NONE,
      problems: new Map(),
    });
    expect(views[0]).not.toHaveProperty("error");
    expect(views[1]).toMatchObject({ error: "Rule with id 1002 is invalid." });
  });
});

describe("isRequest", () => {
  const save = { openWebUiAddress: "http://localhost:3000", toolServerUrl: "http://localhost:8000", key: "fake-key-not-real-0001" };

  it.each<{ what: string; message: unknown }>([
    { what: "getState", message: { type: "getState" } },
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
