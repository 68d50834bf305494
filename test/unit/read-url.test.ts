import { afterEach, describe, expect, it, vi } from "vitest";
import { runConnectionTest } from "../../src/background/connection-test.ts";
import { readOpenWebUi } from "../../src/background/open-webui-import.ts";
import { type ReadUrlOptions, readUrl } from "../../src/background/read-url.ts";
import { fetchVersion } from "../../src/background/versions.ts";
import { TEST_TIMEOUT_MS } from "../../src/core/connection-test.ts";
import { type LoadedSettings, SETTINGS_VERSION } from "../../src/core/settings.ts";
import { type FetchReply, fakeFetch, makeEntry } from "./fixtures.ts";

/** Obviously fake; finding it in a result means the result leaked the key. */
const KEY = "fake-key-read-url-not-a-secret-01";
const URL_READ = "http://localhost:8000/time/openapi.json";
const LIMIT = 1024;

/** What a browser's opaque-redirect reply looks like to the extension: no status, no headers, no body. */
const opaqueRedirect = () => ({ type: "opaqueredirect", status: 0, ok: false, headers: new Headers(), body: null }) as unknown as Response;

/** A fetch that answers only when aborted, as a real one does when its signal fires. */
const neverAnswers = (init: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
  });

/** A body that sends `chunk` for as long as it is read, and records how much was pulled and whether it was cancelled. */
function endlessBody(chunk: Uint8Array) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulled++;
      controller.enqueue(chunk);
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { seen, stream };
}

const options = (fetchFn: typeof fetch, more: Partial<ReadUrlOptions> = {}): ReadUrlOptions => ({
  credentials: "omit",
  timeoutMs: TEST_TIMEOUT_MS,
  maxBytes: LIMIT,
  headers: { Authorization: `Bearer ${KEY}` },
  fetchFn,
  ...more,
});

describe("readUrl", () => {
  afterEach(() => vi.useRealTimers());

  it("reads a 2xx reply's status, headers and body, without following redirects, caches or a cookie unless asked", async () => {
    const { calls, fetchFn } = fakeFetch(new Response('{"openapi":"3.1.0"}', { headers: { "access-control-allow-origin": "*" } }));
    const read = await readUrl(URL_READ, options(fetchFn));
    expect(read).toMatchObject({ ok: true, status: 200, body: '{"openapi":"3.1.0"}' });
    expect(read.ok && read.headers.get("access-control-allow-origin")).toBe("*");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init).toMatchObject({ credentials: "omit", redirect: "manual", cache: "no-store" });
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it("passes the method, headers, body and credentials it is given", async () => {
    const { calls, fetchFn } = fakeFetch(new Response(null, { status: 422 }));
    await readUrl(URL_READ, options(fetchFn, { credentials: "include", method: "POST", body: "{}" }));
    expect(calls[0]?.init).toMatchObject({
      credentials: "include",
      method: "POST",
      body: "{}",
      headers: { Authorization: `Bearer ${KEY}` },
    });
  });

  it("a reply that is not 2xx comes back with its status and without its body, which is let go unread", async () => {
    const { seen, stream } = endlessBody(new Uint8Array(LIMIT).fill(0x20));
    const { fetchFn } = fakeFetch(new Response(stream, { status: 401 }));
    expect(await readUrl(URL_READ, options(fetchFn))).toMatchObject({ ok: true, status: 401, body: "" });
    expect(seen.cancelled).toBe(true);
  });

  it("with a cap of 0 only the status and headers are read, whatever the body", async () => {
    const { seen, stream } = endlessBody(new Uint8Array(LIMIT).fill(0x20));
    const { fetchFn } = fakeFetch(new Response(stream, { status: 200 }));
    expect(await readUrl(URL_READ, options(fetchFn, { maxBytes: 0 }))).toMatchObject({ ok: true, status: 200, body: "" });
    expect(seen.cancelled).toBe(true);
  });

  it("a body of exactly the cap is read in full", async () => {
    const { fetchFn } = fakeFetch(new Response("x".repeat(LIMIT)));
    expect(await readUrl(URL_READ, options(fetchFn))).toMatchObject({ ok: true, body: "x".repeat(LIMIT) });
  });

  it("a streamed body past the cap is too large: reading stops just past it and the rest is cancelled", async () => {
    const chunk = new Uint8Array(256).fill(0x20);
    const { seen, stream } = endlessBody(chunk);
    const { fetchFn } = fakeFetch(new Response(stream));
    expect(await readUrl(URL_READ, options(fetchFn))).toStrictEqual({ ok: false, why: "tooLarge" });
    expect(seen.pulled * chunk.byteLength).toBeLessThanOrEqual(LIMIT + 3 * chunk.byteLength);
    expect(seen.cancelled).toBe(true);
  });

  it("the cap counts bytes, not characters", async () => {
    const { fetchFn } = fakeFetch(new Response("时".repeat(LIMIT / 2)));
    expect(await readUrl(URL_READ, options(fetchFn))).toStrictEqual({ ok: false, why: "tooLarge" });
  });

  it("a character split across two chunks reads whole", async () => {
    const bytes = new TextEncoder().encode('{"title":"时间"}');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 11));
        controller.enqueue(bytes.slice(11));
        controller.close();
      },
    });
    const { fetchFn } = fakeFetch(new Response(body));
    expect(await readUrl(URL_READ, options(fetchFn))).toMatchObject({ ok: true, body: '{"title":"时间"}' });
  });

  it("a redirect is its own outcome and is never followed", async () => {
    const { calls, fetchFn } = fakeFetch(opaqueRedirect);
    expect(await readUrl(URL_READ, options(fetchFn))).toStrictEqual({ ok: false, why: "redirect" });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ["a refused connection", new TypeError("Failed to fetch")],
    ["a certificate the browser does not trust", new TypeError("NetworkError when attempting to fetch resource.")],
    ["something thrown that is not an Error", "boom" as unknown as Error],
  ])("%s is a network failure, and nothing is thrown", async (_, error) => {
    const fetchFn = (() => {
      throw error;
    }) as unknown as typeof fetch;
    expect(await readUrl(URL_READ, options(fetchFn))).toStrictEqual({ ok: false, why: "network" });
  });

  it("a connection cut in the middle of the body is a network failure", async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(new TypeError("network error"));
        else controller.enqueue(new Uint8Array(8));
        sent = true;
      },
    });
    const { fetchFn } = fakeFetch(new Response(body));
    expect(await readUrl(URL_READ, options(fetchFn))).toStrictEqual({ ok: false, why: "network" });
  });

  it("a server that never answers times out at the time given, not before", async () => {
    vi.useFakeTimers();
    const { fetchFn } = fakeFetch(neverAnswers);
    let settled = false;
    const reading = readUrl(URL_READ, options(fetchFn, { timeoutMs: 5000 })).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await reading).toStrictEqual({ ok: false, why: "timeout" });
  });

  it("a body that trickles past the time allowed times out too", async () => {
    vi.useFakeTimers();
    const { fetchFn } = fakeFetch((init) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(8));
          // A real fetch errors its body when its signal aborts.
          init.signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
        },
      });
      return new Response(body);
    });
    const reading = readUrl(URL_READ, options(fetchFn, { timeoutMs: 5000 }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(await reading).toStrictEqual({ ok: false, why: "timeout" });
  });

  it("a reply that comes in time leaves no timer behind", async () => {
    vi.useFakeTimers();
    const { fetchFn } = fakeFetch(new Response("{}"));
    await readUrl(URL_READ, options(fetchFn));
    expect(vi.getTimerCount()).toBe(0);
  });
});

/** Each outcome of a read, as each caller shows it to the user. */
describe("what the user is told for each outcome of a read", () => {
  const ORIGIN = "http://localhost:3000";
  const entry = makeEntry({ openWebUiOrigin: ORIGIN, toolServerUrl: "http://localhost:8000/time", key: KEY });
  const loaded: LoadedSettings = { ok: true, settings: { version: SETTINGS_VERSION, entries: [] } };
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it.each([
    {
      what: "a redirect (a sign-in proxy in front)",
      reply: opaqueRedirect as FetchReply,
      test: ["testRedirect", "http://localhost:8000/time/openapi.json"],
      importProblem: ["importRedirected", ORIGIN],
      version: { unknown: "notJson" },
    },
    {
      what: "a refused connection",
      reply: new TypeError("Failed to fetch"),
      test: ["testUnreachable", "localhost:8000"],
      importProblem: ["importUnreachable", ORIGIN],
      version: { unknown: "network" },
    },
  ])("$what", async ({ reply, test, importProblem, version }) => {
    expect(await runConnectionTest(entry, fakeFetch(reply).fetchFn)).toStrictEqual({ outcome: "fail", verdict: test, warnings: [] });
    expect(await readOpenWebUi(ORIGIN, loaded, fakeFetch(reply).fetchFn)).toStrictEqual({ ok: false, problem: importProblem });
    vi.stubGlobal("fetch", fakeFetch(reply).fetchFn);
    expect(await fetchVersion(ORIGIN)).toStrictEqual(version);
  });

  it("a server that never answers: Test says how long it waited, Import that Open WebUI is not answering, the version that none came", async () => {
    vi.useFakeTimers();
    const test = runConnectionTest(entry, fakeFetch(neverAnswers).fetchFn);
    const imported = readOpenWebUi(ORIGIN, loaded, fakeFetch(neverAnswers).fetchFn);
    vi.stubGlobal("fetch", fakeFetch(neverAnswers).fetchFn);
    const version = fetchVersion(ORIGIN);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await test).toStrictEqual({ outcome: "fail", verdict: ["testTimeout", "localhost:8000", "10"], warnings: [] });
    expect(await imported).toStrictEqual({ ok: false, problem: ["importUnreachable", ORIGIN] });
    expect(await version).toStrictEqual({ unknown: "network" });
  });

  it("the version check sends the browser's cookies, reads a small reply, and overlapping checks share one request", async () => {
    const { calls, fetchFn } = fakeFetch(new Response('{"version":"0.6.5"}'));
    vi.stubGlobal("fetch", fetchFn);
    const [first, second] = await Promise.all([fetchVersion(ORIGIN), fetchVersion(ORIGIN)]);
    expect(first).toStrictEqual({ version: "0.6.5" });
    expect(second).toStrictEqual({ version: "0.6.5" });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      url: `${ORIGIN}/api/version`,
      init: { credentials: "include", redirect: "manual", cache: "no-store" },
    });
  });

  it("a check with cookies refused as a CORS request (no host access yet) is made again without them", async () => {
    const { calls, fetchFn } = fakeFetch(
      new TypeError("NetworkError when attempting to fetch resource."),
      new Response('{"version":"0.6.5"}'),
    );
    vi.stubGlobal("fetch", fetchFn);
    expect(await fetchVersion(ORIGIN)).toStrictEqual({ version: "0.6.5" });
    expect(calls.map((call) => call.init.credentials)).toStrictEqual(["include", "omit"]);
  });

  it("a server that is not there is asked twice, then is no answer", async () => {
    const refused = new TypeError("Failed to fetch");
    vi.stubGlobal("fetch", fakeFetch(refused, refused).fetchFn);
    expect(await fetchVersion(ORIGIN)).toStrictEqual({ unknown: "network" });
  });

  it("a version reply far longer than any version is not Open WebUI's version, and is not downloaded", async () => {
    const { seen, stream } = endlessBody(new Uint8Array(1024).fill(0x20));
    vi.stubGlobal("fetch", fakeFetch(new Response(stream)).fetchFn);
    expect(await fetchVersion(ORIGIN)).toStrictEqual({ unknown: "notVersion" });
    expect(seen.pulled).toBeLessThan(10);
    expect(seen.cancelled).toBe(true);
  });
});
