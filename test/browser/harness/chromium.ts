import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Frame, type Page, type Worker } from "playwright-core";
import { ServiceWorkerSession } from "./chromium-worker.ts";
import type { BrowserTab, ExtensionBrowser, FirstRowsAction, InstalledRule, PopupPage, ToolbarPopup } from "./driver.ts";
import { CHROMIUM_PATH, TEST_HOSTS } from "./environment.ts";
import { asUpdate, copyPackage, editManifest, withHosts } from "./packages.ts";
import {
  actOnFirstRows,
  drawnAtAction,
  popupIsReady,
  type RunInPage,
  SiteTab,
  sitePageOf,
  toolbarPopupIsReady,
  ViewsToolbarPopup,
  visibleEntryUrls,
} from "./pages.ts";
import { RELEASE_RULE_UPDATES_SCRIPT, refuseRuleUpdatesScript } from "./refused-updates.ts";
import { UNHANDLED_MARK, watchExtensionViews } from "./unhandled.ts";

/** The extension APIs the probe page calls, as far as these tests use them. */
declare const chrome: {
  action: { openPopup(): Promise<void> };
  runtime: { sendMessage(message: unknown): Promise<unknown>; getManifest(): { version: string } };
  tabs: { query(filter: { url?: string }): Promise<{ id?: number }[]> };
  declarativeNetRequest: { getSessionRules(): Promise<InstalledRule[]> };
};

export const POPUP_PATH = "src/popup/index.html";
/** An empty extension page added to the test copy, to call extension APIs without running ToolKey's pages. */
export const PROBE_PATH = "probe.html";

/**
 * The built package, copied, with the test hosts' access granted at install: Chromium cannot click
 * its own permission dialog, so the popup takes its "access already held" branch. Only
 * manifest.json and an added empty probe page differ from dist/chrome: the JavaScript under test is
 * the shipped one.
 */
export function preparePackage(grantedHosts: readonly string[]): string {
  const dir = copyPackage("chrome");
  editManifest(dir, withHosts(grantedHosts));
  writeFileSync(join(dir, PROBE_PATH), "<!doctype html><title>probe</title>");
  return dir;
}

/** Debian's Chromium on a profile, with the given unpacked extensions loaded. */
export async function launchChromium(
  profile: string,
  extensions: readonly string[],
  extraArgs: readonly string[] = [],
  headless = true,
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      // The https test sites use a certificate made for the run.
      "--ignore-certificate-errors",
      `--host-resolver-rules=${TEST_HOSTS.map((host) => `MAP ${host} 127.0.0.1`).join(",")}`,
      "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
      `--disable-extensions-except=${extensions.join(",")}`,
      `--load-extension=${extensions.join(",")}`,
      ...extraArgs,
    ],
  });
}

/** ToolKey's service worker (the first extension loaded). */
export async function backgroundOf(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
}

/** Collects console messages and uncaught errors of every page and service worker of the context. */
function listen(context: BrowserContext, output: string[]): void {
  context.on("console", (message) => output.push(`[${message.type()}] ${message.text()}`));
  // A page's unhandled rejections are among its uncaught errors here.
  context.on("weberror", (error) => output.push(`[uncaught] ${error.page()?.url() ?? "(no page)"}: ${error.error().message}`));
}

let tabSerial = 0;

/** A Playwright page as the shared tab and toolbar-popup drivers use it. */
export function runIn(target: Page | Frame): RunInPage {
  return (fn, arg) => target.evaluate(fn as never, arg as never);
}

export class ChromiumPopup implements PopupPage {
  constructor(private readonly page: Page) {}

  async fill(label: string, value: string): Promise<void> {
    const field = this.page.getByLabel(label, { exact: true });
    if (!(await field.isVisible())) await this.page.locator("summary").click();
    await field.fill(value);
  }

  value(label: string): Promise<string> {
    return this.page.getByLabel(label, { exact: true }).inputValue();
  }

  async click(buttonName: string): Promise<void> {
    await this.page.getByRole("button", { name: buttonName, exact: true }).click();
  }

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  private entry(toolServerUrl: string, nth?: number) {
    const entries = this.page
      .locator("li.entry")
      .filter({ has: this.page.locator(".tool-url", { hasText: new RegExp(`^${escapeRegExp(toolServerUrl)}$`) }) });
    return nth === undefined ? entries : entries.nth(nth);
  }

  async clickInEntry(toolServerUrl: string, buttonName: string, nth?: number): Promise<void> {
    await this.entry(toolServerUrl, nth).getByRole("button", { name: buttonName }).click();
  }

  async setEnabled(toolServerUrl: string, enabled: boolean): Promise<void> {
    await this.entry(toolServerUrl).getByRole("checkbox", { name: "Enabled" }).setChecked(enabled);
  }

  text(): Promise<string> {
    // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, hidden elements excluded
    return this.page.locator("body").innerText();
  }

  language(): Promise<string> {
    return this.page.evaluate(() => document.documentElement.lang);
  }

  async entryText(toolServerUrl: string): Promise<string | undefined> {
    const entry = this.entry(toolServerUrl);
    // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, hidden elements excluded
    return (await entry.count()) === 0 ? undefined : entry.innerText();
  }

  entryTexts(toolServerUrl: string): Promise<string[]> {
    return this.entry(toolServerUrl).allInnerTexts();
  }

  entryCount(): Promise<number> {
    return this.page.locator("li.entry").count();
  }

  visibleEntries(): Promise<string[]> {
    return this.page.evaluate(visibleEntryUrls);
  }

  async alerts(): Promise<string[]> {
    const texts = await this.page.getByRole("alert").allInnerTexts();
    return texts.map((text) => text.trim()).filter((text) => text !== "");
  }

  async waitForText(text: string): Promise<void> {
    await this.page.getByText(text).first().waitFor();
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Debian's Chromium with the built ToolKey loaded, driven by playwright-core. */
export class ChromiumBrowser implements ExtensionBrowser {
  readonly grantsAccessOnClick = false;
  private readonly output: string[] = [];
  /** What the service worker left unhandled under an earlier launch on this profile. */
  private readonly unhandledBefore: string[] = [];

  private constructor(
    private context: BrowserContext,
    private extensionId: string,
    private probe: Page,
    private worker: ServiceWorkerSession,
    private readonly profile: string,
    private readonly extension: string,
    private readonly args: readonly string[],
  ) {}

  /** `language`: the browser's own language (its --lang), which picks ToolKey's _locales. */
  static async launch(grantedHosts: readonly string[], language?: string): Promise<ChromiumBrowser> {
    const profile = mkdtempSync(join(tmpdir(), "toolkey-profile-"));
    const extension = preparePackage(grantedHosts);
    const args = language === undefined ? [] : [`--lang=${language}`];
    const context = await launchChromium(profile, [extension], args);
    const id = new URL((await backgroundOf(context)).url()).host;
    const probe = await ChromiumBrowser.openProbe(context, id);
    const worker = await ServiceWorkerSession.attach(context, probe, id);
    const browser = new ChromiumBrowser(context, id, probe, worker, profile, extension, args);
    listen(context, browser.output);
    return browser;
  }

  /** An extension page kept open to read the extension's state through its APIs; it watches the extension's pages too. */
  private static async openProbe(context: BrowserContext, id: string): Promise<Page> {
    const probe = await context.newPage();
    await probe.goto(`chrome-extension://${id}/${PROBE_PATH}`);
    await probe.evaluate(watchExtensionViews, UNHANDLED_MARK);
    return probe;
  }

  async openTab(url: string): Promise<BrowserTab> {
    const page = await this.context.newPage();
    const marked = new URL(url);
    marked.searchParams.set("tab", String(++tabSerial));
    await page.goto(marked.href);
    const id = await this.probe.evaluate(async (href) => {
      const [tab] = await chrome.tabs.query({ url: href });
      return tab?.id ?? -1;
    }, marked.href);
    if (id < 0) throw new Error(`could not find the tab of ${marked.href}`);
    return new SiteTab(id, sitePageOf(page, runIn));
  }

  async openPopup(): Promise<PopupPage> {
    const page = await this.context.newPage();
    await page.goto(`chrome-extension://${this.extensionId}/${POPUP_PATH}`);
    await page.waitForFunction(popupIsReady);
    return new ChromiumPopup(page);
  }

  async openPopupActingOnFirstRows(action: FirstRowsAction): Promise<{ popup: PopupPage; drawnAtAction: number }> {
    const page = await this.context.newPage();
    await page.addInitScript(actOnFirstRows, action);
    await page.goto(`chrome-extension://${this.extensionId}/${POPUP_PATH}`);
    const drawn = await page.waitForFunction(drawnAtAction);
    return { popup: new ChromiumPopup(page), drawnAtAction: (await drawn.jsonValue()) as number };
  }

  async openToolbarPopup(tab: BrowserTab): Promise<ToolbarPopup> {
    await (tab as SiteTab).page.bringToFront();
    await (await this.liveBackground()).evaluate(() => chrome.action.openPopup());
    await this.probe.waitForFunction(toolbarPopupIsReady);
    return new ViewsToolbarPopup(runIn(this.probe));
  }

  async leaveAccessRequestsUnanswered(unanswered: boolean): Promise<void> {
    if (!unanswered) throw new Error("Chromium's permission dialog cannot be answered by automation.");
  }

  evaluateInExtension(script: string): Promise<unknown> {
    return this.probe.evaluate(script);
  }

  sessionRules(): Promise<InstalledRule[]> {
    return this.probe.evaluate(() => chrome.declarativeNetRequest.getSessionRules()) as Promise<InstalledRule[]>;
  }

  async consoleOutput(): Promise<string[]> {
    return [...this.output];
  }

  async unhandledErrors(): Promise<string[]> {
    const inPages = this.output.filter(
      (line) => line.includes(UNHANDLED_MARK) || line.startsWith(`[uncaught] chrome-extension://${this.extensionId}/`),
    );
    return [...this.unhandledBefore, ...this.worker.unhandled(), ...inPages];
  }

  /** Evaluates in the running background, woken first if the browser had stopped it. */
  private async inBackground(expression: string): Promise<unknown> {
    await this.probe.evaluate(() => chrome.runtime.sendMessage({ type: "getState" }));
    return this.worker.evaluate(expression);
  }

  async rejectUnhandledInBackground(text: string): Promise<void> {
    await this.inBackground(`void Promise.reject(new Error(${JSON.stringify(text)}))`);
  }

  async refuseNextRuleUpdates(count: number, options: { holdRetry?: boolean } = {}): Promise<{ release(): Promise<void> }> {
    // ToolKey's `browser` is Chromium's own there (webextension-polyfill steps aside), and its
    // declarativeNetRequest is the very object of `chrome`.
    await this.inBackground(refuseRuleUpdatesScript("chrome.declarativeNetRequest", count, options.holdRetry === true));
    // Not through inBackground: a page's request would wait behind the held update.
    return { release: async () => void (await this.worker.evaluate(RELEASE_RULE_UPDATES_SCRIPT)) };
  }

  async stopBackground(): Promise<void> {
    const session = await this.context.newCDPSession(this.probe);
    const stopped = new Promise<void>((done) => {
      session.on("ServiceWorker.workerVersionUpdated", ({ versions }) => {
        if (
          versions.some(
            (version) => version.scriptURL.startsWith(`chrome-extension://${this.extensionId}/`) && version.runningStatus === "stopped",
          )
        ) {
          done();
        }
      });
    });
    await session.send("ServiceWorker.enable");
    await session.send("ServiceWorker.stopAllWorkers");
    await stopped;
    await session.detach();
  }

  /** The running background, woken first if the browser had stopped it. */
  private async liveBackground(): Promise<Worker> {
    await this.probe.evaluate(() => chrome.runtime.sendMessage({ type: "getState" }));
    const workers = this.context.serviceWorkers().filter((worker) => worker.url().startsWith(`chrome-extension://${this.extensionId}/`));
    return workers.at(-1) ?? backgroundOf(this.context);
  }

  async logInBackground(text: string): Promise<void> {
    await (await this.liveBackground()).evaluate((line) => console.log(line), text);
  }

  /** Closes the browser, keeping what its service worker left unhandled. */
  private async closeContext(): Promise<void> {
    this.unhandledBefore.push(...this.worker.unhandled());
    await this.context.close();
  }

  async update(): Promise<void> {
    // Chromium does not reload an extension given by --load-extension in place (its pages are then
    // refused); it applies the new version at the next start, as it does a store update that waited
    // for the browser to be idle.
    await this.closeContext();
    const { version: wanted } = editManifest(this.extension, asUpdate);
    await this.relaunch();
    const version = await (await this.liveBackground()).evaluate(() => chrome.runtime.getManifest().version);
    if (version !== wanted) throw new Error(`Chromium runs version ${version} after the update`);
  }

  async restart(): Promise<void> {
    await this.closeContext();
    await this.relaunch();
  }

  private async relaunch(): Promise<void> {
    this.context = await launchChromium(this.profile, [this.extension], this.args);
    listen(this.context, this.output);
    this.extensionId = new URL((await backgroundOf(this.context)).url()).host;
    this.probe = await ChromiumBrowser.openProbe(this.context, this.extensionId);
    this.worker = await ServiceWorkerSession.attach(this.context, this.probe, this.extensionId);
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
    rmSync(this.extension, { recursive: true, force: true });
  }
}
