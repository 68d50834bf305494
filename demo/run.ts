/**
 * `npm run demo`: ToolKey fixing a tool call, told step by step. Starts an imitation of Open WebUI
 * 0.6.0 and an mcpo-like tool server on loopback, launches Chromium with the built ToolKey, shows
 * the tool call failing with 401, saves the key through the popup, and shows it succeeding.
 * Without a display it runs headless; either way it writes the README's screenshots.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { it } from "vitest";
import { backgroundOf, ChromiumPopup, launchChromium, POPUP_PATH, preparePackage } from "../test/browser/harness/chromium.ts";
import type { ToolReply } from "../test/browser/harness/driver.ts";
import { type LoggedRequest, startSite } from "../test/browser/harness/servers.ts";
import { render } from "../test/locales.ts";

/** The key the demo's tool server expects: plainly a demo value, and masked in every screenshot. */
const DEMO_KEY = "demo-key-not-a-secret-4242";
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
  // The addresses a user knows: Open WebUI from docker on 3000, mcpo on 8000.
  const [owui, tools] = await Promise.all([startSite(log, { port: 3000 }), startSite(log, { tools: { "": DEMO_KEY }, port: 8000 })]).catch(
    (error: unknown) => {
      throw new Error(`The demo serves on ports 3000 and 8000: stop what uses them and run it again (${String(error)}).`);
    },
  );
  const owuiOrigin = "http://localhost:3000";
  const toolsUrl = "http://localhost:8000";
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

    say("In ToolKey's popup: the Open WebUI address, the tool server URL and the key, then Save.");
    const id = new URL((await backgroundOf(context)).url()).host;
    const popupPage = await context.newPage();
    await popupPage.setViewportSize({ width: 400, height: 560 });
    await popupPage.goto(`chrome-extension://${id}/${POPUP_PATH}`);
    const popup = new ChromiumPopup(popupPage);
    await popup.fill("Open WebUI address", owuiOrigin);
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

    say("The same popup in a browser set to Chinese (zh-CN): every text comes from ToolKey's _locales.");
    ensureChineseFont();
    await screenshotPopupIn("zh-CN", "zh_CN", extension, headless, owuiOrigin, toolsUrl);

    say(
      `Screenshots written to ${SCREENSHOTS}: before.png, popup-light.png, popup-dark.png, full-tab.png, popup-zh_CN-light.png, after.png.`,
    );
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(extension, { recursive: true, force: true });
    await Promise.all([owui.close(), tools.close()]);
  }
});
