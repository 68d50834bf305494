import type { ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type ElementHandle, type Frame, type KeyInput, type Page } from "puppeteer-core";
import { listFiles, zipFiles } from "../../../scripts/zip.ts";
import type { BrowserTab, ExtensionBrowser, FirstRowsAction, InstalledRule, PopupPage, ToolbarPopup } from "./driver.ts";
import { FIREFOX_PATH, TEST_HOSTS } from "./environment.ts";
import { asUpdate, copyPackage, DIST, editManifest, type Manifest, readManifest } from "./packages.ts";
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

/** The extension APIs that the driver calls from an extension page, as far as it uses them. */
declare const browser: {
  tabs: { query(filter: object): Promise<{ id?: number }[]> };
  action: { openPopup(): Promise<void> };
  runtime: { sendMessage(message: unknown): Promise<unknown>; getBackgroundPage(): Promise<{ console: Console }> };
  declarativeNetRequest: { getSessionRules(): Promise<InstalledRule[]> };
};

/** What a page with the system principal (about:debugging) can reach; used for what no web page may do. */
declare const ChromeUtils: { importESModule(url: string): Record<string, unknown> };
declare const Services: {
  prefs: { setBoolPref(name: string, value: boolean): void };
  console: { getMessageArray(): { message?: string; errorMessage?: string; sourceName?: string }[] };
};

const MANIFEST = readManifest(join(DIST, "firefox")) as Manifest & { browser_specific_settings: { gecko: { id: string } } };
export const GECKO_ID = MANIFEST.browser_specific_settings.gecko.id;
/** The store package itself is what the tests install: the same bytes a user gets from addons.mozilla.org. */
const PACKAGE = join(DIST, `toolkey-firefox-${MANIFEST.version}.zip`);
/** Fixed through a pref, so that the tests know the moz-extension:// host before the add-on starts. */
const UUID = "4d6f6b2e-7465-4b73-8b65-792d74657374";
export const POPUP_URL = `moz-extension://${UUID}/src/popup/index.html`;

const PREFS: Record<string, unknown> = {
  "extensions.webextensions.uuids": JSON.stringify({ [GECKO_ID]: UUID }),
  // An add-on in the profile's extensions folder, unsigned (Firefox ESR honours this), enabled at once.
  "xpinstall.signatures.required": false,
  "extensions.autoDisableScopes": 0,
  "extensions.enabledScopes": 15,
  // permissions.request from a click grants at once instead of showing a prompt automation cannot answer.
  "extensions.webextOptionalPermissionPrompts": false,
  "extensions.openPopupWithoutUserGesture.enabled": true,
  "network.dns.localDomains": TEST_HOSTS.join(","),
  "dom.security.https_first": false,
  "dom.security.https_first_schemeless": false,
  // Every console message of the extension and the pages, background included, is written to stdout.
  "devtools.console.stdout.content": true,
};

const POLL_MS = 50;
const WAIT_MS = 15_000;

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Polls until `check` gives true, else fails with `what`. */
export async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(POLL_MS);
  }
  throw new Error(`Firefox: timed out waiting for ${what}`);
}

export function runIn(target: Page | Frame): RunInPage {
  return (fn, arg) => target.evaluate(fn as never, arg as never) as never;
}

/** What the popup driver looks for, found as a user would: by label, by accessible name, by entry. */
interface Target {
  kind: "field" | "button" | "checkbox" | "summary";
  name: string;
  /** Only inside the entry with this tool-server URL. */
  entry?: string;
  /** Which of several entries with that URL (from 0); the first when not given. */
  nth?: number;
}

/** Runs in the popup page: the element a Target names, or null. Self-contained, as it is sent as text. */
function locate(target: Target): HTMLElement | null {
  let root: ParentNode = document;
  if (target.entry !== undefined) {
    const entry = [...document.querySelectorAll("li.entry")].filter(
      (item) => item.querySelector(".tool-url")?.textContent?.trim() === target.entry,
    )[target.nth ?? 0];
    if (entry === undefined) return null;
    root = entry;
  }
  const labelled = (text: string) =>
    [...root.querySelectorAll("label")].find((label) => label.textContent?.trim() === text)?.control as HTMLElement | undefined;
  if (target.kind === "field" || target.kind === "checkbox") return labelled(target.name) ?? null;
  if (target.kind === "summary") {
    return root.querySelector("summary");
  }
  const buttons = [...root.querySelectorAll("button")];
  const nameOf = (button: HTMLButtonElement) => (button.getAttribute("aria-label") ?? button.textContent ?? "").trim();
  return (
    buttons.find((button) => nameOf(button) === target.name) ??
    (target.entry === undefined ? undefined : buttons.find((button) => nameOf(button).toLowerCase().includes(target.name.toLowerCase()))) ??
    null
  );
}

/** The end of the queue of input actions; one Firefox runs at a time in the tests and the bench. */
let inputTurns: Promise<unknown> = Promise.resolve();

/** The popup opened as a page in a tab, driven with real clicks and key presses. */
export class FirefoxPopup implements PopupPage {
  constructor(private readonly page: Page) {}

  /**
   * Finds the target and acts on it; again when the popup redrew its list in between (a state
   * broadcast replaces the entries' elements), as Playwright's locators do.
   */
  private act(target: Target, action: (element: ElementHandle<HTMLElement>) => Promise<void>): Promise<void> {
    // One keyboard and mouse: actions on several popups take turns, each in the tab in front, where
    // a person types (Firefox delivers input to a background tab only slowly).
    const turn = inputTurns.then(async () => {
      await this.page.bringToFront();
      await this.actInFront(target, action);
    });
    inputTurns = turn.catch(() => undefined);
    return turn;
  }

  private async actInFront(target: Target, action: (element: ElementHandle<HTMLElement>) => Promise<void>): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const element = (await this.page.evaluateHandle(locate, target)).asElement() as ElementHandle<HTMLElement> | null;
      if (element !== null) {
        try {
          await action(element);
          return;
        } catch (error) {
          if (!String(error).includes("detached")) throw error;
        }
      }
      if (Date.now() > deadline) throw new Error(`Firefox: no ${target.kind} "${target.name}" in the popup`);
      await sleep(POLL_MS);
    }
  }

  async fill(label: string, value: string): Promise<void> {
    await this.act({ kind: "field", name: label }, async (field) => {
      if (!(await field.evaluate((element) => element.checkVisibility()))) {
        await this.actInFront({ kind: "summary", name: "the folded header and scheme" }, (summary) => summary.click());
      }
      await field.click();
      await field.evaluate((element) => (element as HTMLInputElement).select());
      await this.page.keyboard.press("Backspace");
      await field.type(value);
    });
  }

  async value(label: string): Promise<string> {
    let value = "";
    await this.act({ kind: "field", name: label }, async (field) => {
      value = await field.evaluate((element) => (element as HTMLInputElement).value);
    });
    return value;
  }

  click(buttonName: string): Promise<void> {
    return this.act({ kind: "button", name: buttonName }, (button) => button.click());
  }

  press(key: string): Promise<void> {
    const turn = inputTurns.then(async () => {
      await this.page.bringToFront();
      await this.page.keyboard.press(key as KeyInput);
    });
    inputTurns = turn.catch(() => undefined);
    return turn;
  }

  clickInEntry(toolServerUrl: string, buttonName: string, nth?: number): Promise<void> {
    return this.act({ kind: "button", name: buttonName, entry: toolServerUrl, nth }, (button) => button.click());
  }

  setEnabled(toolServerUrl: string, enabled: boolean): Promise<void> {
    return this.act({ kind: "checkbox", name: "Enabled", entry: toolServerUrl }, async (checkbox) => {
      if ((await checkbox.evaluate((element) => (element as HTMLInputElement).checked)) !== enabled) await checkbox.click();
    });
  }

  text(): Promise<string> {
    // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, hidden elements excluded
    return this.page.evaluate(() => document.body.innerText);
  }

  language(): Promise<string> {
    return this.page.evaluate(() => document.documentElement.lang);
  }

  entryText(toolServerUrl: string): Promise<string | undefined> {
    return this.page.evaluate((url) => {
      const entry = [...document.querySelectorAll<HTMLElement>("li.entry")].find(
        (item) => item.querySelector(".tool-url")?.textContent?.trim() === url,
      );
      // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, hidden elements excluded
      return entry?.innerText;
    }, toolServerUrl);
  }

  entryTexts(toolServerUrl: string): Promise<string[]> {
    return this.page.evaluate(
      (url) =>
        [...document.querySelectorAll<HTMLElement>("li.entry")]
          .filter((item) => item.querySelector(".tool-url")?.textContent?.trim() === url)
          // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, hidden elements excluded
          .map((item) => item.innerText),
      toolServerUrl,
    );
  }

  entryCount(): Promise<number> {
    return this.page.evaluate(() => document.querySelectorAll("li.entry").length);
  }

  visibleEntries(): Promise<string[]> {
    return this.page.evaluate(visibleEntryUrls);
  }

  alerts(): Promise<string[]> {
    return this.page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[role="alert"]')]
        .filter((alert) => alert.checkVisibility())
        // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, hidden elements excluded
        .map((alert) => alert.innerText.trim())
        .filter((text) => text !== ""),
    );
  }

  async waitForText(text: string): Promise<void> {
    // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, hidden elements excluded
    await until(`"${text}" in the popup`, () => this.page.evaluate((wanted) => document.body.innerText.includes(wanted), text));
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/** Debian's Firefox ESR on a profile, with the test prefs (and any others given). */
export function launchFirefox(profile: string, extraPrefs: Record<string, unknown> = {}): Promise<Browser> {
  // (The language pack that intl.locale.requested needs comes from Debian: see global-setup.ts.)
  return puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX_PATH,
    headless: true,
    // The https test sites use a certificate made for the run.
    acceptInsecureCerts: true,
    userDataDir: profile,
    // Without it, BiDi refuses to navigate to moz-extension:// and about: pages.
    args: ["--remote-allow-system-access"],
    extraPrefsFirefox: { ...PREFS, ...extraPrefs },
  });
}

/**
 * Opens an extension page in a new tab. Over BiDi, navigation to moz-extension:// never reports
 * its end (see browser-testing.md), so it is started and then polled.
 */
export async function openExtensionPage(firefox: Browser, url: string): Promise<Page> {
  const page = await firefox.newPage();
  page.goto(url).catch(() => undefined);
  await until(`${url} to load`, () =>
    page.evaluate((href) => location.href === href && document.readyState === "complete" && typeof browser === "object", url),
  );
  return page;
}

/** about:debugging, whose scripts run with the system principal: what no web or extension page may do. */
export async function openPrivilegedPage(firefox: Browser): Promise<Page> {
  const page = await firefox.newPage();
  page.goto("about:debugging").catch(() => undefined);
  await until("about:debugging", () => page.evaluate(() => typeof ChromeUtils === "object" && document.readyState === "complete"));
  return page;
}

/**
 * Debian's Firefox ESR with ToolKey's store package installed in the profile (so that it survives a
 * restart, as an add-on from addons.mozilla.org does), driven by puppeteer-core over WebDriver BiDi.
 * Host access is not granted at install: the popup's Save click asks for it, as for a user.
 */
export class FirefoxBrowser implements ExtensionBrowser {
  readonly grantsAccessOnClick = true;
  private readonly output: string[] = [];
  private firefox!: Browser;
  /** An extension page kept open to call extension APIs; BiDi cannot reach the background itself. */
  private probe!: Page;
  /** about:debugging, whose system principal reaches what no extension page may (the background's lifecycle). */
  private privileged: Page | undefined;
  /** Opening tabs one at a time, so that each new tab's id is the one that appeared. */
  private opening: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly profile: string,
    private readonly prefs: Record<string, unknown>,
  ) {}

  /** `language`: the browser's own language (intl.locale.requested), which picks ToolKey's _locales. */
  static async launch(language?: string): Promise<FirefoxBrowser> {
    const profile = mkdtempSync(join(tmpdir(), "toolkey-firefox-"));
    mkdirSync(join(profile, "extensions"));
    copyFileSync(PACKAGE, join(profile, "extensions", `${GECKO_ID}.xpi`));
    const launched = new FirefoxBrowser(profile, language === undefined ? {} : { "intl.locale.requested": language });
    await launched.start();
    return launched;
  }

  private async start(): Promise<void> {
    this.firefox = await launchFirefox(this.profile, this.prefs);
    this.listen(this.firefox.process());
    this.privileged = undefined;
    this.probe = await this.openProbe();
  }

  /** An extension page kept open to call extension APIs, which also watches the background and the pages. */
  private async openProbe(): Promise<Page> {
    const probe = await openExtensionPage(this.firefox, POPUP_URL);
    await probe.evaluate(watchExtensionViews, UNHANDLED_MARK);
    return probe;
  }

  private listen(process: ChildProcess | null): void {
    for (const stream of [process?.stdout, process?.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => this.output.push(...chunk.split("\n").filter((line) => line !== "")));
    }
  }

  private async runPrivileged<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    this.privileged ??= await openPrivilegedPage(this.firefox);
    return runIn(this.privileged)(fn, arg);
  }

  private tabIds(): Promise<number[]> {
    return this.probe.evaluate(async () => (await browser.tabs.query({})).map((tab) => tab.id ?? -1));
  }

  openTab(url: string): Promise<BrowserTab> {
    const opened = this.opening.then(async () => {
      // Without access to a host, the extension cannot see a tab's URL: the new tab is the new id.
      const before = await this.tabIds();
      const page = await this.firefox.newPage();
      const id = (await this.tabIds()).find((candidate) => !before.includes(candidate));
      if (id === undefined) throw new Error(`could not find the tab opened for ${url}`);
      await page.goto(url);
      return new SiteTab(id, sitePageOf(page, runIn));
    });
    this.opening = opened.catch(() => undefined);
    return opened;
  }

  async openPopup(): Promise<PopupPage> {
    const page = await openExtensionPage(this.firefox, POPUP_URL);
    await until("the popup to be ready", () => page.evaluate(popupIsReady));
    return new FirefoxPopup(page);
  }

  async openPopupActingOnFirstRows(action: FirstRowsAction): Promise<{ popup: PopupPage; drawnAtAction: number }> {
    // Firefox runs no preload script in a moz-extension:// page: the watch starts as soon as the
    // page has loaded, which in Firefox is well before a long list is drawn.
    const page = await openExtensionPage(this.firefox, POPUP_URL);
    await page.evaluate(actOnFirstRows, action);
    await until("the popup to act on its first rows", async () => (await page.evaluate(drawnAtAction)) !== undefined);
    return { popup: new FirefoxPopup(page), drawnAtAction: (await page.evaluate(drawnAtAction)) as number };
  }

  async openToolbarPopup(tab: BrowserTab): Promise<ToolbarPopup> {
    await (tab as SiteTab).page.bringToFront();
    await this.probe.evaluate(() => browser.action.openPopup());
    await until("the toolbar popup", () => this.probe.evaluate(toolbarPopupIsReady));
    return new ViewsToolbarPopup(runIn(this.probe));
  }

  async leaveAccessRequestsUnanswered(unanswered: boolean): Promise<void> {
    await this.runPrivileged((prompt) => Services.prefs.setBoolPref("extensions.webextOptionalPermissionPrompts", prompt), unanswered);
  }

  evaluateInExtension(script: string): Promise<unknown> {
    return this.probe.evaluate(script);
  }

  async sessionRules(): Promise<InstalledRule[]> {
    return this.probe.evaluate(() => browser.declarativeNetRequest.getSessionRules());
  }

  /** What Firefox's console service holds: errors and warnings of every process, the extension's included. */
  private reportedToConsole(): Promise<string[]> {
    return this.runPrivileged(
      () =>
        Services.console
          .getMessageArray()
          .map((message) => `[${message.sourceName ?? ""}] ${message.errorMessage ?? message.message ?? ""}`),
      null,
    );
  }

  async consoleOutput(): Promise<string[]> {
    return [...this.output, ...(await this.reportedToConsole())];
  }

  async unhandledErrors(): Promise<string[]> {
    // Both kinds of line reach stdout, which outlives restarts: the watchers' (through
    // devtools.console.stdout.content), and Firefox's own report of every uncaught error and
    // unhandled rejection. Firefox names the page of one from ToolKey's pages, but none for one
    // that a browser call left in the background (seen: "JavaScript error: undefined, line 0: Error:
    // ..."), which the watcher may miss in a wake's first moments.
    const reported = new RegExp(`^JavaScript error: (moz-extension://${UUID}/[^,]*|undefined|), line`);
    return this.output.filter((line) => line.includes(UNHANDLED_MARK) || reported.test(line));
  }

  async rejectUnhandledInBackground(text: string): Promise<void> {
    await this.probe.evaluate(async (reason) => {
      // Made and left in the background's own realm, as a promise of ToolKey's would be.
      const background = (await browser.runtime.getBackgroundPage()) as unknown as typeof globalThis & { toolkeyTestWatched?: boolean };
      // A background this call has woken is watched from the probe's next check.
      while (background.toolkeyTestWatched !== true) await new Promise((done) => setTimeout(done, 20));
      background.setTimeout(
        background.Function.prototype.call.bind(background.Promise.reject, background.Promise, new background.Error(reason)),
      );
    }, text);
  }

  async refuseNextRuleUpdates(count: number, options: { holdRetry?: boolean } = {}): Promise<{ release(): Promise<void> }> {
    // ToolKey calls Firefox's own `browser` (webextension-polyfill steps aside there). The function
    // that replaces updateSessionRules is made in the probe; a plain assignment sticks.
    const script = refuseRuleUpdatesScript("background.browser.declarativeNetRequest", count, options.holdRetry === true);
    await this.probe.evaluate(`browser.runtime.getBackgroundPage().then((background) => { ${script}; })`);
    // The release is left in the probe, which made the replacement.
    return { release: async () => void (await this.probe.evaluate(RELEASE_RULE_UPDATES_SCRIPT)) };
  }

  async stopBackground(): Promise<void> {
    await stopBackgroundOf(GECKO_ID, (fn, arg) => this.runPrivileged(fn, arg));
  }

  async logInBackground(text: string): Promise<void> {
    await this.probe.evaluate(async (line) => {
      await browser.runtime.sendMessage({ type: "getState" });
      (await browser.runtime.getBackgroundPage()).console.log(line);
    }, text);
  }

  async update(): Promise<void> {
    // The store package with a higher version, installed over this one as "Install Add-on From File" does.
    const unpacked = copyPackage("firefox");
    try {
      const { version: wanted } = editManifest(unpacked, asUpdate);
      const xpi = join(unpacked, "toolkey-update.xpi");
      writeFileSync(xpi, zipFiles(unpacked, listFiles(unpacked)));
      const version = await this.runPrivileged(async (path) => {
        const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs") as {
          AddonManager: { getInstallForFile(file: unknown): Promise<{ install(): Promise<{ version: string }> }> };
        };
        const { FileUtils } = ChromeUtils.importESModule("resource://gre/modules/FileUtils.sys.mjs") as {
          FileUtils: { File: new (path: string) => unknown };
        };
        const install = await AddonManager.getInstallForFile(new FileUtils.File(path));
        return (await install.install()).version;
      }, xpi);
      if (version !== wanted) throw new Error(`Firefox installed version ${version} as the update`);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
    this.probe = await this.openProbe();
  }

  async restart(): Promise<void> {
    // The console service starts empty in the new process: keep what the old one heard.
    this.output.push(...(await this.reportedToConsole()));
    await this.firefox.close();
    await this.start();
  }

  async close(): Promise<void> {
    await this.firefox.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Runs a function in Firefox's privileged (chrome) context. */
type RunPrivileged = <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => Promise<R>;

/**
 * Stops the extension's background as Firefox itself does when the event page has been idle for its
 * timeout. Firefox leaves a background that is busy starting or handling an event running: asked again.
 */
export async function stopBackgroundOf(id: string, runPrivileged: RunPrivileged): Promise<void> {
  await until("the background to stop", async () => {
    const state = await runPrivileged(async (extensionId) => {
      const { ExtensionParent } = ChromeUtils.importESModule("resource://gre/modules/ExtensionParent.sys.mjs") as {
        ExtensionParent: {
          GlobalManager: { getExtension(id: string): { terminateBackground(): Promise<void>; backgroundState: string } };
        };
      };
      const extension = ExtensionParent.GlobalManager.getExtension(extensionId);
      await extension.terminateBackground();
      return extension.backgroundState;
    }, id);
    return state === "stopped";
  });
}
