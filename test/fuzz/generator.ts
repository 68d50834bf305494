/**
 * Configurations and requests for the differential test of the promise (test/browser/matcher.test.ts),
 * made from a seed: entries typed the way people type addresses and validated by ToolKey itself, the
 * tabs a browser could hold, and requests built from the entries by the changes a page or a server
 * can make to a URL, an initiator and a tab. Runs in the browsers (bundled), so that every URL is
 * read by the parser of the browser under test; plain data out, no browser API.
 */
import { type Entry, type EntryInput, isSameEntry, validateEntryInput } from "../../src/core/entry.ts";
import { RESOURCE_TYPES, type ResourceType } from "../../src/core/key-delivery.ts";
import { patternsOf } from "../../src/core/rules.ts";
import { Random } from "./random.ts";

/** The test sites: every host name of the run leads to 127.0.0.1, and [::1] to the IPv6 sites. */
export interface World {
  /** Ports of the http sites on 127.0.0.1 (at least two). */
  httpPorts: readonly number[];
  /** The port of the https site on 127.0.0.1. */
  httpsPort: number;
  /** Ports of the http sites on ::1 (at least two). */
  ipv6Ports: readonly number[];
  /** Host names the browser maps to 127.0.0.1. */
  names: readonly string[];
}

export interface WorldTab {
  id: number;
  /** The address of the page the tab shows. */
  url: string;
  /** False for a tab whose address the extension cannot see (no host access): it reports no URL. */
  visible: boolean;
}

export interface Configuration {
  seed: number;
  /** What was typed for each entry, refused ones included, in order. */
  typed: EntryInput[];
  /** The entries ToolKey saved from it: validated, a duplicate updating the entry it repeats. */
  entries: Entry[];
  tabs: WorldTab[];
  /** The version each Open WebUI reported ("unreadable": asked, never read); an origin not listed was never asked. */
  versions: Record<string, string>;
  /** Host-access patterns held. */
  granted: string[];
}

export type Method = "get" | "post" | "put" | "patch" | "delete" | "head" | "options";

export interface GeneratedRequest {
  url: string;
  /** An origin; absent for a request the browser makes on its own. */
  initiator?: string;
  /** Absent for no tab at all; -1 is a service worker's. */
  tabId?: number;
  type: ResourceType;
  method: Method;
  /** How it was made: the target, each change to the URL, the tab and the initiator. */
  how: string[];
}

const OPEN_WEBUI_HOSTS = ["owui.test", "owui.test", "127.0.0.1", "[::1]", "xn--mnchen-3ya.test", "localhost", "open_webui"];
const TOOL_HOSTS = ["tools.test", "tools.test", "xn--mnchen-3ya.test", "127.0.0.1", "[::1]", "sub.owui.test", "tools_1"];
const OTHER_HOSTS = ["other.test", "noaccess.test", "tools.test", "owui.test", "127.0.0.1", "[::1]", "[::ffff:127.0.0.1]"];

/** Other ways to write a host that the URL parser reads as the same one. */
const SPELLINGS: Record<string, readonly string[]> = {
  "xn--mnchen-3ya.test": ["münchen.test", "MÜNCHEN.test", "Xn--Mnchen-3ya.Test"],
  "[::1]": ["[0:0::1]", "[0:0:0:0:0:0:0:1]", "[::0:1]", "[0000::0001]"],
  "127.0.0.1": ["127.1", "0x7f.0.0.1", "2130706433", "0177.0.0.01"],
};

/** Other ways to write the host; for a name: upper case, a letter escaped, letters in full width. */
function spellingsOf(host: string): readonly string[] {
  const known = SPELLINGS[host];
  if (known !== undefined) return known;
  if (!isName(host)) return [];
  const first = host.charCodeAt(0);
  const wide = [...host]
    .map((char) => (/[a-z0-9]/.test(char) ? String.fromCodePoint((char.codePointAt(0) as number) + 0xfee0) : char))
    .join("");
  return [host.toUpperCase(), `%${first.toString(16).toUpperCase()}${host.slice(1)}`, wide];
}

const TOOL_PREFIXES = [
  "",
  "",
  "/time",
  "/time",
  "/memory",
  "/time/v1",
  "/t",
  "/café",
  "/caf%C3%A9",
  "/%74ools",
  "/Tools",
  "/x.y",
  "/time2",
  "/a b",
];
/** Paths for a tool server on the Open WebUI's own origin: its own API and everything near it. */
const ON_OPEN_WEBUI_PREFIXES = [
  "/tools",
  "/tools/time",
  "/api",
  "/ap%69",
  "/%61pi/v1",
  "/API",
  "/api2",
  "/ollama",
  "/ollama2",
  "/openai/v1",
  "/ws",
  "/wsx",
  "/oauth",
  "/o%61uth/x",
  "/x/../api",
  "/%2e%2e/api",
];
const OWN_API_PATHS = ["/api/v1/chats", "/api", "/api/", "/ollama/api/tags", "/openai/models", "/ws/socket.io/", "/oauth/google/login"];
const SUFFIXES = ["/openapi.json", "/get_current_time", "/", "/a/b", "/docs", ""];

interface Origin {
  scheme: "http" | "https";
  host: string;
  /** "" for the scheme's default. */
  port: string;
}

function originText({ scheme, host, port }: Origin): string {
  return `${scheme}://${host}${port === "" ? "" : `:${port}`}`;
}

function originOf(url: string): Origin {
  const parsed = new URL(url);
  return { scheme: parsed.protocol === "https:" ? "https" : "http", host: parsed.hostname, port: parsed.port };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function isName(host: string): boolean {
  return !host.startsWith("[") && !/^[\d.]+$/.test(host);
}

/** A port of a test site for the scheme and host; now and then the scheme's default, unless `served`. */
function portFor(random: Random, world: World, scheme: "http" | "https", host: string, served = false): string {
  if (!served && random.chance(0.2)) return "";
  if (scheme === "https") return String(world.httpsPort);
  return String(random.pick(host === "[::1]" ? world.ipv6Ports : world.httpPorts));
}

function randomOrigin(random: Random, world: World, hosts: readonly string[], served = false): Origin {
  const scheme = random.chance(0.85) ? "http" : "https";
  const host = random.pick(hosts);
  return { scheme, host, port: portFor(random, world, scheme, host, served) };
}

function mixCase(random: Random, text: string): string {
  return [...text].map((char) => (random.chance(0.5) ? char.toUpperCase() : char)).join("");
}

/** An origin as someone might type it: other case, another spelling of the host, the default port written. */
function typedOrigin(random: Random, origin: Origin): string {
  const scheme = random.chance(0.1) ? origin.scheme.toUpperCase() : origin.scheme;
  const spellings = spellingsOf(origin.host);
  const spelled =
    spellings.length > 0 && random.chance(0.3) ? random.pick(spellings) : random.chance(0.2) ? mixCase(random, origin.host) : origin.host;
  // A final dot makes another origin: the same server, written otherwise.
  const host = isName(origin.host) && random.chance(0.04) ? `${spelled}.` : spelled;
  const port = origin.port !== "" ? `:${origin.port}` : random.chance(0.2) ? (origin.scheme === "http" ? ":80" : ":443") : "";
  return `${scheme}://${host}${port}`;
}

/** Another origin near this one: what a page on a neighbouring site, port or scheme would be. */
function neighbourOf(random: Random, world: World, origin: Origin): [string, Origin] {
  const ports = [...world.httpPorts, ...world.ipv6Ports, world.httpsPort].map(String);
  const kinds: [string, () => Origin | undefined][] = [
    ["another port", () => ({ ...origin, port: random.pick(["", ...ports].filter((port) => port !== origin.port)) })],
    ["another scheme", () => ({ ...origin, scheme: origin.scheme === "http" ? "https" : "http" })],
    ["a subdomain", () => (isName(origin.host) ? { ...origin, host: `sub.${origin.host}` } : undefined)],
    ["the host with a final dot", () => (isName(origin.host) ? { ...origin, host: `${origin.host}.` } : undefined)],
    ["another host", () => ({ ...origin, host: random.pick(["other.test", "noaccess.test"]) })],
  ];
  for (;;) {
    const [label, make] = random.pick(kinds);
    const made = make();
    if (made !== undefined) return [label, made];
  }
}

/**
 * One configuration from its seed. `realTabs`: the tabs a real browser holds, whose origins the
 * Open WebUI addresses are chosen from; without them the tabs are made up around the entries.
 */
export function generateConfiguration(seed: number, world: World, realTabs?: readonly { id: number; url: string }[]): Configuration {
  const random = new Random(seed);
  const tabOrigins = realTabs === undefined ? [] : [...new Set(realTabs.map((tab) => new URL(tab.url).origin))];
  const openWebUis: Origin[] = [];
  for (let count = 1 + random.int(tabOrigins.length > 0 ? 2 : 3); openWebUis.length < count; ) {
    openWebUis.push(tabOrigins.length > 0 ? originOf(random.pick(tabOrigins)) : randomOrigin(random, world, OPEN_WEBUI_HOSTS));
  }

  const typed: EntryInput[] = [];
  const toolOrigins: Origin[] = [];
  for (let i = 0, count = 1 + random.int(5); i < count; i++) {
    const key = `fake-key-${i}-not-a-secret`;
    const header = random.weighted<string | undefined>([
      [80, undefined],
      [8, "authorization"],
      [12, "X-API-Key"],
    ]);
    // "bearer" in another case: Open WebUI 0.6.1 and later send it, compared without regard to case.
    const scheme = random.weighted<string | undefined>([
      [82, undefined],
      [10, ""],
      [5, "Token"],
      [3, "bearer"],
    ]);
    const extras = { ...(header === undefined ? {} : { headerName: header }), ...(scheme === undefined ? {} : { scheme }) };
    const repeated = typed.at(-1);
    if (repeated !== undefined && random.chance(0.08)) {
      // Save on an entry that exists: it updates that entry.
      typed.push({ ...repeated, key, ...extras });
      continue;
    }
    const openWebUi = random.pick(openWebUis);
    const address = `${typedOrigin(random, openWebUi)}${random.pick(["", "", "/", "/c/0f3e-chat", "/?model=x", "/#top", "/admin/settings"])}`;
    let tool: Origin;
    let prefix: string;
    if (toolOrigins.length > 0 && random.chance(0.35)) {
      tool = random.pick(toolOrigins);
      prefix = random.pick(TOOL_PREFIXES);
    } else if (random.chance(0.15)) {
      tool = openWebUi;
      prefix = random.pick(ON_OPEN_WEBUI_PREFIXES);
    } else {
      // Around real tabs, the tool servers are mostly test sites, so that real requests can reach them.
      const served = realTabs !== undefined && random.chance(0.9);
      const hosts = served ? TOOL_HOSTS.filter((host) => world.names.includes(host) || !isName(host)) : TOOL_HOSTS;
      tool = randomOrigin(random, world, hosts, served);
      prefix = random.pick(TOOL_PREFIXES);
    }
    toolOrigins.push(tool);
    const toolServerUrl = `${typedOrigin(random, tool)}${prefix}${random.chance(0.2) ? "/" : ""}`;
    const padding = random.chance(0.05) ? "  " : "";
    typed.push({ openWebUiAddress: `${padding}${address}${padding}`, toolServerUrl, key, ...extras });
  }

  const entries: Entry[] = [];
  for (const input of typed) {
    const validated = validateEntryInput(input);
    const enabled = random.chance(0.9);
    const addKeyAnyway = random.chance(0.2);
    if (!validated.ok) continue;
    const same = entries.findIndex((entry) => isSameEntry(entry, validated.fields));
    const id = same >= 0 ? (entries[same] as Entry).id : entries.length;
    const entry: Entry = { ...validated.fields, id, enabled, addKeyAnyway };
    if (same >= 0) entries[same] = entry;
    else entries.push(entry);
  }

  const origins = [...new Set(entries.map((entry) => entry.openWebUiOrigin))];
  const versions: Record<string, string> = {};
  for (const origin of origins) {
    const roll = random.int(20);
    // Mostly the affected 0.6.0; a patched one, one that could not be read, and one never asked now and then.
    if (roll < 2) versions[origin] = "0.6.5";
    else if (roll === 2) versions[origin] = "unreadable";
    else if (roll !== 3) versions[origin] = "0.6.0";
  }
  const granted = [...new Set(entries.flatMap((entry) => patternsOf(entry)))];
  if (granted.length > 0 && random.chance(0.05)) granted.splice(random.int(granted.length), 1);

  let tabs: WorldTab[];
  if (realTabs !== undefined) {
    tabs = realTabs.map((tab) => ({ ...tab, visible: true }));
    // A tab whose page left for a site without host access reports no address.
    const others = tabs.filter((tab) => !origins.includes(new URL(tab.url).origin));
    if (others.length > 0 && random.chance(0.3)) random.pick(others).visible = false;
  } else {
    tabs = madeUpTabs(random, world, origins);
  }
  return { seed, typed, entries, tabs, versions, granted };
}

function madeUpTabs(random: Random, world: World, origins: readonly string[]): WorldTab[] {
  const ids = new Set<number>();
  const newId = () => {
    let id = 1 + random.int(9999);
    while (ids.has(id)) id = 1 + random.int(9999);
    ids.add(id);
    return id;
  };
  const tabs: WorldTab[] = [];
  for (const origin of origins) {
    if (random.chance(0.92)) tabs.push({ id: newId(), url: `${origin}/c/${random.int(1000)}`, visible: true });
    if (random.chance(0.4)) tabs.push({ id: newId(), url: `${origin}/c/${random.int(1000)}`, visible: true });
  }
  for (let count = random.int(4); count > 0; count--) {
    const port = random.pick(world.httpPorts);
    const kind = random.pick(["neighbour", "neighbour", "left", "unseen"] as const);
    if (kind === "left" || origins.length === 0) tabs.push({ id: newId(), url: `http://other.test:${port}/left`, visible: true });
    else if (kind === "unseen") tabs.push({ id: newId(), url: `http://noaccess.test:${port}/`, visible: false });
    else {
      const [, neighbour] = neighbourOf(random, world, originOf(random.pick(origins)));
      tabs.push({ id: newId(), url: `${originText(neighbour)}/`, visible: true });
    }
  }
  return tabs;
}

/** A URL taken apart, so that each part can be changed on its own. */
interface Parts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  path: string;
  query: string;
  fragment: string;
}

function assemble(parts: Parts): string {
  const port = parts.port === "" ? "" : `:${parts.port}`;
  return `${parts.scheme}://${parts.userInfo}${parts.host}${port}${parts.path}${parts.query}${parts.fragment}`;
}

function partsOf(origin: Origin, path: string): Parts {
  return { scheme: origin.scheme, userInfo: "", host: origin.host, port: origin.port, path, query: "", fragment: "" };
}

/** A change to one part of the URL; undefined where it does not apply. */
type Mutation = (random: Random, parts: Parts, prefix: string, world: World) => string | undefined;

const letterAt = (random: Random, text: string): number | undefined => {
  const at = [...text].flatMap((char, i) => (/[a-z]/i.test(char) ? [i] : []));
  return at.length === 0 ? undefined : random.pick(at);
};

const MUTATIONS: readonly Mutation[] = [
  (random, parts) => {
    const host = mixCase(random, parts.host);
    if (host === parts.host) return undefined;
    parts.host = host;
    return "host in other case";
  },
  (_random, parts) => {
    if (!isName(parts.host) || parts.host.endsWith(".")) return undefined;
    parts.host += ".";
    return "host with a final dot";
  },
  (random, parts) => {
    const spellings = spellingsOf(parts.host);
    if (spellings.length === 0) return undefined;
    parts.host = random.pick(spellings);
    return "host spelled otherwise";
  },
  (random, parts) => {
    const host = random.pick([...(isName(parts.host) ? [`sub.${parts.host}`, `${parts.host}.other.test`] : []), ...OTHER_HOSTS]);
    if (host === parts.host) return undefined;
    parts.host = host;
    return "another host";
  },
  (_random, parts) => {
    if (parts.port !== "") return undefined;
    parts.port = parts.scheme === "https" ? "443" : "80";
    return "default port written";
  },
  (random, parts, _prefix, world) => {
    const port = random.pick(["", "80", "443", String(world.httpsPort), ...[...world.httpPorts, ...world.ipv6Ports].map(String)]);
    if (port === parts.port) return undefined;
    parts.port = port;
    return "another port";
  },
  (_random, parts) => {
    parts.scheme = parts.scheme === "http" ? "https" : "http";
    return "another scheme";
  },
  (random, parts) => {
    parts.userInfo = random.pick(["user@", "user:secret@", ":@", "@"]);
    return "user info";
  },
  (random, parts) => {
    const at = letterAt(random, parts.path);
    if (at === undefined) return undefined;
    const char = parts.path[at] as string;
    const flipped = char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase();
    parts.path = `${parts.path.slice(0, at)}${flipped}${parts.path.slice(at + 1)}`;
    return "path in other case";
  },
  (random, parts) => {
    const slashes = [...parts.path].flatMap((char, i) => (char === "/" && i > 0 ? [i] : []));
    if (slashes.length === 0) return undefined;
    const at = random.pick(slashes);
    parts.path = `${parts.path.slice(0, at)}${random.pick(["%2F", "%2f"])}${parts.path.slice(at + 1)}`;
    return "slash escaped";
  },
  (random, parts) => {
    const at = letterAt(random, parts.path);
    if (at === undefined) return undefined;
    const hex = (parts.path.charCodeAt(at) as number).toString(16);
    parts.path = `${parts.path.slice(0, at)}%${random.chance(0.5) ? hex.toUpperCase() : hex}${parts.path.slice(at + 1)}`;
    return "letter escaped";
  },
  (random, parts) => {
    const slashes = [...parts.path].flatMap((char, i) => (char === "/" ? [i] : []));
    const at = slashes.length === 0 ? parts.path.length : random.pick(slashes);
    const segment = random.pick(["/..", "/x/..", "/.", "/%2e%2e", "/%2E", "/.%2e", "/x/%2e%2e"]);
    parts.path = `${parts.path.slice(0, at)}${segment}${parts.path.slice(at)}`;
    return `dot segment ${segment}`;
  },
  (random, parts, prefix) => {
    if (prefix === "" || !parts.path.startsWith(prefix)) return undefined;
    const sibling = random.pick(["2", "-old", ".bak", "%20", "_x", "~", ";x", ",x", "!"]);
    parts.path = `${prefix}${sibling}${parts.path.slice(prefix.length)}`;
    return `sibling path ${prefix}${sibling}`;
  },
  (random, parts, prefix) => {
    parts.path = random.chance(0.7) ? prefix : `${prefix}/`;
    return "the saved URL itself";
  },
  (_random, parts) => {
    parts.path += "/deeper/still";
    return "deeper path";
  },
  (_random, parts) => {
    parts.path = `/${parts.path === "" ? "/" : parts.path}`;
    return "double slash";
  },
  (_random, parts) => {
    if (!parts.path.includes("/")) return undefined;
    parts.path = parts.path.replaceAll("/", "\\");
    return "backslashes";
  },
  (random, parts) => {
    parts.query = random.pick(["?x=1", "?", "?/time/", "?a=%2F..%2Fapi"]);
    return "query";
  },
  (random, parts) => {
    parts.fragment = random.pick(["#x", "#", "#/../api"]);
    return "fragment";
  },
  (random, parts) => {
    const at = random.int(parts.path.length + 1);
    parts.path = `${parts.path.slice(0, at)}${random.pick(["\t", "\n", "\r"])}${parts.path.slice(at)}`;
    return "tab or newline";
  },
  (random, parts) => {
    parts.path += random.pick(["/é", "/%C3%A9", "/%c3%a9", "/ü", "/a b"]);
    return "characters to escape";
  },
];

const RESOURCE_TYPES_BUT_XHR = RESOURCE_TYPES.filter((type) => type !== "xmlhttprequest");

/** One request within a configuration, or undefined when the URL made is not one a browser accepts. */
export function generateRequest(random: Random, configuration: Configuration, world: World): GeneratedRequest | undefined {
  const { entries, tabs } = configuration;
  const how: string[] = [];
  const openWebUiOrigins = [...new Set(entries.map((entry) => entry.openWebUiOrigin))];
  const openWebUiTabs = tabs.filter((tab) => openWebUiOrigins.includes(new URL(tab.url).origin));
  const otherTabs = tabs.filter((tab) => !openWebUiTabs.includes(tab));

  const tabKind = random.weighted([
    [72, "an Open WebUI tab"],
    [20, "another tab"],
    [4, "a service worker (tab -1)"],
    [4, "no tab"],
  ] as const);
  const pool = tabKind === "an Open WebUI tab" ? openWebUiTabs : otherTabs;
  const tab = tabKind === "an Open WebUI tab" || tabKind === "another tab" ? (pool.length > 0 ? random.pick(pool) : undefined) : undefined;
  const tabId = tab?.id ?? (tabKind === "a service worker (tab -1)" ? -1 : undefined);
  how.push(tab === undefined ? (tabId === -1 ? "from a service worker (tab -1)" : "from no tab") : `from the tab on ${tab.url}`);

  const page =
    tab !== undefined
      ? originOf(tab.url)
      : openWebUiOrigins.length > 0
        ? originOf(random.pick(openWebUiOrigins))
        : randomOrigin(random, world, OPEN_WEBUI_HOSTS);
  const initiatorKind = random.weighted([
    [72, "the page"],
    [18, "a neighbour"],
    [4, "an Open WebUI"],
    [3, "the tool server"],
    [3, "none"],
  ] as const);
  let initiator: string | undefined;
  if (initiatorKind === "the page") {
    initiator = originText(page);
    how.push("made by the page");
  } else if (initiatorKind === "a neighbour") {
    const [label, neighbour] = neighbourOf(random, world, page);
    initiator = originText(neighbour);
    how.push(`made by a frame on ${label}`);
  } else if (initiatorKind === "an Open WebUI" && openWebUiOrigins.length > 0) {
    // An Open WebUI framed by another site, or by another Open WebUI.
    initiator = random.pick(openWebUiOrigins);
    how.push("made by a frame on an Open WebUI");
  } else if (initiatorKind === "the tool server" && entries.length > 0) {
    initiator = new URL(random.pick(entries).toolServerUrl).origin;
    how.push("made by a frame on a tool server");
  } else {
    how.push("made by the browser (no initiator)");
  }

  const target =
    entries.length === 0
      ? "elsewhere"
      : random.weighted([[75, "tool server"] as const, [10, "own API"] as const, [15, "elsewhere"] as const]);
  let parts: Parts;
  let prefix = "";
  if (target === "tool server") {
    const ofTab = entries.filter((entry) => tab !== undefined && entry.openWebUiOrigin === new URL(tab.url).origin);
    const entry = random.pick(ofTab.length > 0 && random.chance(0.8) ? ofTab : entries);
    const saved = new URL(entry.toolServerUrl);
    prefix = saved.pathname === "/" ? "" : saved.pathname;
    parts = partsOf(originOf(entry.toolServerUrl), `${prefix}${random.pick(SUFFIXES)}`);
    how.push(`to entry ${entry.id}'s tool server`);
  } else if (target === "own API") {
    parts = partsOf(originOf(random.pick(openWebUiOrigins)), random.pick(OWN_API_PATHS));
    how.push("to an Open WebUI's own API");
  } else {
    parts = partsOf(
      random.chance(0.5) ? neighbourOf(random, world, page)[1] : randomOrigin(random, world, OTHER_HOSTS),
      random.pick(SUFFIXES),
    );
    how.push("elsewhere");
  }
  for (
    let count = random.weighted([
      [45, 0],
      [30, 1],
      [17, 2],
      [8, 3],
    ]);
    count > 0;
    count--
  ) {
    const label = random.pick(MUTATIONS)(random, parts, prefix, world);
    if (label !== undefined) how.push(label);
  }

  const type = random.chance(0.8) ? "xmlhttprequest" : random.pick(RESOURCE_TYPES_BUT_XHR);
  if (type === "websocket") parts.scheme = parts.scheme === "https" ? "wss" : "ws";
  const method: Method =
    type === "ping"
      ? "post"
      : type !== "xmlhttprequest"
        ? "get"
        : random.weighted([
            [55, "get"],
            [25, "post"],
            [5, "put"],
            [5, "delete"],
            [4, "head"],
            [4, "options"],
            [2, "patch"],
          ] as const);
  const url = assemble(parts);
  if (parse(url) === undefined) return undefined;
  return { url, ...(initiator === undefined ? {} : { initiator }), ...(tabId === undefined ? {} : { tabId }), type, method, how };
}

/** The requests of one configuration, drawn from its own seed after the configuration's. */
export function* generateRequests(configuration: Configuration, world: World): Generator<GeneratedRequest> {
  const random = new Random(configuration.seed ^ 0x5eed);
  for (;;) {
    const request = generateRequest(random, configuration, world);
    if (request !== undefined) yield request;
  }
}

/** The request types a page can make itself, with the element or call that makes each. */
export const TYPES_A_PAGE_MAKES: readonly ResourceType[] = [
  "xmlhttprequest",
  "image",
  "script",
  "stylesheet",
  "sub_frame",
  "ping",
  "websocket",
];

/**
 * Whether a real tab can make this request and a test site receives it: a served scheme, host and
 * port for the URL and for the frame that makes it, no user info (fetch refuses it, and browsers
 * block it on other requests), no mixed content, no fragment on a WebSocket, and a path the sites'
 * log reads as a path.
 */
export function canBeMade(request: GeneratedRequest, configuration: Configuration, world: World): boolean {
  const tab = configuration.tabs.find((candidate) => candidate.id === request.tabId);
  if (tab === undefined || request.initiator === undefined || !TYPES_A_PAGE_MAKES.includes(request.type)) return false;
  const url = parse(request.url);
  const initiator = parse(request.initiator);
  const page = new URL(tab.url);
  if (url === undefined || initiator === undefined || url.username !== "" || url.password !== "") return false;
  if (url.pathname.startsWith("//") || !isServed(url, world) || !isServed(initiator, world)) return false;
  // Chromium's WebSocket refuses a URL with a fragment before any request.
  if (request.type === "websocket" && request.url.includes("#")) return false;
  if (page.protocol === "https:" && initiator.protocol !== "https:") return false;
  return !(initiator.protocol === "https:" && (url.protocol === "http:" || url.protocol === "ws:"));
}

function isServed(url: URL, world: World): boolean {
  const port = Number(url.port);
  const onV4 = world.names.includes(url.hostname) || url.hostname === "127.0.0.1";
  if (url.protocol === "http:" || url.protocol === "ws:") {
    return (onV4 && world.httpPorts.includes(port)) || (url.hostname === "[::1]" && world.ipv6Ports.includes(port));
  }
  return (url.protocol === "https:" || url.protocol === "wss:") && onV4 && port === world.httpsPort;
}
