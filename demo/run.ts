/**
 * `npm run demo`: ToolKey fixing a tool call, told step by step. Starts an imitation of Open WebUI
 * 0.6.0 and an mcpo-like tool server on loopback, launches Chromium with the built ToolKey, shows
 * the tool call failing with 401, saves the key through the popup, and shows it succeeding; then
 * Test on the entry, the review of an import from Open WebUI, Export and the review of an import
 * from a file, and a second Open WebUI, on 0.6.5, where ToolKey stands aside. Without a display it
 * runs headless; either way it writes the README's screenshots.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Page } from "playwright-core";
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
  return [DEMO_KEY, KEY_IN_FILE, ...keys.filter((key) => key !== "")];
}

const SCREENSHOTS = resolve(import.meta.dirname, "../docs/screenshots");

function say(step: string): void {
  console.log(`\n▶ ${step}`);
}

/** Calls the tool as Open WebUI 0.6.0 does and shows the outcome in the page, for the screenshot. */
async function callToolShown(page: Page, toolsUrl: string): Promise<ToolReply> {
  return page.evaluate(async (url) => {
    const owui = (window as unknown as { owui: { callTool(u: string, p: string): Promise<ToolReply> } }).owui;
    const reply = await owui.callTool(url, "/get_current_time");
    const shown = document.getElementById("demo-result") ?? document.body.appendChild(document.createElement("pre"));
    shown.id = "demo-result";
    shown.style.cssText = `font: 15px/1.5 monospace; padding: 12px; border-radius: 8px; background: ${reply.status === 200 ? "#e3f5e1" : "#fde7e4"}`;
    shown.textContent = `POST ${url}/get_current_time\n→ ${reply.status} ${reply.body}`;
    return reply;
  }, toolsUrl);
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
    await popup.waitForText("Open WebUI 0.6.5 sends the key itself: ToolKey stands aside here.");
    console.log("  ToolKey says: Open WebUI 0.6.5 sends the key itself: ToolKey stands aside here.");
    await popup.fill("Tool server URL", toolsUrl);
    await popup.fill("API key", DEMO_KEY);
    await popup.click("Save");
    await popup.waitForText("Not needed: Open WebUI 0.6.5 sends the key itself.");
    console.log("  its entry: Not needed: Open WebUI 0.6.5 sends the key itself. [Add the key anyway]");
    await screenshotPopup(popupPage, popup, "stands-aside.png", keys, "#entries");

    say("The same popup in a browser set to Chinese (zh-CN): every text comes from ToolKey's _locales.");
    ensureChineseFont();
    await screenshotPopupIn("zh-CN", "zh_CN", extension, headless, owuiOrigin, toolsUrl);

    say(
      `Screenshots written to ${SCREENSHOTS}: before.png, version-line.png, popup-light.png, popup-dark.png, full-tab.png, after.png, test-result.png, import-review.png, import-file-review.png, stands-aside.png, popup-zh_CN-light.png.`,
    );
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(extension, { recursive: true, force: true });
    await Promise.all([owui, upgraded, tools].map((site) => site.close()));
  }
});
