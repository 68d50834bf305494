import { describe, expect, it } from "vitest";
import { RESOURCE_TYPES } from "../../src/core/key-delivery.ts";
import { canBeMade, type GeneratedRequest, generateConfiguration, generateRequests, type World } from "../fuzz/generator.ts";

const WORLD: World = {
  httpPorts: [40001, 40002, 40003, 40004],
  httpsPort: 40005,
  ipv6Ports: [40006, 40007],
  names: ["owui.test", "sub.owui.test", "other.test", "tools.test", "noaccess.test", "xn--mnchen-3ya.test"],
};

function requestsOf(seed: number, count: number): GeneratedRequest[] {
  const requests: GeneratedRequest[] = [];
  for (const request of generateRequests(generateConfiguration(seed, WORLD), WORLD)) {
    if (requests.length >= count) break;
    requests.push(request);
  }
  return requests;
}

describe("the differential test's generator", () => {
  it("makes the same configuration and requests from the same seed, so that a failure reproduces", () => {
    expect(generateConfiguration(4242, WORLD)).toStrictEqual(generateConfiguration(4242, WORLD));
    expect(requestsOf(4242, 50)).toStrictEqual(requestsOf(4242, 50));
    expect(requestsOf(4243, 50)).not.toStrictEqual(requestsOf(4242, 50));
  });

  it("saves only what ToolKey's validation accepts, and never a real-looking key", () => {
    for (let seed = 17; seed < 117; seed++) {
      for (const entry of generateConfiguration(seed, WORLD).entries) {
        expect(entry.toolServerUrl).not.toMatch(/\/$/);
        expect(entry.key).toMatch(/^fake-key-\d+-not-a-secret$/);
      }
    }
  });

  it("the default run (seed 17, 10,000 requests) makes every kind of request, change, tab and initiator", () => {
    const seen = new Map<string, number>();
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
    for (let seed = 17; seed < 17 + 200; seed++) {
      for (const request of requestsOf(seed, 50)) {
        count(`type ${request.type}`);
        for (const step of request.how) count(step.replace(/^from the tab on .*/, "from a tab").replace(/ \/.*$/, ""));
      }
    }
    for (const type of RESOURCE_TYPES) expect(seen.get(`type ${type}`) ?? 0, type).toBeGreaterThan(50);
    const changes = [
      "host in other case",
      "host with a final dot",
      "host spelled otherwise",
      "another host",
      "default port written",
      "another port",
      "another scheme",
      "user info",
      "path in other case",
      "slash escaped",
      "letter escaped",
      "dot segment",
      "sibling path",
      "the saved URL itself",
      "deeper path",
      "double slash",
      "backslashes",
      "query",
      "fragment",
      "tab or newline",
      "characters to escape",
    ];
    const origins = [
      "made by the page",
      "made by a frame on another port",
      "made by a frame on another scheme",
      "made by a frame on a subdomain",
      "made by a frame on the host with a final dot",
      "made by a frame on another host",
      "made by a frame on an Open WebUI",
      "made by the browser (no initiator)",
    ];
    const tabs = ["from a tab", "from a service worker (tab -1)", "from no tab"];
    for (const what of [...changes, ...origins, ...tabs, "to an Open WebUI's own API", "elsewhere"]) {
      expect(seen.get(what) ?? 0, what).toBeGreaterThan(50);
    }
  });

  it("a request with user info or an unserved port is never one a real tab is asked to make", () => {
    const configuration = generateConfiguration(17, WORLD);
    const tab = configuration.tabs[0];
    if (tab === undefined) throw new Error("seed 17 has no tab");
    const origin = new URL(tab.url).origin;
    const request: Omit<GeneratedRequest, "url"> = { tabId: tab.id, initiator: origin, type: "xmlhttprequest", method: "get", how: [] };
    expect(canBeMade({ ...request, url: "http://tools.test:40001/x" }, configuration, WORLD)).toBe(!origin.startsWith("https:"));
    expect(canBeMade({ ...request, url: "http://user@tools.test:40001/x" }, configuration, WORLD)).toBe(false);
    expect(canBeMade({ ...request, url: "http://tools.test:9/x" }, configuration, WORLD)).toBe(false);
    expect(canBeMade({ ...request, url: "http://[::1]:40001/x" }, configuration, WORLD)).toBe(false);
  });
});
