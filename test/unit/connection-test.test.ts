import { afterEach, describe, expect, it, vi } from "vitest";
import { runConnectionTest } from "../../src/background/connection-test.ts";
import {
  type ConnectionReport,
  corsWarning,
  failureReport,
  isBlockedAsMixedContent,
  keyStatusReport,
  MAX_SPEC_BYTES,
  MAX_TITLE_LENGTH,
  readSpec,
  sanitiseTitle,
  specStatusReport,
  TEST_TIMEOUT_MS,
} from "../../src/core/connection-test.ts";
import type { Entry } from "../../src/core/entry.ts";
import { specText } from "../../src/core/spec-text.ts";
import type { UserText } from "../../src/core/user-text.ts";
import { LANGUAGES, render } from "../locales.ts";
import { fakeFetch, makeEntry } from "./fixtures.ts";

/** Obviously fake; finding it in a report means the report leaked the key. */
const KEY = "fake-test-key-not-a-secret-01";
const TOOLS = "http://localhost:8000/time";

/** An mcpo-like spec: each tool a POST whose body is a `$ref` to `<tool>_form_model`. */
function mcpoSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "mcp-time", version: "1.0" },
    paths: {
      "/get_current_time": {
        post: {
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/get_current_time_form_model" } } },
          },
        },
      },
    },
    components: {
      schemas: { get_current_time_form_model: { type: "object", properties: { timezone: { type: "string" } }, required: ["timezone"] } },
    },
    ...overrides,
  };
}

/** A POST operation whose JSON body has this schema. */
function postWith(schema: unknown): Record<string, unknown> {
  return { post: { requestBody: { content: { "application/json": { schema } } } } };
}

describe("isBlockedAsMixedContent", () => {
  it.each([
    ["https://chat.example.com", "http://tools.example.com", true],
    ["https://chat.example.com", "http://192.168.1.5:8000/time", true],
    ["https://chat.example.com", "http://localhost.example.com", true],
    ["https://chat.example.com", "http://localhost:8000", false],
    ["https://chat.example.com", "http://tools.localhost:8000", false],
    ["https://chat.example.com", "http://127.0.0.1:8000", false],
    ["https://chat.example.com", "http://127.8.9.10", false],
    ["https://chat.example.com", "http://[::1]:8000", false],
    ["https://chat.example.com", "https://tools.example.com", false],
    ["http://localhost:3000", "http://tools.example.com", false],
    ["http://chat.example.com", "https://tools.example.com", false],
  ])("an Open WebUI at %s calling %s is blocked: %s", (openWebUi, toolServer, blocked) => {
    expect(isBlockedAsMixedContent(openWebUi, toolServer)).toBe(blocked);
  });
});

describe("sanitiseTitle", () => {
  it.each([
    ["mcp-time", "mcp-time"],
    ["  Time\n\tserver  ", "Time server"],
    ["a\u0000b\u0007c\u007fd\u009be", "a b c d e"],
    ["evil\u202egnp.exe", "evil gnp.exe"],
    ["<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"],
    ["<script>alert('x')</script>", "<script>alert('x')</script>"],
    ["时间服务器", "时间服务器"],
    ["", ""],
  ])("%j reads as the plain text %j", (raw, shown) => {
    expect(sanitiseTitle(raw)).toBe(shown);
  });

  it.each([[42], [null], [undefined], [{ toString: "x" }], [["a"]], [true]])("a title that is not a string (%j) is empty", (raw) => {
    expect(sanitiseTitle(raw)).toBe("");
  });

  it("a long title is cut to the limit with an ellipsis, never inside a character", () => {
    const shown = sanitiseTitle("😀".repeat(500));
    expect([...shown]).toHaveLength(MAX_TITLE_LENGTH);
    expect(shown.endsWith("😀…")).toBe(true);
    expect(sanitiseTitle("x".repeat(MAX_TITLE_LENGTH))).toBe("x".repeat(MAX_TITLE_LENGTH));
  });

  it("a title that holds the key shows it hidden", () => {
    expect(sanitiseTitle(`Key ${KEY} accepted`, [KEY])).toBe("Key ••• accepted");
    expect(sanitiseTitle("no key here", [""])).toBe("no key here");
  });
});

describe("readSpec", () => {
  it("reads an mcpo spec: its title, its tools and the tool that can check the key", () => {
    expect(readSpec(mcpoSpec(), TOOLS)).toStrictEqual({
      ok: true,
      spec: { title: "mcp-time", toolCount: 1 },
      keyCheck: { method: "POST", url: "http://localhost:8000/time/get_current_time" },
    });
  });

  it.each([
    ["null", null],
    ["a string", "openapi"],
    ["a number", 3],
    ["an array", [mcpoSpec()]],
    ["an object without openapi or swagger", { paths: {} }],
    ["an openapi that is not a string", { openapi: 3, paths: {} }],
    ["paths missing", { openapi: "3.1.0" }],
    ["paths an array", { openapi: "3.1.0", paths: [{ post: {} }] }],
    ["paths a string", { openapi: "3.1.0", paths: "/x" }],
    ["an HTML page's text", "<html>Open WebUI</html>"],
  ])("%s is not an OpenAPI spec", (_, document) => {
    expect(readSpec(document, TOOLS)).toStrictEqual({ ok: false });
  });

  it.each([
    ["no info", { info: undefined }],
    ["info a string", { info: "mcp-time" }],
    ["a title that is a number", { info: { title: 7 } }],
    ["a title that is an object", { info: { title: { text: "x" } } }],
  ])("a spec with %s has an empty title and still counts its tools", (_, overrides) => {
    expect(readSpec(mcpoSpec(overrides), TOOLS)).toMatchObject({ ok: true, spec: { title: "", toolCount: 1 } });
  });

  it("counts operations, not the other fields of a path or paths that are not objects", () => {
    const paths = {
      "/a": { get: {}, post: {}, parameters: [], summary: "x", servers: {} },
      "/b": { delete: {}, patch: "not an operation", head: {} },
      "/c": null,
      "/d": "text",
      "/e": [{ get: {} }],
    };
    expect(readSpec({ openapi: "3.0.0", paths }, TOOLS)).toStrictEqual({ ok: true, spec: { title: "", toolCount: 4 } });
  });

  it("a spec with 100,000 paths (a 5 MB spec holds about twice that) is counted in full", () => {
    const paths = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`/t${i}`, { post: {} }]));
    expect(readSpec({ openapi: "3.1.0", paths }, TOOLS)).toStrictEqual({ ok: true, spec: { title: "", toolCount: 100_000 } });
  });

  it("a swagger 2 document is read too", () => {
    expect(readSpec({ swagger: "2.0", info: { title: "old" }, paths: { "/a": { get: {} } } }, TOOLS)).toStrictEqual({
      ok: true,
      spec: { title: "old", toolCount: 1 },
    });
  });

  const schemas = { X: { required: ["a"] }, Loop: { $ref: "#/components/schemas/Loop" }, Ping: { $ref: "#/components/schemas/Pong" } };
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string | undefined]>([
    ["a schema with required fields inline", { "/run": postWith({ required: ["a"] }) }, {}, "/run"],
    ["a $ref one level deep", { "/run": postWith({ $ref: "#/components/schemas/X" }) }, {}, "/run"],
    ["a $ref to a $ref", { "/run": postWith({ $ref: "#/components/schemas/Y" }) }, { Y: { $ref: "#/components/schemas/X" } }, "/run"],
    ["a request body that is itself a $ref", { "/run": { put: { requestBody: { $ref: "#/components/requestBodies/B" } } } }, {}, "/run"],
    ["no required list", { "/run": postWith({ properties: { a: {} } }) }, {}, undefined],
    ["an empty required list", { "/run": postWith({ required: [] }) }, {}, undefined],
    ["a required list without names", { "/run": postWith({ required: [1, null] }) }, {}, undefined],
    ["a required list that is not a list", { "/run": postWith({ required: "a" }) }, {}, undefined],
    [
      "required fields only on a GET",
      { "/run": { get: { requestBody: { content: { "application/json": { schema: { required: ["a"] } } } } } } },
      {},
      undefined,
    ],
    [
      "a body that is not JSON",
      { "/run": { post: { requestBody: { content: { "text/plain": { schema: { required: ["a"] } } } } } } },
      {},
      undefined,
    ],
    ["no request body", { "/run": { post: {} } }, {}, undefined],
    ["a $ref that points to itself", { "/run": postWith({ $ref: "#/components/schemas/Loop" }) }, {}, undefined],
    [
      "two $refs that point to each other",
      { "/run": postWith({ $ref: "#/components/schemas/Ping" }) },
      { Pong: { $ref: "#/components/schemas/Ping" } },
      undefined,
    ],
    [
      "a $ref chain longer than three",
      { "/run": postWith({ $ref: "#/components/schemas/A" }) },
      { A: { $ref: "#/components/schemas/B" }, B: { $ref: "#/components/schemas/C" }, C: { $ref: "#/components/schemas/X" } },
      undefined,
    ],
    ["a $ref to nothing", { "/run": postWith({ $ref: "#/components/schemas/Missing" }) }, {}, undefined],
    ["a $ref to another document", { "/run": postWith({ $ref: "https://evil.example/schema.json" }) }, {}, undefined],
    ["a $ref into the prototype", { "/run": postWith({ $ref: "#/components/schemas/constructor" }) }, {}, undefined],
    ["a path with a template", { "/items/{id}": postWith({ required: ["a"] }) }, {}, undefined],
    ["a path with a query", { "/run?debug=1": postWith({ required: ["a"] }) }, {}, undefined],
    ["a path that names another host", { "@evil.example/run": postWith({ required: ["a"] }) }, {}, undefined],
    ["a path that starts with //", { "//evil.example/run": postWith({ required: ["a"] }) }, {}, "//evil.example/run"],
    ["a path that climbs out of the prefix", { "/../other/run": postWith({ required: ["a"] }) }, {}, undefined],
    ["a path with a backslash", { "/\\evil.example/run": postWith({ required: ["a"] }) }, {}, undefined],
    [
      "a first tool without and a second with required fields",
      { "/now": postWith({}), "/convert": postWith({ required: ["a"] }) },
      {},
      "/convert",
    ],
  ])("%s", (_, paths, extraSchemas, path) => {
    const components = {
      schemas: { ...schemas, ...extraSchemas },
      requestBodies: { B: { content: { "application/json": { schema: { required: ["a"] } } } } },
    };
    const read = readSpec({ openapi: "3.1.0", paths, components }, TOOLS);
    expect(read.ok).toBe(true);
    const keyCheck = read.ok ? read.keyCheck : undefined;
    if (path === undefined) expect(keyCheck).toBeUndefined();
    else expect(keyCheck?.url).toBe(new URL(`${TOOLS}${path}`).href);
    // The key goes only to the tool server, under its path.
    if (keyCheck !== undefined) expect(keyCheck.url.startsWith(`${TOOLS}/`)).toBe(true);
  });

  it("uses the operation's own method", () => {
    const read = readSpec({ openapi: "3.1.0", paths: { "/run": { patch: postWith({ required: ["a"] }).post } } }, TOOLS);
    expect(read).toMatchObject({ keyCheck: { method: "PATCH" } });
  });
});

describe("what a status means", () => {
  it.each<[number, ConnectionReport["outcome"], UserText]>([
    [401, "fail", ["testNoKey"]],
    [403, "fail", ["testKeyRejected"]],
    [422, "pass", ["testKeyAccepted"]],
    [200, "pass", ["testKeyAccepted"]],
    [204, "pass", ["testKeyAccepted"]],
    [404, "unknown", ["testUnexpectedStatus", "404"]],
    [405, "unknown", ["testUnexpectedStatus", "405"]],
    [400, "unknown", ["testUnexpectedStatus", "400"]],
    [500, "fail", ["testServerError", "500"]],
    [502, "fail", ["testServerError", "502"]],
  ])("the key check answered %i: %s", (status, outcome, verdict) => {
    const spec = { title: "t", toolCount: 1 };
    expect(keyStatusReport(status, spec)).toStrictEqual({ outcome, verdict, warnings: [], spec });
  });

  it.each<[number, UserText]>([
    [401, ["testNoKey"]],
    [403, ["testKeyRejected"]],
    [404, ["testSpecNotFound", `${TOOLS}/openapi.json`]],
    [500, ["testServerError", "500"]],
    [503, ["testServerError", "503"]],
    [400, ["testUnexpectedStatus", "400"]],
    [418, ["testUnexpectedStatus", "418"]],
  ])("the spec answered %i", (status, verdict) => {
    expect(specStatusReport(status, TOOLS)).toStrictEqual({ outcome: "fail", verdict, warnings: [] });
  });
});

describe("failureReport", () => {
  it.each<[string, Parameters<typeof failureReport>[0], string, UserText]>([
    ["a failed request", "network", "http://localhost:8000/time", ["testUnreachable", "localhost:8000"]],
    [
      "a failed https request, which may be a certificate the browser does not trust",
      "network",
      "https://tools.example.com",
      ["testUnreachableHttps", "tools.example.com", "https://tools.example.com/openapi.json"],
    ],
    ["the timeout", "timeout", "http://localhost:8000", ["testTimeout", "localhost:8000", String(TEST_TIMEOUT_MS / 1000)]],
    ["a redirect, which names the request redirected", "redirect", "http://localhost:8000", ["testRedirect", "http://localhost:8000/run"]],
    ["a spec over the cap", "tooLarge", "http://localhost:8000", ["testSpecTooLarge", String(MAX_SPEC_BYTES / 1024 / 1024)]],
  ])("%s", (_, why, toolServer, verdict) => {
    expect(failureReport(why, "http://localhost:8000/run", toolServer)).toStrictEqual({ outcome: "fail", verdict, warnings: [] });
  });

  it("keeps what the spec said when the key check is the request that failed", () => {
    const spec = { title: "mcp-time", toolCount: 1 };
    expect(failureReport("timeout", "http://localhost:8000/run", "http://localhost:8000", spec)).toStrictEqual({
      outcome: "fail",
      verdict: ["testTimeout", "localhost:8000", "10"],
      warnings: [],
      spec,
    });
  });
});

describe("corsWarning", () => {
  it.each([
    ["a reply without CORS headers from another origin", "http://localhost:3000", "http://localhost:8000", null, ["testNoCors"]],
    ["a reply that allows any origin", "http://localhost:3000", "http://localhost:8000", "*", undefined],
    ["a reply that echoes the origin", "http://localhost:3000", "http://localhost:8000", "chrome-extension://abc", undefined],
    ["a tool server on the Open WebUI's own origin", "https://chat.example.com", "https://chat.example.com/tools", null, undefined],
  ])("%s", (_, openWebUi, toolServer, allowOrigin, warning) => {
    expect(corsWarning(openWebUi, toolServer, allowOrigin)).toStrictEqual(warning);
  });
});

describe("specText", () => {
  it("names the title and the number of tools, or says there is no title", () => {
    expect(specText({ title: "mcp-time", toolCount: 2 })).toStrictEqual(["testSpec", "mcp-time", "2"]);
    expect(specText({ title: "", toolCount: 0 })).toStrictEqual(["testSpecUntitled", "0"]);
  });
});

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const cors = { "access-control-allow-origin": "*" };
const redirect = () => ({ type: "opaqueredirect", status: 0, ok: false, headers: new Headers(), body: null }) as unknown as Response;

/** Runs a test and checks that its report, whatever it says, does not hold the key. */
async function run(entry: Entry, fetchFn: typeof fetch): Promise<ConnectionReport> {
  const report = await runConnectionTest(entry, fetchFn);
  expect(JSON.stringify(report)).not.toContain(KEY);
  return report;
}

describe("runConnectionTest", () => {
  const entry = makeEntry({ openWebUiOrigin: "http://localhost:3000", toolServerUrl: TOOLS, key: KEY });
  afterEach(() => vi.useRealTimers());

  it("reads the spec with the entry's header, then posts {} to a tool with required fields: 422 is a key accepted", async () => {
    const { calls, fetchFn } = fakeFetch(json(mcpoSpec(), 200, cors), json({ detail: [] }, 422, cors));
    const report = await run(entry, fetchFn);
    expect(report).toStrictEqual({
      outcome: "pass",
      verdict: ["testKeyAccepted"],
      warnings: [],
      spec: { title: "mcp-time", toolCount: 1 },
    });
    expect(calls.map(({ url, init }) => [url, init.method ?? "GET", init.headers, init.body])).toStrictEqual([
      [`${TOOLS}/openapi.json`, "GET", { Authorization: `Bearer ${KEY}` }, undefined],
      [`${TOOLS}/get_current_time`, "POST", { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" }, "{}"],
    ]);
    for (const { init } of calls) {
      expect(init).toMatchObject({ credentials: "omit", redirect: "manual", cache: "no-store" });
      expect(init.signal).toBeInstanceOf(AbortSignal);
    }
  });

  it("sends the key alone in the entry's own header when the scheme is empty", async () => {
    const { calls, fetchFn } = fakeFetch(json(mcpoSpec()), json({}, 422, cors));
    await run({ ...entry, headerName: "X-API-Key", scheme: "" }, fetchFn);
    expect(calls[1]?.init.headers).toStrictEqual({ "X-API-Key": KEY, "Content-Type": "application/json" });
  });

  it.each<[number, UserText]>([
    [401, ["testNoKey"]],
    [403, ["testKeyRejected"]],
  ])("a key check answered %i says so, with the spec it read", async (status, verdict) => {
    const { fetchFn } = fakeFetch(json(mcpoSpec()), json({ detail: "x" }, status, cors));
    expect(await run(entry, fetchFn)).toStrictEqual({ outcome: "fail", verdict, warnings: [], spec: { title: "mcp-time", toolCount: 1 } });
  });

  it("a reply without CORS headers from another origin adds a warning", async () => {
    const { fetchFn } = fakeFetch(json(mcpoSpec()), json({ detail: "Invalid API key" }, 403));
    const report = await run(entry, fetchFn);
    expect(report).toMatchObject({ verdict: ["testKeyRejected"], warnings: [["testNoCors"]] });
  });

  it("never calls a tool when none has required fields", async () => {
    const spec = mcpoSpec({ paths: { "/now": postWith({ properties: {} }), "/items/{id}": postWith({ required: ["a"] }) } });
    const { calls, fetchFn } = fakeFetch(json(spec));
    const report = await run(entry, fetchFn);
    expect(report).toStrictEqual({
      outcome: "unknown",
      verdict: ["testKeyUnchecked"],
      warnings: [],
      spec: { title: "mcp-time", toolCount: 2 },
    });
    expect(calls).toHaveLength(1);
  });

  it.each<[string, () => Response | Error, UserText]>([
    ["a spec guarded by the key (mcpo --strict-auth), without it", () => json({}, 401), ["testNoKey"]],
    ["a spec guarded by the key, with a wrong one", () => json({}, 403), ["testKeyRejected"]],
    ["no spec", () => json({ detail: "Not Found" }, 404), ["testSpecNotFound", `${TOOLS}/openapi.json`]],
    ["a server error", () => new Response("<h1>oops</h1>", { status: 500 }), ["testServerError", "500"]],
    ["an HTML page", () => new Response("<html><script>alert(1)</script></html>"), ["testNotOpenApi", `${TOOLS}/openapi.json`]],
    ["JSON that is not a spec", () => json({ paths: "none" }), ["testNotOpenApi", `${TOOLS}/openapi.json`]],
    ["an empty body", () => new Response(null), ["testNotOpenApi", `${TOOLS}/openapi.json`]],
    ["a redirect", redirect, ["testRedirect", `${TOOLS}/openapi.json`]],
    ["a refused connection", () => new TypeError("Failed to fetch"), ["testUnreachable", "localhost:8000"]],
  ])("%s gets its own answer and no tool request", async (_, reply, verdict) => {
    const { calls, fetchFn } = fakeFetch(reply());
    expect(await run(entry, fetchFn)).toStrictEqual({ outcome: "fail", verdict, warnings: [] });
    expect(calls).toHaveLength(1);
  });

  it("a redirect on the key check is reported, not followed", async () => {
    const { calls, fetchFn } = fakeFetch(json(mcpoSpec()), redirect);
    expect(await run(entry, fetchFn)).toMatchObject({ outcome: "fail", verdict: ["testRedirect", `${TOOLS}/get_current_time`] });
    expect(calls).toHaveLength(2);
  });

  it("a spec over the size limit is refused after reading just past the limit, and the rest is cancelled", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const { fetchFn } = fakeFetch(new Response(endless));
    expect(await run(entry, fetchFn)).toStrictEqual({ outcome: "fail", verdict: ["testSpecTooLarge", "5"], warnings: [] });
    expect(pulled * chunk.byteLength).toBeLessThanOrEqual(MAX_SPEC_BYTES + 3 * chunk.byteLength);
    expect(cancelled).toBe(true);
  });

  it("a server that never answers times out with its own message", async () => {
    vi.useFakeTimers();
    const fetchFn = ((_: string, init: RequestInit) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      })) as typeof fetch;
    const running = run(entry, fetchFn);
    await vi.advanceTimersByTimeAsync(TEST_TIMEOUT_MS);
    expect(await running).toStrictEqual({ outcome: "fail", verdict: ["testTimeout", "localhost:8000", "10"], warnings: [] });
  });

  it("an https Open WebUI with a plain-http tool server elsewhere is explained without any request", async () => {
    const { calls, fetchFn } = fakeFetch();
    const report = await run({ ...entry, openWebUiOrigin: "https://chat.example.com", toolServerUrl: "http://tools.example.com" }, fetchFn);
    expect(report).toStrictEqual({ outcome: "fail", verdict: ["testMixedContent"], warnings: [] });
    expect(calls).toHaveLength(0);
  });

  it.each<[string, Error | (() => Response), UserText]>([
    ["a refused connection", new TypeError("Failed to fetch"), ["testUnreachable", "localhost:8000"]],
    ["a redirect", redirect, ["testRedirect", `${TOOLS}/get_current_time`]],
  ])("a key check that meets %s says so beside what the spec said", async (_, reply, verdict) => {
    const { fetchFn } = fakeFetch(json(mcpoSpec()), reply);
    expect(await run(entry, fetchFn)).toStrictEqual({ outcome: "fail", verdict, warnings: [], spec: { title: "mcp-time", toolCount: 1 } });
  });

  it("a spec whose title echoes the key shows the title with the key hidden", async () => {
    const { fetchFn } = fakeFetch(json(mcpoSpec({ info: { title: `Bearer ${KEY}` } })), json({}, 422));
    expect((await run(entry, fetchFn)).spec?.title).toBe("Bearer •••");
  });

  it("a hostile title arrives as capped plain text", async () => {
    const title = `<script>alert("x")</script>\u0000${"x".repeat(300)}`;
    const { fetchFn } = fakeFetch(json(mcpoSpec({ info: { title } })), json({}, 422));
    const report = await run(entry, fetchFn);
    expect(report.spec?.title).toHaveLength(MAX_TITLE_LENGTH);
    expect(report.spec?.title.startsWith("<script>")).toBe(true);
  });
});

describe("the texts of a test", () => {
  const texts: UserText[] = [
    ["testMixedContent"],
    specText({ title: "<b>mcp-time</b>", toolCount: 2 }),
    specText({ title: "", toolCount: 0 }),
    ["testSpecTooLarge", "5"],
    specStatusReport(404, TOOLS).verdict,
    ["testNotOpenApi", `${TOOLS}/openapi.json`],
    specStatusReport(500, TOOLS).verdict,
    keyStatusReport(405).verdict,
    ["testRedirect", `${TOOLS}/openapi.json`],
    keyStatusReport(401).verdict,
    keyStatusReport(403).verdict,
    keyStatusReport(422).verdict,
    ["testKeyUnchecked"],
    failureReport("network", TOOLS, TOOLS).verdict,
    failureReport("network", TOOLS, "https://tools.example.com").verdict,
    failureReport("timeout", TOOLS, TOOLS).verdict,
    ["testNoCors"],
  ];

  it.each(LANGUAGES)("read in %s with every placeholder filled", (language) => {
    for (const text of texts) expect(render(language, text), text.join(" ")).not.toMatch(/\$[A-Z0-9]|^$/);
  });

  it("read in English as the popup shows them", () => {
    expect(render("en", keyStatusReport(403).verdict)).toBe("The server rejected the key: it is wrong or was rotated.");
    expect(render("en", failureReport("network", TOOLS, TOOLS).verdict)).toBe("Could not reach localhost:8000: is the server running?");
    expect(render("zh_CN", specText({ title: "mcp-time", toolCount: 2 }))).toBe("OpenAPI 规范“mcp-time”；工具数：2。");
  });
});
