import { describe, expect, it } from "vitest";
import type { Entry } from "../../src/core/entry.ts";
import { type Circumstances, type PromisedHeaders, promisedHeaders, type RequestToSend } from "../../src/core/key-delivery.ts";
import { makeEntry } from "./fixtures.ts";

const OWUI = "http://owui.test:3000";
const root = makeEntry({ id: 0, openWebUiOrigin: OWUI, toolServerUrl: "http://tools.test:8000", key: "fake-key-root-0" });
const time = makeEntry({ id: 1, openWebUiOrigin: OWUI, toolServerUrl: "http://tools.test:8000/time", key: "fake-key-time-1" });
const apiKey = makeEntry({
  id: 2,
  openWebUiOrigin: OWUI,
  toolServerUrl: "http://tools.test:8000/time",
  key: "fake-key-x-2",
  headerName: "X-API-Key",
  scheme: "",
});
const onOwnOrigin = makeEntry({ id: 3, openWebUiOrigin: OWUI, toolServerUrl: `${OWUI}/tools`, key: "fake-key-own-3" });

const ALL: Circumstances = {
  granted: new Set(["http://owui.test/*", "http://tools.test/*"]),
  openWebUiVersions: { [OWUI]: "0.6.0" },
};
const ON_0_6_5: Circumstances = { ...ALL, openWebUiVersions: { [OWUI]: "0.6.5" } };
const X_KEY = { entryId: 2, header: "X-API-Key", value: "fake-key-x-2" };

/** A tool call as Open WebUI makes it: fetch from its own page, in its own tab. */
function call(url: string, changes: Partial<RequestToSend> = {}): RequestToSend {
  return { url, initiator: OWUI, tabOrigin: OWUI, type: "xmlhttprequest", ...changes };
}

const ROOT_KEY = { entryId: 0, header: "Authorization", value: "Bearer fake-key-root-0" };
const TIME_KEY = { entryId: 1, header: "Authorization", value: "Bearer fake-key-time-1" };
const NOTHING: PromisedHeaders = { headers: [] };

describe("the promise, request by request", () => {
  it.each<{ what: string; entries: Entry[]; request: RequestToSend; circumstances?: Circumstances; promised: PromisedHeaders }>([
    {
      what: "a tool call under the saved URL carries the key",
      entries: [time],
      request: call("http://tools.test:8000/time/now"),
      promised: { headers: [TIME_KEY] },
    },
    {
      what: "the spec fetch carries it",
      entries: [time],
      request: call("http://tools.test:8000/time/openapi.json"),
      promised: { headers: [TIME_KEY] },
    },
    {
      what: "host case and the written default port change nothing",
      entries: [root],
      request: call("http://TOOLS.test:8000/x"),
      promised: { headers: [ROOT_KEY] },
    },
    {
      what: "a query and a fragment change nothing",
      entries: [time],
      request: call("http://tools.test:8000/time/x?a=1#b"),
      promised: { headers: [TIME_KEY] },
    },
    {
      what: "a sibling path gets none: /time never covers /time2",
      entries: [time],
      request: call("http://tools.test:8000/time2/x"),
      promised: NOTHING,
    },
    {
      what: "the saved URL itself without its slash gets none",
      entries: [time],
      request: call("http://tools.test:8000/time"),
      promised: NOTHING,
    },
    { what: "a path in other case gets none", entries: [time], request: call("http://tools.test:8000/Time/x"), promised: NOTHING },
    { what: "an escaped slash is no boundary", entries: [time], request: call("http://tools.test:8000/time%2Fx"), promised: NOTHING },
    {
      what: "dot segments count where they lead",
      entries: [time],
      request: call("http://tools.test:8000/time/../memory/x"),
      promised: NOTHING,
    },
    { what: "another port of the tool host gets none", entries: [root], request: call("http://tools.test:8001/x"), promised: NOTHING },
    { what: "another scheme of the tool host gets none", entries: [root], request: call("https://tools.test:8000/x"), promised: NOTHING },
    { what: "a user name in the URL gets none", entries: [root], request: call("http://user@tools.test:8000/x"), promised: NOTHING },
    {
      what: "the longer URL wins for the header they share",
      entries: [root, time],
      request: call("http://tools.test:8000/time/x"),
      promised: { headers: [TIME_KEY] },
    },
    {
      what: "entries with different header names each add their own",
      entries: [root, apiKey],
      request: call("http://tools.test:8000/time/x"),
      promised: { headers: [ROOT_KEY, { entryId: 2, header: "X-API-Key", value: "fake-key-x-2" }] },
    },
    { what: "an image gets none", entries: [root], request: call("http://tools.test:8000/x", { type: "image" }), promised: NOTHING },
    { what: "a WebSocket gets none", entries: [root], request: call("ws://tools.test:8000/x", { type: "websocket" }), promised: NOTHING },
    {
      what: "a tab on another port of the Open WebUI host gets none",
      entries: [root],
      request: call("http://tools.test:8000/x", { tabOrigin: "http://owui.test:3001", initiator: "http://owui.test:3001" }),
      promised: NOTHING,
    },
    {
      what: "a tab on a subdomain gets none",
      entries: [root],
      request: call("http://tools.test:8000/x", { tabOrigin: "http://sub.owui.test:3000", initiator: "http://sub.owui.test:3000" }),
      promised: NOTHING,
    },
    {
      what: "a service worker (no tab) gets none",
      entries: [root],
      request: call("http://tools.test:8000/x", { tabOrigin: undefined }),
      promised: NOTHING,
    },
    {
      what: "a request the browser makes on its own (no initiator) gets none",
      entries: [root],
      request: call("http://tools.test:8000/x", { initiator: undefined }),
      promised: NOTHING,
    },
    {
      what: "another site's frame in the Open WebUI tab gets none",
      entries: [root],
      request: call("http://tools.test:8000/x", { initiator: "http://other.test" }),
      promised: NOTHING,
    },
    {
      what: "a frame from a subdomain, another port or another scheme of the host is the README's leeway",
      entries: [root],
      request: call("http://tools.test:8000/x", { initiator: "https://sub.owui.test:4000" }),
      promised: { headers: [ROOT_KEY], leeway: "frameOnOpenWebUiHost" },
    },
    {
      what: "a frame from the host written with a final dot is the README's leeway",
      entries: [root],
      request: call("http://tools.test:8000/x", { initiator: "http://owui.test.:3000" }),
      promised: { headers: [ROOT_KEY], leeway: "frameOnOpenWebUiHost" },
    },
    {
      what: "a tool server on the Open WebUI's origin gets its key under its own path",
      entries: [onOwnOrigin],
      request: call(`${OWUI}/tools/x`),
      promised: { headers: [{ entryId: 3, header: "Authorization", value: "Bearer fake-key-own-3" }] },
    },
    {
      what: "never the Open WebUI's own API, even spelled with escapes",
      entries: [makeEntry({ ...onOwnOrigin, toolServerUrl: `${OWUI}/%61pi` })],
      request: call(`${OWUI}/%61pi/v1/chats`),
      promised: NOTHING,
    },
    {
      what: "a disabled entry adds nothing",
      entries: [{ ...root, enabled: false }],
      request: call("http://tools.test:8000/x"),
      promised: NOTHING,
    },
    {
      what: "an entry without access to its tool server adds nothing",
      entries: [root],
      request: call("http://tools.test:8000/x"),
      circumstances: { ...ALL, granted: new Set(["http://owui.test/*"]) },
      promised: NOTHING,
    },
    {
      what: "an Authorization: Bearer entry stands aside where its Open WebUI sends that header itself (0.6.1 and later)",
      entries: [root],
      request: call("http://tools.test:8000/x"),
      circumstances: ON_0_6_5,
      promised: NOTHING,
    },
    {
      what: "header name and scheme are compared in any case: authorization: bearer stands aside too",
      entries: [{ ...root, headerName: "authorization", scheme: "BEARER" }],
      request: call("http://tools.test:8000/x"),
      circumstances: { ...ALL, openWebUiVersions: { [OWUI]: "0.7.2" } },
      promised: NOTHING,
    },
    {
      what: "an X-API-Key entry is added on 0.6.5: no Open WebUI sends it",
      entries: [apiKey],
      request: call("http://tools.test:8000/time/now"),
      circumstances: ON_0_6_5,
      promised: { headers: [X_KEY] },
    },
    {
      what: "a bare token in Authorization is added on 0.6.5: Open WebUI sends only Bearer",
      entries: [{ ...root, scheme: "" }],
      request: call("http://tools.test:8000/x"),
      circumstances: ON_0_6_5,
      promised: { headers: [{ entryId: 0, header: "Authorization", value: "fake-key-root-0" }] },
    },
    {
      what: "Authorization with another scheme is added on 0.6.5",
      entries: [{ ...root, scheme: "Token" }],
      request: call("http://tools.test:8000/x"),
      circumstances: ON_0_6_5,
      promised: { headers: [{ entryId: 0, header: "Authorization", value: "Token fake-key-root-0" }] },
    },
    {
      what: "an entry set to add the key anyway keeps adding it there",
      entries: [{ ...root, addKeyAnyway: true }],
      request: call("http://tools.test:8000/x"),
      circumstances: ON_0_6_5,
      promised: { headers: [ROOT_KEY] },
    },
    {
      what: "an Open WebUI whose version could not be read gets the key as 0.6.0 does",
      entries: [root],
      request: call("http://tools.test:8000/x"),
      circumstances: { ...ALL, openWebUiVersions: { [OWUI]: "unreadable" } },
      promised: { headers: [ROOT_KEY] },
    },
    {
      what: "nothing is added before an Open WebUI's version has been asked",
      entries: [apiKey, root],
      request: call("http://tools.test:8000/time/x"),
      circumstances: { ...ALL, openWebUiVersions: {} },
      promised: NOTHING,
    },
  ])("$what", ({ entries, request, circumstances, promised }) => {
    expect(promisedHeaders(entries, request, circumstances ?? ALL)).toStrictEqual(promised);
  });
});
