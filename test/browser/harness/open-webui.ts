/**
 * A fake Open WebUI backend where ToolKey touches it, behaving as Open WebUI 0.6.0's does (read in its
 * sources: backend/open_webui/main.py, routers/auths.py, routers/users.py, utils/auth.py):
 * - `GET /api/version` answers `{"version": ...}` without authentication;
 * - `POST /api/v1/auths/signin` sets the HttpOnly `token` cookie and answers the token, which the page
 *   keeps in `localStorage.token`; `GET /api/v1/auths/signout` deletes the cookie;
 * - `GET /api/v1/users/user/settings` answers the signed-in user's settings: the token comes from
 *   `Authorization: Bearer` or, without a Bearer header, from the cookie. No token at all is
 *   **403** `{"detail":"Not authenticated"}` (as in Open WebUI, not 401); an unknown token is 401.
 * - CORS as Starlette's middleware with Open WebUI's defaults (`CORS_ALLOW_ORIGIN=*`, credentials
 *   allowed): `Access-Control-Allow-Origin: *` unless the request carries a Cookie header, then the
 *   request's Origin (so a credentialed request without cookies from another origin fails CORS,
 *   as it does against the real one). Preflights are answered by servers.ts for every path.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A reply a test chooses for an endpoint: any status, type and body; or "hang", which never answers. */
export type FakeReply = { status: number; contentType?: string; headers?: Record<string, string>; body: string | Buffer } | "hang";

/** A JSON reply, as FastAPI sends one. */
export function jsonReply(value: unknown, status = 200): FakeReply {
  return { status, contentType: "application/json", body: JSON.stringify(value) };
}

/** The one user of every fake Open WebUI: an admin, as the users who hit 0.6.0's bug are. */
export const FAKE_USER = {
  id: "fake-user-id-not-a-real-user-0001",
  email: "admin@owui.test",
  password: "fake-password-not-a-secret",
  name: "Fake Admin",
} as const;

/** Every session token a fake Open WebUI hands out starts so: obviously not a real JWT. */
export const SESSION_TOKEN_PREFIX = "fake-open-webui-session-token-";

export const DEFAULT_OPEN_WEBUI_VERSION = "0.6.0";

/** Open WebUI's answers, word for word (ERROR_MESSAGES in open_webui/constants.py). */
const NOT_AUTHENTICATED = { detail: "Not authenticated" };
const UNAUTHORIZED = { detail: "401 Unauthorized" };
const INVALID_CREDENTIALS = { detail: "The email or password provided is incorrect. Please check for typos and try logging in again." };

export interface OpenWebUiOptions {
  /** What `/api/version` answers; "0.6.0" when not given. */
  version?: string;
  /**
   * What `/api/v1/users/user/settings` answers the signed-in user (any JSON value). Not given: `null`,
   * which is what Open WebUI answers for a user who never saved a setting.
   */
  settings?: unknown;
  /** SameSite of the `token` cookie (WEBUI_AUTH_COOKIE_SAME_SITE): "Lax" unless a deployment changed it. */
  cookieSameSite?: "Lax" | "Strict" | "None";
  /** Tokens taken as signed in already, as if sign-in had handed them out (for a fixed token in a scenario). */
  acceptedTokens?: readonly string[];
}

/** The parts of the fake that a test drives while it runs: `site.openWebUi`. */
export class FakeOpenWebUi {
  private version: string;
  private versionReply: FakeReply | undefined;
  private heldVersionReplies: (() => void)[] | undefined;
  private settings: unknown;
  private settingsReply: FakeReply | undefined;
  private accounts: boolean;
  private readonly sameSite: string;
  private readonly valid = new Set<string>();
  private readonly handedOut: string[] = [];

  /** `port`: the site's port, read when a token is made (it is known only once the site listens). */
  constructor(
    options: OpenWebUiOptions | undefined,
    private readonly port: () => number,
  ) {
    this.version = options?.version ?? DEFAULT_OPEN_WEBUI_VERSION;
    this.settings = options?.settings ?? null;
    this.sameSite = options?.cookieSameSite ?? "Lax";
    this.accounts = options !== undefined;
    for (const token of options?.acceptedTokens ?? []) this.valid.add(token);
  }

  /** The version `/api/version` reports from now on (and any bad reply set before is dropped). */
  setVersion(version: string): void {
    this.version = version;
    this.versionReply = undefined;
  }

  /** Makes `/api/version` answer this instead (not JSON, 500, "hang", ...); undefined: the version again. */
  setVersionReply(reply: FakeReply | undefined): void {
    this.versionReply = reply;
  }

  /**
   * Leaves every `/api/version` request from now on unanswered until the returned function is
   * called, which answers them all (with the version or reply set by then): the moments before
   * ToolKey knows the version last as long as the test wants.
   */
  holdVersionReplies(): () => void {
    const held: (() => void)[] = [];
    this.heldVersionReplies = held;
    return () => {
      if (this.heldVersionReplies === held) this.heldVersionReplies = undefined;
      for (const answer of held.splice(0)) answer();
    };
  }

  /** The signed-in user's settings from now on (any JSON value); turns sign-in and settings on. */
  setSettings(settings: unknown): void {
    this.settings = settings;
    this.settingsReply = undefined;
    this.accounts = true;
  }

  /**
   * Makes `/api/v1/users/user/settings` answer this to a signed-in user instead (the sign-in check
   * still comes first); undefined: the settings again. Turns sign-in and settings on.
   */
  setSettingsReply(reply: FakeReply | undefined): void {
    this.settingsReply = reply;
    this.accounts = true;
  }

  /** Every token sign-in has handed out, in order: no extension storage may hold one. */
  get sessionTokens(): readonly string[] {
    return [...this.handedOut];
  }

  /**
   * Makes every token handed out so far invalid, as an expired JWT is (401). Sign-out alone does not:
   * in 0.6.0 the JWT stays valid after sign-out, only the cookie and `localStorage.token` go.
   */
  revokeSessions(): void {
    this.valid.clear();
  }

  /** Whether sign-in and the settings endpoint are served (else those paths stay servers.ts's echo). */
  get servesAccounts(): boolean {
    return this.accounts;
  }

  /** The page's heading and title: "Open WebUI <version> (imitation)". */
  get shownVersion(): string {
    return this.version;
  }

  /** Answers the request when it is one of this backend's; false leaves it to the caller. */
  handle(request: IncomingMessage, response: ServerResponse, body: Buffer): boolean {
    const path = new URL(request.url ?? "/", "http://placeholder").pathname;
    const method = request.method ?? "GET";
    if (method === "GET" && path === "/api/version") {
      const answer = () => this.reply(request, response, this.versionReply ?? jsonReply({ version: this.version }));
      if (this.heldVersionReplies === undefined) answer();
      else this.heldVersionReplies.push(answer);
      return true;
    }
    if (!this.accounts) return false;
    if (method === "POST" && path === "/api/v1/auths/signin") {
      this.signIn(request, response, body);
      return true;
    }
    if (method === "GET" && path === "/api/v1/auths/signout") {
      // Starlette's delete_cookie, as Open WebUI calls it.
      this.reply(request, response, jsonReply({ status: true }), {
        "set-cookie": `token=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=lax`,
      });
      return true;
    }
    if (method === "GET" && path === "/api/v1/users/user/settings") {
      const token = tokenOf(request);
      if (token === undefined) this.reply(request, response, jsonReply(NOT_AUTHENTICATED, 403));
      else if (!this.valid.has(token)) this.reply(request, response, jsonReply(UNAUTHORIZED, 401));
      else this.reply(request, response, this.settingsReply ?? jsonReply(this.settings));
      return true;
    }
    return false;
  }

  private signIn(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
    let form: unknown;
    try {
      form = JSON.parse(body.toString("utf8"));
    } catch {
      this.reply(request, response, jsonReply({ detail: [{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error" }] }, 422));
      return;
    }
    const { email, password } = (typeof form === "object" && form !== null ? form : {}) as { email?: unknown; password?: unknown };
    if (typeof email !== "string" || email.toLowerCase() !== FAKE_USER.email || password !== FAKE_USER.password) {
      this.reply(request, response, jsonReply(INVALID_CREDENTIALS, 400));
      return;
    }
    const token = `${SESSION_TOKEN_PREFIX}${this.port()}-${this.handedOut.length + 1}`;
    this.handedOut.push(token);
    this.valid.add(token);
    const answer = {
      token,
      token_type: "Bearer",
      expires_at: null,
      id: FAKE_USER.id,
      email: FAKE_USER.email,
      name: FAKE_USER.name,
      role: "admin",
      profile_image_url: "/user.png",
      permissions: { workspace: { models: false, knowledge: false, prompts: false, tools: false }, chat: { file_upload: true } },
    };
    // JWT_EXPIRES_IN defaults to -1 in 0.6.0: no expiry, so a cookie without Expires.
    this.reply(request, response, jsonReply(answer), { "set-cookie": `token=${token}; HttpOnly; Path=/; SameSite=${this.sameSite}` });
  }

  private reply(request: IncomingMessage, response: ServerResponse, reply: FakeReply, extra: Record<string, string> = {}): void {
    if (reply === "hang") return;
    response.writeHead(reply.status, {
      "content-type": reply.contentType ?? "application/json",
      ...starletteCors(request),
      ...reply.headers,
      ...extra,
    });
    response.end(reply.body);
  }
}

/** Starlette's CORSMiddleware headers on a simple (non-preflight) response, with Open WebUI's defaults. */
function starletteCors(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined) return {};
  if (request.headers.cookie !== undefined) {
    return { "access-control-allow-origin": origin, "access-control-allow-credentials": "true", vary: "Origin" };
  }
  return { "access-control-allow-origin": "*", "access-control-allow-credentials": "true" };
}

/**
 * The token as get_current_user finds it: FastAPI's HTTPBearer (auto_error off) takes
 * `Authorization: Bearer <credentials>` (scheme in any case, credentials not empty) and ignores any
 * other header; only without one is the `token` cookie read.
 */
function tokenOf(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization ?? "";
  const space = authorization.indexOf(" ");
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  const credentials = space < 0 ? "" : authorization.slice(space + 1);
  if (scheme.toLowerCase() === "bearer" && credentials !== "") return credentials;
  return cookieNamed(request.headers.cookie, "token");
}

function cookieNamed(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const equals = part.indexOf("=");
    if (equals < 0 || part.slice(0, equals).trim() !== name) continue;
    const value = part.slice(equals + 1).trim();
    const unquoted = value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
    // An empty cookie still counts as a token (that then fails as an invalid one), as in Open WebUI.
    return unquoted;
  }
  return undefined;
}
