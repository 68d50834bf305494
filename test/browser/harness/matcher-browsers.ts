/**
 * The browsers of the differential test (matcher.test.ts): each loads a test copy of ToolKey that may
 * ask its matcher questions (declarativeNetRequestFeedback, which the shipped manifest never holds)
 * and holds access to every host, plus a page that runs the test's bundle. Tabs and their frames
 * make real requests to the test sites.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import type { Browser } from "puppeteer-core";
import { backgroundOf, launchChromium, runIn as runInChromium } from "./chromium.ts";
import { launchFirefox, openExtensionPage, POPUP_URL, runIn as runInFirefox } from "./firefox.ts";
import { copyPackage, editManifest } from "./packages.ts";
import type { RunInPage } from "./pages.ts";

const PAGE = "matcher.html";

/** A tab of the browser under test, and the frames added to it, each on the origin of its URL. */
export interface MatcherTab {
  id: number;
  /** Navigates the tab (its id stays); the frames added so far go with the page they were in. */
  goto(url: string): Promise<void>;
  /** The frame on this origin: the page itself when it is on it, else a frame added on first use. */
  frameOn(origin: string): Promise<RunInPage>;
}

export interface MatcherBrowser {
  /** Evaluates a script in the extension page that holds the bundle; returns its (awaited) value. */
  evaluate(script: string): Promise<unknown>;
  openTab(url: string): Promise<MatcherTab>;
  close(): Promise<void>;
}

/** dist/<target> with declarativeNetRequestFeedback, access to every host, and the page running `bundle`. */
function testCopy(target: "chrome" | "firefox", bundle: string): string {
  const dir = copyPackage(target);
  editManifest(dir, (manifest) => ({
    ...manifest,
    permissions: [...(manifest.permissions as string[]), "declarativeNetRequestFeedback"],
    host_permissions: ["<all_urls>"],
  }));
  writeFileSync(join(dir, "matcher.js"), bundle);
  writeFileSync(join(dir, PAGE), '<!doctype html><meta charset="utf-8"><title>matcher</title><script src="matcher.js"></script>');
  return dir;
}

/** Runs in an extension page: the id of the tab showing exactly this address. */
async function tabIdOf(href: string): Promise<number> {
  const tabs = await (
    globalThis as unknown as { chrome: { tabs: { query(filter: object): Promise<{ id?: number; url?: string }[]> } } }
  ).chrome.tabs.query({});
  return tabs.find((tab) => tab.url === href)?.id ?? -1;
}

/** Runs in a page: adds a frame loading `src` and waits until it has loaded. */
function addFrame(src: string): Promise<void> {
  return new Promise<void>((loaded) => {
    const frame = document.createElement("iframe");
    frame.src = src;
    frame.addEventListener("load", () => loaded(), { once: true });
    document.body.append(frame);
  });
}

let frameSerial = 0;

interface DriverFrame {
  url(): string;
}

/** A tab over either driver's page: its frames found by URL, scripts run through `run`. */
function matcherTab<F extends DriverFrame>(
  id: number,
  page: { url(): string; mainFrame(): F; frames(): F[]; goto(url: string): Promise<unknown> },
  run: (frame: F) => RunInPage,
): MatcherTab {
  const byOrigin = new Map<string, RunInPage>();
  let pageUrl = page.url();
  const main = () => page.mainFrame();
  const frames = () => page.frames();
  return {
    id,
    async goto(url) {
      await page.goto(url);
      pageUrl = page.url();
      byOrigin.clear();
    },
    async frameOn(origin) {
      if (origin === new URL(pageUrl).origin) return run(main());
      const known = byOrigin.get(origin);
      if (known !== undefined) return known;
      const src = `${origin}/?frame=${++frameSerial}`;
      await run(main())(addFrame, src);
      const frame = frames().find((candidate) => candidate.url() === src);
      if (frame === undefined) throw new Error(`no frame at ${src} in the tab on ${pageUrl}`);
      byOrigin.set(origin, run(frame));
      return run(frame);
    },
  };
}

export async function launchChromiumMatcher(bundle: string): Promise<MatcherBrowser> {
  const extension = testCopy("chrome", bundle);
  const profile = mkdtempSync(join(tmpdir(), "toolkey-matcher-"));
  const context: BrowserContext = await launchChromium(profile, [extension]);
  const id = new URL((await backgroundOf(context)).url()).host;
  const page = await context.newPage();
  await page.goto(`chrome-extension://${id}/${PAGE}`);
  return {
    evaluate: (script) => page.evaluate(script),
    async openTab(url) {
      const tab = await context.newPage();
      await tab.goto(url);
      const tabId = await page.evaluate(tabIdOf, tab.url());
      if (tabId < 0) throw new Error(`Chromium: no tab id for ${tab.url()}`);
      return matcherTab(tabId, tab, (frame) => runInChromium(frame));
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(extension, { recursive: true, force: true });
    },
  };
}

export async function launchFirefoxMatcher(bundle: string): Promise<MatcherBrowser> {
  let extension = testCopy("firefox", bundle);
  const profile = mkdtempSync(join(tmpdir(), "toolkey-matcher-"));
  // testMatchOutcome answers only with this pref, whatever the manifest asks for.
  const firefox: Browser = await launchFirefox(profile, { "extensions.dnr.feedback": true });
  // A temporary add-on, as browser-testing.md installs one; once more if Firefox turned it down
  // (seen once: the copy had been taken while another build rewrote dist/).
  await firefox.installExtension(extension).catch(async () => {
    rmSync(extension, { recursive: true, force: true });
    extension = testCopy("firefox", bundle);
    await firefox.installExtension(extension);
  });
  const page = await openExtensionPage(firefox, POPUP_URL.replace(/src\/popup\/index\.html$/, PAGE));
  return {
    evaluate: (script) => page.evaluate(script),
    async openTab(url) {
      const tab = await firefox.newPage();
      await tab.goto(url);
      const tabId = await page.evaluate(tabIdOf, tab.url());
      if (tabId < 0) throw new Error(`Firefox: no tab id for ${tab.url()}`);
      return matcherTab(tabId, tab, (frame) => runInFirefox(frame));
    },
    async close() {
      await firefox.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(extension, { recursive: true, force: true });
    },
  };
}

/**
 * Runs in a frame: makes one request of the given type to the URL, as a page would, and waits until
 * it has finished or 3 s have passed. Self-contained: it is sent to the page as text.
 */
export function makeRequest({ url, type, method }: { url: string; type: string; method: string }): Promise<void> {
  return new Promise<void>((done) => {
    const finish = () => done();
    setTimeout(finish, 3000);
    const settle = (element: HTMLElement) => {
      element.addEventListener("load", finish, { once: true });
      element.addEventListener("error", finish, { once: true });
    };
    try {
      if (type === "xmlhttprequest") {
        const body = method === "post" || method === "put" || method === "patch" ? "probe" : null;
        fetch(url, { method: method.toUpperCase(), body }).then(finish, finish);
      } else if (type === "image") {
        const image = new Image();
        settle(image);
        image.src = url;
      } else if (type === "script") {
        const script = document.createElement("script");
        settle(script);
        script.src = url;
        document.head.append(script);
      } else if (type === "stylesheet") {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        settle(link);
        link.href = url;
        document.head.append(link);
      } else if (type === "sub_frame") {
        const frame = document.createElement("iframe");
        settle(frame);
        frame.src = url;
        document.body.append(frame);
      } else if (type === "ping") {
        navigator.sendBeacon(url, "probe");
        finish();
      } else if (type === "websocket") {
        const socket = new WebSocket(url);
        for (const event of ["open", "error", "close"]) socket.addEventListener(event, finish, { once: true });
      } else {
        finish();
      }
    } catch {
      finish();
    }
  });
}
