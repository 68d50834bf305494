import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timeToolSpec, validationError } from "./mcpo.ts";
import { FakeOpenWebUi, type OpenWebUiOptions } from "./open-webui.ts";

/** One request as a test server saw it. */
export interface LoggedRequest {
  port: number;
  host: string;
  method: string;
  path: string;
  authorization: string | undefined;
  origin: string | undefined;
  /** The Cookie header, as sent (an Open WebUI's `token` cookie, for one). */
  cookie: string | undefined;
  /** The X-API-Key header, as sent (an entry whose header is not Authorization). */
  apiKey?: string;
}

/** Tool prefixes ("" for the root, "/time", ...) and the key each one requires. */
export type ToolKeys = Record<string, string>;

/**
 * Every Open WebUI page has a favicon, which tells a real load from a chat switch in Chromium
 * (src/core/page-load.ts): one transparent pixel, inline so that no route serves it.
 */
const FAVICON = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/**
 * The page Open WebUI 0.6.0 would be, reduced to its requests: the spec fetch carries the key typed
 * into Open WebUI's settings, the tool call carries none (the bug), both with
 * `Content-Type: application/json` and fetch's default mode and credentials. As 0.6.1 and later do,
 * a tool call can carry a key the page sends itself. Sign-in and sign-out as Open WebUI's page makes
 * them: the token in `localStorage.token`, the HttpOnly cookie set and deleted by the backend.
 * The heading names the version the site's /api/version reports when the page is served.
 */
const openWebUiPage = (version: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Open WebUI ${version} (imitation)</title>
<link rel="icon" href="${FAVICON}"></head>
<body><h1>Open WebUI ${version} (imitation)</h1>
<script>
async function reply(response) {
  return { status: response.status, body: await response.text() };
}
async function attempt(request) {
  try { return await request(); } catch (error) { return { status: 0, body: String(error) }; }
}
window.owui = {
  getSpec: (url, keyFromSettings) => attempt(async () => reply(await fetch(url + "/openapi.json", {
    method: "GET",
    headers: { Accept: "application/json", "Content-Type": "application/json", authorization: "Bearer " + keyFromSettings },
  }))),
  callTool: (url, path, params, keyFromSettings) => attempt(async () => reply(await fetch(url + path, {
    method: "POST",
    headers: keyFromSettings
      ? { "Content-Type": "application/json", authorization: "Bearer " + keyFromSettings }
      : { "Content-Type": "application/json" },
    body: JSON.stringify(params),
  }))),
  signIn: (email, password) => attempt(async () => {
    const response = await fetch("/api/v1/auths/signin", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "include",
      body: JSON.stringify({ email, password }),
    });
    const answer = await reply(response);
    const token = response.ok ? JSON.parse(answer.body).token : undefined;
    if (typeof token === "string") localStorage.token = token;
    return answer;
  }),
  signOut: () => attempt(async () => {
    const answer = await reply(await fetch("/api/v1/auths/signout", {
      method: "GET",
      headers: { "Content-Type": "application/json" },
      credentials: "include",
    }));
    localStorage.removeItem("token");
    return answer;
  }),
  userSettings: () => attempt(async () => reply(await fetch("/api/v1/users/user/settings", {
    method: "GET",
    headers: { Accept: "application/json", "Content-Type": "application/json", authorization: "Bearer " + localStorage.token },
  }))),
  callOwnApi: (path, sessionToken) => attempt(async () => reply(await fetch(path, {
    headers: { Accept: "application/json", "Content-Type": "application/json", authorization: "Bearer " + sessionToken },
  }))),
};
</script></body></html>`;

function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  return origin === undefined ? {} : { "access-control-allow-origin": origin, "access-control-allow-credentials": "true", vary: "Origin" };
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string, type = "application/json"): void {
  response.writeHead(status, { "content-type": type, ...headers });
  response.end(body);
}

function toolPrefixOf(path: string, tools: ToolKeys): string | undefined {
  const prefixes = Object.keys(tools).sort((a, b) => b.length - a.length);
  return prefixes.find((prefix) => prefix === "" || path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * One site: the Open WebUI page at "/", an echo of Open WebUI's own API under "/api", and tool
 * servers that answer as mcpo does with --api-key: preflight answered before any auth check, spec
 * open, tools 401 with WWW-Authenticate without a Bearer header and 403 for a wrong key.
 */
function handle(request: IncomingMessage, response: ServerResponse, site: SiteOptions, body: Buffer, openWebUi: FakeOpenWebUi): void {
  const tools = site.tools ?? {};
  const url = new URL(request.url ?? "/", "http://placeholder");
  const path = url.pathname;
  const cors = corsHeaders(request);
  if (request.method === "OPTIONS") {
    send(
      response,
      200,
      {
        ...cors,
        "access-control-allow-methods": "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
        "access-control-allow-headers": request.headers["access-control-request-headers"] ?? "",
        "access-control-max-age": "600",
      },
      "OK",
      "text/plain",
    );
    return;
  }
  // Open WebUI serves its page at "/" and at its own routes, a chat's "/c/<id>" among them.
  const pagePath = path === "/" || path.startsWith("/c/") || (path.endsWith("/") && toolPrefixOf(path, tools) === undefined);
  if (request.method === "GET" && pagePath) {
    // Cross-origin isolation gives the page fine timers, for the benchmark.
    const isolation: Record<string, string> = site.isolated
      ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }
      : {};
    const version = openWebUi.shownVersion.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
    send(response, 200, isolation, openWebUiPage(version), "text/html; charset=utf-8");
    return;
  }
  // /api/version always; sign-in and the user's settings when the site serves them (see open-webui.ts).
  if (openWebUi.handle(request, response, body)) return;
  if (path === "/api" || path.startsWith("/api/")) {
    send(response, 200, cors, JSON.stringify({ seen: request.headers.authorization ?? null }));
    return;
  }
  const prefix = toolPrefixOf(path, tools);
  if (prefix === undefined) {
    send(response, 404, cors, JSON.stringify({ detail: "Not Found" }));
    return;
  }
  const rest = path.slice(prefix.length);
  const redirectTo = url.searchParams.get("to");
  if (rest === "/redirect" && redirectTo !== null) {
    // A tool server that sends the call elsewhere: the key must not follow it off the prefix.
    send(response, 307, { ...cors, location: redirectTo }, "");
    return;
  }
  const isSpec = request.method === "GET" && rest === "/openapi.json";
  if (isSpec && !site.strictAuth) {
    send(response, 200, cors, JSON.stringify(site.specs?.[prefix] ?? timeToolSpec(prefix)));
    return;
  }
  // mcpo checks the key first (a dependency of every tool route), then FastAPI validates the body.
  const authorization = request.headers.authorization;
  const bearer = authorization === undefined ? undefined : /^Bearer (.+)$/.exec(authorization)?.[1];
  if (bearer === undefined) {
    send(response, 401, { ...cors, "www-authenticate": "Bearer" }, JSON.stringify({ detail: "Missing or invalid Authorization header" }));
  } else if (bearer !== tools[prefix]) {
    send(response, 403, cors, JSON.stringify({ detail: "Invalid API key" }));
  } else if (isSpec) {
    send(response, 200, cors, JSON.stringify(site.specs?.[prefix] ?? timeToolSpec(prefix)));
  } else {
    const invalid = request.method === "POST" ? validationError(rest, body) : undefined;
    if (invalid !== undefined) send(response, 422, cors, JSON.stringify(invalid));
    else send(response, 200, cors, JSON.stringify({ result: `ran ${rest}` }));
  }
}

export interface TestSite {
  port: number;
  /** The fake Open WebUI backend of this site: its version, sign-in and the user's settings. */
  openWebUi: FakeOpenWebUi;
  /** What /api/version reports from now on: `site.openWebUi.setVersion`. */
  setVersion(version: string): void;
  close(): Promise<void>;
}

export interface SiteOptions {
  tools?: ToolKeys;
  /** A loopback address: 127.0.0.1 (the default), or ::1 for IPv6 scenarios. */
  address?: string;
  /** Serves the page cross-origin isolated. */
  isolated?: boolean;
  /** Serves https with this certificate instead of http. */
  tls?: TestCertificate;
  /** A fixed port (the demo's familiar 3000 and 8000) instead of a free one. */
  port?: number;
  /**
   * Serves Open WebUI's sign-in and the signed-in user's settings (open-webui.ts). `/api/version`
   * answers on every site ("0.6.0" unless `version` says otherwise); without this option the other
   * /api paths, the settings among them, stay the echo of the Authorization header.
   */
  openWebUi?: OpenWebUiOptions;
  /** The spec a tool prefix serves instead of mcp-server-time's (mcpo.ts), e.g. one without required fields. */
  specs?: Record<string, unknown>;
  /** As mcpo --strict-auth: the spec needs the key too (preflights stay open). */
  strictAuth?: boolean;
}

/** One request header as a single value (a repeated header joined as Node joins it), or undefined. */
function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Starts a site on a free loopback port; every request it receives is appended to `log`. */
export async function startSite(log: LoggedRequest[], site: SiteOptions = {}): Promise<TestSite> {
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const port = (server.address() as AddressInfo).port;
    log.push({
      port,
      host: request.headers.host ?? "",
      method: request.method ?? "",
      path: new URL(request.url ?? "/", "http://placeholder").pathname,
      authorization: request.headers.authorization,
      origin: request.headers.origin,
      cookie: request.headers.cookie,
      apiKey: headerOf(request, "x-api-key"),
    });
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => handle(request, response, site, Buffer.concat(chunks), openWebUi));
  };
  const openWebUi = new FakeOpenWebUi(site.openWebUi, () => (server.address() as AddressInfo).port);
  const server: Server = site.tls === undefined ? createServer(listener) : createTlsServer(site.tls, listener);
  // A WebSocket handshake is logged like any request, then refused: only its headers matter here.
  server.on("upgrade", (request, socket) => {
    log.push({
      port: (server.address() as AddressInfo).port,
      host: request.headers.host ?? "",
      method: "WEBSOCKET",
      path: new URL(request.url ?? "/", "http://placeholder").pathname,
      authorization: request.headers.authorization,
      origin: request.headers.origin,
      cookie: request.headers.cookie,
    });
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(site.port ?? 0, site.address ?? "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    openWebUi,
    setVersion: (version) => openWebUi.setVersion(version),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestCertificate {
  cert: string;
  key: string;
}

/**
 * A self-signed certificate for the test hosts, made for this run with openssl and never written
 * anywhere that lasts: the browsers are told to accept it.
 */
export function makeTestCertificate(hosts: readonly string[]): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "toolkey-tls-"));
  try {
    const [keyPath, certPath] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=ToolKey test",
        "-keyout",
        keyPath,
        "-out",
        certPath,
        "-addext",
        `subjectAltName=${hosts.map((host) => `DNS:${host}`).join(",")}`,
      ],
      { stdio: "pipe" },
    );
    return { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
