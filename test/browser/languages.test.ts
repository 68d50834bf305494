import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserText } from "../../src/core/user-text.ts";
import { english, readMessages, render } from "../locales.ts";
import { ChromiumBrowser } from "./harness/chromium.ts";
import type { BrowserTab, ExtensionBrowser } from "./harness/driver.ts";
import { FirefoxBrowser } from "./harness/firefox.ts";
import { type LoggedRequest, startSite, type TestSite } from "./harness/servers.ts";

// Obviously fake: nothing here may look like a real secret.
const KEY = "fake-key-chinese-not-a-secret-01";

const launchers: Record<string, () => Promise<ExtensionBrowser>> = {
  chromium: () => ChromiumBrowser.launch(["owui.test", "tools.test"], "zh-CN"),
  firefox: () => FirefoxBrowser.launch("zh-CN"),
};

const chinese = (text: UserText) => render("zh_CN", text);

describe.each(Object.keys(launchers))("ToolKey in real %s set to Chinese (zh-CN)", (browserName) => {
  const log: LoggedRequest[] = [];
  let openWebUi: TestSite;
  let tools: TestSite;
  let browser: ExtensionBrowser;
  let owuiTab: BrowserTab;

  beforeAll(async () => {
    openWebUi = await startSite(log);
    tools = await startSite(log, { tools: { "": KEY } });
    browser = await (launchers[browserName] as () => Promise<ExtensionBrowser>)();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([openWebUi, tools].map((site) => site?.close()));
  });

  it("the popup speaks Chinese: its labels, a refusal beside its field, the notice after Save and the entry's state; and the key gets through", async () => {
    const owuiOrigin = `http://owui.test:${openWebUi.port}`;
    const toolsUrl = `http://tools.test:${tools.port}`;
    owuiTab = await browser.openTab(`${owuiOrigin}/`);
    const popup = await browser.openPopup();
    expect(await popup.language()).toBe("zh-CN");
    const text = await popup.text();
    for (const label of [
      "openWebUiLabel",
      "toolServerLabel",
      "keyLabel",
      "headerAndScheme",
      "save",
      "entriesHeading",
      "noEntries",
    ] as const) {
      expect(text).toContain(chinese([label]));
    }
    // Not one English message is left on the page.
    for (const { message } of Object.values(readMessages("en"))) {
      if (!message.includes("$") && message.length > 7) expect(text).not.toContain(message);
    }

    await popup.fill(chinese(["openWebUiLabel"]), owuiOrigin);
    await popup.fill(chinese(["toolServerLabel"]), toolsUrl);
    await popup.fill(chinese(["keyLabel"]), "two words");
    await popup.click(chinese(["save"]));
    await expect.poll(() => popup.alerts()).toEqual([chinese(["key_space", "4"])]);
    expect(chinese(["key_space", "4"])).not.toBe(english(["key_space", "4"]));

    await popup.fill(chinese(["keyLabel"]), `Bearer ${KEY}`);
    await popup.click(chinese(["save"]));
    await popup.waitForText(`${chinese(["saved"])} ${chinese(["key_schemeRemoved", "Bearer"])}`);
    await expect.poll(() => popup.entryText(toolsUrl), { timeout: 10_000 }).toContain(chinese(["activeOne"]));
    expect(await popup.entryText(toolsUrl)).toContain(chinese(["from", owuiOrigin]));
    expect(await popup.text()).not.toContain(KEY);

    expect((await owuiTab.callTool(toolsUrl, "/in_chinese")).status).toBe(200);
    expect(log.filter((request) => request.path === "/in_chinese").at(-1)?.authorization).toBe(`Bearer ${KEY}`);
    await popup.close();
  });

  it("the browser gets the extension's name and description in Chinese", async () => {
    const [name, description] = (await browser.evaluateInExtension(
      `[chrome.i18n.getMessage("extName"), chrome.i18n.getMessage("extDescription")]`,
    )) as string[];
    expect(name).toBe(chinese(["extName"]));
    expect(description).toBe(chinese(["extDescription"]));
  });
});
