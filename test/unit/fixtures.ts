import type { Entry } from "../../src/core/entry.ts";

/** A valid, already normalised entry; every key in these tests is obviously fake. */
export function makeEntry(overrides: Partial<Entry> = {}): Entry {
  return {
    id: 0,
    openWebUiOrigin: "http://localhost:3000",
    toolServerUrl: "http://localhost:8000",
    key: "fake-key-not-real-0001",
    headerName: "Authorization",
    scheme: "Bearer",
    enabled: true,
    addKeyAnyway: false,
    ...overrides,
  };
}

/** Freezes a value and everything it holds, so that any write to it throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A request a fake fetch saw. */
export interface FetchCall {
  url: string;
  init: RequestInit;
}

/** A fake fetch's reply: a response, an error to throw, or a response made from the request. */
export type FetchReply = Response | Error | ((init: RequestInit) => Response | Promise<Response>);

/** A fetch that records each request and answers from the list, one reply per call. */
export function fakeFetch(...replies: FetchReply[]) {
  const calls: FetchCall[] = [];
  const fetchFn = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    calls.push({ url: String(input), init });
    const reply = replies[calls.length - 1];
    if (reply === undefined) throw new Error("unexpected request");
    if (reply instanceof Error) throw reply;
    return typeof reply === "function" ? reply(init) : reply;
  };
  return { calls, fetchFn: fetchFn as typeof fetch };
}
