import type { Parsed } from "./fields.ts";
import type { UserText } from "./user-text.ts";

/** The two fields that hold an address; each has its own messages, so none is assembled from parts. */
type AddressField = "openWebUi" | "toolServer";

/**
 * Open WebUI sends its own session token on these paths of its origin; a key must never be added
 * there (design.md, "The Open WebUI's own API").
 */
export const OPEN_WEBUI_OWN_PATHS = ["/api", "/ollama", "/openai", "/ws", "/oauth"] as const;

/** A host name as the URL parser leaves it (lower case, punycode); "_" for container names. */
const HOST_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/;

/** Characters with a meaning of their own in a declarativeNetRequest urlFilter. */
const URL_FILTER_SPECIAL = /[*^|]/;

/** An ASCII character that no host name may hold; other scripts are left to the URL parser (IDN). */
const NOT_IN_HOST_NAME = /[^a-z0-9_.\-\u0080-\uffff]/i;

/** The host as typed: between "//" and the path, without user name, password or port. */
function typedHost(text: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text)?.[1] ?? "";
  return authority.slice(authority.lastIndexOf("@") + 1).replace(/:\d*$/, "");
}

/** Parses what a user typed as an address into an http(s) URL, or says what to fix. */
function parseHttpUrl(raw: string, field: AddressField): Parsed<URL> {
  const text = raw.trim();
  if (text === "") return { ok: false, error: [`${field}_empty`] };
  if (/\s/.test(text)) return { ok: false, error: [`${field}_spaces`] };

  const scheme = /^([a-z][a-z0-9+.-]*):(.*)$/is.exec(text);
  const schemeName = scheme?.[1]?.toLowerCase();
  if (schemeName !== "http" && schemeName !== "https") {
    // "localhost:3000" reads as a scheme "localhost": a digit after the colon is a port, and a
    // single letter is a Windows drive.
    const rest = scheme?.[2] ?? "";
    const namesAScheme = schemeName !== undefined && (rest.startsWith("//") || (schemeName.length > 1 && !/^\d/.test(rest)));
    return {
      ok: false,
      error: namesAScheme ? ["notHttp", schemeName] : [`${field}_noScheme`],
    };
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Firefox's parser refuses "*" in a host where Node's and Chromium's accept it: the same
    // input gets the same, more useful message in every browser.
    const host = typedHost(text);
    if (!host.startsWith("[") && NOT_IN_HOST_NAME.test(host)) return { ok: false, error: [`${field}_hostName`] };
    return { ok: false, error: [`${field}_invalid`] };
  }
  // The URL standard lets "*" and other characters through in a host; a host-access pattern would
  // then cover every site.
  if (!url.hostname.startsWith("[") && !HOST_NAME.test(url.hostname)) return { ok: false, error: [`${field}_hostName`] };
  if (url.username !== "" || url.password !== "") {
    return { ok: false, error: [`${field}_credentials`] };
  }
  return { ok: true, value: url };
}

/** An Open WebUI address is an origin; a pasted chat URL is reduced to it. */
export function parseOpenWebUiAddress(raw: string): Parsed<string> {
  const parsed = parseHttpUrl(raw, "openWebUi");
  if (!parsed.ok) return parsed;
  const url = parsed.value;
  const reduced = url.pathname !== "/" || url.search !== "" || url.hash !== "" || raw.includes("?") || raw.includes("#");
  return reduced ? { ok: true, value: url.origin, notice: ["addressReduced", url.origin] } : { ok: true, value: url.origin };
}

/** A tool-server URL is an origin plus an optional path prefix, stored without a trailing slash. */
export function parseToolServerUrl(raw: string): Parsed<string> {
  const parsed = parseHttpUrl(raw, "toolServer");
  if (!parsed.ok) return parsed;
  const url = parsed.value;
  if (url.search !== "" || raw.includes("?")) {
    return { ok: false, error: ["toolServer_query"] };
  }
  if (url.hash !== "" || raw.includes("#")) {
    return { ok: false, error: ["toolServer_fragment"] };
  }
  // Checked on the text as typed too: browsers percent-encode ^ and | in paths, Node does not.
  if (URL_FILTER_SPECIAL.test(url.pathname) || URL_FILTER_SPECIAL.test(raw)) {
    return { ok: false, error: ["toolServer_filterCharacters"] };
  }
  const path = url.pathname.replace(/\/+$/, "");
  return { ok: true, value: `${url.origin}${path}` };
}

/** The path prefix of a normalised tool-server URL: "" for the root, else "/name". */
export function pathOf(toolServerUrl: string): string {
  const url = new URL(toolServerUrl);
  return url.pathname === "/" ? "" : url.pathname;
}

/** Whether `path` is `prefix` itself or lies under it at a "/" boundary. */
export function isUnderPath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Refuses a tool-server URL that would put a key on Open WebUI's own requests: the Open WebUI
 * origin itself, or a path under one of its own API prefixes.
 */
export function checkToolServerAgainstOpenWebUi(toolServerUrl: string, openWebUiOrigin: string): UserText | undefined {
  if (new URL(toolServerUrl).origin !== openWebUiOrigin) return undefined;
  const path = pathOf(toolServerUrl);
  if (path === "") return ["toolServer_isOpenWebUi"];
  // Compared as a server routes it: escapes decoded ("/%61pi" reaches "/api") and repeated slashes
  // collapsed, as proxies in front of Open WebUI often do ("//api" reaches "/api").
  const routed = decodedPath(path).replace(/\/{2,}/g, "/");
  const own = OPEN_WEBUI_OWN_PATHS.find((prefix) => isUnderPath(routed, prefix));
  return own === undefined ? undefined : ["toolServer_ownPath", own];
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The host-access pattern a browser grants for an origin: scheme://host/* (no port). */
export function originPattern(urlOrOrigin: string): string {
  const url = new URL(urlOrOrigin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** The origin of a tab's URL when it is an http(s) page; undefined otherwise or when unknown. */
export function httpOriginOf(tabUrl: string | undefined): string | undefined {
  if (tabUrl === undefined) return undefined;
  try {
    const url = new URL(tabUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
