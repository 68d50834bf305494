/**
 * Internationalised host names are stored as the URL parser leaves them (punycode, "xn--" labels);
 * the popup shows them readable. RFC 3492 decoding, for display only.
 */

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / 700) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  for (; d > 455; k += BASE) d = Math.floor(d / 35);
  return k + Math.floor((36 * d) / (d + 38));
}

/** The digit a character stands for: a-z are 0-25, 0-9 are 26-35; anything else is not a digit. */
function digitOf(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return code - 22;
  return BASE;
}

/** One punycode label (without "xn--") decoded, or undefined when it is not valid punycode. */
function decodeLabel(encoded: string): string | undefined {
  const basic = encoded.lastIndexOf("-");
  const output = [...encoded.slice(0, Math.max(basic, 0))].map((char) => char.charCodeAt(0));
  let n = 128;
  let bias = 72;
  let i = 0;
  for (let pos = basic + 1; pos < encoded.length; ) {
    const before = i;
    for (let w = 1, k = BASE; ; k += BASE) {
      const digit = digitOf(encoded.charCodeAt(pos++));
      if (digit >= BASE || i > 0x10ffff * 64) return undefined;
      i += digit * w;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
    }
    bias = adapt(i - before, output.length + 1, before === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n > 0x10ffff) return undefined;
    output.splice(i++, 0, n);
  }
  return output.length === 0 ? undefined : String.fromCodePoint(...output);
}

/** A host name with its "xn--" labels decoded; labels that are not valid punycode stay as they are. */
export function readableHost(host: string): string {
  return host
    .split(".")
    .map((label) => (label.startsWith("xn--") ? (decodeLabel(label.slice(4)) ?? label) : label))
    .join(".");
}

/**
 * A stored URL or origin as the user reads it: an internationalised host decoded, followed by the
 * stored form in brackets, so that look-alike letters from another script cannot pass unnoticed.
 */
export function readableUrl(url: string): string {
  const host = /^[a-z]+:\/\/([^/:]+)/.exec(url)?.[1];
  if (host === undefined) return url;
  const readable = readableHost(host);
  return readable === host ? url : `${url.replace(host, readable)} (${host})`;
}
