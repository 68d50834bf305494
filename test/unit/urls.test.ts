import { describe, expect, it } from "vitest";
import {
  checkToolServerAgainstOpenWebUi,
  httpOriginOf,
  isUnderPath,
  originPattern,
  parseOpenWebUiAddress,
  parseToolServerUrl,
  pathOf,
} from "../../src/core/urls.ts";
import {
  httpOrigins,
  openWebUiAddressAccepted,
  openWebUiAddressRefused,
  originPatterns,
  toolServerAgainstOpenWebUi,
  toolServerUrlAccepted,
  toolServerUrlRefused,
} from "../cases/url-cases.ts";

describe("an Open WebUI address", () => {
  it.each(openWebUiAddressAccepted)("$input is kept as its origin", ({ input, expected }) => {
    expect(parseOpenWebUiAddress(input)).toStrictEqual(expected);
  });

  it.each(openWebUiAddressRefused)("$input is refused with a message saying what to fix", ({ input, expected }) => {
    expect(parseOpenWebUiAddress(input)).toStrictEqual(expected);
  });

  it("a pasted chat URL is reduced to the site and the user is told", () => {
    const parsed = parseOpenWebUiAddress("http://localhost:3000/c/abc?x=1#y");
    expect(parsed).toMatchObject({ ok: true, value: "http://localhost:3000" });
    expect(parsed.ok && parsed.notice).toStrictEqual(["addressReduced", "http://localhost:3000"]);
  });

  it("an address that is already an origin is taken silently", () => {
    expect(parseOpenWebUiAddress("http://localhost:3000/")).not.toHaveProperty("notice");
  });
});

describe("a tool-server URL", () => {
  it.each(toolServerUrlAccepted)("$input is stored as its origin and path without a trailing slash", ({ input, expected }) => {
    expect(parseToolServerUrl(input)).toStrictEqual(expected);
  });

  it.each(toolServerUrlRefused)("$input is refused with a message saying what to fix", ({ input, expected }) => {
    expect(parseToolServerUrl(input)).toStrictEqual(expected);
  });

  it("keeps the case of its path, since paths are case-sensitive", () => {
    expect(parseToolServerUrl("http://localhost:8000/Time/NOW")).toStrictEqual({ ok: true, value: "http://localhost:8000/Time/NOW" });
  });

  it("never carries a notice: every normalisation is lossless", () => {
    for (const { input } of toolServerUrlAccepted) expect(parseToolServerUrl(input)).not.toHaveProperty("notice");
  });
});

describe("a tool server on the Open WebUI's own origin", () => {
  it.each(toolServerAgainstOpenWebUi)("$input.toolServerUrl under $input.openWebUiOrigin", ({ input, expected }) => {
    expect(checkToolServerAgainstOpenWebUi(input.toolServerUrl, input.openWebUiOrigin)).toStrictEqual(expected);
  });
});

describe("originPattern", () => {
  it.each(originPatterns)("host access for $input is asked as $expected (no port, no path)", ({ input, expected }) => {
    expect(originPattern(input)).toBe(expected);
  });
});

describe("httpOriginOf", () => {
  it.each(httpOrigins)("a tab at $input is on origin $expected", ({ input, expected }) => {
    expect(httpOriginOf(input)).toBe(expected);
  });
});

describe("isUnderPath", () => {
  it.each([
    ["/time", "/time", true],
    ["/time/get_current_time", "/time", true],
    ["/time/", "/time", true],
    ["/time2/get_current_time", "/time", false],
    ["/tim", "/time", false],
    ["/Time/x", "/time", false],
    ["/anything", "", true],
    ["/", "", true],
  ] as const)("%s under %s is %s: only at a / boundary", (path, prefix, expected) => {
    expect(isUnderPath(path, prefix)).toBe(expected);
  });
});

describe("pathOf", () => {
  it.each([
    ["http://localhost:8000", ""],
    ["http://localhost:8000/time", "/time"],
    ["https://tools.example.com/a/b", "/a/b"],
  ])("the path prefix of %s is %j", (url, expected) => {
    expect(pathOf(url)).toBe(expected);
  });
});
