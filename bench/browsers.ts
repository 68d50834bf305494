/**
 * The two browsers as the benchmark drives them: ToolKey loaded with the bench hosts' access held
 * from install (no prompt to answer), plus the older way's extension in that browser's form.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page as PlaywrightPage } from "playwright-core";
import type { Page as PuppeteerPage } from "puppeteer-core";
import {
  backgroundOf,
  ChromiumPopup,
  launchChromium,
  POPUP_PATH,
  PROBE_PATH,
  preparePackage,
  runIn as runInChromium,
} from "../test/browser/harness/chromium.ts";
import type { PopupPage } from "../test/browser/harness/driver.ts";
import { CHROMIUM_PATH, FIREFOX_PATH } from "../test/browser/harness/environment.ts";
import { DIST, FirefoxPopup, launchFirefox, openExtensionPage, POPUP_URL, runIn as runInFirefox } from "../test/browser/harness/firefox.ts";
import type { RunInPage } from "../test/browser/harness/pages.ts";

export interface BenchTab {
  run: RunInPage;
  bringToFront(): Promise<void>;
  close(): Promise<void>;
}

export interface ReconcileMeasure {
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
  /** Runs in an extension page: storage, rules, extension.getViews. */
  inExtension: RunInPage;
  /** Opens the toolbar popup over the active tab. */
  openToolbarPopup(): Promise<void>;
  clearReconcileMeasures(): Promise<void>;
  reconcileMeasures(): Promise<ReconcileMeasure[]>;
  /** The background's JavaScript heap, where the browser tells it. */
  backgroundHeapBytes(): Promise<number | null>;
  close(): Promise<void>;
}

/** The extension APIs the adapters call from extension pages (Firefox has the `chrome` namespace too). */
declare const chrome: {
  action: { openPopup(): Promise<void> };
  runtime: { getBackgroundPage(): Promise<Window> };
};

const BENCH_HOSTS = ["owui.test", "tools.test"];

function versionOf(binary: string): string {
  return execFileSync(binary, ["--version"], { encoding: "utf8" })
    .trim()
    .replace(/^(Chromium|Mozilla Firefox)\s*/, "");
}

function chromiumTab(page: PlaywrightPage): BenchTab {
  return { run: runInChromium(page), bringToFront: () => page.bringToFront(), close: () => page.close() };
}

export async function launchChromiumBench(owuiOrigin: string): Promise<BenchBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "toolkey-bench-"));
  const extension = preparePackage(BENCH_HOSTS);
  // Cross-origin isolation (fine timers) needs a secure context; the loopback test host is made one.
  const context = await launchChromium(
    profile,
    [extension, resolve(import.meta.dirname, "old-way-chromium")],
    [`--unsafely-treat-insecure-origin-as-secure=${owuiOrigin}`],
  );
  const background = await backgroundOf(context);
  const extensionId = new URL(background.url()).host;
  const probe = await context.newPage();
  await probe.goto(`chrome-extension://${extensionId}/${PROBE_PATH}`);
  const openTab = async (url: string) => {
    const page = await context.newPage();
    await page.goto(url);
    return page;
  };
  return {
    name: "Chromium",
    version: versionOf(CHROMIUM_PATH),
    oldWay: "a content script wrapping fetch",
    openTab: async (url) => chromiumTab(await openTab(url)),
    async openPopup() {
      const page = await openTab(`chrome-extension://${extensionId}/${POPUP_PATH}`);
      await page.getByRole("button", { name: "Save", exact: true }).waitFor();
      return { tab: chromiumTab(page), popup: new ChromiumPopup(page) };
    },
    inExtension: runInChromium(probe),
    openToolbarPopup: () => background.evaluate(() => chrome.action.openPopup()),
    clearReconcileMeasures: () => background.evaluate(() => performance.clearMeasures("toolkey:reconcile")),
    reconcileMeasures: () =>
      background.evaluate(() =>
        performance.getEntriesByName("toolkey:reconcile").map((entry) => ({
          duration: entry.duration,
          detail: (entry as PerformanceMeasure).detail as Record<string, number>,
        })),
      ),
    backgroundHeapBytes: () =>
      background.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(extension, { recursive: true, force: true });
    },
  };
}

function firefoxTab(page: PuppeteerPage): BenchTab {
  return { run: runInFirefox(page), bringToFront: () => page.bringToFront(), close: () => page.close() };
}

/** dist/firefox, copied, with the bench hosts in host_permissions: a temporary add-on holds them from install. */
function prepareFirefoxPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), "toolkey-firefox-bench-"));
  cpSync(join(DIST, "firefox"), dir, { recursive: true });
  const manifestPath = join(dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
  manifest.host_permissions = BENCH_HOSTS.map((host) => `http://${host}/*`);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

export async function launchFirefoxBench(owuiOrigin: string): Promise<BenchBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "toolkey-bench-"));
  const extension = prepareFirefoxPackage();
  // Cross-origin isolation (fine timers) needs a secure context; the loopback test host is made one.
  const firefox = await launchFirefox(profile, { "dom.securecontext.allowlist": new URL(owuiOrigin).hostname });
  await firefox.installExtension(extension);
  await firefox.installExtension(resolve(import.meta.dirname, "old-way-firefox"));
  const probe = await openExtensionPage(firefox, POPUP_URL);
  const inExtension = runInFirefox(probe);
  return {
    name: "Firefox",
    version: versionOf(FIREFOX_PATH),
    oldWay: "a blocking webRequest listener",
    async openTab(url) {
      const page = await firefox.newPage();
      await page.goto(url);
      return firefoxTab(page);
    },
    async openPopup() {
      const page = await openExtensionPage(firefox, POPUP_URL);
      const popup = new FirefoxPopup(page);
      await popup.waitForText("Entries");
      return { tab: firefoxTab(page), popup };
    },
    inExtension,
    openToolbarPopup: () => inExtension(() => chrome.action.openPopup(), null),
    clearReconcileMeasures: () =>
      inExtension(async () => (await chrome.runtime.getBackgroundPage()).performance.clearMeasures("toolkey:reconcile"), null),
    reconcileMeasures: () =>
      inExtension(
        async () =>
          (await chrome.runtime.getBackgroundPage()).performance.getEntriesByName("toolkey:reconcile").map((entry) => ({
            duration: entry.duration,
            detail: (entry as PerformanceMeasure).detail as Record<string, number>,
          })),
        null,
      ),
    // Firefox tells no page the heap of another.
    backgroundHeapBytes: async () => null,
    async close() {
      await firefox.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(extension, { recursive: true, force: true });
    },
  };
}
