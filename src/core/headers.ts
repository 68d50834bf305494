import type { Parsed } from "./fields.ts";
import type { UserText } from "./user-text.ts";

export const DEFAULT_HEADER_NAME = "Authorization";
export const DEFAULT_SCHEME = "Bearer";
export const MAX_KEY_LENGTH = 4096;

/** RFC 9110 token characters: what a header name or an auth scheme may be made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers the browser owns or that would change what the request is (the Fetch standard's forbidden
 * request headers); ToolKey refuses to set them.
 */
const FORBIDDEN_HEADERS = new Set([
  "accept-charset",
  "accept-encoding",
  "access-control-request-headers",
  "access-control-request-method",
  "connection",
  "content-length",
  "cookie",
  "cookie2",
  "date",
  "dnt",
  "expect",
  "host",
  "keep-alive",
  "origin",
  "referer",
  "set-cookie",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "via",
]);

export function parseHeaderName(raw: string | undefined): Parsed<string> {
  if (raw === undefined) return { ok: true, value: DEFAULT_HEADER_NAME };
  const name = raw.trim();
  if (name === "") return { ok: false, error: ["headerName_empty"] };
  if (!TOKEN.test(name)) return { ok: false, error: ["headerName_notToken"] };
  const lower = name.toLowerCase();
  if (FORBIDDEN_HEADERS.has(lower) || lower.startsWith("proxy-") || lower.startsWith("sec-")) {
    return { ok: false, error: ["headerName_forbidden", name] };
  }
  return { ok: true, value: name };
}

/** The scheme put before the key; empty means the header carries the key alone. */
export function parseScheme(raw: string | undefined): Parsed<string> {
  if (raw === undefined) return { ok: true, value: DEFAULT_SCHEME };
  const scheme = raw.trim();
  if (scheme !== "" && !TOKEN.test(scheme)) {
    return { ok: false, error: ["scheme_notToken"] };
  }
  return { ok: true, value: scheme };
}

/**
 * Parses a key. Messages point at a position, never at the key's text: keys are secrets.
 * A key pasted with the scheme in front ("Bearer xyz") loses it, and a notice says so.
 */
export function parseKey(raw: string, scheme: string): Parsed<string> {
  let key = raw.trim();
  // Where the key starts in the field as typed, so that positions in messages match what the user sees.
  let offset = raw.length - raw.trimStart().length;
  let notice: UserText | undefined;
  const lower = key.toLowerCase();
  const schemeLower = scheme.toLowerCase();
  if (scheme !== "" && (lower === schemeLower || lower.startsWith(`${schemeLower} `))) {
    const rest = key.slice(scheme.length);
    key = rest.trimStart();
    offset += scheme.length + rest.length - key.length;
    notice = ["key_schemeRemoved", scheme];
  }
  if (key === "") {
    return { ok: false, error: notice === undefined ? ["key_empty"] : ["key_emptyAfterScheme", scheme] };
  }
  if (key.length > MAX_KEY_LENGTH) {
    return { ok: false, error: ["key_tooLong"] };
  }
  const control = indexWhere(key, (code) => code < 0x20 || code === 0x7f);
  if (control !== -1) {
    return { ok: false, error: ["key_control", String(offset + control + 1)] };
  }
  const nonAscii = indexWhere(key, (code) => code > 0x7e);
  if (nonAscii !== -1) {
    return { ok: false, error: ["key_nonAscii", String(offset + nonAscii + 1)] };
  }
  const space = key.indexOf(" ");
  if (space !== -1) {
    return { ok: false, error: ["key_space", String(offset + space + 1)] };
  }
  return notice === undefined ? { ok: true, value: key } : { ok: true, value: key, notice };
}

/** The first position whose UTF-16 code unit satisfies the test, or -1. */
function indexWhere(text: string, test: (code: number) => boolean): number {
  for (let i = 0; i < text.length; i++) if (test(text.charCodeAt(i))) return i;
  return -1;
}

/** The value the header carries. */
export function headerValue(scheme: string, key: string): string {
  return scheme === "" ? key : `${scheme} ${key}`;
}
