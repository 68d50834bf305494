/**
 * What a fake Open WebUI's user settings hold, in the shapes of 0.6.0, 0.6.5 and 0.6.41 (the table in
 * reference/open-webui.md), each item with what ToolKey's import must make of it; and bad replies,
 * for "bad replies never break the popup". Every key is obviously fake.
 *
 * The importable items point at tool prefixes of one tool site, whose keys are FIXTURE_TOOL_KEYS:
 * start it with `startSite(log, { tools: FIXTURE_TOOL_KEYS })` and pass its origin here, so that
 * the imported entries can be shown to work.
 */
import { type FakeReply, jsonReply } from "./open-webui.ts";
import type { ToolKeys } from "./servers.ts";

export type FixtureVersion = "0.6.0" | "0.6.5" | "0.6.41";
export const FIXTURE_VERSIONS: readonly FixtureVersion[] = ["0.6.0", "0.6.5", "0.6.41"];

/** Why import leaves a tool server out (design.md: session, none, OAuth, MCP, disabled, no key, invalid). */
export type SkipReason = "session" | "none" | "oauth" | "mcp" | "disabled" | "noKey" | "invalid";

/** The entry an importable item becomes: the tool-server URL (no trailing slash) and its key. */
export interface ImportedEntry {
  toolServerUrl: string;
  key: string;
}

/** One item of `ui.toolServers`, and what import must do with it. */
export interface ToolServerFixture {
  /** What the item is, in words (for test names). */
  what: string;
  item: Record<string, unknown>;
  expected: { entry: ImportedEntry } | { skipped: SkipReason };
}

function key(name: string): string {
  return `fake-key-owui-${name}-not-a-secret`;
}

/** The prefix and key of every importable item (and of the big reply's one server), for the tool site. */
export const FIXTURE_TOOL_KEYS: ToolKeys = {
  "/v060/time": key("v060-time"),
  "/v060/slash": key("v060-slash"),
  "/v065/time": key("v065-time"),
  "/v065/spec-elsewhere": key("v065-spec-elsewhere"),
  "/v065/carried": key("v065-carried"),
  "/v065/slash": key("v065-slash"),
  "/v0641/time": key("v0641-time"),
  "/v0641/untyped": key("v0641-untyped"),
  "/v0641/slash": key("v0641-slash"),
  "/huge/time": key("huge-time"),
};

function keyOf(prefix: string): string {
  const found = FIXTURE_TOOL_KEYS[prefix];
  if (found === undefined) throw new Error(`no fixture key for ${prefix}`);
  return found;
}

function imported(toolsOrigin: string, prefix: string): { entry: ImportedEntry } {
  return { entry: { toolServerUrl: `${toolsOrigin}${prefix}`, key: keyOf(prefix) } };
}

/** The items of one version's `ui.toolServers`, pointing at the tool site at `toolsOrigin`. */
export function toolServerFixtures(version: FixtureVersion, toolsOrigin: string): ToolServerFixture[] {
  const t = toolsOrigin;
  switch (version) {
    case "0.6.0":
      // {url, key, config: {enable}}: every server gets the key (there is no auth_type yet).
      return [
        {
          what: "0.6.0: a server with a key",
          item: { url: `${t}/v060/time`, key: keyOf("/v060/time"), config: { enable: true } },
          expected: imported(t, "/v060/time"),
        },
        {
          what: "0.6.0: a URL stored with a trailing slash",
          item: { url: `${t}/v060/slash/`, key: keyOf("/v060/slash"), config: { enable: true } },
          expected: imported(t, "/v060/slash"),
        },
        {
          what: "0.6.0: a server switched off",
          item: { url: `${t}/v060/off`, key: key("v060-off"), config: { enable: false } },
          expected: { skipped: "disabled" },
        },
        {
          what: "0.6.0: a server without a key",
          item: { url: `${t}/v060/nokey`, key: "", config: { enable: true } },
          expected: { skipped: "noKey" },
        },
      ];
    case "0.6.5":
      // Adds path (where the spec is), auth_type (bearer or session) and config.access_control.
      return [
        {
          what: "0.6.5: a bearer server",
          item: {
            url: `${t}/v065/time`,
            path: "openapi.json",
            auth_type: "bearer",
            key: keyOf("/v065/time"),
            config: { enable: true, access_control: null },
          },
          expected: imported(t, "/v065/time"),
        },
        {
          what: "0.6.5: a spec at another path (path only locates the spec)",
          item: {
            url: `${t}/v065/spec-elsewhere`,
            path: "specs/tools.json",
            auth_type: "bearer",
            key: keyOf("/v065/spec-elsewhere"),
            config: { enable: true, access_control: null },
          },
          expected: imported(t, "/v065/spec-elsewhere"),
        },
        {
          what: "0.6.5: a server saved by 0.6.0, without path or auth_type",
          item: { url: `${t}/v065/carried`, key: keyOf("/v065/carried"), config: { enable: true } },
          expected: imported(t, "/v065/carried"),
        },
        {
          what: "0.6.5: a URL with a trailing slash",
          item: {
            url: `${t}/v065/slash/`,
            path: "openapi.json",
            auth_type: "bearer",
            key: keyOf("/v065/slash"),
            config: { enable: true, access_control: null },
          },
          expected: imported(t, "/v065/slash"),
        },
        {
          what: "0.6.5: a session server (the page sends the user's JWT), with a key left behind",
          item: {
            url: `${t}/v065/session`,
            path: "openapi.json",
            auth_type: "session",
            key: key("v065-left-behind-by-session"),
            config: { enable: true, access_control: null },
          },
          expected: { skipped: "session" },
        },
        {
          what: "0.6.5: a bearer server switched off",
          item: {
            url: `${t}/v065/off`,
            path: "openapi.json",
            auth_type: "bearer",
            key: key("v065-off"),
            config: { enable: false, access_control: null },
          },
          expected: { skipped: "disabled" },
        },
        {
          what: "0.6.5: a bearer server with an empty key",
          item: {
            url: `${t}/v065/nokey`,
            path: "openapi.json",
            auth_type: "bearer",
            key: "",
            config: { enable: true, access_control: null },
          },
          expected: { skipped: "noKey" },
        },
      ];
    case "0.6.41": {
      // {type, url, spec_type, spec, path, auth_type, headers, key, config: {enable, function_name_filter_list, access_control}, info}.
      const item = (name: string, fields: Record<string, unknown>, enable = true) => ({
        type: "openapi",
        url: `${t}/v0641/${name}`,
        spec_type: "url",
        spec: "",
        path: "openapi.json",
        auth_type: "bearer",
        headers: null,
        key: key(`v0641-${name}`),
        config: { enable, function_name_filter_list: "", access_control: null },
        info: { id: `fake-${name}`, name: `Fake ${name} tools`, description: `The ${name} fixture of the tests` },
        ...fields,
      });
      return [
        {
          what: "0.6.41: an OpenAPI bearer server",
          item: item("time", { key: keyOf("/v0641/time") }),
          expected: imported(t, "/v0641/time"),
        },
        {
          what: "0.6.41: a server saved before type existed",
          item: (({ type: _type, ...rest }) => rest)(item("untyped", { key: keyOf("/v0641/untyped") })),
          expected: imported(t, "/v0641/untyped"),
        },
        {
          what: "0.6.41: a trailing slash, the spec at a full URL",
          item: item("slash", { url: `${t}/v0641/slash/`, path: `${t}/v0641/slash/openapi.json`, key: keyOf("/v0641/slash") }),
          expected: imported(t, "/v0641/slash"),
        },
        {
          what: "0.6.41: an MCP server (called by the Open WebUI backend)",
          item: item("mcp", { type: "mcp", url: `${t}/v0641/mcp/mcp` }),
          expected: { skipped: "mcp" },
        },
        {
          what: "0.6.41: a system OAuth server",
          item: item("oauth", { auth_type: "system_oauth", key: "" }),
          expected: { skipped: "oauth" },
        },
        {
          what: "0.6.41: an OAuth 2.1 server",
          item: item("oauth21", { auth_type: "oauth_2.1", key: "" }),
          expected: { skipped: "oauth" },
        },
        {
          what: "0.6.41: a server that wants no header",
          item: item("none", { auth_type: "none", key: "" }),
          expected: { skipped: "none" },
        },
        {
          what: "0.6.41: a session server",
          item: item("session", { auth_type: "session" }),
          expected: { skipped: "session" },
        },
        {
          what: "0.6.41: a server switched off",
          item: item("off", {}, false),
          expected: { skipped: "disabled" },
        },
        {
          what: "0.6.41: a bearer server with an empty key",
          item: item("nokey", { key: "" }),
          expected: { skipped: "noKey" },
        },
        {
          what: "0.6.41: a URL that is not http(s)",
          item: item("invalid", { url: "ftp://tools.test/v0641/invalid" }),
          expected: { skipped: "invalid" },
        },
      ];
    }
  }
}

/** A user's settings as Open WebUI answers them, with these tool servers (and a few other UI settings). */
export function settingsWith(fixtures: readonly ToolServerFixture[], version: FixtureVersion = "0.6.0"): Record<string, unknown> {
  return {
    ui: {
      version,
      models: ["fake-model"],
      system: "",
      notificationEnabled: false,
      toolServers: fixtures.map((fixture) => fixture.item),
    },
  };
}

/** What import must make of the settings: the entries it adds, and what it skips and why. */
export function expectedImport(fixtures: readonly ToolServerFixture[]): {
  entries: ImportedEntry[];
  skipped: { what: string; reason: SkipReason }[];
} {
  const entries: ImportedEntry[] = [];
  const skipped: { what: string; reason: SkipReason }[] = [];
  for (const { what, expected } of fixtures) {
    if ("entry" in expected) entries.push(expected.entry);
    else skipped.push({ what, reason: expected.skipped });
  }
  return { entries, skipped };
}

/** The settings of a user of that version, and what their import must make of them. */
export function settingsFixture(version: FixtureVersion, toolsOrigin: string) {
  const fixtures = toolServerFixtures(version, toolsOrigin);
  return { fixtures, settings: settingsWith(fixtures, version), expected: expectedImport(fixtures) };
}

/** The size of the big replies: 5 MB. */
export const HUGE_REPLY_BYTES = 5 * 1024 * 1024;

/** The ways a settings reply can be bad, each as the fake Open WebUI sends it to a signed-in user. */
export type BadSettingsReply =
  | "notJson"
  | "serverError"
  | "emptyBody"
  | "hugeWithBackgroundImage"
  | "hugeNotJson"
  | "topLevelList"
  | "uiNotAnObject"
  | "toolServersNotAList"
  | "itemsOfWrongTypes"
  | "htmlAndScript"
  | "hang";

/**
 * Bad replies to `GET /api/v1/users/user/settings`, for `site.openWebUi.setSettingsReply(...)`.
 * `hugeWithBackgroundImage` is valid: Open WebUI keeps a chat background as a data URL in the
 * settings, so 5 MB happens; its one server (`/huge/time`) is importable. `htmlAndScript` has
 * names, URLs and fields with markup and script: all must show as text; of its items only the
 * one at `/v060/time` (named with markup) is importable.
 */
export function badSettingsReplies(toolsOrigin: string): Record<BadSettingsReply, FakeReply> {
  const t = toolsOrigin;
  const image = `data:image/png;base64,${"A".repeat(HUGE_REPLY_BYTES)}`;
  return {
    notJson: { status: 200, contentType: "text/html; charset=utf-8", body: SPA_PAGE },
    serverError: { status: 500, contentType: "text/plain; charset=utf-8", body: "Internal Server Error" },
    emptyBody: { status: 200, contentType: "application/json", body: "" },
    hugeWithBackgroundImage: jsonReply({
      ui: {
        backgroundImageUrl: image,
        toolServers: [{ url: `${t}/huge/time`, key: keyOf("/huge/time"), config: { enable: true } }],
      },
    }),
    hugeNotJson: { status: 200, contentType: "application/json", body: `<html>${"x".repeat(HUGE_REPLY_BYTES)}` },
    topLevelList: jsonReply([{ url: `${t}/v060/time`, key: keyOf("/v060/time"), config: { enable: true } }]),
    uiNotAnObject: jsonReply({ ui: ["toolServers"] }),
    toolServersNotAList: jsonReply({ ui: { toolServers: { url: `${t}/v060/time`, key: keyOf("/v060/time") } } }),
    itemsOfWrongTypes: jsonReply({
      ui: {
        toolServers: [
          null,
          42,
          `${t}/v060/time`,
          { url: 42, key: keyOf("/v060/time"), config: { enable: true } },
          { url: `${t}/v060/time`, key: ["fake-key-in-a-list"], config: { enable: true } },
          { url: `${t}/v060/time`, key: keyOf("/v060/time"), config: "on" },
          { url: `${t}/v060/time`, key: keyOf("/v060/time"), auth_type: 7, config: { enable: true } },
          { type: { kind: "openapi" }, url: `${t}/v060/time`, key: keyOf("/v060/time"), config: { enable: true } },
        ],
      },
    }),
    htmlAndScript: jsonReply({
      ui: {
        toolServers: [
          {
            url: `${t}/v060/time`,
            key: keyOf("/v060/time"),
            config: { enable: true },
            info: { name: `<img src=x onerror="document.title='pwned-by-name'"><script>document.title='pwned'</script>` },
          },
          { url: `javascript:document.title='pwned-by-url'`, key: key("html-js-url"), config: { enable: true } },
          { url: `${t}/<img src=x onerror=alert(1)>`, key: key("html-in-url"), config: { enable: false } },
          { url: `${t}/html-auth`, key: key("html-auth"), auth_type: "<b onmouseover=alert(2)>bearer</b>", config: { enable: true } },
          { type: "<script>alert(3)</script>", url: `${t}/html-type`, key: key("html-type"), config: { enable: true } },
        ],
      },
    }),
    hang: "hang",
  };
}

/** What a reverse proxy or the single-page app itself answers to a path it does not know. */
const SPA_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Open WebUI</title></head><body><div id="app"></div></body></html>`;

/** The ways `/api/version` can fail to tell a version, for `site.openWebUi.setVersionReply(...)`. */
export type BadVersionReply = "notJson" | "serverError" | "notFound" | "emptyBody" | "versionNotAString" | "versionNotAVersion" | "hang";

export const BAD_VERSION_REPLIES: Record<BadVersionReply, FakeReply> = {
  notJson: { status: 200, contentType: "text/html; charset=utf-8", body: SPA_PAGE },
  serverError: { status: 500, contentType: "text/plain; charset=utf-8", body: "Internal Server Error" },
  notFound: jsonReply({ detail: "Not Found" }, 404),
  emptyBody: { status: 200, contentType: "application/json", body: "" },
  versionNotAString: jsonReply({ version: 6 }),
  versionNotAVersion: jsonReply({ version: "<script>alert('version')</script>" }),
  hang: "hang",
};
