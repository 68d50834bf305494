import { domainToUnicode } from "node:url";
import { describe, expect, it } from "vitest";
import { readableHost, readableUrl } from "../../src/core/idn.ts";

const HOSTS = [
  "xn--mnchen-3ya.example",
  "xn--bcher-kva.example.com",
  "tools.xn--fiqs8s",
  "xn--80akhbyknj4f.xn--p1ai",
  "xn--wgv71a119e.xn--wgv71a",
  "xn--ls8h.la",
  "xn--ggle-0nda.com",
  "xn--d1acufc.xn--p1ai",
  "xn--caf-dma.test",
  "xn---with-dash-b4a.test",
];

describe("readableHost", () => {
  it.each(HOSTS)("decodes %s as Node's URL module does", (host) => {
    expect(readableHost(host)).toBe(domainToUnicode(host));
  });

  it.each([
    ["localhost", "localhost"],
    ["tools.example.com", "tools.example.com"],
    ["xn--", "xn--"],
    ["xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.test", "xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.test"],
    ["xn--_bad.test", "xn--_bad.test"],
  ])("leaves %s that is not valid punycode as it is", (host, expected) => {
    expect(readableHost(host)).toBe(expected);
  });
});

describe("readableUrl", () => {
  it.each([
    ["http://xn--mnchen-3ya.example:8000/tools", "http://münchen.example:8000/tools (xn--mnchen-3ya.example)"],
    ["https://xn--bcher-kva.example.com", "https://bücher.example.com (xn--bcher-kva.example.com)"],
    ["http://localhost:8000/time", "http://localhost:8000/time"],
    ["http://[::1]:8000", "http://[::1]:8000"],
    // Look-alike letters (Greek omicrons here) stay visible through the stored form beside them.
    ["http://xn--ggle-0nda.com", `http://${domainToUnicode("xn--ggle-0nda.com")} (xn--ggle-0nda.com)`],
  ])("shows %s as %s", (url, expected) => {
    expect(readableUrl(url)).toBe(expected);
  });
});
