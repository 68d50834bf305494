import { describe, expect, it } from "vitest";
import { headerValue, MAX_KEY_LENGTH, parseHeaderName, parseKey, parseScheme } from "../../src/core/headers.ts";

/** Obviously fake; distinctive enough that finding it in a message means the message leaked the key. */
const KEY = "fake-key-not-real-0001";
const LEAK_MARKER = "not-real";

describe("parseHeaderName", () => {
  it("defaults to Authorization when no header name is given", () => {
    expect(parseHeaderName(undefined)).toStrictEqual({ ok: true, value: "Authorization" });
  });

  it.each(["X-API-Key", "  X-API-Key  ", "authorization", "X_Api.Key"])("%j is a usable header name", (raw) => {
    expect(parseHeaderName(raw)).toStrictEqual({ ok: true, value: raw.trim() });
  });

  it.each(["", "   "])("%j asks for a header name", (raw) => {
    expect(parseHeaderName(raw)).toStrictEqual({ ok: false, error: ["headerName_empty"] });
  });

  it.each(["X API Key", "X-API-Key:", "X-Kéy", "X-Key\u0000", "(X-Key)", "X-Key/1"])("%j is refused for its characters", (raw) => {
    expect(parseHeaderName(raw)).toStrictEqual({
      ok: false,
      error: ["headerName_notToken"],
    });
  });

  it.each([
    "Cookie",
    "cookie",
    "HOST",
    "Origin",
    "Content-Length",
    "Sec-Fetch-Mode",
    "sec-ch-ua",
    "Proxy-Authorization",
    "proxy-authorization",
    "Referer",
    "Transfer-Encoding",
  ])("%s belongs to the browser and is refused", (raw) => {
    expect(parseHeaderName(raw)).toStrictEqual({ ok: false, error: ["headerName_forbidden", raw] });
  });
});

describe("parseScheme", () => {
  it("defaults to Bearer when no scheme is given", () => {
    expect(parseScheme(undefined)).toStrictEqual({ ok: true, value: "Bearer" });
  });

  it.each([
    ["", ""],
    ["   ", ""],
    ["Bearer", "Bearer"],
    [" Token ", "Token"],
    ["ApiKey", "ApiKey"],
  ])("%j is accepted as %j", (raw, value) => {
    expect(parseScheme(raw)).toStrictEqual({ ok: true, value });
  });

  it.each(["Bearer token", "Bearer:", "Bé"])("%j is refused: a scheme is one word", (raw) => {
    expect(parseScheme(raw)).toStrictEqual({
      ok: false,
      error: ["scheme_notToken"],
    });
  });
});

describe("parseKey accepts", () => {
  it.each([
    { what: "a plain key", raw: KEY, scheme: "Bearer", value: KEY },
    { what: "a key with spaces around it, trimmed", raw: `  ${KEY}  `, scheme: "Bearer", value: KEY },
    { what: "a key pasted with a trailing line break, without it", raw: `${KEY}\r\n`, scheme: "Bearer", value: KEY },
    { what: "a key that merely starts with the scheme's letters", raw: `Bearer${KEY}`, scheme: "Bearer", value: `Bearer${KEY}` },
    { what: "any key with an empty scheme", raw: KEY, scheme: "", value: KEY },
    { what: "a key of exactly the maximum length", raw: "k".repeat(MAX_KEY_LENGTH), scheme: "Bearer", value: "k".repeat(MAX_KEY_LENGTH) },
  ])("$what", ({ raw, scheme, value }) => {
    expect(parseKey(raw, scheme)).toStrictEqual({ ok: true, value });
  });
});

describe("a key pasted with its scheme in front", () => {
  it.each([
    { raw: `Bearer ${KEY}`, scheme: "Bearer" },
    { raw: `bearer ${KEY}`, scheme: "Bearer" },
    { raw: `BEARER   ${KEY}`, scheme: "Bearer" },
    { raw: `  Bearer ${KEY}  `, scheme: "Bearer" },
    { raw: `Token ${KEY}`, scheme: "Token" },
  ])("$raw loses the scheme and says so", ({ raw, scheme }) => {
    expect(parseKey(raw, scheme)).toStrictEqual({
      ok: true,
      value: KEY,
      notice: ["key_schemeRemoved", scheme],
    });
  });

  it("keeps the scheme word when it is not the entry's scheme, and is refused for the space", () => {
    expect(parseKey(`Bearer ${KEY}`, "Token")).toStrictEqual({
      ok: false,
      error: ["key_space", "7"],
    });
  });

  it("counts toward the length limit only after the scheme is removed", () => {
    expect(parseKey(`Bearer ${"k".repeat(MAX_KEY_LENGTH)}`, "Bearer")).toMatchObject({ ok: true, value: "k".repeat(MAX_KEY_LENGTH) });
  });
});

const controlError = (position: number) => ["key_control", String(position)];
const nonAsciiError = (position: number) => ["key_nonAscii", String(position)];
const spaceError = (position: number) => ["key_space", String(position)];

/** Every key here contains KEY's distinctive part, so a message that quotes the key is caught. */
const badKeys = [
  { what: "an empty key", raw: "", scheme: "Bearer", error: ["key_empty"] },
  { what: "a key of spaces only", raw: "   ", scheme: "Bearer", error: ["key_empty"] },
  { what: "a key with a CR inside", raw: "fake-key-not\r-real-0001", scheme: "Bearer", error: controlError(13) },
  { what: "a key with a LF inside", raw: "fake-key-not\n-real-0001", scheme: "Bearer", error: controlError(13) },
  { what: "a key with a TAB inside", raw: "fake-key-not\t-real-0001", scheme: "Bearer", error: controlError(13) },
  { what: "a key with a NUL", raw: "fake-key-not-real-0001\u0000", scheme: "Bearer", error: controlError(23) },
  { what: "a key with a DEL", raw: "\u007ffake-key-not-real-0001", scheme: "Bearer", error: controlError(1) },
  { what: "a key with a curly quote", raw: "fake-key-not\u2019real-0001", scheme: "Bearer", error: nonAsciiError(13) },
  { what: "a key with an é", raw: "fake-key-not-réal-0001", scheme: "Bearer", error: nonAsciiError(15) },
  { what: "a key with a non-breaking space inside", raw: "fake-key-not\u00a0real-0001", scheme: "Bearer", error: nonAsciiError(13) },
  { what: "a key with a space inside", raw: "fake-key-not real-0001", scheme: "Bearer", error: spaceError(13) },
  { what: "a key with a space after the removed scheme", raw: "Bearer fake-key-not real-0001", scheme: "Bearer", error: spaceError(20) },
  { what: "a key with a space, after leading blanks", raw: "  fake-key-not real-0001", scheme: "Bearer", error: spaceError(15) },
  { what: "a 'Bearer xyz' key when the scheme is empty", raw: `Bearer ${KEY}`, scheme: "", error: spaceError(7) },
  {
    what: "a key one character too long",
    raw: `${KEY}${"k".repeat(MAX_KEY_LENGTH + 1 - KEY.length)}`,
    scheme: "Bearer",
    error: ["key_tooLong"],
  },
];

describe("parseKey refuses", () => {
  it.each([
    ["Bearer ", "Bearer"],
    ["  bearer  ", "Bearer"],
    ["Token", "Token"],
  ])("the scheme alone (%j with scheme %s), asking for the key after it", (raw, scheme) => {
    expect(parseKey(raw, scheme)).toStrictEqual({ ok: false, error: ["key_emptyAfterScheme", scheme] });
  });

  it.each(badKeys)("$what, saying where the problem is", ({ raw, scheme, error }) => {
    expect(parseKey(raw, scheme)).toStrictEqual({ ok: false, error });
  });

  it.each(badKeys)("$what, without quoting the key in the message", ({ raw, scheme }) => {
    const parsed = parseKey(raw, scheme);
    expect(parsed.ok).toBe(false);
    const message = JSON.stringify(parsed);
    expect(message).not.toContain(LEAK_MARKER);
    if (raw.trim() !== "") expect(message).not.toContain(raw.trim());
  });
});

describe("headerValue", () => {
  it("puts the scheme before the key with one space", () => {
    expect(headerValue("Bearer", KEY)).toBe(`Bearer ${KEY}`);
  });

  it("is the key alone when the scheme is empty", () => {
    expect(headerValue("", KEY)).toBe(KEY);
  });
});
