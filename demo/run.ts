/**
 * `npm run demo`: ToolKey fixing a tool call, told step by step. Starts an imitation of Open WebUI
 * 0.6.0 and an mcpo-like tool server on loopback, launches Chromium with the built ToolKey, shows
 * the tool call failing with 401, saves the key through the popup, and shows it succeeding; then
 * Test on the entry, the review of an import from Open WebUI, Export and the review of an import
 * from a file, and a second Open WebUI, on 0.6.5, where ToolKey stands aside for a Bearer entry and
 * adds the X-API-Key header that no Open WebUI sends. Without a display it runs headless; either way
 * it writes the screenshots of the README and docs/, and the images of the store listings
 * (store/images/: screenshots of the popup over the Open WebUI tab, and the small promo tile).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { it } from "vitest";
import { backgroundOf, ChromiumPopup, launchChromium, POPUP_PATH, preparePackage } from "../test/browser/harness/chromium.ts";
import type { ToolReply } from "../test/browser/harness/driver.ts";
import { timeToolSpec } from "../test/browser/harness/mcpo.ts";
import { FAKE_USER } from "../test/browser/harness/open-webui.ts";
import { type LoggedRequest, type SiteOptions, startSite, type TestSite } from "../test/browser/harness/servers.ts";
import { render } from "../test/locales.ts";

/** The key the demo's tool server expects: plainly a demo value, and masked in every screenshot. */
const DEMO_KEY = "demo-key-not-a-secret-4242";
/** The key Open WebUI's settings hold for the same tool server: rotated there, so an import would replace ToolKey's. */
const KEY_ROTATED_IN_OPEN_WEBUI = "demo-key-rotated-in-open-webui-5151";

/** The key of the demo's second tool server, which wants it as `X-API-Key: <key>`. */
const X_API_KEY = "demo-x-api-key-not-a-secret-7373";
/** What the 0.6.5 Open WebUI sends that server itself: its own `Authorization: Bearer`, which the server ignores. */
const KEY_OPEN_WEBUI_SENDS = "demo-key-open-webui-sends-not-a-secret-8484";

/** The key a colleague's file of entries holds for the demo's tool server: another one than the demo's. */
const KEY_IN_FILE = "demo-key-from-a-file-not-a-secret-6262";

/**
 * A colleague's toolkey-entries.json: the demo's tool server with another key (a change), one new
 * server with its key and one without (added, waiting for a key).
 */
function entriesFile(owuiOrigin: string, toolsUrl: string): string {
  const entry = (toolServer: string, key?: string) => ({
    openWebUi: owuiOrigin,
    toolServer,
    header: "Authorization",
    scheme: "Bearer",
    enabled: true,
    ...(key === undefined ? {} : { key }),
  });
  const entries = [
    entry(toolsUrl, KEY_IN_FILE),
    entry("http://localhost:8001/memory", "demo-key-memory-not-a-secret-1111"),
    entry("http://localhost:8001/weather"),
  ];
  return JSON.stringify({ format: "toolkey-entries", version: 1, entries }, null, 2);
}

/** Open WebUI 0.6.0's item of `ui.toolServers`: {url, key, config: {enable}}. */
function toolServer(url: string, key: string, enable = true) {
  return { url, key, config: { enable } };
}

/**
 * The settings of the demo's Open WebUI user: two tool servers ToolKey does not have yet, the
 * demo's own with a key rotated in Open WebUI (so the import would replace ToolKey's), and three
 * that import skips: one listed twice, one switched off, one without a key.
 */
function openWebUiSettings(toolsUrl: string) {
  const mcpo = "http://localhost:8001";
  return {
    ui: {
      version: "0.6.0",
      toolServers: [
        toolServer(`${mcpo}/memory`, "demo-key-memory-not-a-secret-1111"),
        toolServer(`${mcpo}/fetch`, "demo-key-fetch-not-a-secret-2222"),
        toolServer(toolsUrl, KEY_ROTATED_IN_OPEN_WEBUI),
        toolServer(`${mcpo}/memory/`, "demo-key-memory-not-a-secret-1111"),
        toolServer("http://localhost:8002", "demo-key-off-not-a-secret-3333", false),
        toolServer("http://localhost:8003/weather", ""),
      ],
    },
  };
}

/** Every key of the demo: none may be readable in a screenshot. */
function demoKeys(toolsUrl: string): string[] {
  const keys = openWebUiSettings(toolsUrl).ui.toolServers.map(({ key }) => key);
  return [DEMO_KEY, KEY_IN_FILE, X_API_KEY, KEY_OPEN_WEBUI_SENDS, ...keys.filter((key) => key !== "")];
}

/** The headers the X-API-Key tool server received on its last tool call. */
interface ApiKeyCall {
  authorization: string | undefined;
  xApiKey: string | undefined;
}

/**
 * A tool server that wants its key as `X-API-Key: <key>` (the harness's mcpo wants a Bearer key):
 * open to every origin as mcpo is, 401 without the right X-API-Key, whatever Authorization says.
 */
async function startApiKeyToolServer(port: number, key: string, calls: ApiKeyCall[]): Promise<Server> {
  const server = createServer((request, response) => {
    response.setHeader("Access-Control-Allow-Origin", "*");
    response.setHeader("Access-Control-Allow-Headers", "*");
    response.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    if (request.method === "OPTIONS") {
      response.writeHead(204).end();
      return;
    }
    const given = request.headers["x-api-key"];
    const xApiKey = Array.isArray(given) ? given.join(", ") : given;
    calls.push({ authorization: request.headers.authorization, xApiKey });
    const ok = xApiKey === key;
    response.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" });
    response.end(ok ? '{"weather":"sunny, 21 °C"}' : '{"detail":"Missing or invalid X-API-Key header"}');
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolveListen());
  });
  return server;
}

const SCREENSHOTS = resolve(import.meta.dirname, "../docs/screenshots");
const STORE = resolve(import.meta.dirname, "../store");
const STORE_IMAGES = join(STORE, "images");

function say(step: string): void {
  console.log(`\n▶ ${step}`);
}

/**
 * Calls the tool as Open WebUI does (0.6.0 without a key; 0.6.1 and later with `keyFromSettings`
 * as `Authorization: Bearer`) and shows the outcome in the page, for the screenshot.
 */
async function callToolShown(page: Page, toolsUrl: string, tool = "/get_current_time", keyFromSettings?: string): Promise<ToolReply> {
  return page.evaluate(
    async ({ url, path, key }) => {
      type CallTool = (u: string, p: string, params?: unknown, k?: string) => Promise<ToolReply>;
      const owui = (window as unknown as { owui: { callTool: CallTool } }).owui;
      const reply = await owui.callTool(url, path, undefined, key);
      const shown = document.getElementById("demo-result") ?? document.body.appendChild(document.createElement("pre"));
      shown.id = "demo-result";
      shown.style.cssText = `font: 15px/1.5 monospace; padding: 12px; border-radius: 8px; background: ${reply.status === 200 ? "#e3f5e1" : "#fde7e4"}`;
      shown.textContent = `POST ${url}${path}\n→ ${reply.status} ${reply.body}`;
      return reply;
    },
    { url: toolsUrl, path: tool, key: keyFromSettings },
  );
}

/** Signs in on the Open WebUI page as its sign-in form does: the backend sets the session cookie. */
async function signIn(page: Page): Promise<ToolReply> {
  return page.evaluate(
    ({ email, password }) =>
      (window as unknown as { owui: { signIn(e: string, p: string): Promise<ToolReply> } }).owui.signIn(email, password),
    { email: FAKE_USER.email, password: FAKE_USER.password },
  );
}

/**
 * A screenshot of the popup page, light, 400 px wide and tall enough to show everything down to the
 * bottom of `downTo`; refused if any of `keys` is readable on the page.
 */
async function screenshotPopup(page: Page, popup: ChromiumPopup, name: string, keys: readonly string[], downTo: string): Promise<void> {
  const text = await popup.text();
  const shown = keys.find((key) => text.includes(key));
  if (shown !== undefined) throw new Error(`the popup shows a key (${shown}): no screenshot of it`);
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 400, height: 560 });
  const bottom = await page.locator(downTo).evaluate((node) => node.getBoundingClientRect().bottom + window.scrollY);
  await page.setViewportSize({ width: 400, height: Math.max(560, Math.ceil(bottom) + 16) });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, name) });
}

/** The listing's words that the store images carry: English, the language of the demo's browser. */
interface StoreWords {
  name: string;
  promoTileLine: string;
  screenshotCaptions: Record<string, string>;
}

function storeWords(): StoreWords {
  const listing = JSON.parse(readFileSync(join(STORE, "listing.json"), "utf8")) as { languages: { en: StoreWords } };
  return listing.languages.en;
}

/** Refuses to go on if any of `keys` is readable on `page`. */
async function refuseKeys(page: Page, keys: readonly string[], what: string): Promise<void> {
  // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, hidden elements excluded
  const text = await page.locator("body").innerText();
  const shown = keys.find((key) => text.includes(key));
  if (shown !== undefined) throw new Error(`${what} shows a key (${shown}): no screenshot of it`);
}

/** ToolKey's badge on the tab at `url` as the browser shows it, asked from the popup page, which may call extension APIs. */
async function badgeOn(popupPage: Page, url: string): Promise<string> {
  const text = await popupPage.evaluate(`(async () => {
    const tab = (await chrome.tabs.query({})).find((tab) => tab.url === ${JSON.stringify(url)});
    return tab === undefined ? "" : chrome.action.getBadgeText({ tabId: tab.id });
  })()`);
  return String(text);
}

/** A store screenshot is 1280 x 800: a 48 px toolbar over the tab, and the popup under it (from y = 46) at most this tall. */
const STORE_TAB = { width: 1280, height: 752 };
const STORE_POPUP_MAX_HEIGHT = 746;

/** Runs `take` at another viewport size and puts the page's own size back afterwards. */
async function atSize<T>(page: Page, size: { width: number; height: number }, take: () => Promise<T>): Promise<T> {
  const before = page.viewportSize();
  await page.setViewportSize(size);
  try {
    return await take();
  } finally {
    if (before !== null) await page.setViewportSize(before);
  }
}

/**
 * A store screenshot (store/screenshot.html): the Open WebUI tab, ToolKey's popup open over it as
 * it is now, from the top of `from` (the whole popup by default) down to the bottom of `downTo`,
 * the badge the tab really carries, and the listing's caption for `name`. Refused if a key is
 * readable in the tab or the popup.
 */
async function storeScreenshot(
  context: BrowserContext,
  name: string,
  {
    tab,
    popupPage,
    keys,
    from = "main",
    downTo = "main",
  }: { tab: Page; popupPage: Page; keys: readonly string[]; from?: string; downTo?: string },
): Promise<void> {
  await refuseKeys(tab, keys, "the Open WebUI tab");
  await refuseKeys(popupPage, keys, "the popup");
  await tab.bringToFront();
  const tabShot = await atSize(tab, STORE_TAB, () => tab.screenshot());
  await popupPage.bringToFront();
  await popupPage.emulateMedia({ colorScheme: "light" });
  const popupShot = await atSize(popupPage, { width: 400, height: 560 }, async () => {
    const onPage = (selector: string) =>
      popupPage.locator(selector).evaluate((node) => {
        const box = node.getBoundingClientRect();
        return { top: box.top + window.scrollY, bottom: box.bottom + window.scrollY };
      });
    const top = Math.floor((await onPage(from)).top);
    // `main` ends with its own padding; anything inside it gets the same room below.
    const bottom = Math.ceil((await onPage(downTo)).bottom) + (downTo === "main" ? 0 : 16);
    await popupPage.setViewportSize({ width: 400, height: Math.min(STORE_POPUP_MAX_HEIGHT, bottom - top) });
    await popupPage.evaluate((y) => window.scrollTo(0, y), top);
    const shot = await popupPage.screenshot();
    await popupPage.evaluate(() => window.scrollTo(0, 0));
    return shot;
  });
  const filled = {
    address: tab.url(),
    badge: await badgeOn(popupPage, tab.url()),
    caption: storeWords().screenshotCaptions[`images/${name}`],
    tab: `data:image/png;base64,${tabShot.toString("base64")}`,
    popup: `data:image/png;base64,${popupShot.toString("base64")}`,
  };
  if (filled.caption === undefined) throw new Error(`store/listing.json has no caption for images/${name}`);
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(pathToFileURL(join(STORE, "screenshot.html")).href);
    await page.evaluate(async (fill) => {
      const byId = (id: string) => document.getElementById(id) as HTMLElement;
      byId("address").textContent = fill.address;
      byId("badge").textContent = fill.badge;
      byId("caption").textContent = fill.caption ?? "";
      (byId("tab") as HTMLImageElement).src = fill.tab;
      (byId("popup") as HTMLImageElement).src = fill.popup;
      await Promise.all([...document.images].map((image) => image.decode()));
    }, filled);
    await page.screenshot({ path: join(STORE_IMAGES, name) });
  } finally {
    await page.close();
  }
  await popupPage.bringToFront();
}

/** The store's small promo tile, 440 x 280 (store/promo-tile.html): the icon, the name and the listing's one line. */
async function storePromoTile(context: BrowserContext, name: string): Promise<void> {
  const words = storeWords();
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: 440, height: 280 });
    await page.goto(pathToFileURL(join(STORE, "promo-tile.html")).href);
    await page.evaluate(
      async ({ title, line }) => {
        (document.getElementById("name") as HTMLElement).textContent = title;
        (document.getElementById("line") as HTMLElement).textContent = line;
        await Promise.all([...document.images].map((image) => image.decode()));
      },
      { title: words.name, line: words.promoTileLine },
    );
    await page.screenshot({ path: join(STORE_IMAGES, name) });
  } finally {
    await page.close();
  }
}

/** What the popup shows in `selector`, line by line, for the printed steps. */
async function linesOf(page: Page, selector: string): Promise<string[]> {
  // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, line by line
  const text = await page.locator(selector).innerText();
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Starts the demo's sites on their familiar ports, or closes those that started and says which port to free. */
async function startSites<const Sites extends readonly SiteOptions[]>(
  log: LoggedRequest[],
  sites: Sites,
): Promise<{ [K in keyof Sites]: TestSite }> {
  const started = await Promise.allSettled(sites.map((site) => startSite(log, site)));
  const failed = started.find((result) => result.status === "rejected");
  if (failed === undefined) {
    return started.map((result) => (result as PromiseFulfilledResult<TestSite>).value) as { [K in keyof Sites]: TestSite };
  }
  await Promise.all(started.map((result) => (result.status === "fulfilled" ? result.value.close() : undefined)));
  const ports = sites.map((site) => site.port).join(", ");
  throw new Error(`The demo serves on ports ${ports}: stop what uses them and run it again (${String(failed.reason)}).`);
}

/** A font with Chinese characters, for the Chinese screenshot: installed from Debian when we may, else asked for. */
function ensureChineseFont(): void {
  const hasChinese = () => execFileSync("fc-list", [":lang=zh", "family"], { encoding: "utf8" }).trim() !== "";
  if (hasChinese()) return;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    console.log("Installing Debian's fonts-wqy-microhei with apt-get, so that the Chinese screenshot shows characters.");
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "fonts-wqy-microhei"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  if (!hasChinese())
    throw new Error("The Chinese screenshot needs a font with Chinese characters: apt-get install -y fonts-wqy-microhei (Debian).");
}

/** The popup of a fresh Chromium in `language`, with the demo's entry saved through it. */
async function screenshotPopupIn(
  language: string,
  locale: string,
  extension: string,
  headless: boolean,
  owuiOrigin: string,
  toolsUrl: string,
) {
  const profile = mkdtempSync(join(tmpdir(), "toolkey-demo-"));
  const context = await launchChromium(profile, [extension], [`--lang=${language}`], headless);
  try {
    const message = (name: Parameters<typeof render>[1][0]) => render(locale, [name]);
    const id = new URL((await backgroundOf(context)).url()).host;
    const page = await context.newPage();
    await page.setViewportSize({ width: 400, height: 560 });
    await page.goto(`chrome-extension://${id}/${POPUP_PATH}`);
    const popup = new ChromiumPopup(page);
    await popup.fill(message("openWebUiLabel"), owuiOrigin);
    await popup.fill(message("toolServerLabel"), toolsUrl);
    await popup.fill(message("keyLabel"), DEMO_KEY);
    await popup.click(message("save"));
    await popup.waitForText(render(locale, ["ready", owuiOrigin]));
    if ((await popup.text()).includes(DEMO_KEY)) throw new Error("the popup shows the key: no screenshot of it");
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: join(SCREENSHOTS, `popup-${locale}-light.png`) });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

it("demo", { timeout: 5 * 60_000 }, async () => {
  const headless = process.env.DISPLAY === undefined && process.env.WAYLAND_DISPLAY === undefined;
  mkdirSync(SCREENSHOTS, { recursive: true });
  mkdirSync(STORE_IMAGES, { recursive: true });
  const log: LoggedRequest[] = [];
  // The addresses a user knows: Open WebUI from docker on 3000 (a second one, upgraded, on 3001),
  // mcpo on 8000, whose spec is titled after the MCP server it runs, as mcpo's is.
  const [owui, upgraded, tools] = await startSites(log, [
    { port: 3000 },
    { port: 3001 },
    { tools: { "": DEMO_KEY }, specs: { "": timeToolSpec("", "mcp-time") }, port: 8000 },
  ]);
  upgraded.setVersion("0.6.5");
  const owuiOrigin = "http://localhost:3000";
  const upgradedOrigin = "http://localhost:3001";
  const toolsUrl = "http://localhost:8000";
  const apiKeyCalls: ApiKeyCall[] = [];
  const apiKeyToolsPort = 8004;
  const apiKeyToolsUrl = `http://localhost:${apiKeyToolsPort}`;
  const apiKeyTools = await startApiKeyToolServer(apiKeyToolsPort, X_API_KEY, apiKeyCalls).catch(async (error: unknown) => {
    await Promise.all([owui, upgraded, tools].map((site) => site.close()));
    throw new Error(`The demo serves on port ${apiKeyToolsPort} too: stop what uses it and run it again (${String(error)}).`);
  });
  const keys = demoKeys(toolsUrl);
  const profile = mkdtempSync(join(tmpdir(), "toolkey-demo-"));
  // As in the tests: the loaded copy holds the two demo sites from install, so no dialog waits.
  const extension = preparePackage(["localhost"]);
  const context = await launchChromium(profile, [extension], [], headless);
  try {
    console.log(`ToolKey demo (${headless ? "headless: screenshots only" : "in a visible window"})`);
    say(`Open WebUI 0.6.0 (imitation) runs at ${owuiOrigin}; an mcpo-like tool server started with --api-key runs at ${toolsUrl}.`);
    const tab = await context.newPage();
    await tab.setViewportSize({ width: 720, height: 300 });
    await tab.goto(`${owuiOrigin}/`);

    say("Open WebUI calls a tool. Version 0.6.0 leaves the key out:");
    const before = await callToolShown(tab, toolsUrl);
    console.log(`  the tool server answers ${before.status}: ${before.body}`);
    await tab.screenshot({ path: join(SCREENSHOTS, "before.png") });

    say("In ToolKey's popup, the Open WebUI address: ToolKey asks that Open WebUI its version at once, before any key is typed.");
    const id = new URL((await backgroundOf(context)).url()).host;
    const popupPage = await context.newPage();
    await popupPage.setViewportSize({ width: 400, height: 560 });
    await popupPage.goto(`chrome-extension://${id}/${POPUP_PATH}`);
    const popup = new ChromiumPopup(popupPage);
    await popup.fill("Open WebUI address", owuiOrigin);
    await popup.press("Tab");
    await popup.waitForText("Open WebUI 0.6.0 forgets the key on tool calls: ToolKey adds it.");
    console.log("  ToolKey says: Open WebUI 0.6.0 forgets the key on tool calls: ToolKey adds it.");
    await screenshotPopup(popupPage, popup, "version-line.png", keys, "main");

    say("Then the tool server URL and the key, and Save.");
    await popup.fill("Tool server URL", toolsUrl);
    await popup.fill("API key", DEMO_KEY);
    await popup.click("Save");
    await popup.waitForText("Active in 1 Open WebUI tab.");
    if ((await popup.text()).includes(DEMO_KEY)) throw new Error("the popup shows the key: no screenshot of it");
    console.log("  ToolKey says: Saved. Active in 1 Open WebUI tab.");
    await popupPage.emulateMedia({ colorScheme: "light" });
    await popupPage.screenshot({ path: join(SCREENSHOTS, "popup-light.png") });
    await popupPage.emulateMedia({ colorScheme: "dark" });
    await popupPage.screenshot({ path: join(SCREENSHOTS, "popup-dark.png") });
    await popupPage.emulateMedia({ colorScheme: "light" });

    say("The same page in a full tab (Open in a tab, or the extension's options): a filter, and switches for all shown entries.");
    await popupPage.setViewportSize({ width: 900, height: 760 });
    await popupPage.screenshot({ path: join(SCREENSHOTS, "full-tab.png") });

    say("Open WebUI calls the tool again. ToolKey's rule adds the key inside the browser:");
    await tab.bringToFront();
    const after = await callToolShown(tab, toolsUrl);
    const sent = log.filter((entry) => entry.port === tools.port && entry.method === "POST").at(-1)?.authorization;
    console.log(`  the tool server answers ${after.status}: ${after.body}`);
    console.log(`  it received Authorization: ${sent === `Bearer ${DEMO_KEY}` ? "Bearer <the key from ToolKey>" : "nothing"}`);
    await tab.screenshot({ path: join(SCREENSHOTS, "after.png") });
    if (before.status !== 401 || after.status !== 200) throw new Error(`expected 401 then 200, got ${before.status} then ${after.status}`);
    await storeScreenshot(context, "screenshot-1-key-added.png", { tab, popupPage, keys });

    say("Test on the entry: ToolKey reads the tool server's spec and checks the key with a call no tool can run (an empty body).");
    await popupPage.bringToFront();
    await popup.clickInEntry(toolsUrl, `Test ${toolsUrl}`);
    await popup.waitForText("Key accepted (checked without running a tool).");
    for (const line of await linesOf(popupPage, ".test-result")) console.log(`  ToolKey says: ${line}`);
    await screenshotPopup(popupPage, popup, "test-result.png", keys, "#entries");

    say(`Import from Open WebUI: signed in to Open WebUI at ${owuiOrigin}, whose Settings > Tools list six tool servers.`);
    owui.openWebUi.setSettings(openWebUiSettings(toolsUrl));
    await tab.bringToFront();
    const signedIn = await signIn(tab);
    if (signedIn.status !== 200) throw new Error(`signing in to the imitation Open WebUI answered ${signedIn.status}: ${signedIn.body}`);
    await popupPage.bringToFront();
    await popup.fill("Open WebUI address", owuiOrigin);
    await popup.click("Import from Open WebUI");
    await popup.waitForText("Review the import");
    const review = await linesOf(popupPage, "#review");
    for (const wanted of ["Will be added (2)", "Will change (1)", "Skipped (3)"]) {
      if (!review.includes(wanted)) throw new Error(`the review lacks "${wanted}": ${review.join(" | ")}`);
    }
    for (const line of review) console.log(`  ${line}`);
    await screenshotPopup(popupPage, popup, "import-review.png", keys, "#review");
    await storeScreenshot(context, "screenshot-2-import-review.png", { tab, popupPage, keys, from: "#entry-form", downTo: "#review" });
    say("Nothing is saved until Import 3 entries is clicked; the demo clicks Cancel, so its entry keeps the key the tool server takes.");
    await popup.click("Cancel");

    say(
      "Files, in the full tab: Export entries downloads toolkey-entries.json, without keys unless Include keys is ticked (and confirmed).",
    );
    await popupPage.setViewportSize({ width: 900, height: 760 });
    const [download] = await Promise.all([popupPage.waitForEvent("download"), popup.click("Export entries")]);
    const exported = readFileSync(await download.path(), "utf8");
    if (keys.some((key) => exported.includes(key))) throw new Error("the export without keys holds a key");
    for (const line of exported.trim().split("\n")) console.log(`  ${line}`);

    say("Import from a file: a colleague's toolkey-entries.json goes through the same review, nothing saved until confirmed.");
    const file = join(mkdtempSync(join(tmpdir(), "toolkey-demo-file-")), "toolkey-entries.json");
    writeFileSync(file, entriesFile(owuiOrigin, toolsUrl));
    await popupPage.locator("#import-file-input").setInputFiles(file);
    await popup.waitForText("From the file toolkey-entries.json");
    const fileReview = await linesOf(popupPage, "#review");
    for (const wanted of ["Will be added (2)", "Will change (1)"]) {
      if (!fileReview.includes(wanted)) throw new Error(`the review of the file lacks "${wanted}": ${fileReview.join(" | ")}`);
    }
    for (const line of fileReview) console.log(`  ${line}`);
    await screenshotPopup(popupPage, popup, "import-file-review.png", keys, "#review");
    rmSync(dirname(file), { recursive: true, force: true });
    await popup.click("Cancel");

    say(`A second Open WebUI at ${upgradedOrigin}, already on 0.6.5, which sends the key itself: ToolKey stands aside there.`);
    // A fresh popup: the Test result above is shown only until the popup closes.
    await popupPage.reload();
    await popup.fill("Open WebUI address", upgradedOrigin);
    await popup.press("Tab");
    const patchedLine = render("en", ["versionPatched", "0.6.5"]);
    await popup.waitForText(patchedLine);
    console.log(`  ToolKey says: ${patchedLine}`);
    await popup.fill("Tool server URL", toolsUrl);
    await popup.fill("API key", DEMO_KEY);
    await popup.click("Save");
    await popup.waitForText("Not needed: Open WebUI 0.6.5 sends the key itself.");
    console.log("  its entry: Not needed: Open WebUI 0.6.5 sends the key itself. [Add the key anyway]");
    await screenshotPopup(popupPage, popup, "stands-aside.png", keys, "#entries");

    say(
      `On the same Open WebUI 0.6.5, a tool server at ${apiKeyToolsUrl} that wants its key as X-API-Key: <key>. No Open WebUI sends that header (0.6.1 and later send only Authorization: Bearer), so ToolKey adds it on every version.`,
    );
    const upgradedTab = await context.newPage();
    await upgradedTab.setViewportSize({ width: 720, height: 300 });
    await upgradedTab.goto(`${upgradedOrigin}/`);
    await popupPage.bringToFront();
    await popup.fill("Open WebUI address", upgradedOrigin);
    await popup.fill("Tool server URL", apiKeyToolsUrl);
    await popup.fill("API key", X_API_KEY);
    await popup.fill("Header name", "X-API-Key");
    await popup.fill("Scheme", "");
    await popup.click("Save");
    const apiKeyEntry = popupPage.locator("li.entry").filter({ hasText: apiKeyToolsUrl });
    const addsHeader = "Open WebUI 0.6.5 sends only Authorization: Bearer; ToolKey adds X-API-Key";
    await apiKeyEntry.getByText(addsHeader).waitFor();
    await apiKeyEntry.getByText("Active in 1 Open WebUI tab.").waitFor();
    console.log(`  its entry: ${addsHeader}: <key>. Active in 1 Open WebUI tab.`);
    console.log("  beside it, the Bearer entry of the same Open WebUI: Not needed: Open WebUI 0.6.5 sends the key itself.");

    say("Open WebUI 0.6.5 calls that tool with its own Authorization: Bearer, which this server ignores; ToolKey's rule adds X-API-Key:");
    await upgradedTab.bringToFront();
    const apiKeyReply = await callToolShown(upgradedTab, apiKeyToolsUrl, "/get_weather", KEY_OPEN_WEBUI_SENDS);
    const received = apiKeyCalls.at(-1);
    console.log(`  the tool server answers ${apiKeyReply.status}: ${apiKeyReply.body}`);
    const pageKeyKept = received?.authorization === `Bearer ${KEY_OPEN_WEBUI_SENDS}`;
    console.log(`  it received Authorization: ${pageKeyKept ? "the page's own Bearer key, untouched" : String(received?.authorization)}`);
    console.log(`  and X-API-Key: ${received?.xApiKey === X_API_KEY ? "<the key from ToolKey>" : "nothing"}`);
    if (apiKeyReply.status !== 200 || !pageKeyKept) {
      throw new Error(`expected 200 with the page's own Authorization kept, got ${apiKeyReply.status}, ${String(received?.authorization)}`);
    }

    say("For the picture, the 0.6.0 Open WebUI's entry is removed: the popup shows the two entries of the 0.6.5 Open WebUI.");
    await popupPage.bringToFront();
    const firstEntry = popupPage.locator("li.entry").filter({ hasText: `from ${owuiOrigin}` });
    await firstEntry.getByRole("button", { name: `Remove ${toolsUrl}` }).click();
    await firstEntry.waitFor({ state: "detached" });
    // A fresh popup: the form drawn as it opens, not as the last Save left it.
    await popupPage.reload();
    await apiKeyEntry.getByText("Active in 1 Open WebUI tab.").waitFor();
    await screenshotPopup(popupPage, popup, "other-header.png", keys, "#entries");
    // As the popup opens over the 0.6.5 tab: its address filled in, and the version line under it.
    await popup.fill("Open WebUI address", upgradedOrigin);
    await popup.press("Tab");
    await popup.waitForText(patchedLine);
    await storeScreenshot(context, "screenshot-3-stands-aside.png", { tab: upgradedTab, popupPage, keys });
    await storePromoTile(context, "small-promo-tile.png");

    say("The same popup in a browser set to Chinese (zh-CN): every text comes from ToolKey's _locales.");
    ensureChineseFont();
    await screenshotPopupIn("zh-CN", "zh_CN", extension, headless, owuiOrigin, toolsUrl);

    say(
      `Screenshots written to ${SCREENSHOTS}: before.png, version-line.png, popup-light.png, popup-dark.png, full-tab.png, after.png, test-result.png, import-review.png, import-file-review.png, stands-aside.png, other-header.png, popup-zh_CN-light.png; and to ${STORE_IMAGES}, for the store listings: screenshot-1-key-added.png, screenshot-2-import-review.png, screenshot-3-stands-aside.png (1280 x 800), small-promo-tile.png (440 x 280).`,
    );
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(extension, { recursive: true, force: true });
    await Promise.all([owui, upgraded, tools].map((site) => site.close()));
    await new Promise((resolveClose) => apiKeyTools.close(resolveClose));
  }
});
