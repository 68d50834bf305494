import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserText } from "../../src/core/user-text.ts";
import { english } from "../locales.ts";
import { ChromiumBrowser } from "./harness/chromium.ts";
import type { BrowserTab, ExtensionBrowser, PopupPage } from "./harness/driver.ts";
import { FirefoxBrowser } from "./harness/firefox.ts";
import { BAD_VERSION_REPLIES, badSettingsReplies, FIXTURE_TOOL_KEYS, settingsFixture } from "./harness/open-webui-fixtures.ts";
import { waitForRule as waitForRuleIn } from "./harness/rules.ts";
import { type LoggedRequest, startSite, type TestSite } from "./harness/servers.ts";

// Obviously fake keys: nothing here may look like a real secret.
const KEY_ROOT = "fake-key-root-not-a-secret-0001";
const KEY_ROTATED_IN_OPEN_WEBUI = "fake-key-rotated-in-open-webui-02";
const KEY_WRONG = "fake-key-wrong-not-a-secret-0003";

const launchers: Record<string, () => Promise<ExtensionBrowser>> = {
  // Chromium cannot answer its permission dialog: its test package holds these hosts from install.
  chromium: () => ChromiumBrowser.launch(["owui.test", "tools.test"]),
  firefox: () => FirefoxBrowser.launch(),
};

/**
 * ToolKey and the Open WebUI it serves: the version check that stands aside where Open WebUI sends
 * keys itself, the import of the tool servers Open WebUI already has, and Test. Against a fake
 * Open WebUI backend (harness/open-webui.ts) and an mcpo-like tool server (harness/mcpo.ts).
 */
describe.each(Object.keys(launchers))("ToolKey and Open WebUI in real %s", (browserName) => {
  const log: LoggedRequest[] = [];
  const fixture = (toolsOrigin: string) => settingsFixture("0.6.41", toolsOrigin);
  let openWebUi: TestSite;
  let tools: TestSite;
  let browser: ExtensionBrowser;
  let owuiOrigin: string;
  let toolsUrl: string;
  let tab: BrowserTab;

  beforeAll(async () => {
    tools = await startSite(log, { tools: { ...FIXTURE_TOOL_KEYS, "": KEY_ROOT } });
    toolsUrl = `http://tools.test:${tools.port}`;
    openWebUi = await startSite(log, { openWebUi: { settings: fixture(toolsUrl).settings } });
    owuiOrigin = `http://owui.test:${openWebUi.port}`;
    const launch = launchers[browserName];
    if (launch === undefined) throw new Error(`no launcher for ${browserName}`);
    browser = await launch();
    tab = await browser.openTab(`${owuiOrigin}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([openWebUi, tools].map((site) => site?.close()));
  });

  function lastRequest(method: string, path: string): LoggedRequest | undefined {
    return log.filter((entry) => entry.port === tools.port && entry.method === method && entry.path === path).at(-1);
  }

  function waitForRule(toolServerUrl: string, tabIds: number[]): Promise<void> {
    return waitForRuleIn(browser, toolServerUrl, tabIds);
  }

  async function save(popup: PopupPage, fields: { url: string; key: string; header?: string; scheme?: string }) {
    await popup.fill("Open WebUI address", owuiOrigin);
    await popup.fill("Tool server URL", fields.url);
    await popup.fill("API key", fields.key);
    if (fields.header !== undefined) await popup.fill("Header name", fields.header);
    if (fields.scheme !== undefined) await popup.fill("Scheme", fields.scheme);
    await popup.click("Save");
  }

  /** The entries ToolKey keeps, read from storage. */
  async function storedEntries(): Promise<{ toolServerUrl: string; key: string; enabled: boolean }[]> {
    const settings = (await browser.evaluateInExtension(`chrome.storage.local.get("settings").then(({ settings }) => settings)`)) as
      | { entries: { toolServerUrl: string; key: string; enabled: boolean }[] }
      | undefined;
    return settings?.entries ?? [];
  }

  async function removeAll(popup: PopupPage): Promise<void> {
    for (const entry of await storedEntries()) await popup.clickInEntry(entry.toolServerUrl, "Remove");
    await expect.poll(storedEntries).toEqual([]);
  }

  const say = (text: UserText) => english(text);

  it("on Open WebUI 0.6.0 the key is added; once the server reports 0.6.5 and the tab reloads, ToolKey stands aside and a key the page sends itself arrives unchanged; back on 0.6.0 it adds the key again", async () => {
    const popup = await browser.openPopup();
    await save(popup, { url: toolsUrl, key: KEY_ROOT });
    await popup.waitForText(say(["activeOne"]));
    await waitForRule(toolsUrl, [tab.id]);
    expect((await tab.callTool(toolsUrl, "/get_current_time")).status).toBe(200);
    expect(lastRequest("POST", "/get_current_time")?.authorization).toBe(`Bearer ${KEY_ROOT}`);

    openWebUi.setVersion("0.6.5");
    await tab.goto(`${owuiOrigin}/`);
    await waitForRule(toolsUrl, []);
    await popup.waitForText(say(["notNeeded", "0.6.5"]));
    // The key the user rotated in Open WebUI reaches the server as the page sent it: not replaced.
    const own = await tab.callTool(toolsUrl, "/get_current_time", { key: KEY_ROTATED_IN_OPEN_WEBUI });
    expect(own.status).toBe(403);
    expect(lastRequest("POST", "/get_current_time")?.authorization).toBe(`Bearer ${KEY_ROTATED_IN_OPEN_WEBUI}`);

    // "Add the key anyway" is for a server Open WebUI does not know: ToolKey's key then wins again.
    await popup.clickInEntry(toolsUrl, "Add the key anyway");
    await waitForRule(toolsUrl, [tab.id]);
    await popup.waitForText(say(["addingAnyway", "0.6.5"]));
    await tab.callTool(toolsUrl, "/get_current_time", { key: KEY_ROTATED_IN_OPEN_WEBUI });
    expect(lastRequest("POST", "/get_current_time")?.authorization).toBe(`Bearer ${KEY_ROOT}`);
    await popup.clickInEntry(toolsUrl, "Stand aside");
    await waitForRule(toolsUrl, []);

    openWebUi.setVersion("0.6.0");
    await tab.goto(`${owuiOrigin}/`);
    await waitForRule(toolsUrl, [tab.id]);
    expect((await tab.callTool(toolsUrl, "/get_current_time")).status).toBe(200);
    expect(lastRequest("POST", "/get_current_time")?.authorization).toBe(`Bearer ${KEY_ROOT}`);
    await removeAll(popup);
    await popup.close();
  });

  it("the popup says which Open WebUI an address is as soon as it is in the field, before a key is typed; an unreadable version says why and the key is still added", async () => {
    const popup = await browser.openPopup();
    const typeAddress = async (address: string) => {
      await popup.fill("Open WebUI address", address);
      await popup.press("Tab");
    };
    await typeAddress(owuiOrigin);
    await popup.waitForText(say(["versionAffected", "0.6.0"]));
    openWebUi.setVersion("0.6.41");
    await typeAddress(`${owuiOrigin}/c/a-chat`);
    await popup.waitForText(say(["versionPatched", "0.6.41"]));
    openWebUi.openWebUi.setVersionReply(BAD_VERSION_REPLIES.serverError);
    await typeAddress(`${owuiOrigin}/c/another-chat`);
    await popup.waitForText(say(["versionStatus", "500"]));
    openWebUi.openWebUi.setVersionReply(BAD_VERSION_REPLIES.notJson);
    await typeAddress(`${owuiOrigin}/c/a-third-chat`);
    await popup.waitForText(say(["versionNotJson"]));
    await typeAddress("http://owui.test:1");
    await popup.waitForText(say(["versionNoAnswer"]));

    // Saved while the version cannot be read: the key is added, and the entry says why it is unsure.
    await save(popup, { url: toolsUrl, key: KEY_ROOT });
    await waitForRule(toolsUrl, [tab.id]);
    await expect.poll(async () => (await popup.entryText(toolsUrl)) ?? "").toContain(say(["versionNotJson"]));
    openWebUi.openWebUi.setVersionReply(undefined);
    openWebUi.setVersion("0.6.0");
    await removeAll(popup);
    await popup.close();
  });

  it("Import from Open WebUI, from a signed-in tab, reviews first and then creates exactly the bearer entries, whose keys work; session, none, OAuth, MCP, disabled and keyless servers are listed as skipped", async () => {
    const { expected } = fixture(toolsUrl);
    await tab.signIn();
    const popup = await browser.openPopup();
    await popup.fill("Open WebUI address", owuiOrigin);
    await popup.click("Import from Open WebUI");
    await popup.waitForText(say(["reviewHeading"]));
    const review = await popup.text();
    expect(review).toContain(say(["reviewAdd", String(expected.entries.length)]));
    expect(review).toContain(say(["reviewSkipped", String(expected.skipped.length)]));
    for (const reason of [
      "importSkippedSession",
      "importSkippedNoAuth",
      "importSkippedOAuth",
      "importSkippedMcp",
      "importSkippedDisabled",
      "importSkippedNoKey",
    ] as const) {
      expect(review).toContain(say([reason]));
    }
    for (const key of Object.values(FIXTURE_TOOL_KEYS)) expect(review).not.toContain(key);
    // Nothing is written before the one button.
    expect(await storedEntries()).toEqual([]);

    await popup.click(say(["importMany", String(expected.entries.length)]));
    await popup.waitForText(say(["importDoneMany", String(expected.entries.length)]));
    const stored = await storedEntries();
    expect(stored.map(({ toolServerUrl, key }) => ({ toolServerUrl, key })).sort(byUrl)).toEqual([...expected.entries].sort(byUrl));
    for (const entry of expected.entries) await waitForRule(entry.toolServerUrl, [tab.id]);
    for (const entry of expected.entries) {
      const path = new URL(entry.toolServerUrl).pathname;
      expect((await tab.callTool(entry.toolServerUrl, "/get_current_time")).status, entry.toolServerUrl).toBe(200);
      expect(lastRequest("POST", `${path}/get_current_time`)?.authorization).toBe(`Bearer ${entry.key}`);
    }
    expect(await popup.text()).not.toContain(expected.entries[0]?.key);

    // Again: everything is saved already, so the review offers nothing to write.
    await popup.click("Import from Open WebUI");
    await popup.waitForText(say(["reviewNothing"]));
    await popup.click("Cancel");
    await popup.close();
  });

  it("the session token Open WebUI signs in with is in no extension storage area: the import used the browser's cookie", async () => {
    expect(openWebUi.openWebUi.sessionTokens.length).toBeGreaterThan(0);
    const everything = JSON.stringify(
      await browser.evaluateInExtension(
        `Promise.all([chrome.storage.local.get(null), chrome.storage.session.get(null), chrome.storage.sync.get(null)])`,
      ),
    );
    for (const token of openWebUi.openWebUi.sessionTokens) expect(everything).not.toContain(token);
  });

  it("signed out, Import says so and imports nothing", async () => {
    const popup = await browser.openPopup();
    await removeAll(popup);
    await tab.signOut();
    await popup.fill("Open WebUI address", owuiOrigin);
    await popup.click("Import from Open WebUI");
    await popup.waitForText(say(["importSignedOut", owuiOrigin]));
    expect(await storedEntries()).toEqual([]);
    await popup.close();
  });

  it("bad replies from Open WebUI get a plain message or show as text, and import nothing until confirmed", async () => {
    const replies = badSettingsReplies(toolsUrl);
    await tab.signIn();
    const popup = await browser.openPopup();
    await popup.fill("Open WebUI address", owuiOrigin);
    for (const [bad, message] of [
      ["notJson", ["importNotOpenWebUi", owuiOrigin]],
      ["serverError", ["importServerError", owuiOrigin, "500"]],
      ["toolServersNotAList", ["importNotOpenWebUi", owuiOrigin]],
    ] as const) {
      openWebUi.openWebUi.setSettingsReply(replies[bad]);
      await popup.click("Import from Open WebUI");
      await popup.waitForText(say(message));
    }
    openWebUi.openWebUi.setSettingsReply(replies.htmlAndScript);
    await popup.click("Import from Open WebUI");
    await popup.waitForText(say(["reviewHeading"]));
    // The name with markup is shown as the characters it is made of; none of its script ran.
    await popup.waitForText(`<img src=x onerror="document.title='pwned-by-name'">`);
    expect(await browser.evaluateInExtension("document.title")).not.toContain("pwned");
    expect(await storedEntries()).toEqual([]);
    await popup.click("Cancel");
    openWebUi.openWebUi.setSettingsReply(undefined);
    await popup.close();
  });

  it("Test reads the spec and tells the key apart without running a tool: 422 key accepted, 403 rejected, 401 no key", async () => {
    const popup = await browser.openPopup();
    await removeAll(popup);
    const good = `${toolsUrl}/v060/time`;
    const wrong = `${toolsUrl}/v065/time`;
    const noKey = `${toolsUrl}/v0641/time`;
    await save(popup, { url: good, key: FIXTURE_TOOL_KEYS["/v060/time"] as string });
    await save(popup, { url: wrong, key: KEY_WRONG });
    await save(popup, { url: noKey, key: FIXTURE_TOOL_KEYS["/v0641/time"] as string, header: "X-API-Key", scheme: "" });
    await expect.poll(async () => (await storedEntries()).length).toBe(3);
    const ran = log.filter((entry) => entry.port === tools.port && entry.path.endsWith("/get_current_time")).length;

    for (const [url, verdict] of [
      [good, "testKeyAccepted"],
      [wrong, "testKeyRejected"],
      [noKey, "testNoKey"],
    ] as const) {
      await popup.clickInEntry(url, `Test ${url}`);
      await expect.poll(async () => (await popup.entryText(url)) ?? "", { timeout: 15_000 }).toContain(say([verdict]));
      expect(await popup.entryText(url)).toContain("tools: 3.");
    }
    // Each key check was an empty body to an operation with required fields: no tool ran.
    const checks = log.filter((entry) => entry.port === tools.port && entry.path.endsWith("/get_current_time")).slice(ran);
    expect(checks.map((entry) => entry.method)).toEqual(["POST", "POST", "POST"]);
    expect(await popup.text()).not.toContain(KEY_WRONG);
    await removeAll(popup);
    await popup.close();
  });
});

function byUrl(a: { toolServerUrl: string }, b: { toolServerUrl: string }): number {
  return a.toolServerUrl.localeCompare(b.toolServerUrl);
}
