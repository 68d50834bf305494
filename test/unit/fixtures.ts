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
