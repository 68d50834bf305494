/**
 * The differential test as it runs inside an extension page of the test copy of ToolKey (bundled by
 * test/browser/harness/core-bundle.ts): for each generated configuration it installs the session
 * rules ToolKey compiles, asks the browser's own matcher (declarativeNetRequest.testMatchOutcome)
 * what it would add to each generated request, and holds that against the promise
 * (src/core/key-delivery.ts). A disagreement is shrunk to the smallest case that still shows it.
 */

import { compileRules, type World as Known } from "../../src/core/decision.ts";
import type { Entry } from "../../src/core/entry.ts";
import { type Leeway, type PromisedHeaders, promisedHeaders } from "../../src/core/key-delivery.ts";
import { NO_POLICY } from "../../src/core/managed.ts";
import type { VersionBook } from "../../src/core/open-webui-version.ts";
import { entryIdOfRule, groupTabsByOrigin, type HeaderRule, patternsOf, type Tab } from "../../src/core/rules.ts";
import { type Configuration, canBeMade, type GeneratedRequest, generateConfiguration, generateRequests, type World } from "./generator.ts";

interface MatchRequest {
  url: string;
  initiator?: string;
  method?: string;
  type: string;
  tabId?: number;
}

interface ExtensionApi {
  declarativeNetRequest: {
    updateSessionRules(options: { removeRuleIds?: number[]; addRules?: HeaderRule[] }): Promise<void>;
    testMatchOutcome(request: MatchRequest): Promise<{ matchedRules: { ruleId: number }[] }>;
  };
  tabs: { query(filter: object): Promise<{ id?: number; url?: string }[]> };
}

declare const browser: ExtensionApi | undefined;
declare const chrome: ExtensionApi;

function api(): ExtensionApi {
  return typeof browser === "object" && browser !== null ? browser : chrome;
}

/** Far from the ids ToolKey owns (1000 and up, see rules.ts), so that its background never touches these. */
const TEST_RULE_ID_FIRST = 100_000;

/** Which entry's header the request carries, by header name in lower case. */
type HeadersByName = Record<string, number>;

export interface Outcome {
  request: GeneratedRequest;
  /** The page the request's tab shows. */
  tabUrl?: string;
  promised: HeadersByName;
  leeway?: Leeway;
  /** What the browser's matcher adds; an id below 0 is a rule that is not the configuration's. */
  matched: HeadersByName;
  /** The value of the Authorization header the browser's matcher adds, if any. */
  authorization?: string;
  agrees: boolean;
  /** The browser's matcher refused to answer. */
  error?: string;
}

interface Installed {
  rules: Map<number, HeaderRule>;
  /** Rules the browser refused, with its message. */
  refused: { entryId: number; message: string }[];
}

let installedIds: number[] = [];

/** What ToolKey's background would know in this configuration, for the decision of each entry. */
function knownIn(configuration: Configuration, tabs: readonly Tab[]): Known {
  const versions: VersionBook = {};
  for (const [origin, version] of Object.entries(configuration.versions)) {
    versions[origin] = version === "unreadable" ? { failed: { failure: { unknown: "network" }, at: 1 } } : { read: { version, at: 1 } };
  }
  return {
    tabsByOrigin: groupTabsByOrigin(tabs),
    granted: new Set(configuration.granted),
    versions,
    policy: NO_POLICY,
    problems: new Map(),
    refused: new Map(),
    rulesFailed: false,
  };
}

async function install(configuration: Configuration): Promise<Installed> {
  const seen = configuration.tabs.map((tab) => (tab.visible ? { id: tab.id, url: tab.url } : { id: tab.id }));
  const compiled = compileRules(configuration.entries, knownIn(configuration, seen));
  const rules = compiled.map((rule) => ({ ...rule, id: TEST_RULE_ID_FIRST + entryIdOfRule(rule.id) }));
  const dnr = api().declarativeNetRequest;
  const refused: Installed["refused"] = [];
  try {
    await dnr.updateSessionRules({ removeRuleIds: installedIds, addRules: rules });
    installedIds = rules.map((rule) => rule.id);
  } catch {
    // As ToolKey's background does: one refused rule must not keep the others out.
    await dnr.updateSessionRules({ removeRuleIds: installedIds });
    installedIds = [];
    for (const rule of rules) {
      try {
        await dnr.updateSessionRules({ addRules: [rule] });
        installedIds.push(rule.id);
      } catch (error) {
        refused.push({ entryId: rule.id - TEST_RULE_ID_FIRST, message: String(error) });
      }
    }
  }
  return { rules: new Map(rules.filter((rule) => installedIds.includes(rule.id)).map((rule) => [rule.id, rule])), refused };
}

/** Removes every rule this page installed. */
export async function clear(): Promise<void> {
  await api().declarativeNetRequest.updateSessionRules({ removeRuleIds: installedIds });
  installedIds = [];
}

function byName(promise: PromisedHeaders): HeadersByName {
  return Object.fromEntries(promise.headers.map((header) => [header.header.toLowerCase(), header.entryId]));
}

function sameHeaders(a: HeadersByName, b: HeadersByName): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

async function check(configuration: Configuration, installed: Installed, request: GeneratedRequest): Promise<Outcome> {
  const tab = configuration.tabs.find((candidate) => candidate.id === request.tabId);
  const promise = promisedHeaders(
    configuration.entries,
    {
      url: request.url,
      type: request.type,
      ...(request.initiator === undefined ? {} : { initiator: request.initiator }),
      ...(tab === undefined ? {} : { tabOrigin: new URL(tab.url).origin }),
    },
    { granted: new Set(configuration.granted), openWebUiVersions: configuration.versions },
  );
  const promised = byName(promise);
  const base = {
    request,
    ...(tab === undefined ? {} : { tabUrl: tab.url }),
    promised,
    ...(promise.leeway === undefined ? {} : { leeway: promise.leeway }),
  };
  let matchedRules: { ruleId: number }[];
  try {
    ({ matchedRules } = await api().declarativeNetRequest.testMatchOutcome({
      url: request.url,
      type: request.type,
      method: request.method,
      ...(request.initiator === undefined ? {} : { initiator: request.initiator }),
      ...(request.tabId === undefined ? {} : { tabId: request.tabId }),
    }));
  } catch (error) {
    return { ...base, matched: {}, agrees: false, error: String(error) };
  }
  // The browser applies the highest priority first; a header one rule has set, no later rule changes.
  const hits = matchedRules.map(({ ruleId }) => installed.rules.get(ruleId) ?? ruleId).sort((a, b) => priorityOf(b) - priorityOf(a));
  const matched: HeadersByName = {};
  let authorization: string | undefined;
  for (const hit of hits) {
    if (typeof hit === "number") {
      matched[`unknown rule ${hit}`] = -1;
      continue;
    }
    for (const { header, value } of hit.action.requestHeaders) {
      const name = header.toLowerCase();
      if (name in matched) continue;
      matched[name] = hit.id - TEST_RULE_ID_FIRST;
      if (name === "authorization") authorization = value;
    }
  }
  const agrees = sameHeaders(promised, matched) || (promise.leeway !== undefined && Object.keys(matched).length === 0);
  return { ...base, matched, ...(authorization === undefined ? {} : { authorization }), agrees };
}

function priorityOf(hit: HeaderRule | number): number {
  return typeof hit === "number" ? Number.POSITIVE_INFINITY : hit.priority;
}

interface Case {
  configuration: Configuration;
  request: GeneratedRequest;
}

async function failing(candidate: Case): Promise<Outcome | undefined> {
  const outcome = await check(candidate.configuration, await install(candidate.configuration), candidate.request);
  return outcome.agrees ? undefined : outcome;
}

function withEntries(configuration: Configuration, entries: Entry[]): Configuration {
  return { ...configuration, entries };
}

/** Each case one step simpler than this one, the likeliest to help first. */
function* simpler({ configuration, request }: Case): Generator<Case> {
  const { entries, tabs } = configuration;
  for (let i = entries.length - 1; i >= 0; i--) {
    yield {
      configuration: withEntries(
        configuration,
        entries.filter((_, at) => at !== i),
      ),
      request,
    };
  }
  const kept = tabs.filter((tab) => tab.id === request.tabId);
  if (kept.length < tabs.length) yield { configuration: { ...configuration, tabs: kept }, request };
  for (const origin of Object.keys(configuration.versions)) {
    if (configuration.versions[origin] !== "0.6.0")
      yield { configuration: { ...configuration, versions: { ...configuration.versions, [origin]: "0.6.0" } }, request };
  }
  const needed = new Set(entries.flatMap((entry) => patternsOf(entry)));
  const granted = configuration.granted.filter((pattern) => needed.has(pattern));
  if (granted.length < configuration.granted.length) yield { configuration: { ...configuration, granted }, request };
  const plain: Partial<Entry>[] = [{ enabled: true }, { addKeyAnyway: false }, { headerName: "Authorization" }, { scheme: "Bearer" }];
  for (const change of plain) {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      if (Object.entries(change).every(([field, value]) => entry[field as keyof Entry] === value)) continue;
      yield {
        configuration: withEntries(
          configuration,
          entries.map((other, at) => (at === i ? { ...other, ...change } : other)),
        ),
        request,
      };
    }
  }
  if (request.type !== "xmlhttprequest") yield { configuration, request: { ...request, type: "xmlhttprequest" } };
  if (request.method !== "get") yield { configuration, request: { ...request, method: "get" } };
  const tab = tabs.find((candidate) => candidate.id === request.tabId);
  const page = tab === undefined ? undefined : new URL(tab.url).origin;
  if (page !== undefined && request.initiator !== page) yield { configuration, request: { ...request, initiator: page } };
  for (const url of simplerUrls(request.url)) yield { configuration, request: { ...request, url } };
}

function simplerUrls(url: string): string[] {
  const urls = [url.split("#")[0] as string, url.replace(/\?[^#]*/, "")];
  try {
    const parsed = new URL(url);
    urls.push(parsed.href);
    const shorter = parsed.pathname.replace(/\/[^/]*\/?$/, "/");
    if (shorter !== parsed.pathname) urls.push(`${parsed.origin}${shorter}`);
  } catch {
    // Not a URL: only the plain cuts above apply.
  }
  return [...new Set(urls)].filter((candidate) => candidate !== url);
}

async function shrink(found: Case): Promise<Case> {
  let current = found;
  for (let progress = true; progress; ) {
    progress = false;
    for (const candidate of simpler(current)) {
      if ((await failing(candidate)) !== undefined) {
        current = candidate;
        progress = true;
        break;
      }
    }
  }
  return current;
}

/** A disagreement as the test reports it: the smallest case, with everything needed to read it. */
export interface Disagreement {
  /** The configuration's seed: FUZZ_SEED=<seed> makes it the first configuration of a run. */
  seed: number;
  request: Omit<GeneratedRequest, "how"> & { tabUrl?: string };
  promised: HeadersByName;
  leeway?: Leeway;
  browserAdds: HeadersByName;
  error?: string;
  entries: Omit<Entry, "key">[];
  tabs: Configuration["tabs"];
  versions: Record<string, string>;
  granted: string[];
  rules: { entryId: number; priority: number; condition: HeaderRule["condition"] }[];
  refusedRules: Installed["refused"];
  /** The request as first generated, before shrinking, with how it was made. */
  found: GeneratedRequest;
}

async function report(found: Case): Promise<Disagreement> {
  const smallest = await shrink(found);
  const installed = await install(smallest.configuration);
  const outcome = await check(smallest.configuration, installed, smallest.request);
  const { how: _how, ...request } = smallest.request;
  return {
    seed: smallest.configuration.seed,
    request: { ...request, ...(outcome.tabUrl === undefined ? {} : { tabUrl: outcome.tabUrl }) },
    promised: outcome.promised,
    ...(outcome.leeway === undefined ? {} : { leeway: outcome.leeway }),
    browserAdds: outcome.matched,
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    entries: smallest.configuration.entries.map(({ key: _key, ...entry }) => entry),
    tabs: smallest.configuration.tabs,
    versions: smallest.configuration.versions,
    granted: smallest.configuration.granted,
    rules: [...installed.rules.values()].map((rule) => ({
      entryId: rule.id - TEST_RULE_ID_FIRST,
      priority: rule.priority,
      condition: rule.condition,
    })),
    refusedRules: installed.refused,
    found: found.request,
  };
}

export interface BulkOptions {
  seed: number;
  requests: number;
  /** Requests asked about per configuration. */
  perConfiguration: number;
  world: World;
  /** Disagreements shrunk and reported at most. */
  reportAtMost: number;
}

export interface BulkReport {
  configurations: number;
  entries: number;
  requests: number;
  /** Requests the promise gives a header. */
  withHeader: number;
  /** Requests in the README's leeway, by how the frame differs, and what the browser did. */
  leeway: Record<string, { added: number; nothing: number }>;
  disagreements: number;
  smallest: Disagreement[];
  /** Where the next run goes on: the seed after the last configuration's. */
  nextSeed: number;
}

/** Asks the browser about `requests` generated requests, from `seed` on, one configuration after another. */
export async function runBulk(options: BulkOptions): Promise<BulkReport> {
  const result: BulkReport = {
    configurations: 0,
    entries: 0,
    requests: 0,
    withHeader: 0,
    leeway: {},
    disagreements: 0,
    smallest: [],
    nextSeed: options.seed,
  };
  const found: Case[] = [];
  for (let seed = options.seed; result.requests < options.requests; seed = (seed + 1) >>> 0) {
    result.nextSeed = (seed + 1) >>> 0;
    const configuration = generateConfiguration(seed, options.world);
    const installed = await install(configuration);
    const requests: GeneratedRequest[] = [];
    for (const request of generateRequests(configuration, options.world)) {
      if (requests.length >= Math.min(options.perConfiguration, options.requests - result.requests)) break;
      requests.push(request);
    }
    const outcomes = await Promise.all(requests.map((request) => check(configuration, installed, request)));
    result.configurations++;
    result.entries += configuration.entries.length;
    result.requests += outcomes.length;
    for (const outcome of outcomes) {
      if (Object.keys(outcome.promised).length > 0 && outcome.leeway === undefined) result.withHeader++;
      if (outcome.leeway !== undefined && Object.keys(outcome.promised).length > 0) {
        const kind = outcome.request.how.find((step) => step.startsWith("made by")) ?? "made by ?";
        const tally = result.leeway[kind] ?? { added: 0, nothing: 0 };
        if (Object.keys(outcome.matched).length > 0) tally.added++;
        else tally.nothing++;
        result.leeway[kind] = tally;
      }
      if (!outcome.agrees) {
        result.disagreements++;
        if (found.length < options.reportAtMost && !found.some((other) => other.configuration.seed === seed)) {
          found.push({ configuration, request: outcome.request });
        }
      }
    }
  }
  for (const one of found) result.smallest.push(await report(one));
  await clear();
  // A copy without shared objects crosses WebDriver BiDi intact (see url-tables.ts).
  return JSON.parse(JSON.stringify(result)) as BulkReport;
}

/** One request of the real-traffic sample: what to make, and what the browser's matcher and the promise say. */
export interface PlannedRequest {
  outcome: Outcome;
  /** The URL as the browser's parser leaves it: where the request goes. */
  href: string;
}

export interface RealPlan {
  seed: number;
  entries: number;
  refusedRules: Installed["refused"];
  requests: PlannedRequest[];
}

/**
 * Generates one configuration around the browser's real tabs, installs its rules and plans `count`
 * requests that a real tab can make to the test sites, each with the browser's and the promise's answer.
 * Each URL gets a query parameter of its own, so that no cache answers in the site's place; a query
 * comes after every rule's prefix, so it changes no answer.
 */
export async function prepareReal(options: { seed: number; world: World; count: number }): Promise<RealPlan> {
  const tabs = (await api().tabs.query({})).flatMap((tab) =>
    tab.id !== undefined && tab.url !== undefined && /^https?:/.test(tab.url) ? [{ id: tab.id, url: tab.url }] : [],
  );
  const configuration = generateConfiguration(options.seed, options.world, tabs);
  const installed = await install(configuration);
  const requests: PlannedRequest[] = [];
  let attempts = 0;
  for (const request of generateRequests(configuration, options.world)) {
    if (requests.length >= options.count || ++attempts > options.count * 50) break;
    if (!canBeMade(request, configuration, options.world)) continue;
    const cut = request.url.includes("#") ? request.url.indexOf("#") : request.url.length;
    const beforeFragment = request.url.slice(0, cut);
    const marker = `${beforeFragment.includes("?") ? "&" : "?"}toolkey-probe=${options.seed}-${requests.length}`;
    const marked = `${beforeFragment}${marker}${request.url.slice(cut)}`;
    const outcome = await check(configuration, installed, { ...request, url: marked });
    requests.push({ outcome, href: new URL(marked).href });
  }
  const plan: RealPlan = { seed: options.seed, entries: configuration.entries.length, refusedRules: installed.refused, requests };
  return JSON.parse(JSON.stringify(plan)) as RealPlan;
}
