import { describe, expect, it } from "vitest";
import {
  describeVersion,
  isVersionCheck,
  originsSendingKeys,
  parseVersionChecks,
  readVersionReply,
  type VersionCheck,
  verdictOf,
} from "../../src/core/open-webui-version.ts";

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
    expect(verdictOf({ version })).toBe(verdict);
  });

  it("a version that could not be read, or none yet, is unknown: the key is added as for 0.6.0", () => {
    expect(verdictOf(undefined)).toBe("unknown");
    expect(verdictOf({ unknown: "network" })).toBe("unknown");
  });
});

describe("the checks kept in storage", () => {
  it("are read back as written, dropping what this ToolKey did not write", () => {
    const stored = {
      "http://localhost:3000": { version: "0.6.0" },
      "http://localhost:3001": { unknown: "status", status: 502 },
      "http://localhost:3002": { version: "soon" },
      "http://localhost:3003": { unknown: "status" },
      "http://localhost:3004": { version: "0.6.5", extra: true },
      "http://localhost:3005": "0.6.5",
    };
    expect(parseVersionChecks(stored)).toStrictEqual({
      "http://localhost:3000": { version: "0.6.0" },
      "http://localhost:3001": { unknown: "status", status: 502 },
    });
    for (const damaged of [undefined, null, "x", [], 3]) expect(parseVersionChecks(damaged)).toStrictEqual({});
    expect(isVersionCheck({ unknown: "anything" })).toBe(false);
  });

  it("name the origins whose Open WebUI sends keys itself", () => {
    const sending = originsSendingKeys({
      "http://a:1": { version: "0.6.0" },
      "http://b:1": { version: "0.6.5" },
      "http://c:1": { unknown: "network" },
      "http://d:1": { version: "0.5.0" },
    });
    expect([...sending]).toStrictEqual(["http://b:1"]);
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
