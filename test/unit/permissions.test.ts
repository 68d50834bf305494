import { describe, expect, it } from "vitest";
import { missingPatterns, patternCovers } from "../../src/core/permissions.ts";

describe("patternCovers", () => {
  it.each([
    ["<all_urls>", "http://localhost/*", true],
    ["<all_urls>", "https://tools.example.com/*", true],
    ["*://*/*", "http://localhost/*", true],
    ["*://*/*", "https://tools.example.com/*", true],
    ["http://*/*", "http://tools.example.com/*", true],
    ["http://*/*", "https://tools.example.com/*", false],
    ["https://*/*", "http://tools.example.com/*", false],
    ["http://*.example.com/*", "http://example.com/*", true],
    ["http://*.example.com/*", "http://a.example.com/*", true],
    ["http://*.example.com/*", "http://a.b.example.com/*", true],
    ["http://*.example.com/*", "http://badexample.com/*", false],
    ["http://*.example.com/*", "https://a.example.com/*", false],
    ["*://*.example.com/*", "https://a.example.com/*", true],
    ["http://example.com/*", "http://example.com/*", true],
    ["http://example.com/*", "http://a.example.com/*", false],
    ["http://example.com/*", "https://example.com/*", false],
    ["http://example.com/api/*", "http://example.com/*", false],
    ["http://example.com/", "http://example.com/*", false],
    ["http://[::1]/*", "http://[::1]/*", true],
    ["file:///*", "http://example.com/*", false],
    ["not a pattern", "http://example.com/*", false],
  ])("%s covers %s: %s", (granted, wanted, covers) => {
    expect(patternCovers(granted, wanted)).toBe(covers);
  });
});

describe("missingPatterns", () => {
  const wanted = ["http://localhost/*", "https://tools.example.com/*"];

  it.each([
    { what: "nothing is granted", granted: [], missing: wanted },
    { what: "all hosts are granted", granted: ["<all_urls>"], missing: [] },
    { what: "both are granted exactly", granted: ["https://tools.example.com/*", "http://localhost/*"], missing: [] },
    { what: "only http hosts are granted", granted: ["http://*/*"], missing: ["https://tools.example.com/*"] },
    { what: "the tool server's domain is granted", granted: ["https://*.example.com/*"], missing: ["http://localhost/*"] },
    { what: "only a path of the tool server is granted", granted: ["https://tools.example.com/time/*"], missing: wanted },
  ])("when $what, Save asks for $missing", ({ granted, missing }) => {
    expect(missingPatterns(wanted, granted)).toStrictEqual(missing);
  });
});
