import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserText } from "../../src/core/user-text.ts";
import { english } from "../locales.ts";
import { ChromiumBrowser } from "./harness/chromium.ts";
import type { BrowserTab, ExtensionBrowser, PopupPage } from "./harness/driver.ts";
import { FirefoxBrowser } from "./harness/firefox.ts";
import { keyLabeller } from "./harness/key-labels.ts";
import { jsonReply } from "./harness/open-webui.ts";
import type { SiteTab } from "./harness/pages.ts";
import { waitForRule as waitForRuleIn } from "./harness/rules.ts";
import { type LoggedRequest, startSite, type TestSite } from "./harness/servers.ts";
import { loopToolCalls, type RuleWatch, watchSessionRules } from "./harness/watch.ts";

// Obviously fake keys: nothing here may look like a real secret. Each has a name, and a failure
// shows that name (labelled), never the key.
const KEY_X_API = "fake-key-x-api-not-a-secret-0101";
const KEY_PAGE = "fake-key-page-own-not-a-secret-0102";
const KEY_STALE = "fake-key-stale-not-a-secret-0103";
const KEY_ROTATED = "fake-key-rotated-not-a-secret-0104";
const KEY_FRESH_ENTRY = "fake-key-fresh-entry-not-a-secret-0105";
const KEY_EDIT = "fake-key-edit-not-a-secret-0106";
const KEY_CHATS = "fake-key-chats-not-a-secret-0107";

const KEY_NAMES: Record<string, string> = {
  [KEY_X_API]: "<the X-API-Key entry's key>",
  [KEY_PAGE]: "<the page's own key>",
  [KEY_STALE]: "<the entry's stale key>",
  [KEY_ROTATED]: "<the key the user rotated in Open WebUI>",
  [KEY_FRESH_ENTRY]: "<the new entry's key>",
  [KEY_EDIT]: "<the edited entry's key>",
  [KEY_CHATS]: "<the chat-switch entry's key>",
};

/** A header value with every key of this file replaced by its name: what a failure may print. */
const label = keyLabeller(KEY_NAMES);

/** What a restarting proxy in front of Open WebUI answers. */
const BAD_GATEWAY = jsonReply({ detail: "Bad Gateway" }, 502);
/** How long the fresh Open WebUI holds its answer to /api/version after the entry is stored (ToolKey gives up after 8 s). */
const VERSION_HELD_MS = 2000;
/** How long the samples go on after the version check has landed. */
const AFTER_CHECK_MS = 1500;
/** How many chats the user switches through, the pause between two switches, and the wait after the last. */
const CHAT_SWITCHES = 10;
const BETWEEN_SWITCHES_MS = 100;
const AFTER_SWITCHES_MS = 500;

const launchers: Record<string, () => Promise<ExtensionBrowser>> = {
  // Chromium cannot answer its permission dialog: its test package holds these hosts from install.
  chromium: () => ChromiumBrowser.launch(["owui.test", "tools.test"]),
  firefox: () => FirefoxBrowser.launch(),
};

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * A message with one placeholder left open, as the two pieces of text around it: for a text whose
 * middle (a date in the browser's format) the test does not fix.
 */
function around(text: (open: string) => UserText): RegExp {
  const OPEN = "\u0000";
  const [before = "", after = ""] = english(text(OPEN)).split(OPEN);
  const literal = (piece: string) => piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${literal(before)}.+${literal(after)}`);
}

/**
 * Moments of a deployment's life, in real browsers: an Open WebUI on 0.6.5 beside an entry whose
 * header Open WebUI never sends; a version check that fails on a known 0.6.5; a new entry saved for
 * a 0.6.5, watched from the click on; Edit that moves an entry to another host; ten chat switches in
 * an Open WebUI 0.6.0 and then one real load, watched on both servers' request logs.
 */
describe.each(Object.keys(launchers))("ToolKey through an Open WebUI deployment's life in real %s", (browserName) => {
  const log: LoggedRequest[] = [];
  let tools: TestSite;
  let otherTools: TestSite;
  /** Each scenario has an Open WebUI of its own (another port of owui.test: another origin). */
  let xApiSite: TestSite;
  let rotatedSite: TestSite;
  let freshSite: TestSite;
  let editSite: TestSite;
  let chatSite: TestSite;
  let browser: ExtensionBrowser;
  let toolsUrl: string;
  let otherToolsOrigin: string;

  beforeAll(async () => {
    tools = await startSite(log, {
      tools: {
        "/xapi": KEY_PAGE,
        "/rotated": KEY_ROTATED,
        "/fresh": KEY_PAGE,
        "/calendar": KEY_EDIT,
        "/agenda": KEY_EDIT,
        "/chats": KEY_CHATS,
      },
    });
    otherTools = await startSite(log, { tools: { "/calendar": KEY_EDIT } });
    toolsUrl = `http://tools.test:${tools.port}`;
    otherToolsOrigin = `http://tools.test:${otherTools.port}`;
    [xApiSite, rotatedSite, freshSite, editSite, chatSite] = await Promise.all([
      startSite(log),
      startSite(log),
      startSite(log),
      startSite(log),
      startSite(log),
    ]);
    for (const site of [xApiSite, rotatedSite, freshSite]) site.setVersion("0.6.5");
    const launch = launchers[browserName];
    if (launch === undefined) throw new Error(`no launcher for ${browserName}`);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([tools, otherTools, xApiSite, rotatedSite, freshSite, editSite, chatSite].map((site) => site?.close()));
  });

  const originOf = (site: TestSite) => `http://owui.test:${site.port}`;

  function lastRequest(method: string, path: string): LoggedRequest | undefined {
    return log.filter((entry) => entry.port === tools.port && entry.method === method && entry.path === path).at(-1);
  }

  /** How many times the site's /api/version has been asked so far. */
  function versionReads(site: TestSite): number {
    return log.filter((entry) => entry.port === site.port && entry.method === "GET" && entry.path === "/api/version").length;
  }

  /** The tool calls (POST) the tool server logged at `path` since the log held `from` requests. */
  function callsSince(from: number, path: string): LoggedRequest[] {
    return log.slice(from).filter((entry) => entry.port === tools.port && entry.method === "POST" && entry.path === path);
  }

  function waitForRule(toolServerUrl: string, tabIds: number[]): Promise<void> {
    return waitForRuleIn(browser, toolServerUrl, tabIds);
  }

  /** A tab on the entry's Open WebUI, and the popup over it with the entry typed in, not saved yet. */
  async function typeEntry(fields: { owui: string; url: string; key: string; header?: string; scheme?: string }) {
    const tab = await browser.openTab(`${fields.owui}/`);
    const popup = await browser.openPopup();
    await popup.fill("Open WebUI address", fields.owui);
    await popup.fill("Tool server URL", fields.url);
    await popup.fill("API key", fields.key);
    if (fields.header !== undefined) await popup.fill("Header name", fields.header);
    if (fields.scheme !== undefined) await popup.fill("Scheme", fields.scheme);
    return { tab, popup };
  }

  /** Every rule for this tool-server URL that any state of the watch held, keys labelled. */
  function rulesFor(watch: RuleWatch, toolServerUrl: string): string[] {
    const filter = `|${toolServerUrl}/`;
    return watch.states.flatMap((state) =>
      state.filter((rule) => rule.urlFilter === filter).map((rule) => `${label(rule.headers.join("; "))} in tabs ${rule.tabIds.join(",")}`),
    );
  }

  /** The entries ToolKey keeps, read from storage, keys labelled. */
  async function storedEntries(): Promise<Record<string, unknown>[]> {
    const settings = (await browser.evaluateInExtension(`chrome.storage.local.get("settings").then(({ settings }) => settings)`)) as
      | { entries: Record<string, unknown>[] }
      | undefined;
    return (settings?.entries ?? []).map((entry) => ({ ...entry, key: label(String(entry.key)) }));
  }

  async function storedUrls(): Promise<unknown[]> {
    return (await storedEntries()).map((entry) => entry.toolServerUrl);
  }

  async function entryText(popup: PopupPage, toolServerUrl: string): Promise<string> {
    return (await popup.entryText(toolServerUrl)) ?? "(no such entry in the popup)";
  }

  /** Every session rule the browser holds, whole (tabIds, headers and all), keys labelled. */
  async function wholeSessionRules(): Promise<string[]> {
    const rules = (await browser.evaluateInExtension("chrome.declarativeNetRequest.getSessionRules()")) as { id: number }[];
    return [...rules].sort((a, b) => a.id - b.id).map((rule) => label(JSON.stringify(rule)));
  }

  /** The badge text of the toolbar button over this tab, as the browser shows it. */
  function badgeOf(tab: BrowserTab): Promise<unknown> {
    return browser.evaluateInExtension(`chrome.action.getBadgeText({ tabId: ${tab.id} })`);
  }

  /** The requests a site logged since the log held `from` requests, as "METHOD path". */
  function requestsSince(from: number, site: TestSite): string[] {
    return log
      .slice(from)
      .filter((entry) => entry.port === site.port)
      .map((entry) => `${entry.method} ${entry.path}`);
  }

  it("a new Bearer entry saved for an Open WebUI reporting 0.6.5 never replaces the page's key, sampled from the click on Save until well after the version check", async () => {
    const owui = originOf(freshSite);
    const url = `${toolsUrl}/fresh`;
    // The browser's first entry (in Firefox, Save is also where access to these hosts is granted),
    // for an Open WebUI never asked before, whose /api/version answers only when the test lets it:
    // between the click on Save and that answer, ToolKey cannot know that the page sends the key.
    const answerVersion = freshSite.openWebUi.holdVersionReplies();
    const { tab, popup } = await typeEntry({ owui, url, key: KEY_FRESH_ENTRY });

    const rules = await watchSessionRules(browser);
    const calls = await loopToolCalls(tab, url, "/after_save", KEY_PAGE);
    const from = log.length;
    await popup.click("Save");
    await expect.poll(() => storedUrls(), { timeout: 10_000 }).toContain(url);
    await sleep(VERSION_HELD_MS);
    expect(versionReads(freshSite), "version checks waiting for their answer").toBeGreaterThan(0);
    answerVersion();
    // Sampling goes on until the entry says it stands aside and well after; what reached the server
    // is judged first, and then what the entry says.
    const notNeeded = english(["notNeeded", "0.6.5"]);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !(await entryText(popup, url)).includes(notNeeded)) await sleep(100);
    await sleep(AFTER_CHECK_MS);
    const made = await calls.stop();
    const watched = await rules.stop();

    expect(made, "tool calls sampled").toBeGreaterThan(10);
    expect(watched.reads, "reads of the session rules").toBeGreaterThan(10);
    expect(rulesFor(watched, url), "ToolKey rules for the new entry at any moment").toEqual([]);
    const arrived = callsSince(from, "/fresh/after_save").map((entry) => label(entry.authorization));
    expect(arrived.length).toBeGreaterThan(10);
    expect([...new Set(arrived)], "the Authorization of every tool call from the click on Save").toEqual([label(`Bearer ${KEY_PAGE}`)]);
    expect(await entryText(popup, url)).toContain(notNeeded);
    await popup.close();
    await tab.close();
  });

  it("an X-API-Key entry on an Open WebUI reporting 0.6.5 puts its header on the page's tool calls, leaves the page's own Authorization: Bearer as the page sent it, and says what each sends", async () => {
    const owui = originOf(xApiSite);
    const url = `${toolsUrl}/xapi`;
    const { tab, popup } = await typeEntry({ owui, url, key: KEY_X_API, header: "X-API-Key", scheme: "" });
    await popup.click("Save");

    // The page sends its own key, as Open WebUI 0.6.5 does; ToolKey's header comes beside it.
    await expect
      .poll(
        async () => {
          await tab.callTool(url, "/get_current_time", { key: KEY_PAGE });
          return label(lastRequest("POST", "/xapi/get_current_time")?.apiKey);
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(label(KEY_X_API));
    const reply = await tab.callTool(url, "/get_current_time", { key: KEY_PAGE });
    expect(reply.status).toBe(200);
    const arrived = lastRequest("POST", "/xapi/get_current_time");
    expect(label(arrived?.apiKey)).toBe(label(KEY_X_API));
    expect(label(arrived?.authorization)).toBe(label(`Bearer ${KEY_PAGE}`));
    await waitForRule(url, [tab.id]);

    const addsHeader = english(["addsOtherHeader", "0.6.5", "X-API-Key: <key>"]);
    await expect.poll(() => entryText(popup, url), { timeout: 10_000 }).toContain(addsHeader);
    expect(await entryText(popup, url)).not.toContain(english(["notNeeded", "0.6.5"]));
    expect(await popup.text()).not.toContain(KEY_X_API);
    await popup.close();
    await tab.close();
  });

  it("a Bearer entry on an Open WebUI known as 0.6.5 keeps standing aside through page loads where /api/version answers 502, says so, and adds its key again once the version reads 0.6.0", async () => {
    const owui = originOf(rotatedSite);
    const url = `${toolsUrl}/rotated`;
    const { tab, popup } = await typeEntry({ owui, url, key: KEY_STALE });
    await popup.click("Save");
    const notNeeded = english(["notNeeded", "0.6.5"]);
    await expect.poll(() => entryText(popup, url), { timeout: 15_000 }).toContain(notNeeded);
    await waitForRule(url, []);

    // A restarting proxy: every check from now on is a 502, while the page keeps loading and
    // sending the key the user has since rotated in Open WebUI.
    rotatedSite.openWebUi.setVersionReply(BAD_GATEWAY);
    const rules = await watchSessionRules(browser);
    const from = log.length;
    for (const load of [1, 2, 3]) {
      const reads = versionReads(rotatedSite);
      // A real load of the page (the user reloads it): ToolKey reads the version again.
      await tab.reload();
      const calls = await loopToolCalls(tab, url, "/during_502", KEY_ROTATED);
      await expect
        .poll(() => versionReads(rotatedSite), { timeout: 10_000, message: `a version check after load ${load}` })
        .toBeGreaterThan(reads);
      await sleep(AFTER_CHECK_MS);
      expect(await calls.stop(), `tool calls sampled after load ${load}`).toBeGreaterThan(5);
    }
    const watched = await rules.stop();
    expect(watched.reads).toBeGreaterThan(20);
    expect(rulesFor(watched, url), "ToolKey rules for the entry while the checks failed").toEqual([]);
    const arrived = callsSince(from, "/rotated/during_502").map((entry) => label(entry.authorization));
    expect(arrived.length).toBeGreaterThan(15);
    expect([...new Set(arrived)], "the Authorization of every tool call after those loads").toEqual([label(`Bearer ${KEY_ROTATED}`)]);

    const failed = around((when) => ["versionLatestCheckFailed", "0.6.5", when, english(["versionFailStatus", "502"])]);
    await expect.poll(() => entryText(popup, url), { timeout: 10_000 }).toMatch(failed);
    expect(await entryText(popup, url)).toContain(notNeeded);

    // Open WebUI answers again, now as 0.6.0: the next load reads it, and the key is added again.
    rotatedSite.setVersion("0.6.0");
    await tab.reload();
    await waitForRule(url, [tab.id]);
    await tab.callTool(url, "/after_0_6_0");
    expect(label(lastRequest("POST", "/rotated/after_0_6_0")?.authorization)).toBe(label(`Bearer ${KEY_STALE}`));
    expect(await entryText(popup, url)).not.toMatch(failed);
    await popup.close();
    await tab.close();
  });

  it("Edit that moves an entry to another tool-server origin or another Open WebUI with the key left empty is refused, changes nothing, and the old server still gets the key; a path change on the same host keeps the key", async () => {
    const owui = originOf(editSite);
    const url = `${toolsUrl}/calendar`;
    const { tab, popup } = await typeEntry({ owui, url, key: KEY_EDIT });
    await popup.click("Save");
    await waitForRule(url, [tab.id]);
    const before = await storedEntries();

    const elsewhere = `${otherToolsOrigin}/calendar`;
    await popup.clickInEntry(url, "Edit");
    expect(await popup.value("API key")).toBe("");
    await popup.fill("Tool server URL", elsewhere);
    await popup.click("Save");
    await popup.waitForText(english(["key_newHost", otherToolsOrigin]));
    await popup.press("Escape");

    const otherOwui = originOf(xApiSite);
    await popup.clickInEntry(url, "Edit");
    await popup.fill("Open WebUI address", otherOwui);
    await popup.click("Save");
    await popup.waitForText(english(["key_newHost", otherOwui]));
    await popup.press("Escape");

    expect(await storedEntries()).toEqual(before);
    const filters = (await browser.sessionRules()).map((rule) => rule.condition.urlFilter);
    expect(filters).not.toContain(`|${elsewhere}/`);
    expect(filters).toContain(`|${url}/`);
    expect((await tab.callTool(url, "/still_here")).status).toBe(200);
    expect(label(lastRequest("POST", "/calendar/still_here")?.authorization)).toBe(label(`Bearer ${KEY_EDIT}`));
    await tab.callTool(elsewhere, "/not_here");
    const atElsewhere = log.filter(
      (entry) => entry.port === otherTools.port && entry.method === "POST" && entry.path === "/calendar/not_here",
    );
    expect(atElsewhere.map((entry) => label(entry.authorization))).toEqual(["(no header)"]);

    // Only the path changes: the key is the one typed for this server, and stays.
    const moved = `${toolsUrl}/agenda`;
    await popup.clickInEntry(url, "Edit");
    await popup.fill("Tool server URL", moved);
    await popup.click("Save");
    await waitForRule(moved, [tab.id]);
    await waitForRule(url, []);
    expect((await tab.callTool(moved, "/moved")).status).toBe(200);
    expect(label(lastRequest("POST", "/agenda/moved")?.authorization)).toBe(label(`Bearer ${KEY_EDIT}`));
    expect(await storedEntries()).toContainEqual(expect.objectContaining({ toolServerUrl: moved, key: label(KEY_EDIT) }));
    await popup.close();
    await tab.close();
  });

  it("ten chat switches in an Open WebUI 0.6.0 send nothing to the Open WebUI or the tool server and change no rule or badge; one real load then reads the version once, and the key still arrives", async () => {
    const owui = originOf(chatSite);
    const url = `${toolsUrl}/chats`;
    const { tab, popup } = await typeEntry({ owui, url, key: KEY_CHATS });
    await popup.click("Save");
    await waitForRule(url, [tab.id]);
    const badgeOn = english(["buttonOn"]);
    await expect.poll(() => badgeOf(tab), { timeout: 10_000 }).toBe(badgeOn);
    await popup.close();
    // The version check that Save started has been answered (the rule waits for it); whatever else
    // the opening moments sent is over before the watch starts.
    expect(versionReads(chatSite), "version checks before the chat switches").toBeGreaterThan(0);
    await sleep(AFTER_SWITCHES_MS);
    const rulesBefore = await wholeSessionRules();
    expect(rulesBefore.filter((rule) => rule.includes(`"|${url}/"`)).length, "rules for the entry").toBe(1);

    const watch = await watchSessionRules(browser);
    const from = log.length;
    for (let chat = 1; chat <= CHAT_SWITCHES; chat++) {
      await tab.pushState(`/c/${chat}`);
      await sleep(BETWEEN_SWITCHES_MS);
    }
    await sleep(AFTER_SWITCHES_MS);
    const watched = await watch.stop();
    const duringSwitches = { openWebUi: requestsSince(from, chatSite), toolServer: requestsSince(from, tools) };

    expect(await (tab as SiteTab).page.run(() => location.pathname, null), "the tab's address after the switches").toBe(
      `/c/${CHAT_SWITCHES}`,
    );
    expect(
      duringSwitches.openWebUi.filter((request) => request.endsWith(" /api/version")),
      "version checks during the chat switches",
    ).toEqual([]);
    expect(duringSwitches.toolServer, "requests to the tool server during the chat switches").toEqual([]);
    expect(watched.reads, "reads of the session rules during the chat switches").toBeGreaterThan(10);
    expect(watched.states.length, "distinct states of the session rules during the chat switches").toBe(1);
    expect(await wholeSessionRules(), "the session rules after the chat switches").toEqual(rulesBefore);
    expect(await badgeOf(tab), "the badge after the chat switches").toBe(badgeOn);

    // One real load of the chat: the version is read again, once, and the badge comes back.
    const reads = versionReads(chatSite);
    await tab.reload();
    await expect.poll(() => versionReads(chatSite), { timeout: 5_000, message: "a version check after the reload" }).toBeGreaterThan(reads);
    await sleep(AFTER_SWITCHES_MS);
    // Soft: a count that is off is reported with what follows it (badge, rules, the key) checked too.
    expect.soft(versionReads(chatSite) - reads, "version checks after one reload").toBe(1);
    await expect.poll(() => badgeOf(tab), { timeout: 5_000, message: "the badge after the reload" }).toBe(badgeOn);
    await waitForRule(url, [tab.id]);
    expect(await wholeSessionRules(), "the session rules after the reload").toEqual(rulesBefore);

    const call = await tab.callTool(url, "/after_chat_switches");
    expect(call.status).toBe(200);
    expect(label(lastRequest("POST", "/chats/after_chat_switches")?.authorization)).toBe(label(`Bearer ${KEY_CHATS}`));
    await tab.close();
  });
});
