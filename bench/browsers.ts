/**
 * The two browsers as the benchmark drives them: ToolKey loaded with the bench hosts' access held
 * from install (no prompt to answer), plus the older way's extension in that browser's form.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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
import {
  FirefoxPopup,
  launchFirefox,
  openExtensionPage,
  openPrivilegedPage,
  POPUP_URL,
  runIn as runInFirefox,
} from "../test/browser/harness/firefox.ts";
import { copyPackage, editManifest, withHosts } from "../test/browser/harness/packages.ts";
import { type RunInPage, type SitePage, sitePageOf } from "../test/browser/harness/pages.ts";

/** A tab as the benchmark uses it: run scripts in it, bring it to the front, close it. */
export type BenchTab = Pick<SitePage, "run" | "bringToFront" | "close">;

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
  /** The background's memory, in words that say what was measured. */
  backgroundMemory(): Promise<string>;
  close(): Promise<void>;
}

/** What about:debugging, with the system principal, can call. */
declare const ChromeUtils: { requestProcInfo(): Promise<{ children: { type: string; memory: number }[] }> };

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
    openTab: async (url) => sitePageOf(await openTab(url), runInChromium),
    async openPopup() {
      const page = await openTab(`chrome-extension://${extensionId}/${POPUP_PATH}`);
      await page.getByRole("button", { name: "Save", exact: true }).waitFor();
      return { tab: sitePageOf(page, runInChromium), popup: new ChromiumPopup(page) };
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
      return sitePageOf(page, runInFirefox);
    },
    async openPopup() {
      const page = await openExtensionPage(firefox, POPUP_URL);
      const popup = new FirefoxPopup(page);
      await popup.waitForText("Entries");
      return { tab: sitePageOf(page, runInFirefox), popup };
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
    async backgroundMemory() {
      // The background page shares the extension process with every extension page; Firefox reports the process.
      const page = await openPrivilegedPage(firefox);
      const bytes = await page.evaluate(async () => {
        const info = await ChromeUtils.requestProcInfo();
        return info.children.filter((child) => child.type === "extension").reduce((sum, child) => sum + child.memory, 0);
      });
      await page.close();
      return `${(bytes / 2 ** 20).toFixed(1)} MiB resident (the whole extension process: ToolKey's background and pages, and the older way's fixture)`;
    },
    async close() {
      await firefox.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(extension, { recursive: true, force: true });
    },
  };
}
