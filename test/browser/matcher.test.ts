/**
 * "Nowhere else", proven by each browser's own matcher: thousands of generated configurations and
 * requests (test/fuzz/generator.ts), the rules ToolKey compiles for each installed in the real browser,
 * the browser asked what it would add to each request (declarativeNetRequest.testMatchOutcome) and
 * its answer held against the promise (src/core/key-delivery.ts). Then a sample of the requests is
 * made for real from real tabs and frames, and what reached the test sites is held against what the
 * matcher said, so that the matcher's answers are anchored in real traffic.
 *
 * FUZZ_SEED picks the first configuration's seed (17 unless set; `npm run fuzz` draws one), FUZZ_REQUESTS
 * the number of generated requests per browser, FUZZ_REAL the number of real requests per browser.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../fuzz/generator.ts";
import type { BulkReport, Disagreement, PlannedRequest, RealPlan } from "../fuzz/matcher-page.ts";
import { bundleForPage } from "./harness/core-bundle.ts";
import { TEST_HOSTS } from "./harness/environment.ts";
import {
  launchChromiumMatcher,
  launchFirefoxMatcher,
  type MatcherBrowser,
  type MatcherTab,
  makeRequest,
} from "./harness/matcher-browsers.ts";
import { type LoggedRequest, makeTestCertificate, startSite, type TestSite } from "./harness/servers.ts";

const LONG_RUN = process.env.FUZZ === "1";
const SEED = Number(process.env.FUZZ_SEED ?? (LONG_RUN ? Math.floor(Math.random() * 2 ** 32) : 17)) >>> 0;
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? (LONG_RUN ? 200_000 : 10_000));
const REAL_REQUESTS = Number(process.env.FUZZ_REAL ?? (LONG_RUN ? 1_000 : 200));
/** Requests asked about per configuration, and per call into the page (so that no single call runs for minutes). */
const PER_CONFIGURATION = 50;
const PER_CALL = 2_500;
const REAL_PER_CONFIGURATION = 25;
/** The real-traffic sample draws its configurations from seeds of its own, apart from the generated run's. */
const REAL_SEED_OFFSET = 0x40000000;

const launchers: Record<string, (bundle: string) => Promise<MatcherBrowser>> = {
  chromium: launchChromiumMatcher,
  firefox: launchFirefoxMatcher,
};

function rerun(browserName: string, seed: number): string {
  return `Rerun it with: FUZZ_SEED=${seed} npx vitest run --project browsers test/browser/matcher.test.ts -t ${browserName}`;
}

describe.each(Object.keys(launchers))("the promise held against real %s's matcher", (browserName) => {
  const log: LoggedRequest[] = [];
  const sites: TestSite[] = [];
  let world: World;
  let browser: MatcherBrowser;

  beforeAll(async () => {
    const http = await Promise.all([0, 1, 2, 3].map(() => startSite(log)));
    const tls = await startSite(log, { tls: makeTestCertificate(TEST_HOSTS) });
    const ipv6 = await Promise.all([0, 1].map(() => startSite(log, { address: "::1" })));
    sites.push(...http, tls, ...ipv6);
    world = { httpPorts: http.map((site) => site.port), httpsPort: tls.port, ipv6Ports: ipv6.map((site) => site.port), names: TEST_HOSTS };
    const ports = sites.map((site) => site.port);
    if (new Set(ports).size !== ports.length) throw new Error(`two test sites share a port: ${ports.join(", ")}`);
    const bundle = await bundleForPage(resolve(import.meta.dirname, "../fuzz/matcher-page.ts"), "ToolKeyMatcher");
    browser = await (launchers[browserName] as (bundle: string) => Promise<MatcherBrowser>)(bundle);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(sites.map((site) => site.close()));
  });

  it(
    `adds a key exactly where the promise says, on ${REQUESTS} generated requests`,
    async () => {
      const started = Date.now();
      const total: BulkReport = {
        configurations: 0,
        entries: 0,
        requests: 0,
        withHeader: 0,
        leeway: {},
        disagreements: 0,
        smallest: [],
        nextSeed: SEED,
      };
      while (total.requests < REQUESTS) {
        const options = {
          seed: total.nextSeed,
          requests: Math.min(PER_CALL, REQUESTS - total.requests),
          perConfiguration: PER_CONFIGURATION,
          world,
          reportAtMost: 3 - total.smallest.length,
        };
        const part = (await browser.evaluate(`ToolKeyMatcher.runBulk(${JSON.stringify(options)})`)) as BulkReport;
        total.configurations += part.configurations;
        total.entries += part.entries;
        total.requests += part.requests;
        total.withHeader += part.withHeader;
        total.disagreements += part.disagreements;
        total.smallest.push(...part.smallest);
        total.nextSeed = part.nextSeed;
        for (const [kind, tally] of Object.entries(part.leeway)) {
          const sum = total.leeway[kind] ?? { added: 0, nothing: 0 };
          total.leeway[kind] = { added: sum.added + tally.added, nothing: sum.nothing + tally.nothing };
        }
      }
      console.log(
        `${browserName}: ${total.requests} generated requests (seed ${SEED}, ${total.configurations} configurations, ${total.entries} entries), ` +
          `${total.withHeader} of them promised a key, ${total.disagreements} disagreements, in ${((Date.now() - started) / 1000).toFixed(1)} s. ` +
          `Frames on the Open WebUI's host (the README's leeway): ${JSON.stringify(total.leeway)}`,
      );
      expect(total.requests).toBeGreaterThanOrEqual(REQUESTS);
      expect(total.withHeader).toBeGreaterThan(REQUESTS / 10);
      const smallest = total.smallest[0];
      expect(
        total.disagreements,
        smallest === undefined
          ? ""
          : `${describeDisagreement(smallest)}\n${rerun(browserName, smallest.seed)}\nOthers: ${JSON.stringify(total.smallest.slice(1), null, 1)}`,
      ).toBe(0);
    },
    Math.max(120_000, REQUESTS * 10),
  );

  it(
    `sends from real tabs exactly what its matcher says, on ${REAL_REQUESTS} real requests`,
    async () => {
      const started = Date.now();
      const [h0, h1, h2] = world.httpPorts;
      const pages = [
        `http://owui.test:${h0}/?tab=1`,
        `http://owui.test:${h0}/?tab=2`,
        `http://owui.test:${h1}/?tab=3`,
        `http://sub.owui.test:${h0}/?tab=4`,
        `https://owui.test:${world.httpsPort}/?tab=5`,
        `http://[::1]:${world.ipv6Ports[0]}/?tab=6`,
        `http://xn--mnchen-3ya.test:${h0}/?tab=7`,
        `http://127.0.0.1:${h2}/?tab=8`,
      ];
      const tabs = new Map<number, MatcherTab>();
      for (const url of pages) {
        const tab = await browser.openTab(url);
        tabs.set(tab.id, tab);
      }
      // A tab that left the Open WebUI for another site.
      const left = await browser.openTab(`http://owui.test:${h0}/?tab=9`);
      await left.goto(`http://other.test:${h1}/?tab=9`);
      tabs.set(left.id, left);

      const mismatches: unknown[] = [];
      const unarrived: unknown[] = [];
      const disagreements: unknown[] = [];
      const byType: Record<string, number> = {};
      let made = 0;
      let carried = 0;
      let preflights = 0;
      for (let i = 0; made < REAL_REQUESTS && i < REAL_REQUESTS; i++) {
        const seed = (SEED + REAL_SEED_OFFSET + i) >>> 0;
        const plan = (await browser.evaluate(
          `ToolKeyMatcher.prepareReal(${JSON.stringify({ seed, world, count: Math.min(REAL_PER_CONFIGURATION, REAL_REQUESTS - made) })})`,
        )) as RealPlan;
        for (const planned of plan.requests) {
          const { outcome } = planned;
          const seen = await makeAndWait(planned, tabs);
          made++;
          byType[outcome.request.type] = (byType[outcome.request.type] ?? 0) + 1;
          if (!outcome.agrees) disagreements.push({ seed, ...outcome });
          if (seen.arrived === undefined) {
            unarrived.push({ seed, ...planned });
            continue;
          }
          // The request, and its CORS preflight when it has one, carry exactly what the matcher said.
          for (const logged of [seen.arrived, seen.preflight]) {
            if (logged === undefined || logged.authorization === outcome.authorization) continue;
            mismatches.push({
              seed,
              request: outcome.request,
              href: planned.href,
              tab: outcome.tabUrl,
              matcherSaid: outcome.authorization,
              arrived: logged,
            });
          }
          if (seen.preflight !== undefined) preflights++;
          if (seen.arrived.authorization !== undefined) carried++;
        }
      }
      console.log(
        `${browserName}: ${made} real requests from ${tabs.size} tabs and their frames (seed ${SEED}; ${JSON.stringify(byType)}, ${preflights} CORS preflights), ` +
          `${carried} carried a key, ${mismatches.length} differed from the matcher, ${unarrived.length} did not arrive, ` +
          `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(made).toBeGreaterThanOrEqual(REAL_REQUESTS);
      expect(carried).toBeGreaterThanOrEqual(Math.ceil(REAL_REQUESTS / 20));
      expect(mismatches, rerun(browserName, SEED)).toEqual([]);
      expect(unarrived, rerun(browserName, SEED)).toEqual([]);
      expect(disagreements, `the matcher and the promise disagree; ${rerun(browserName, SEED)}`).toEqual([]);

      async function makeAndWait(planned: PlannedRequest, byId: Map<number, MatcherTab>): Promise<Seen> {
        const { request } = planned.outcome;
        const tab = byId.get(request.tabId ?? -1);
        if (tab === undefined || request.initiator === undefined) throw new Error(`no tab ${request.tabId} for ${request.url}`);
        const frame = await tab.frameOn(request.initiator);
        const from = log.length;
        await frame(makeRequest, { url: request.url, type: request.type, method: request.method });
        return await arrival(from, planned);
      }
    },
    Math.max(120_000, REAL_REQUESTS * 500),
  );

  interface Seen {
    arrived?: LoggedRequest;
    /** The CORS preflight before it: a cross-origin fetch whose method is not GET, HEAD or POST. */
    preflight?: LoggedRequest;
  }

  /** The first request the sites logged since `from` that is the planned one (its port, method and path), and its preflight. */
  async function arrival(from: number, planned: PlannedRequest): Promise<Seen> {
    const href = new URL(planned.href);
    const { type, method, initiator } = planned.outcome.request;
    const port = Number(href.port);
    // As the sites log the path (servers.ts).
    const path = new URL(`${href.pathname}${href.search}`, "http://placeholder").pathname;
    const logged = type === "websocket" ? "WEBSOCKET" : type === "ping" ? "POST" : type === "xmlhttprequest" ? method.toUpperCase() : "GET";
    const preflighted = type === "xmlhttprequest" && ["put", "patch", "delete"].includes(method) && href.origin !== initiator;
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const since = log.slice(from).filter((entry) => entry.port === port && entry.path === path);
      const arrived = since.find((entry) => entry.method === logged);
      if (arrived !== undefined) {
        const preflight = preflighted ? since.find((entry) => entry.method === "OPTIONS") : undefined;
        return { arrived, ...(preflight === undefined ? {} : { preflight }) };
      }
      await new Promise((done) => setTimeout(done, 10));
    }
    return {};
  }
});

function describeDisagreement(disagreement: Disagreement): string {
  return `The browser's matcher and the promise disagree. Smallest case:\n${JSON.stringify(disagreement, null, 1)}`;
}
