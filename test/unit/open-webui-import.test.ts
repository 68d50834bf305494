import { describe, expect, it } from "vitest";
import { readOpenWebUi } from "../../src/background/open-webui-import.ts";
import { displayLabel, MAX_LABEL_LENGTH } from "../../src/core/display-label.ts";
import { validateEntryInput } from "../../src/core/entry.ts";
import {
  MAX_IMPORTED_SERVERS,
  MAX_SETTINGS_REPLY_BYTES,
  readOpenWebUiToolServers,
  type SettingsReply,
} from "../../src/core/open-webui-import.ts";
import { type LoadedSettings, SETTINGS_VERSION } from "../../src/core/settings.ts";
import type { UserText } from "../../src/core/user-text.ts";
import { english, LANGUAGES, render } from "../locales.ts";

const ORIGIN = "http://localhost:3000";
const KEY = "fake-import-key-not-a-secret-01";
const KEY_2 = "fake-import-key-not-a-secret-02";

/** Every key these tests hand to the reader; none may come back in anything meant for display. */
const ALL_KEYS = [KEY, KEY_2, "fake-import-key-not-a-secret-03", "fake-import-key-not a-secret-04", "fake-import-key-not-a-secret-05"];

const settingsWith = (toolServers: unknown) => ({ status: 200, body: JSON.stringify({ ui: { toolServers } }) });
const read = (toolServers: unknown) => readOpenWebUiToolServers(ORIGIN, settingsWith(toolServers));

/** What an imported server becomes: a bearer entry for this Open WebUI. */
const entryInput = (toolServerUrl: string, key = KEY) => ({
  openWebUiAddress: ORIGIN,
  toolServerUrl,
  key,
  headerName: "Authorization",
  scheme: "Bearer",
});

/** One bearer server as each Open WebUI version writes it (reference/open-webui.md, item shape by version). */
const BY_VERSION = [
  {
    version: "0.6.0",
    item: { url: "http://localhost:8000/time", key: KEY, config: { enable: true } },
    label: "http://localhost:8000/time",
  },
  {
    version: "0.6.5",
    item: {
      url: "http://localhost:8000/time",
      path: "openapi.json",
      auth_type: "bearer",
      key: KEY,
      config: { enable: true, access_control: null },
    },
    label: "http://localhost:8000/time",
  },
  {
    version: "0.6.18",
    item: {
      url: "http://localhost:8000/time",
      path: "openapi.json",
      auth_type: "bearer",
      key: KEY,
      config: { enable: true, access_control: null },
      info: { name: "Time", description: "What time it is" },
    },
    label: "Time",
  },
  {
    version: "0.6.41",
    item: {
      type: "openapi",
      url: "http://localhost:8000/time",
      spec_type: "url",
      spec: "",
      path: "openapi.json",
      auth_type: "bearer",
      headers: { "X-Extra": "1" },
      key: KEY,
      config: { enable: true, function_name_filter_list: "", access_control: { read: { group_ids: [] } } },
      info: { id: "time", name: "Time", description: "" },
    },
    label: "Time",
  },
  {
    version: "0.11.0",
    item: {
      type: "openapi",
      url: "http://localhost:8000/time",
      spec_type: "json",
      spec: '{"openapi":"3.1.0","paths":{}}',
      path: "openapi.json",
      auth_type: "bearer",
      headers: null,
      key: KEY,
      config: { enable: true, function_name_filter_list: "", access_grants: [] },
      info: { id: "time", name: "Time", description: "" },
    },
    label: "Time",
  },
];

describe("reading each Open WebUI version's tool servers", () => {
  it.each(BY_VERSION)("a bearer server as $version writes it becomes a bearer entry for that Open WebUI", ({ item, label }) => {
    expect(read([item])).toStrictEqual({
      ok: true,
      candidates: [{ label, input: entryInput("http://localhost:8000/time") }],
      skipped: [],
    });
  });

  it("a whole 0.6.5 list: the bearer servers are imported in order, the others listed with why", () => {
    const result = read([
      { url: "http://localhost:8000/time", path: "openapi.json", auth_type: "bearer", key: KEY, config: { enable: true } },
      { url: "http://localhost:8000/memory", path: "openapi.json", auth_type: "session", key: "", config: { enable: true } },
      { url: "http://localhost:8001", path: "openapi.json", auth_type: "bearer", key: KEY_2, config: { enable: false } },
      { url: "http://localhost:8002/", path: "openapi.json", auth_type: "bearer", key: KEY_2, config: { enable: true } },
    ]);
    expect(result).toStrictEqual({
      ok: true,
      candidates: [
        { label: "http://localhost:8000/time", input: entryInput("http://localhost:8000/time") },
        { label: "http://localhost:8002/", input: entryInput("http://localhost:8002", KEY_2) },
      ],
      skipped: [
        { label: "http://localhost:8000/memory", reason: ["importSkippedSession"] },
        { label: "http://localhost:8001", reason: ["importSkippedDisabled"] },
      ],
    });
  });

  it.each([
    { what: "one trailing slash", url: "http://localhost:8000/time/", expected: "http://localhost:8000/time" },
    { what: "several trailing slashes", url: "http://localhost:8000/time///", expected: "http://localhost:8000/time" },
    { what: "the root with a slash", url: "http://localhost:8000/", expected: "http://localhost:8000" },
    { what: "upper case and a default port", url: "HTTP://LocalHost:80/Time", expected: "http://localhost/Time" },
    { what: "spaces around it", url: "  http://localhost:8000/time  ", expected: "http://localhost:8000/time" },
  ])("the tool-server URL is normalised: $what", ({ url, expected }) => {
    expect(read([{ url, key: KEY, config: { enable: true } }])).toMatchObject({
      ok: true,
      candidates: [{ input: entryInput(expected) }],
    });
  });

  it.each([
    { what: "a relative file", path: "openapi.json" },
    { what: "a path of its own", path: "/specs/time.json" },
    { what: "a full URL elsewhere (0.6.11 and later)", path: "http://localhost:9000/openapi.json" },
    { what: "an empty path", path: "" },
  ])("the path only locates the spec and is ignored: $what", ({ path }) => {
    expect(read([{ url: "http://localhost:8000/time", path, auth_type: "bearer", key: KEY, config: { enable: true } }])).toMatchObject({
      ok: true,
      candidates: [{ input: { toolServerUrl: "http://localhost:8000/time" } }],
    });
  });

  it("a key pasted into Open WebUI with Bearer in front is kept without it", () => {
    expect(read([{ url: "http://localhost:8000", key: `Bearer ${KEY}`, config: { enable: true } }])).toMatchObject({
      ok: true,
      candidates: [{ input: { key: KEY } }],
    });
  });

  it("an Open WebUI address with a path is read as its origin", () => {
    const result = readOpenWebUiToolServers(
      "http://LOCALHOST:3000/c/abc",
      settingsWith([{ url: "http://localhost:8000", key: KEY, config: { enable: true } }]),
    );
    expect(result).toMatchObject({ ok: true, candidates: [{ input: { openWebUiAddress: ORIGIN } }] });
  });
});

describe("servers that are skipped, each with why", () => {
  const on = { enable: true };
  it.each<{ what: string; item: unknown; reason: UserText; label?: string }>([
    {
      what: "a session server (0.6.3+)",
      item: { url: "http://localhost:8000", auth_type: "session", key: "", config: on },
      reason: ["importSkippedSession"],
    },
    {
      what: "a session server that also has a key",
      item: { url: "http://localhost:8000", auth_type: "session", key: KEY, config: on },
      reason: ["importSkippedSession"],
    },
    {
      what: "a server that needs no key (0.6.27+)",
      item: { url: "http://localhost:8000", auth_type: "none", key: "", config: on },
      reason: ["importSkippedNoAuth"],
    },
    {
      what: "a system OAuth server",
      item: { url: "http://localhost:8000", auth_type: "system_oauth", key: "", config: on },
      reason: ["importSkippedOAuth"],
    },
    {
      what: "an OAuth 2.1 server",
      item: { url: "http://localhost:8000", auth_type: "oauth_2.1", key: "", config: on },
      reason: ["importSkippedOAuth"],
    },
    {
      what: "a static OAuth 2.1 server",
      item: { url: "http://localhost:8000", auth_type: "oauth_2.1_static", key: KEY, config: on },
      reason: ["importSkippedOAuth"],
    },
    {
      what: "an MCP server (0.6.41+)",
      item: { type: "mcp", url: "http://localhost:8000/mcp", auth_type: "bearer", key: KEY, config: on },
      reason: ["importSkippedMcp"],
    },
    {
      what: "a server turned off",
      item: { url: "http://localhost:8000", key: KEY, config: { enable: false } },
      reason: ["importSkippedDisabled"],
    },
    {
      what: "a server without config (Open WebUI does not call it)",
      item: { url: "http://localhost:8000", key: KEY },
      reason: ["importSkippedDisabled"],
    },
    {
      what: "a config without enable",
      item: { url: "http://localhost:8000", key: KEY, config: { access_control: null } },
      reason: ["importSkippedDisabled"],
    },
    {
      what: "a config that is not an object",
      item: { url: "http://localhost:8000", key: KEY, config: "on" },
      reason: ["importSkippedDisabled"],
    },
    { what: "an empty key", item: { url: "http://localhost:8000", key: "", config: on }, reason: ["importSkippedNoKey"] },
    { what: "a key of spaces", item: { url: "http://localhost:8000", key: "   ", config: on }, reason: ["importSkippedNoKey"] },
    { what: "no key at all", item: { url: "http://localhost:8000", config: on }, reason: ["importSkippedNoKey"] },
    { what: "a null key", item: { url: "http://localhost:8000", key: null, config: on }, reason: ["importSkippedNoKey"] },
    {
      what: "an auth type ToolKey does not know",
      item: { url: "http://localhost:8000", auth_type: "api_key", key: KEY, config: on },
      reason: ["importSkippedUnknownAuth", "api_key"],
    },
    {
      what: "a type ToolKey does not know",
      item: { type: "grpc", url: "http://localhost:8000", key: KEY, config: on },
      reason: ["importSkippedUnknownType", "grpc"],
    },
    { what: "a URL that is not http", item: { url: "ftp://localhost/tools", key: KEY, config: on }, reason: ["notHttp", "ftp"] },
    { what: "a URL without a scheme", item: { url: "localhost:8000", key: KEY, config: on }, reason: ["toolServer_noScheme"] },
    { what: "an empty URL", item: { url: "", key: KEY, config: on }, reason: ["toolServer_empty"], label: "" },
    {
      what: "a URL on Open WebUI's own API",
      item: { url: "http://localhost:3000/api/tools", key: KEY, config: on },
      reason: ["toolServer_ownPath", "/api"],
    },
    { what: "the Open WebUI itself", item: { url: "http://localhost:3000", key: KEY, config: on }, reason: ["toolServer_isOpenWebUi"] },
    { what: "a URL with a query", item: { url: "http://localhost:8000/?x=1", key: KEY, config: on }, reason: ["toolServer_query"] },
    {
      what: "a key with a space (its position, never its text)",
      item: { url: "http://localhost:8000", key: "fake-import-key-not a-secret-04", config: on },
      reason: ["key_space", "20"],
    },
    {
      what: "a key with a line break",
      item: { url: "http://localhost:8000", key: "fake-import-key\nnot-a-secret", config: on },
      reason: ["key_control", "16"],
    },
  ])("$what", ({ item, reason, label }) => {
    const url = (item as { url: string }).url;
    expect(read([item])).toStrictEqual({ ok: true, candidates: [], skipped: [{ label: label ?? url.trim(), reason }] });
  });

  it.each<{ what: string; item: unknown; label: string }>([
    { what: "a text", item: "http://localhost:8000", label: "" },
    { what: "null", item: null, label: "" },
    { what: "a list", item: ["http://localhost:8000", KEY], label: "" },
    { what: "a number", item: 8000, label: "" },
    {
      what: "an item without a URL, named by its name",
      item: { key: KEY, config: { enable: true }, info: { name: "Time" } },
      label: "Time",
    },
    { what: "a URL that is a number", item: { url: 8000, key: KEY, config: { enable: true } }, label: "" },
    {
      what: "a key that is a number",
      item: { url: "http://localhost:8000", key: 1234, config: { enable: true } },
      label: "http://localhost:8000",
    },
    {
      what: "a type that is not a text",
      item: { type: 1, url: "http://localhost:8000", key: KEY, config: { enable: true } },
      label: "http://localhost:8000",
    },
    {
      what: "an auth type that is not a text",
      item: { url: "http://localhost:8000", auth_type: ["bearer"], key: KEY, config: { enable: true } },
      label: "http://localhost:8000",
    },
  ])("an unreadable item is skipped with its position: $what", ({ item, label }) => {
    expect(read([{ url: "http://localhost:8000/first", key: KEY, config: { enable: true } }, item])).toMatchObject({
      ok: true,
      candidates: [{ input: { toolServerUrl: "http://localhost:8000/first" } }],
      skipped: [{ label, reason: ["importSkippedMalformed", "2"] }],
    });
  });

  it.each([
    { what: "the same URL", second: "http://localhost:8000/time" },
    { what: "a trailing slash", second: "http://localhost:8000/time/" },
    { what: "upper case", second: "HTTP://LOCALHOST:8000/time" },
  ])("a server listed twice ($what) is imported once, with the first one's key", ({ second }) => {
    expect(
      read([
        { url: "http://localhost:8000/time", key: KEY, config: { enable: true } },
        { url: second, key: KEY_2, config: { enable: true } },
      ]),
    ).toStrictEqual({
      ok: true,
      candidates: [{ label: "http://localhost:8000/time", input: entryInput("http://localhost:8000/time") }],
      skipped: [{ label: second, reason: ["importSkippedTwice"] }],
    });
  });

  it("a turned-off copy does not hide the enabled server listed after it", () => {
    expect(
      read([
        { url: "http://localhost:8000/time", key: KEY_2, config: { enable: false } },
        { url: "http://localhost:8000/time", key: KEY, config: { enable: true } },
      ]),
    ).toMatchObject({
      ok: true,
      candidates: [{ input: entryInput("http://localhost:8000/time") }],
      skipped: [{ reason: ["importSkippedDisabled"] }],
    });
  });
});

describe("replies that import nothing, each with its own plain message", () => {
  const servers = JSON.stringify({ ui: { toolServers: [{ url: "http://localhost:8000", key: KEY, config: { enable: true } }] } });
  it.each<{ what: string; status: number; body: string; problem: UserText }>([
    { what: "signed out (401)", status: 401, body: '{"detail":"Not authenticated"}', problem: ["importSignedOut", ORIGIN] },
    { what: "signed out (403)", status: 403, body: '{"detail":"Not authenticated"}', problem: ["importSignedOut", ORIGIN] },
    { what: "a page that does not exist (404)", status: 404, body: '{"detail":"Not Found"}', problem: ["importNotOpenWebUi", ORIGIN] },
    { what: "a server error (500)", status: 500, body: "Internal Server Error", problem: ["importServerError", ORIGIN, "500"] },
    { what: "a proxy error (502)", status: 502, body: "<html>Bad Gateway</html>", problem: ["importServerError", ORIGIN, "502"] },
    { what: "another status (418)", status: 418, body: servers, problem: ["importUnexpectedStatus", ORIGIN, "418"] },
    { what: "a redirect the caller did not follow", status: 302, body: "", problem: ["importUnexpectedStatus", ORIGIN, "302"] },
    { what: "a body that is not JSON", status: 200, body: "{ui:", problem: ["importNotOpenWebUi", ORIGIN] },
    {
      what: "an HTML page (a sign-in page of a proxy)",
      status: 200,
      body: "<!doctype html><script>alert(1)</script>",
      problem: ["importNotOpenWebUi", ORIGIN],
    },
    { what: "an empty body", status: 200, body: "", problem: ["importNotOpenWebUi", ORIGIN] },
    { what: "a JSON list", status: 200, body: "[]", problem: ["importNotOpenWebUi", ORIGIN] },
    { what: "a JSON text", status: 200, body: '"settings"', problem: ["importNotOpenWebUi", ORIGIN] },
    { what: "ui that is not an object", status: 200, body: '{"ui":"dark"}', problem: ["importNotOpenWebUi", ORIGIN] },
    { what: "ui that is a list", status: 200, body: '{"ui":[]}', problem: ["importNotOpenWebUi", ORIGIN] },
    {
      what: "toolServers that is not a list",
      status: 200,
      body: '{"ui":{"toolServers":{"url":"http://localhost:8000"}}}',
      problem: ["importNotOpenWebUi", ORIGIN],
    },
    {
      what: "toolServers that is a text",
      status: 200,
      body: '{"ui":{"toolServers":"http://localhost:8000"}}',
      problem: ["importNotOpenWebUi", ORIGIN],
    },
    { what: "no settings yet (Open WebUI answers null)", status: 200, body: "null", problem: ["importNoToolServers", ORIGIN] },
    { what: "settings without ui", status: 200, body: '{"system":"be brief"}', problem: ["importNoToolServers", ORIGIN] },
    { what: "ui that is null", status: 200, body: '{"ui":null}', problem: ["importNoToolServers", ORIGIN] },
    { what: "ui without toolServers", status: 200, body: '{"ui":{"chatBubble":true}}', problem: ["importNoToolServers", ORIGIN] },
    { what: "toolServers that is null", status: 200, body: '{"ui":{"toolServers":null}}', problem: ["importNoToolServers", ORIGIN] },
    { what: "an empty toolServers", status: 200, body: '{"ui":{"toolServers":[]}}', problem: ["importNoToolServers", ORIGIN] },
  ])("$what", ({ status, body, problem }) => {
    expect(readOpenWebUiToolServers(ORIGIN, { status, body })).toStrictEqual({ ok: false, problem });
  });

  it.each<{ reply: SettingsReply; problem: UserText }>([
    { reply: { failed: "network" }, problem: ["importUnreachable", ORIGIN] },
    { reply: { failed: "timeout" }, problem: ["importUnreachable", ORIGIN] },
    { reply: { failed: "tooLarge" }, problem: ["importTooLarge", ORIGIN] },
    { reply: { failed: "redirect" }, problem: ["importRedirected", ORIGIN] },
  ])("no answer to read ($reply.failed) says why", ({ reply, problem }) => {
    expect(readOpenWebUiToolServers(ORIGIN, reply)).toStrictEqual({ ok: false, problem });
  });

  it("a 5 MB answer holding a chat background image, as Open WebUI keeps it, still imports its servers", () => {
    const backgroundImageUrl = `data:image/png;base64,${"A".repeat(5 * 1024 * 1024)}`;
    const body = JSON.stringify({
      ui: { backgroundImageUrl, toolServers: [{ url: "http://localhost:8000", key: KEY, config: { enable: true } }] },
    });
    expect(body.length).toBeGreaterThan(5_000_000);
    expect(readOpenWebUiToolServers(ORIGIN, { status: 200, body })).toMatchObject({
      ok: true,
      candidates: [{ input: entryInput("http://localhost:8000") }],
    });
  });

  it("a 5 MB body that is not JSON says it is not Open WebUI", () => {
    expect(readOpenWebUiToolServers(ORIGIN, { status: 200, body: "<p>".repeat(2_000_000) })).toStrictEqual({
      ok: false,
      problem: ["importNotOpenWebUi", ORIGIN],
    });
  });

  it("an address that is not one ToolKey accepts says what is wrong with it", () => {
    expect(readOpenWebUiToolServers("localhost:3000", settingsWith([]))).toStrictEqual({ ok: false, problem: ["openWebUi_noScheme"] });
  });

  it.each(LANGUAGES)("every problem reads in %s with each placeholder filled", (language) => {
    const problems: UserText[] = [
      ["importSignedOut", ORIGIN],
      ["importNotOpenWebUi", ORIGIN],
      ["importServerError", ORIGIN, "502"],
      ["importUnexpectedStatus", ORIGIN, "418"],
      ["importTooLarge", ORIGIN],
      ["importRedirected", ORIGIN],
      ["importUnreachable", ORIGIN],
      ["importNoToolServers", ORIGIN],
    ];
    for (const problem of problems) {
      const shown = render(language, problem);
      expect(shown, problem[0]).toContain(ORIGIN);
      expect(shown, problem[0]).not.toMatch(/\$[A-Z0-9]/);
    }
  });

  it("reads in English as the popup shows it", () => {
    expect(english(["importSignedOut", ORIGIN])).toBe("Sign in to Open WebUI at http://localhost:3000 in this browser, then import again.");
    expect(english(["importServerError", ORIGIN, "502"])).toBe(
      "Open WebUI at http://localhost:3000 had an error (status 502). Nothing was imported; try again later.",
    );
    expect(english(["importRedirected", ORIGIN])).toMatch(/^http:\/\/localhost:3000 answered with a redirect .*sign-in page/);
  });
});

describe(`at most ${MAX_IMPORTED_SERVERS} servers are read, and the review says so beyond that`, () => {
  const server = (i: number) => ({ url: `http://localhost:8000/t${i}`, key: KEY, config: { enable: true } });

  it(`exactly ${MAX_IMPORTED_SERVERS} are all read, with no notice`, () => {
    const result = read(Array.from({ length: MAX_IMPORTED_SERVERS }, (_, i) => server(i)));
    expect(result.ok && result.candidates).toHaveLength(MAX_IMPORTED_SERVERS);
    expect(result).not.toHaveProperty("notice");
  });

  it("of 100,000 only the first are read, and the notice names how many there are and how many were read", () => {
    const result = read(Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? server(i) : { ...server(i), config: { enable: false } })));
    if (!result.ok) throw new Error("the list was refused");
    expect(result.candidates.length + result.skipped.length).toBe(MAX_IMPORTED_SERVERS);
    expect(result.candidates.at(-1)?.input.toolServerUrl).toBe(`http://localhost:8000/t${MAX_IMPORTED_SERVERS - 2}`);
    expect(result.notice).toStrictEqual(["importFirstServers", "100000", String(MAX_IMPORTED_SERVERS)]);
  });

  it.each(LANGUAGES)("the notice reads in %s with both numbers", (language) => {
    const shown = render(language, ["importFirstServers", "100000", String(MAX_IMPORTED_SERVERS)]);
    expect(shown).toContain("100000");
    expect(shown).toContain(String(MAX_IMPORTED_SERVERS));
    expect(shown).not.toMatch(/\$[A-Z0-9]/);
  });

  it("reads in English as the review shows it", () => {
    expect(english(["importFirstServers", "1200", "500"])).toBe("Open WebUI lists 1200 tool servers; ToolKey reads only the first 500.");
  });
});

describe("the request to Open WebUI", () => {
  const loaded: LoadedSettings = { ok: true, settings: { version: SETTINGS_VERSION, entries: [] } };
  const endless = () => {
    const seen = { bytes: 0, cancelled: false };
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        seen.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        seen.cancelled = true;
      },
    });
    return { seen, stream };
  };
  const fetchOf = (reply: Response) => {
    const calls: RequestInit[] = [];
    const fetchFn = (async (_: RequestInfo | URL, init: RequestInit = {}) => {
      calls.push(init);
      return reply;
    }) as typeof fetch;
    return { calls, fetchFn };
  };

  it("goes with Open WebUI's own cookie, follows no redirect, and its review lists what the answer holds", async () => {
    const { calls, fetchFn } = fetchOf(
      new Response(settingsWith([{ url: "http://localhost:8000", key: KEY, config: { enable: true } }]).body),
    );
    const reply = await readOpenWebUi(ORIGIN, loaded, fetchFn);
    expect(reply).toMatchObject({ ok: true, origin: ORIGIN, review: { add: [{ toolServerUrl: "http://localhost:8000" }], count: 1 } });
    expect(reply.ok && reply.review).not.toHaveProperty("notice");
    expect(calls[0]).toMatchObject({
      credentials: "include",
      redirect: "manual",
      cache: "no-store",
      headers: { Accept: "application/json" },
    });
  });

  it("more servers than ToolKey reads: the review carries the notice, and never a key", async () => {
    const servers = Array.from({ length: MAX_IMPORTED_SERVERS + 1 }, (_, i) => ({
      url: `http://localhost:8000/t${i}`,
      key: KEY,
      config: { enable: true },
    }));
    const reply = await readOpenWebUi(ORIGIN, loaded, fetchOf(new Response(settingsWith(servers).body)).fetchFn);
    expect(reply).toMatchObject({ ok: true, review: { count: MAX_IMPORTED_SERVERS, notice: ["importFirstServers", "501", "500"] } });
    expect(JSON.stringify(reply.ok && reply.review)).not.toContain(KEY);
  });

  it("a 2xx body past the cap is too large: not read beyond it, the rest cancelled", async () => {
    const { seen, stream } = endless();
    const reply = await readOpenWebUi(ORIGIN, loaded, fetchOf(new Response(stream)).fetchFn);
    expect(reply).toStrictEqual({ ok: false, problem: ["importTooLarge", ORIGIN] });
    expect(seen.bytes).toBeLessThanOrEqual(MAX_SETTINGS_REPLY_BYTES + 3 * 1024 * 1024);
    expect(seen.cancelled).toBe(true);
  });

  it("a status says more than a huge body: signed out stays signed out, and the body is not read", async () => {
    const { seen, stream } = endless();
    const reply = await readOpenWebUi(ORIGIN, loaded, fetchOf(new Response(stream, { status: 401 })).fetchFn);
    expect(reply).toStrictEqual({ ok: false, problem: ["importSignedOut", ORIGIN] });
    expect(seen.cancelled).toBe(true);
  });
});

describe("labels are plain text, short, and never hold a key", () => {
  const named = (name: unknown, url = "http://localhost:8000") => read([{ url, key: KEY, config: { enable: true }, info: { name } }]);
  const labelOf = (result: ReturnType<typeof read>) => (result.ok ? (result.candidates[0] ?? result.skipped[0])?.label : undefined);

  it.each([
    { what: "HTML stays text", name: '<img src=x onerror="alert(1)">Time', label: '<img src=x onerror="alert(1)">Time' },
    { what: "a script stays text", name: "<script>alert(document.cookie)</script>", label: "<script>alert(document.cookie)</script>" },
    { what: "control characters go", name: "Ti\u0000me\u0007\u001b[31m", label: "Ti me [31m" },
    { what: "line breaks become spaces", name: "Time\r\n\tserver", label: "Time server" },
    { what: "characters that reorder the text go", name: "Time\u202egnp.exe", label: "Time gnp.exe" },
    { what: "spaces around go", name: "  Time  ", label: "Time" },
    { what: "an empty name gives the URL", name: "", label: "http://localhost:8000" },
    { what: "a name that is not a text gives the URL", name: { en: "Time" }, label: "http://localhost:8000" },
    { what: "a name holding the key hides the key", name: `Time ${KEY}`, label: "Time •••" },
  ])("$what", ({ name, label }) => {
    expect(labelOf(named(name))).toBe(label);
  });

  it(`a long name is cut to ${MAX_LABEL_LENGTH} characters with an ellipsis`, () => {
    const label = labelOf(named("T".repeat(10_000))) ?? "";
    expect(Array.from(label)).toHaveLength(MAX_LABEL_LENGTH);
    expect(label.endsWith("…")).toBe(true);
  });

  it("cutting never splits a character made of two UTF-16 units", () => {
    const label = displayLabel("🔧".repeat(200));
    expect(label).toBe(`${"🔧".repeat(MAX_LABEL_LENGTH - 1)}…`);
  });

  it.each([
    {
      what: "HTML in the path is percent-encoded by the URL parser: the server is kept",
      url: "http://localhost:8000/<script>alert(1)</script>",
      kept: true,
    },
    { what: "a javascript: URL is refused", url: "javascript:alert(1)", kept: false },
    { what: "a data: URL is refused", url: "data:text/html,<script>alert(1)</script>", kept: false },
    { what: "a quote and a tag in the host are refused", url: 'http://"><img src=x>/', kept: false },
  ])("$what, as validation decides, and the label shows the URL as text", ({ url, kept }) => {
    const result = read([{ url, key: KEY, config: { enable: true } }]);
    const expected = validateEntryInput(entryInput(url));
    expect(expected.ok).toBe(kept);
    if (expected.ok) {
      expect(result).toStrictEqual({
        ok: true,
        candidates: [{ label: url, input: entryInput(expected.fields.toolServerUrl) }],
        skipped: [],
      });
    } else {
      expect(result).toMatchObject({ ok: true, candidates: [], skipped: [{ label: url }] });
    }
  });

  it("a key in the URL's query is hidden in the label of the refused server", () => {
    expect(read([{ url: `http://localhost:8000/?api_key=${KEY}`, key: KEY, config: { enable: true } }])).toStrictEqual({
      ok: true,
      candidates: [],
      skipped: [{ label: "http://localhost:8000/?api_key=•••", reason: ["toolServer_query"] }],
    });
  });

  it("a user name and password in the URL are left out of the label", () => {
    expect(read([{ url: "http://admin:hunter2@localhost:8000", key: KEY, config: { enable: true } }])).toStrictEqual({
      ok: true,
      candidates: [],
      skipped: [{ label: "http://localhost:8000", reason: ["toolServer_credentials"] }],
    });
  });

  it("an unknown kind is quoted short, without control characters", () => {
    expect(
      read([{ url: "http://localhost:8000", auth_type: `x\u0000${"y".repeat(100)}`, key: KEY, config: { enable: true } }]),
    ).toMatchObject({
      ok: true,
      skipped: [{ reason: ["importSkippedUnknownAuth", `x ${"y".repeat(37)}…`] }],
    });
  });
});

describe("no key reaches anything meant for display", () => {
  /** Every kind of item at once, each with a key somewhere it could leak from. */
  const everything = [
    ...BY_VERSION.map(({ item }, index) => ({ ...item, url: `http://localhost:8000/v${index}` })),
    { url: "http://localhost:8000/session", auth_type: "session", key: KEY_2, config: { enable: true } },
    { url: "http://localhost:8000/none", auth_type: "none", key: KEY_2, config: { enable: true } },
    { url: "http://localhost:8000/oauth", auth_type: "oauth_2.1", key: KEY_2, config: { enable: true } },
    { type: "mcp", url: "http://localhost:8000/mcp", key: KEY_2, config: { enable: true } },
    { url: "http://localhost:8000/off", key: KEY_2, config: { enable: false } },
    { url: "http://localhost:8000/space", key: "fake-import-key-not a-secret-04", config: { enable: true } },
    { url: "http://localhost:8000/v0", key: KEY_2, config: { enable: true } },
    { url: `http://localhost:8000/?k=${KEY_2}`, key: KEY_2, config: { enable: true } },
    { url: "http://localhost:8000/named", key: KEY_2, config: { enable: true }, info: { name: `key ${KEY_2}` } },
    { url: "http://localhost:8000/kind", auth_type: KEY_2, key: KEY_2, config: { enable: true } },
    { type: KEY_2, url: "http://localhost:8000/type", key: KEY_2, config: { enable: true } },
    {
      url: "http://localhost:8000/bearer",
      key: `Bearer ${"fake-import-key-not-a-secret-05"}`,
      config: { enable: true },
      info: { name: "fake-import-key-not-a-secret-05" },
    },
    "fake-import-key-not-a-secret-03",
  ];

  it("neither the labels of imported servers nor the skipped list holds a key", () => {
    const result = read(everything);
    if (!result.ok) throw new Error("the list was refused");
    expect(result.candidates.length).toBeGreaterThan(4);
    expect(result.skipped.length).toBeGreaterThan(10);
    const shown = JSON.stringify([result.candidates.map(({ label }) => label), result.skipped]);
    for (const key of ALL_KEYS) expect(shown).not.toContain(key);
    for (const language of LANGUAGES) {
      const texts = result.skipped.map(({ reason }) => render(language, reason)).join("\n");
      for (const key of ALL_KEYS) expect(texts).not.toContain(key);
    }
  });
});
