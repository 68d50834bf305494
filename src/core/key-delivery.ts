/**
 * ToolKey's promise as a function: for the saved entries and one request a browser is about to send,
 * which entry's header the request must carry, or none. It is written from the promises'
 * wording (docs/promises.md, and the README's "What it cannot do"), not from the decision or the
 * rule compiler: test/browser/matcher.test.ts asks each browser's own matcher about thousands of
 * generated requests and holds its answer against this one.
 */
import type { Entry } from "./entry.ts";
import { OPEN_WEBUI_OWN_PATHS, originPattern } from "./urls.ts";

/** The request types both browsers' declarativeNetRequest knows. */
export const RESOURCE_TYPES = [
  "main_frame",
  "sub_frame",
  "stylesheet",
  "script",
  "image",
  "font",
  "object",
  "xmlhttprequest",
  "ping",
  "csp_report",
  "media",
  "websocket",
  "other",
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** One request as the browser knows it before sending it. */
export interface RequestToSend {
  /** The URL as the page asked for it; read here with the URL parser of the browser running this. */
  url: string;
  /** The origin of the frame that made the request; undefined when the browser made it on its own. */
  initiator?: string;
  /** The origin of the page shown in the request's tab; undefined when no tab made it (a service worker). */
  tabOrigin?: string;
  type: ResourceType;
}

/** What else decides: the host access granted, and what each Open WebUI said its version is. */
export interface Circumstances {
  /** Host-access patterns held (`scheme://host/*`). */
  granted: ReadonlySet<string>;
  /**
   * By Open WebUI origin: the version it last reported ("0.6.5"), or "unreadable" where it was
   * asked and never answered with one. An origin not listed was never asked.
   */
  openWebUiVersions: Readonly<Record<string, string>>;
}

export interface PromisedHeader {
  entryId: number;
  header: string;
  value: string;
}

/**
 * A frame inside the Open WebUI tab from the Open WebUI's host under another port or scheme, or from
 * a subdomain: "What it cannot do" says it may get the header too (the browser's initiator check has
 * no port or scheme and includes subdomains).
 */
export type Leeway = "frameOnOpenWebUiHost";

export interface PromisedHeaders {
  headers: PromisedHeader[];
  /** When set, the promise leaves this request open: adding `headers` and adding nothing both keep it. */
  leeway?: Leeway;
}

const NOTHING: PromisedHeaders = { headers: [] };

/**
 * The headers the request must carry.
 * - Delivered: a fetch or XMLHttpRequest (how Open WebUI calls its tool servers; nothing else, not
 *   a frame, an image or a WebSocket) from a tab whose page is exactly on the entry's Open WebUI
 *   origin, made by that page, to the saved tool-server URL followed by "/" and anything: same
 *   scheme, host and port, the path under the saved one at a "/" boundary, no user name or password.
 * - Where several entries cover it, the longest tool-server URL wins for the header they share;
 *   entries with different header names each add their own.
 * - Nowhere else: not from another tab, another origin's frame or no tab at all; never to the
 *   entry's Open WebUI's own API (as its server reads the path, escapes decoded); nothing from an
 *   entry that is disabled or lacks host access.
 * - Out of the way: where Open WebUI sends the same header itself (0.6.1 and later send
 *   `Authorization: Bearer <key>`, the header name and scheme in any case), nothing is added unless
 *   the entry says to add it anyway. Any other header, or `Authorization` with another scheme or
 *   none, is something no Open WebUI sends: added on every version. Before an Open WebUI's version
 *   has been asked, nothing is added; where it could not be read, the key is added as for 0.6.0.
 */
export function promisedHeaders(entries: readonly Entry[], request: RequestToSend, circumstances: Circumstances): PromisedHeaders {
  if (request.type !== "xmlhttprequest" || request.tabOrigin === undefined || request.initiator === undefined) return NOTHING;
  const url = parse(request.url);
  const initiator = parse(request.initiator);
  const tab = parse(request.tabOrigin);
  if (url === undefined || initiator === undefined || tab === undefined) return NOTHING;
  if (url.username !== "" || url.password !== "") return NOTHING;
  const fromPage = initiator.origin === tab.origin;
  if (!fromPage && !isHostOrSubdomain(initiator.hostname, tab.hostname)) return NOTHING;

  const winners = new Map<string, Entry>();
  for (const entry of entries) {
    if (entry.openWebUiOrigin !== tab.origin || !isActive(entry, circumstances)) continue;
    if (!isUnderToolServer(url, entry.toolServerUrl) || isOwnApi(url, entry.openWebUiOrigin)) continue;
    const name = entry.headerName.toLowerCase();
    const held = winners.get(name);
    if (held === undefined || entry.toolServerUrl.length > held.toolServerUrl.length) winners.set(name, entry);
  }
  const headers = [...winners.values()].map((entry) => ({
    entryId: entry.id,
    header: entry.headerName,
    value: entry.scheme === "" ? entry.key : `${entry.scheme} ${entry.key}`,
  }));
  return fromPage ? { headers } : { headers, leeway: "frameOnOpenWebUiHost" };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function isActive(entry: Entry, { granted, openWebUiVersions }: Circumstances): boolean {
  const version = openWebUiVersions[entry.openWebUiOrigin];
  if (version === undefined) return false;
  const sameHeader = entry.headerName.toLowerCase() === "authorization" && entry.scheme.toLowerCase() === "bearer";
  const outOfTheWay = sameHeader && sendsKeyItself(version) && !entry.addKeyAnyway;
  const hasAccess = granted.has(originPattern(entry.openWebUiOrigin)) && granted.has(originPattern(entry.toolServerUrl));
  return entry.enabled && !outOfTheWay && hasAccess;
}

/** Open WebUI 0.6.1 or later: three numbers compared with 0.6.1, a suffix after them ignored. */
function sendsKeyItself(version: string): boolean {
  const numbers = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (numbers === null) return false;
  const [major, minor, patch] = numbers.slice(1).map(Number) as [number, number, number];
  return major > 0 || minor > 6 || (minor === 6 && patch >= 1);
}

/** The saved URL followed by "/": the same origin, and the path at or under the saved one at a "/" boundary. */
function isUnderToolServer(url: URL, toolServerUrl: string): boolean {
  const saved = new URL(toolServerUrl);
  const prefix = saved.pathname === "/" ? "/" : `${saved.pathname}/`;
  return url.origin === saved.origin && url.pathname.startsWith(prefix);
}

/** Whether the request lands on the Open WebUI's own API: its server decodes escapes before routing. */
function isOwnApi(url: URL, openWebUiOrigin: string): boolean {
  if (url.origin !== openWebUiOrigin) return false;
  const path = decodePath(url.pathname);
  return OPEN_WEBUI_OWN_PATHS.some((own) => path === own || path.startsWith(`${own}/`));
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The same host (final dots aside) or one of its subdomains; ports and schemes play no part. */
function isHostOrSubdomain(host: string, of: string): boolean {
  const bare = (name: string) => name.replace(/\.+$/, "");
  return bare(host) === bare(of) || bare(host).endsWith(`.${bare(of)}`);
}
