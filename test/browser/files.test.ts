import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ENTRIES } from "../../src/core/rules.ts";
import type { UserText } from "../../src/core/user-text.ts";
import { english } from "../locales.ts";
import { backgroundOf, ChromiumBrowser, launchChromium, POPUP_PATH, preparePackage } from "./harness/chromium.ts";
import type { BrowserTab, ExtensionBrowser, PopupPage } from "./harness/driver.ts";
import { FirefoxBrowser, GECKO_ID, launchFirefox, openExtensionPage, POPUP_URL, until } from "./harness/firefox.ts";
import { DIST } from "./harness/packages.ts";
import { popupIsReady } from "./harness/pages.ts";
import { waitForRule } from "./harness/rules.ts";
import { type LoggedRequest, startSite, type TestSite } from "./harness/servers.ts";

// Obviously fake keys: nothing here may look like a real secret.
const KEYS = {
  "/a": "fake-file-key-a-not-a-secret-0001",
  "/b": "fake-file-key-b-not-a-secret-0002",
  "/c": "fake-file-key-c-not-a-secret-0003",
} as const;
const ALL_KEYS = Object.values(KEYS);

const launchers: Record<string, () => Promise<ExtensionBrowser>> = {
  // Chromium cannot answer its permission dialog: its test package holds these hosts from install.
  chromium: () => ChromiumBrowser.launch(["owui.test", "tools.test"]),
  firefox: () => FirefoxBrowser.launch(),
};

/** The one extension API the probe's scripts call; Firefox has the `chrome` namespace too. */
declare const chrome: { extension: { getViews(filter: { type: "tab" }): Window[] } };

/** What the file picker hands the page: a file's text, or a file of this many zero bytes. */
type PickedFile = { name: string; text: string } | { name: string; size: number };

/**
 * Runs in an extension page (the probe): adopts the popup page opened last, and from then on
 * catches its downloads. A link with `download` is what Export follows; the click is cancelled (no
 * file lands in the machine's download folder) and the blob the link names is read instead: the
 * bytes the browser would have saved.
 */
function adoptNewestPopup(): boolean {
  type View = Window & { toolkeyFilesTest?: { downloads: Promise<{ name: string; text: string }>[] } };
  const probe = window as Window & { filesView?: View };
  const views = (chrome.extension.getViews({ type: "tab" }) as View[]).filter(
    (view) => view !== window && view.location.pathname.endsWith("/src/popup/index.html") && view.toolkeyFilesTest === undefined,
  );
  const view = views.at(-1);
  if (view === undefined) return false;
  const caught: { downloads: Promise<{ name: string; text: string }>[] } = { downloads: [] };
  view.toolkeyFilesTest = caught;
  view.addEventListener(
    "click",
    (event) => {
      const link = event.target as HTMLAnchorElement;
      if (link.tagName !== "A" || link.download === "") return;
      event.preventDefault();
      caught.downloads.push(
        view
          .fetch(link.href)
          .then((reply) => reply.text())
          .then((text) => ({ name: link.download, text })),
      );
    },
    true,
  );
  probe.filesView = view;
  return true;
}

/** Runs in the probe: hands the adopted popup's file picker a file, as choosing one in the dialog does. */
function pickFile(file: PickedFile): void {
  const view = (window as Window & { filesView?: Window & typeof globalThis }).filesView;
  if (view === undefined) throw new Error("no popup adopted");
  const transfer = new view.DataTransfer();
  const content = "text" in file ? file.text : new view.Uint8Array(file.size);
  transfer.items.add(new view.File([content], file.name, { type: "application/json" }));
  const input = view.document.getElementById("import-file-input") as HTMLInputElement;
  input.files = transfer.files;
  input.dispatchEvent(new view.Event("change", { bubbles: true }));
}

/** Runs in the probe: ticks or unticks "Include keys" in the adopted popup, as a click does. */
function setIncludeKeys(checked: boolean): void {
  const view = (window as Window & { filesView?: Window }).filesView;
  const box = view?.document.getElementById("include-keys") as HTMLInputElement;
  if (box.checked !== checked) box.click();
}

/** Runs in the probe: how many downloads the adopted popup started, and the last one's name and bytes. */
async function downloads(): Promise<{ count: number; last?: { name: string; text: string } }> {
  const view = (window as Window & { filesView?: Window & { toolkeyFilesTest?: { downloads: Promise<{ name: string; text: string }>[] } } })
    .filesView;
  const all = view?.toolkeyFilesTest?.downloads ?? [];
  return { count: all.length, last: await all.at(-1) };
}

const call = <A>(fn: (arg: A) => unknown, arg?: A) => `(${fn.toString()})(${arg === undefined ? "" : JSON.stringify(arg)})`;

/** A file as ToolKey writes it, holding these items as its entries. */
const fileOf = (entries: unknown, top: Record<string, unknown> = {}) =>
  JSON.stringify({ format: "toolkey-entries", version: 1, entries, ...top });

/**
 * Entries as a file (design.md, "Files"): Export in the full tab, without keys unless the user
 * includes them after a warning, and Import from a file through the same review as an import from
 * Open WebUI, refusing a bad file whole. Against an Open WebUI 0.6.0 imitation and a tool site
 * whose three servers each want their own key.
 */
describe.each(Object.keys(launchers))("entries as a file in real %s", (browserName) => {
  const log: LoggedRequest[] = [];
  let openWebUi: TestSite;
  let tools: TestSite;
  let browser: ExtensionBrowser;
  let owuiOrigin: string;
  let toolsUrl: string;
  const launch = () => {
    const launcher = launchers[browserName];
    if (launcher === undefined) throw new Error(`no launcher for ${browserName}`);
    return launcher();
  };
  const say = (text: UserText) => english(text);

  beforeAll(async () => {
    tools = await startSite(log, { tools: { ...KEYS } });
    toolsUrl = `http://tools.test:${tools.port}`;
    openWebUi = await startSite(log, {});
    owuiOrigin = `http://owui.test:${openWebUi.port}`;
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([openWebUi, tools].map((site) => site?.close()));
  });

  /** The full tab, its downloads caught and its file picker reachable. */
  async function openTab(on: ExtensionBrowser): Promise<PopupPage> {
    const popup = await on.openPopup();
    await expect.poll(() => on.evaluateInExtension(call(adoptNewestPopup))).toBe(true);
    return popup;
  }

  async function exported(on: ExtensionBrowser, popup: PopupPage, withKeys: boolean): Promise<string> {
    const before = ((await on.evaluateInExtension(call(downloads))) as { count: number }).count;
    await on.evaluateInExtension(call(setIncludeKeys, withKeys));
    await popup.click("Export entries");
    if (withKeys) {
      // The first click only warns that the file will hold the keys; nothing is downloaded yet.
      await popup.waitForText(say(["exportKeysWarning"]));
      expect(((await on.evaluateInExtension(call(downloads))) as { count: number }).count).toBe(before);
      await popup.click("Export entries");
    }
    await expect.poll(async () => ((await on.evaluateInExtension(call(downloads))) as { count: number }).count).toBe(before + 1);
    const { last } = (await on.evaluateInExtension(call(downloads))) as { last: { name: string; text: string } };
    expect(last.name).toBe("toolkey-entries.json");
    return last.text;
  }

  async function storage(on: ExtensionBrowser): Promise<string> {
    return JSON.stringify(await on.evaluateInExtension("chrome.storage.local.get(null)"));
  }

  async function callsWithKey(tab: BrowserTab, path: keyof typeof KEYS): Promise<void> {
    expect((await tab.callTool(`${toolsUrl}${path}`, "/get_current_time")).status, path).toBe(200);
    const last = log.filter((entry) => entry.port === tools.port && entry.path === `${path}/get_current_time`).at(-1);
    expect(last?.authorization).toBe(`Bearer ${KEYS[path]}`);
  }

  let withKeys = "";

  it("an export holds no key by default; with Include keys, after a warning and a second click, exactly the saved keys", async () => {
    const popup = await openTab(browser);
    for (const path of ["/a", "/b", "/c"] as const) {
      await popup.fill("Open WebUI address", owuiOrigin);
      await popup.fill("Tool server URL", `${toolsUrl}${path}`);
      await popup.fill("API key", KEYS[path]);
      await popup.click("Save");
      await popup.waitForText(`${toolsUrl}${path}`);
    }
    await popup.setEnabled(`${toolsUrl}/c`, false);
    await expect.poll(async () => (await storage(browser)).includes('"enabled":false')).toBe(true);

    const plain = await exported(browser, popup, false);
    for (const key of ALL_KEYS) expect(plain).not.toContain(key);
    expect(JSON.parse(plain)).toMatchObject({ format: "toolkey-entries", version: 1 });
    expect(JSON.parse(plain).entries).toHaveLength(3);
    await popup.waitForText(say(["exportDone", "3"]));

    withKeys = await exported(browser, popup, true);
    const written = JSON.parse(withKeys) as { entries: { toolServer: string; key: string; enabled: boolean }[] };
    expect(written.entries.map(({ toolServer, key, enabled }) => ({ toolServer, key, enabled }))).toEqual([
      { toolServer: `${toolsUrl}/a`, key: KEYS["/a"], enabled: true },
      { toolServer: `${toolsUrl}/b`, key: KEYS["/b"], enabled: true },
      { toolServer: `${toolsUrl}/c`, key: KEYS["/c"], enabled: false },
    ]);
    // Exactly the saved keys: each once, and nothing else that looks like one.
    for (const key of ALL_KEYS) expect(withKeys.split(key)).toHaveLength(2);
    expect(withKeys.match(/fake-file-key/g)).toHaveLength(3);
    await popup.waitForText(say(["exportDoneWithKeys", "3"]));
    // The keys are never shown on the way.
    for (const key of ALL_KEYS) expect(await popup.text()).not.toContain(key);
    await popup.close();
  });

  it("a sample of bad files is refused with a message that quotes no key, and nothing changes", async () => {
    const popup = await openTab(browser);
    const before = await storage(browser);
    const good = { openWebUi: owuiOrigin, toolServer: `${toolsUrl}/new`, header: "Authorization", scheme: "Bearer", enabled: true };
    const samples: { file: PickedFile; said: UserText[] }[] = [
      { file: { name: "notes.txt", text: `key: ${KEYS["/a"]}` }, said: [["fileNotJson"]] },
      { file: { name: "settings.json", text: JSON.stringify({ ui: { toolServers: [] } }) }, said: [["fileNotEntries"]] },
      { file: { name: "newer.json", text: fileOf([good], { version: 2 }) }, said: [["fileNewer"]] },
      { file: { name: "huge.json", size: 10 * 1024 * 1024 + 1 }, said: [["fileTooLarge"]] },
      {
        file: {
          name: "many.json",
          text: fileOf(Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({ ...good, toolServer: `${toolsUrl}/t${i}` }))),
        },
        said: [["fileTooMany"]],
      },
      {
        file: { name: "types.json", text: fileOf([good, { ...good, toolServer: `${toolsUrl}/x`, enabled: "yes" }]) },
        said: [["fileEntryField", "2", "enabled"]],
      },
      {
        file: { name: "twice.json", text: fileOf([good, { ...good, toolServer: `${toolsUrl}/new/` }]) },
        said: [["fileEntryDuplicate", "2", "1"]],
      },
      {
        file: { name: "bad-url.json", text: fileOf([good, { ...good, toolServer: `${owuiOrigin}/api/v1` }]) },
        said: [
          ["fileEntryInvalid", "2"],
          ["toolServer_ownPath", "/api"],
        ],
      },
      {
        file: { name: "bad-key.json", text: fileOf([{ ...good, key: `${KEYS["/a"]} ${KEYS["/b"]}` }]) },
        said: [
          ["fileEntryInvalid", "1"],
          ["key_space", String(KEYS["/a"].length + 1)],
        ],
      },
    ];
    for (const { file, said } of samples) {
      await browser.evaluateInExtension(call(pickFile, file));
      await popup.waitForText(said.map(say).join(" "));
      const text = await popup.text();
      for (const key of ALL_KEYS) expect(text, file.name).not.toContain(key);
      expect(text, file.name).not.toContain(say(["reviewHeading"]));
      expect(await storage(browser), file.name).toBe(before);
    }
    await popup.close();
  });

  it("exported with keys and imported into a fresh profile, every entry comes back working, after one review", async () => {
    expect(withKeys).not.toBe("");
    const fresh = await launch();
    try {
      const tab = await fresh.openTab(`${owuiOrigin}/`);
      const popup = await openTab(fresh);
      await fresh.evaluateInExtension(call(pickFile, { name: "toolkey-entries.json", text: withKeys }));
      await popup.waitForText(say(["reviewFromFile", "toolkey-entries.json"]));
      const review = await popup.text();
      expect(review).toContain(say(["reviewAdd", "3"]));
      expect(review).toContain(say(["reviewAddedOff"]));
      for (const key of ALL_KEYS) expect(review).not.toContain(key);
      // Nothing is written before the one button.
      expect(await storage(fresh)).not.toContain("tools.test");

      await popup.click(say(["importMany", "3"]));
      await popup.waitForText(say(["importDoneMany", "3"]));
      for (const path of ["/a", "/b"] as const) await waitForRule(fresh, `${toolsUrl}${path}`, [tab.id]);
      for (const path of ["/a", "/b"] as const) await callsWithKey(tab, path);
      // Off in the file, off here; turned on, its key works too.
      await waitForRule(fresh, `${toolsUrl}/c`, []);
      await popup.setEnabled(`${toolsUrl}/c`, true);
      await waitForRule(fresh, `${toolsUrl}/c`, [tab.id]);
      await callsWithKey(tab, "/c");

      // The file without keys brings back the rest of each entry and keeps the keys it finds.
      const plain = withKeys.replace(/,\s*"key": "[^"]*"/g, "");
      for (const key of ALL_KEYS) expect(plain).not.toContain(key);
      await fresh.evaluateInExtension(call(pickFile, { name: "toolkey-entries.json", text: plain }));
      await popup.waitForText(say(["reviewNothing"]));
      await popup.click("Cancel");
      await popup.close();
    } finally {
      await fresh.close();
    }
  });

  it("a file without keys adds entries waiting for a key, with no rule", async () => {
    const fresh = await launch();
    try {
      await fresh.openTab(`${owuiOrigin}/`);
      const popup = await openTab(fresh);
      const plain = withKeys.replace(/,\s*"key": "[^"]*"/g, "");
      await fresh.evaluateInExtension(call(pickFile, { name: "toolkey-entries.json", text: plain }));
      await popup.waitForText(say(["reviewWaitsForKey"]));
      await popup.click(say(["importMany", "3"]));
      await popup.waitForText(say(["importDoneMany", "3"]));
      await expect.poll(async () => (await popup.entryText(`${toolsUrl}/a`)) ?? "").toContain(say(["entryWaitingForKey"]));
      expect(await fresh.sessionRules()).toEqual([]);
      await popup.close();
    } finally {
      await fresh.close();
    }
  });
});

/**
 * The browsers themselves save what Export's link names, with no `downloads` permission: the real
 * download, into a download folder of the test's own, on a profile without entries.
 */
describe("Export's download lands as toolkey-entries.json", () => {
  const readSaved = async (dir: string) => {
    const path = join(dir, "toolkey-entries.json");
    await until("the download", async () => existsSync(path));
    return JSON.parse(readFileSync(path, "utf8"));
  };

  it("in Chromium", async () => {
    const profile = mkdtempSync(join(tmpdir(), "toolkey-files-"));
    const extension = preparePackage([]);
    const context = await launchChromium(profile, [extension]);
    try {
      const id = new URL((await backgroundOf(context)).url()).host;
      const page = await context.newPage();
      await page.goto(`chrome-extension://${id}/${POPUP_PATH}`);
      await page.waitForFunction(popupIsReady);
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-entries")]);
      expect(download.suggestedFilename()).toBe("toolkey-entries.json");
      expect(JSON.parse(readFileSync(await download.path(), "utf8"))).toEqual({ format: "toolkey-entries", version: 1, entries: [] });
    } finally {
      await context.close();
      for (const dir of [profile, extension]) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("in Firefox", async () => {
    const profile = mkdtempSync(join(tmpdir(), "toolkey-files-"));
    const folder = mkdtempSync(join(tmpdir(), "toolkey-downloads-"));
    mkdirSync(join(profile, "extensions"));
    const version = (JSON.parse(readFileSync(join(DIST, "firefox", "manifest.json"), "utf8")) as { version: string }).version;
    copyFileSync(join(DIST, `toolkey-firefox-${version}.zip`), join(profile, "extensions", `${GECKO_ID}.xpi`));
    const firefox = await launchFirefox(profile, {
      "browser.download.dir": folder,
      "browser.download.folderList": 2,
      "browser.download.useDownloadDir": true,
      "browser.download.always_ask_before_handling_new_types": false,
    });
    try {
      const page = await openExtensionPage(firefox, POPUP_URL);
      await until("the popup to be ready", () => page.evaluate(popupIsReady));
      await page.click("#export-entries");
      expect(await readSaved(folder)).toEqual({ format: "toolkey-entries", version: 1, entries: [] });
    } finally {
      await firefox.close();
      for (const dir of [profile, folder]) rmSync(dir, { recursive: true, force: true });
    }
  });
});
