/**
 * The two browsers as the benchmark drives them: ToolKey loaded with the bench hosts' access held
 * from install (no prompt to answer), the older way's extension in that browser's form, and the
 * bare extension (bench/bare-extension): the floor that holds one rule set by hand and whose popup
 * is blank.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page as PlaywrightPage, Worker } from "playwright-core";
import type { Page as PuppeteerPage } from "puppeteer-core";
import type { Settings } from "../../src/core/settings.ts";
import {
  backgroundOf,
  ChromiumPopup,
  launchChromium,
  POPUP_PATH,
  PROBE_PATH,
  preparePackage,
  runIn as runInChromium,
} from "../../test/browser/harness/chromium.ts";
import type { PopupPage } from "../../test/browser/harness/driver.ts";
import { CHROMIUM_PATH, FIREFOX_PATH } from "../../test/browser/harness/environment.ts";
import {
  FirefoxPopup,
  GECKO_ID,
  launchFirefox,
  openExtensionPage,
  openPrivilegedPage,
  POPUP_URL,
  runIn as runInFirefox,
  stopBackgroundOf,
} from "../../test/browser/harness/firefox.ts";
import { copyPackage, editManifest, withHosts } from "../../test/browser/harness/packages.ts";
import { type RunInPage, type SitePage, sitePageOf } from "../../test/browser/harness/pages.ts";
import { threadTimeNs } from "./cpu.ts";

/** A tab as the benchmark uses it: run scripts in it, load another page in it, bring it to the front, close it. */
export type BenchTab = Pick<SitePage, "run" | "goto" | "bringToFront" | "close">;

export interface ReconcileMeasure {
  /** On the background's own clock. */
  startTime: number;
  duration: number;
  detail: Record<string, number>;
}

export interface BenchBrowser {
  readonly name: string;
  readonly version: string;
  /** How the older way (c) adds the header in this browser. */
  readonly oldWay: string;
  openTab(url: string): Promise<BenchTab>;
  /** The popup in a tab: `tab` to run scripts in it, `popup` to type and click as a user. */
  openPopup(): Promise<{ tab: BenchTab; popup: PopupPage }>;
  /** Runs in an extension page of ToolKey's that draws nothing: storage, rules, extension.getViews, action.openPopup. */
  inExtension: RunInPage;
  /** Runs in the bare extension's page: its own session rules, its own blank popup. */
  inBare: RunInPage;
  /**
   * Stores these settings and restarts ToolKey's background, as an update does: it reads storage
   * once when it wakes and keeps its state in memory after that.
   */
  seed(settings: Settings): Promise<void>;
  clearReconcileMeasures(): Promise<void>;
  reconcileMeasures(): Promise<ReconcileMeasure[]>;
  /** Nanoseconds ToolKey's background has run on a processor so far (undefined where that cannot be read). */
  backgroundRunNs(): number | undefined;
  /** What the number above counts, in words. */
  readonly backgroundThread: string;
  /** The background's memory, in words that say what was measured. */
  backgroundMemory(): Promise<string>;
  /** Turns ToolKey off (its pages close, its rules go): to measure what the browser spends without it. */
  disableToolkey(): Promise<void>;
  /** Turns ToolKey on again: its background starts as after an update, from storage and the open tabs. */
  enableToolkey(): Promise<void>;
  close(): Promise<void>;
}

/** What about:debugging, with the system principal, can call. */
declare const ChromeUtils: {
  requestProcInfo(): Promise<{ children: { type: string; memory: number }[] }>;
  importESModule(url: string): Record<string, unknown>;
};

/** The extension APIs the adapters call from extension pages (Firefox has the `chrome` namespace too). */
declare const chrome: {
  management: { setEnabled(id: string, enabled: boolean): Promise<void> };
  runtime: { getBackgroundPage(): Promise<Window>; sendMessage(message: unknown): Promise<unknown> };
  storage: { local: { set(items: unknown): Promise<void> } };
};

const BENCH_HOSTS = ["owui.test", "tools.test"];
/** The fixtures, beside this folder. */
const FIXTURES = resolve(import.meta.dirname, "..");
const BARE_DIR = resolve(FIXTURES, "bare-extension");
const BARE_MANIFEST = JSON.parse(readFileSync(join(BARE_DIR, "manifest.json"), "utf8")) as {
  key: string;
  browser_specific_settings: { gecko: { id: string } };
};
/** The bare extension's page and blank popup. */
export const BARE_PAGE = "bench.html";
/** Fixed through a pref, as ToolKey's is (firefox.ts), so that its page's address is known before it starts. */
const BARE_FIREFOX_UUID = "62617265-6265-4e63-8800-62656e636830";

/** Chromium's id for an extension whose manifest holds this public key: the key's SHA-256, in letters a to p. */
function chromiumIdOf(publicKey: string): string {
  const hash = createHash("sha256").update(Buffer.from(publicKey, "base64")).digest("hex").slice(0, 32);
  return [...hash].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join("");
}

function versionOf(binary: string): string {
  return execFileSync(binary, ["--version"], { encoding: "utf8" })
    .trim()
    .replace(/^(Chromium|Mozilla Firefox)\s*/, "");
}

/** Runs in an extension page: stores the settings where ToolKey keeps them. */
function storeSettings(settings: Settings): Promise<void> {
  return chrome.storage.local.set({ settings });
}

/** Runs in an extension page: a message to the background wakes it, which then reads storage. */
async function wakeBackground(): Promise<void> {
  await chrome.runtime.sendMessage({ type: "getState" });
}

export async function launchChromiumBench(owuiOrigin: string): Promise<BenchBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "toolkey-bench-"));
  const extension = preparePackage(BENCH_HOSTS);
  // Cross-origin isolation (fine timers) needs a secure context; the loopback test host is made one.
  const context = await launchChromium(
    profile,
    [extension, resolve(FIXTURES, "old-way-chromium"), BARE_DIR],
    [`--unsafely-treat-insecure-origin-as-secure=${owuiOrigin}`],
  );
  // The bare extension has no service worker: the only one is ToolKey's.
  const extensionId = new URL((await backgroundOf(context)).url()).host;
  const openPage = async (url: string) => {
    const page = await context.newPage();
    await page.goto(url);
    return page;
  };
  const probeUrl = `chrome-extension://${extensionId}/${PROBE_PATH}`;
  // Opened again each time ToolKey is turned on: turning it off closes its pages.
  let probe = await openPage(probeUrl);
  const bare = await openPage(`chrome-extension://${chromiumIdOf(BARE_MANIFEST.key)}/${BARE_PAGE}`);
  const inExtension: RunInPage = (fn, arg) => runInChromium(probe)(fn, arg);
  const setToolkeyEnabled = (enabled: boolean) =>
    // The bare extension holds the management permission for this.
    runInChromium(bare)(({ id, enabled }) => chrome.management.setEnabled(id, enabled), { id: extensionId, enabled });
  /** ToolKey's running service worker, woken first if it was stopped. */
  const liveBackground = async (): Promise<Worker> => {
    await inExtension(wakeBackground, null);
    const workers = context.serviceWorkers().filter((worker) => worker.url().startsWith(`chrome-extension://${extensionId}/`));
    return workers.at(-1) ?? backgroundOf(context);
  };
  // DevTools' attachment keeps it running; only seed() stops it.
  let background = await liveBackground();
  const stopBackground = async (page: PlaywrightPage) => {
    const session = await context.newCDPSession(page);
    const stopped = new Promise<void>((done) => {
      session.on("ServiceWorker.workerVersionUpdated", ({ versions }) => {
        if (versions.some((v) => v.scriptURL.startsWith(`chrome-extension://${extensionId}/`) && v.runningStatus === "stopped")) done();
      });
    });
    await session.send("ServiceWorker.enable");
    await session.send("ServiceWorker.stopAllWorkers");
    await stopped;
    await session.detach();
  };
  return {
    name: "Chromium",
    version: versionOf(CHROMIUM_PATH),
    oldWay: "a content script wrapping fetch",
    openTab: async (url) => sitePageOf(await openPage(url), runInChromium),
    async openPopup() {
      const page = await openPage(`chrome-extension://${extensionId}/${POPUP_PATH}`);
      await page.getByRole("button", { name: "Save", exact: true }).waitFor();
      return { tab: sitePageOf(page, runInChromium), popup: new ChromiumPopup(page) };
    },
    inExtension,
    inBare: runInChromium(bare),
    async seed(settings) {
      await inExtension(storeSettings, settings);
      await stopBackground(probe);
      background = await liveBackground();
    },
    clearReconcileMeasures: () => background.evaluate(() => performance.clearMeasures("toolkey:reconcile")),
    reconcileMeasures: () =>
      background.evaluate(() =>
        performance.getEntriesByName("toolkey:reconcile").map((entry) => ({
          startTime: entry.startTime,
          duration: entry.duration,
          detail: (entry as PerformanceMeasure).detail as Record<string, number>,
        })),
      ),
    // The service worker runs on a thread of its own in the extension's process; the bare extension has none.
    backgroundRunNs: () => threadTimeNs(process.pid, (_pid, _tid, name) => name.startsWith("ServiceWorker")),
    backgroundThread: "the service worker's thread",
    async backgroundMemory() {
      // The service worker has no performance.memory; DevTools' protocol reads its heap.
      const session = await context.newCDPSession(probe);
      const { targetInfos } = (await session.send("Target.getTargets")) as {
        targetInfos: { targetId: string; type: string; url: string }[];
      };
      const worker = targetInfos.find(
        (target) => target.type === "service_worker" && target.url.startsWith(`chrome-extension://${extensionId}/`),
      );
      if (worker === undefined) return "the service worker was not running";
      const replies: string[] = [];
      session.on("Target.receivedMessageFromTarget", ({ message }: { message: string }) => replies.push(message));
      const { sessionId } = (await session.send("Target.attachToTarget", { targetId: worker.targetId, flatten: false })) as {
        sessionId: string;
      };
      await session.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id: 1, method: "Runtime.getHeapUsage" }) });
      const deadline = Date.now() + 5_000;
      let used: number | undefined;
      while (used === undefined && Date.now() < deadline) {
        used = replies.map((reply) => JSON.parse(reply) as { id?: number; result?: { usedSize: number } }).find((reply) => reply.id === 1)
          ?.result?.usedSize;
        await new Promise((done) => setTimeout(done, 20));
      }
      await session.detach();
      return used === undefined ? "no answer" : `${(used / 2 ** 20).toFixed(1)} MiB (service worker's JavaScript heap)`;
    },
    async disableToolkey() {
      await probe.close();
      await setToolkeyEnabled(false);
    },
    async enableToolkey() {
      await setToolkeyEnabled(true);
      probe = await openPage(probeUrl);
      background = await liveBackground();
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(extension, { recursive: true, force: true });
    },
  };
}

export async function launchFirefoxBench(owuiOrigin: string): Promise<BenchBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "toolkey-bench-"));
  // A temporary add-on holds the hosts its manifest lists from install.
  const extension = copyPackage("firefox");
  editManifest(extension, withHosts(BENCH_HOSTS));
  // A page of ToolKey's that draws nothing, to call extension APIs from: the popup, used as one, would
  // redraw its list on every broadcast on the thread the background runs on.
  writeFileSync(join(extension, PROBE_PATH), "<!doctype html><title>probe</title>");
  const toolkeyUuid = new URL(POPUP_URL).host;
  const bareId = BARE_MANIFEST.browser_specific_settings.gecko.id;
  const firefox = await launchFirefox(profile, {
    // Cross-origin isolation (fine timers) needs a secure context; the loopback test host is made one.
    "dom.securecontext.allowlist": new URL(owuiOrigin).hostname,
    // Extension pages' timers are rounded to whole milliseconds otherwise (the background's among them).
    "privacy.reduceTimerPrecision": false,
    // The pages the benchmark drives are background tabs, whose timers Firefox would slow to one a
    // second (Playwright turns the same throttling off in Chromium).
    "dom.min_background_timeout_value": 4,
    "dom.min_background_timeout_value_without_budget_throttling": 4,
    "dom.timeout.enable_budget_timer_throttling": false,
    "extensions.webextensions.uuids": JSON.stringify({ [GECKO_ID]: toolkeyUuid, [bareId]: BARE_FIREFOX_UUID }),
  });
  await firefox.installExtension(extension);
  await firefox.installExtension(resolve(FIXTURES, "old-way-firefox"));
  await firefox.installExtension(BARE_DIR);
  const probeUrl = `moz-extension://${toolkeyUuid}/${PROBE_PATH}`;
  // Opened again each time ToolKey is turned on: turning it off closes its pages.
  let probe = await openExtensionPage(firefox, probeUrl);
  const bare = await openExtensionPage(firefox, `moz-extension://${BARE_FIREFOX_UUID}/${BARE_PAGE}`);
  const inExtension: RunInPage = (fn, arg) => runInFirefox(probe)(fn, arg);
  let privileged: PuppeteerPage | undefined;
  const runPrivileged = async <A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> => {
    privileged ??= await openPrivilegedPage(firefox);
    return runInFirefox(privileged)(fn, arg);
  };
  const browserPid = firefox.process()?.pid;
  // Firefox lets management.setEnabled turn off themes only; the add-on manager does it for any add-on.
  const setToolkeyEnabled = (enabled: boolean) =>
    runPrivileged(
      async ({ id, enabled }) => {
        const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs") as {
          AddonManager: { getAddonByID(id: string): Promise<{ enable(): Promise<unknown>; disable(): Promise<unknown> }> };
        };
        const addon = await AddonManager.getAddonByID(id);
        await (enabled ? addon.enable() : addon.disable());
      },
      { id: GECKO_ID, enabled },
    );
  return {
    name: "Firefox",
    version: versionOf(FIREFOX_PATH),
    oldWay: "a blocking webRequest listener",
    async openTab(url) {
      const page = await firefox.newPage();
      await page.goto(url);
      return sitePageOf(page, runInFirefox);
    },
    async openPopup() {
      const page = await openExtensionPage(firefox, POPUP_URL);
      const popup = new FirefoxPopup(page);
      await popup.waitForText("Entries");
      return { tab: sitePageOf(page, runInFirefox), popup };
    },
    inExtension,
    inBare: runInFirefox(bare),
    async seed(settings) {
      await inExtension(storeSettings, settings);
      await stopBackgroundOf(GECKO_ID, runPrivileged);
      await inExtension(wakeBackground, null);
    },
    clearReconcileMeasures: () =>
      inExtension(async () => (await chrome.runtime.getBackgroundPage()).performance.clearMeasures("toolkey:reconcile"), null),
    reconcileMeasures: () =>
      inExtension(
        async () =>
          (await chrome.runtime.getBackgroundPage()).performance.getEntriesByName("toolkey:reconcile").map((entry) => ({
            startTime: entry.startTime,
            duration: entry.duration,
            detail: (entry as PerformanceMeasure).detail as Record<string, number>,
          })),
        null,
      ),
    // Every extension's pages and background share the main thread of Firefox's one extension process.
    backgroundRunNs: () =>
      browserPid === undefined ? undefined : threadTimeNs(browserPid, (pid, tid, name) => pid === tid && name === "WebExtensions"),
    backgroundThread: "the main thread of the extension process (which every extension page shares)",
    async backgroundMemory() {
      // The background page shares the extension process with every extension page; Firefox reports the process.
      const bytes = await runPrivileged(async () => {
        const info = await ChromeUtils.requestProcInfo();
        return info.children.filter((child) => child.type === "extension").reduce((sum, child) => sum + child.memory, 0);
      }, null);
      return `${(bytes / 2 ** 20).toFixed(1)} MiB resident (the whole extension process: ToolKey's background and pages, and the other bench extensions)`;
    },
    async disableToolkey() {
      await probe.close();
      await setToolkeyEnabled(false);
    },
    async enableToolkey() {
      await setToolkeyEnabled(true);
      probe = await openExtensionPage(firefox, probeUrl);
      await inExtension(wakeBackground, null);
    },
    async close() {
      await firefox.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(extension, { recursive: true, force: true });
    },
  };
}
