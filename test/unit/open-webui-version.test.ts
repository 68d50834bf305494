import { describe, expect, it } from "vitest";
import {
  describeVersion,
  learn,
  parseVersionBook,
  readVersionReply,
  type VersionCheck,
  type VersionFailure,
  type VersionKnowledge,
  verdictOf,
} from "../../src/core/open-webui-version.ts";
import { describeFailure } from "../../src/core/version-words.ts";

const ok = (body: string) => ({ status: 200, body });

describe("readVersionReply", () => {
  it.each<{ what: string; reply: { status: number; body: string } | undefined; check: VersionCheck }>([
    { what: "0.6.0", reply: ok('{"version":"0.6.0"}'), check: { version: "0.6.0" } },
    { what: "0.6.37 with its deployment id", reply: ok('{"version":"0.6.37","deployment_id":"x"}'), check: { version: "0.6.37" } },
    { what: "a development build", reply: ok('{"version":"0.6.0-dev.1"}'), check: { version: "0.6.0-dev.1" } },
    { what: "no reply at all", reply: undefined, check: { unknown: "network" } },
    { what: "a 404", reply: { status: 404, body: '{"detail":"Not Found"}' }, check: { unknown: "status", status: 404 } },
    { what: "a 500", reply: { status: 500, body: "Internal Server Error" }, check: { unknown: "status", status: 500 } },
    { what: "a redirect left unfollowed", reply: { status: 302, body: "" }, check: { unknown: "status", status: 302 } },
    { what: "an HTML page", reply: ok("<!doctype html><title>Sign in</title>"), check: { unknown: "notJson" } },
    { what: "an empty body", reply: ok(""), check: { unknown: "notJson" } },
    { what: "JSON without a version", reply: ok('{"status":true}'), check: { unknown: "notVersion" } },
    { what: "a version that is a number", reply: ok('{"version":0.6}'), check: { unknown: "notVersion" } },
    { what: "a version that is not x.y.z", reply: ok('{"version":"latest"}'), check: { unknown: "notVersion" } },
    { what: "a version with markup", reply: ok('{"version":"0.6.0<script>"}'), check: { unknown: "notVersion" } },
    { what: "a JSON array", reply: ok('["0.6.0"]'), check: { unknown: "notVersion" } },
    { what: "JSON null", reply: ok("null"), check: { unknown: "notVersion" } },
    { what: "a 5 MB body", reply: ok(`{"version":"0.6.0","pad":"${"x".repeat(5_000_000)}"}`), check: { unknown: "notVersion" } },
  ])("$what reads as $check", ({ reply, check }) => {
    expect(readVersionReply(reply)).toStrictEqual(check);
  });
});

describe("verdictOf", () => {
  it.each([
    ["0.6.0", "affected"],
    ["0.6.0-dev.1", "affected"],
    ["0.6.1", "patched"],
    ["0.6.5", "patched"],
    ["0.6.41", "patched"],
    ["0.7.0", "patched"],
    ["0.11.0", "patched"],
    ["1.0.0", "patched"],
    ["0.5.20", "tooOld"],
    ["0.3.35", "tooOld"],
  ])("Open WebUI %s is %s", (version, verdict) => {
    expect(verdictOf({ read: { version, at: 1 } })).toBe(verdict);
  });

  it("a version known is kept acting on while the latest check fails", () => {
    expect(verdictOf({ read: { version: "0.6.5", at: 1 }, failed: { failure: { unknown: "status", status: 502 }, at: 2 } })).toBe(
      "patched",
    );
  });

  it("an Open WebUI that was asked and never gave a version is unknown: the key is added as for 0.6.0", () => {
    expect(verdictOf({ failed: { failure: { unknown: "network" }, at: 1 } })).toBe("unknown");
  });

  it("an Open WebUI never asked is unread: its entries wait for the check", () => {
    expect(verdictOf(undefined)).toBe("unread");
  });
});

describe("learn: what a check adds to what ToolKey knows", () => {
  const fail502: VersionCheck = { unknown: "status", status: 502 };
  it.each<{ what: string; known: VersionKnowledge | undefined; check: VersionCheck; after: VersionKnowledge }>([
    { what: "a first version read", known: undefined, check: { version: "0.6.5" }, after: { read: { version: "0.6.5", at: 9 } } },
    { what: "a first check that fails", known: undefined, check: fail502, after: { failed: { failure: fail502, at: 9 } } },
    {
      what: "a failure after a version: the version stays",
      known: { read: { version: "0.6.5", at: 1 } },
      check: fail502,
      after: { read: { version: "0.6.5", at: 1 }, failed: { failure: fail502, at: 9 } },
    },
    {
      what: "a second failure: the version still stays, the failure is the latest",
      known: { read: { version: "0.6.5", at: 1 }, failed: { failure: { unknown: "network" }, at: 5 } },
      check: fail502,
      after: { read: { version: "0.6.5", at: 1 }, failed: { failure: fail502, at: 9 } },
    },
    {
      what: "a version after failures: the failure is over",
      known: { read: { version: "0.6.5", at: 1 }, failed: { failure: fail502, at: 5 } },
      check: { version: "0.6.0" },
      after: { read: { version: "0.6.0", at: 9 } },
    },
  ])("$what", ({ known, check, after }) => {
    expect(learn(known, check, 9)).toStrictEqual(after);
  });
});

describe("the version book kept in storage", () => {
  it("is read back as written, dropping what this ToolKey did not write", () => {
    const stored = {
      "http://localhost:3000": { read: { version: "0.6.0", at: 5 } },
      "http://localhost:3001": { read: { version: "0.6.5", at: 5 }, failed: { failure: { unknown: "status", status: 502 }, at: 6 } },
      "http://localhost:3002": { read: { version: "soon", at: 5 } },
      "http://localhost:3003": { failed: { failure: { unknown: "status" }, at: 6 } },
      "http://localhost:3004": { read: { version: "0.6.5", at: -1 } },
      "http://localhost:3005": "0.6.5",
    };
    expect(parseVersionBook(stored)).toStrictEqual({
      "http://localhost:3000": { read: { version: "0.6.0", at: 5 } },
      "http://localhost:3001": { read: { version: "0.6.5", at: 5 }, failed: { failure: { unknown: "status", status: 502 }, at: 6 } },
    });
    for (const damaged of [undefined, null, "x", [], 3]) expect(parseVersionBook(damaged)).toStrictEqual({});
  });

  it("reads what an earlier ToolKey kept (the latest check only) as a version or a failure of unknown time", () => {
    expect(
      parseVersionBook({
        "http://a:1": { version: "0.6.5" },
        "http://b:1": { unknown: "status", status: 502 },
        "http://c:1": { unknown: "anything" },
      }),
    ).toStrictEqual({
      "http://a:1": { read: { version: "0.6.5", at: 0 } },
      "http://b:1": { failed: { failure: { unknown: "status", status: 502 }, at: 0 } },
    });
  });
});

describe("describeFailure", () => {
  it.each<{ check: VersionFailure; text: readonly string[] }>([
    { check: { unknown: "network" }, text: ["versionFailNoAnswer"] },
    { check: { unknown: "status", status: 502 }, text: ["versionFailStatus", "502"] },
    { check: { unknown: "notJson" }, text: ["versionFailNotJson"] },
    { check: { unknown: "notVersion" }, text: ["versionFailNotVersion"] },
  ])("$check says $text", ({ check, text }) => {
    expect(describeFailure(check)).toStrictEqual(text);
  });
});

describe("describeVersion", () => {
  it.each<{ check: VersionCheck; text: readonly string[] }>([
    { check: { version: "0.6.0" }, text: ["versionAffected", "0.6.0"] },
    { check: { version: "0.6.5" }, text: ["versionPatched", "0.6.5"] },
    { check: { version: "0.5.1" }, text: ["versionTooOld", "0.5.1"] },
    { check: { unknown: "network" }, text: ["versionNoAnswer"] },
    { check: { unknown: "status", status: 503 }, text: ["versionStatus", "503"] },
    { check: { unknown: "notJson" }, text: ["versionNotJson"] },
    { check: { unknown: "notVersion" }, text: ["versionNotVersion"] },
  ])("$check says $text", ({ check, text }) => {
    expect(describeVersion(check)).toStrictEqual(text);
  });
});
