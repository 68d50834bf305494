import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_KEY_LENGTH, parseKey } from "../../src/core/headers.ts";
import { MAX_ENTRIES } from "../../src/core/rules.ts";
import type { UserText } from "../../src/core/user-text.ts";
import { openWebUiAddressRefused, toolServerAgainstOpenWebUi, toolServerUrlRefused } from "../cases/url-cases.ts";
import { english, LANGUAGES, readMessages, render } from "../locales.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const SOURCE_DIRS = ["src/core", "src/background", "src/popup"];

function sourceFiles(): string[] {
  return SOURCE_DIRS.flatMap((dir) => readdirSync(resolve(ROOT, dir)).map((name) => resolve(ROOT, dir, name)));
}

const englishMessages = readMessages("en");
const NAMES = Object.keys(englishMessages).sort();

/** The $NAME$ placeholders a message uses, in upper case. */
function placeholdersUsed(message: string): string[] {
  return [...new Set([...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((match) => (match[1] as string).toUpperCase()))].sort();
}

describe("the languages", () => {
  it("are English, the default, and Simplified Chinese", () => {
    expect(LANGUAGES).toEqual(["en", "zh_CN"]);
    expect(JSON.parse(readFileSync(resolve(ROOT, "manifest.json"), "utf8")).default_locale).toBe("en");
  });

  it.each(LANGUAGES)("%s has exactly the messages English has", (language) => {
    expect(Object.keys(readMessages(language)).sort()).toEqual(NAMES);
  });

  it.each(LANGUAGES)("%s fills each message's placeholders from the same substitutions as English", (language) => {
    const messages = readMessages(language);
    for (const name of NAMES) {
      const message = messages[name];
      const reference = englishMessages[name];
      const contents = (m: typeof message) =>
        Object.fromEntries(Object.entries(m?.placeholders ?? {}).map(([key, value]) => [key.toUpperCase(), value.content]));
      expect(contents(message), name).toEqual(contents(reference));
      expect(placeholdersUsed(message?.message ?? ""), name).toEqual(Object.keys(contents(message)).sort());
    }
  });

  it.each(LANGUAGES)("%s writes the limits ToolKey really has", (language) => {
    const thousands = (n: number) => n.toLocaleString("en");
    expect(render(language, ["key_tooLong"])).toContain(thousands(MAX_KEY_LENGTH));
    expect(render(language, ["tooManyEntries"])).toContain(thousands(MAX_ENTRIES));
  });

  it("zh_CN says its language as zh-CN, the form a page's lang attribute takes", () => {
    expect(render("en", ["lang"])).toBe("en");
    expect(render("zh_CN", ["lang"])).toBe("zh-CN");
  });
});

describe("every visible text comes from a message", () => {
  const sources = sourceFiles()
    .map((file) => readFileSync(file, "utf8"))
    .join("\n");
  const manifest = readFileSync(resolve(ROOT, "manifest.json"), "utf8");
  const popupHtml = readFileSync(resolve(ROOT, "src/popup/index.html"), "utf8");

  it("each message is used by the code, the popup's page or the manifest", () => {
    // A field's own messages ("toolServer_empty") are named in code as `${field}_empty`.
    const inCode = (name: string) => sources.includes(`"${name}"`) || (name.includes("_") && sources.includes(`_${name.split("_")[1]}\``));
    const unused = NAMES.filter(
      (name) => !inCode(name) && !manifest.includes(`__MSG_${name}__`) && !popupHtml.includes(`data-message="${name}"`),
    );
    expect(unused).toEqual([]);
  });

  it("the manifest's name, short name, description and button title are messages", () => {
    const parsed = JSON.parse(manifest);
    for (const value of [parsed.name, parsed.short_name, parsed.description, parsed.action.default_title]) {
      const name = /^__MSG_(\w+)__$/.exec(value)?.[1];
      expect(name && NAMES.includes(name), value).toBe(true);
    }
  });

  it("the popup's page holds no words of its own: each element with text names a message that exists", () => {
    const wordsBetweenTags = [...popupHtml.replace(/<title>[^<]*<\/title>/, "").matchAll(/>([^<]*)</g)]
      .map((match) => (match[1] as string).trim())
      .filter((text) => text !== "");
    expect(wordsBetweenTags).toEqual([]);
    const named = [...popupHtml.matchAll(/data-message="([^"]+)"/g)].map((match) => match[1]);
    expect(named.filter((name) => !NAMES.includes(name as string))).toEqual([]);
  });
});

describe("texts with substitutions", () => {
  const KEY = "fake-key-not real-0001";
  const refusals: UserText[] = [
    ...openWebUiAddressRefused.map(({ expected }) => (expected.ok ? undefined : expected.error)),
    ...toolServerUrlRefused.map(({ expected }) => (expected.ok ? undefined : expected.error)),
    ...toolServerAgainstOpenWebUi.map(({ expected }) => expected),
    (() => {
      const parsed = parseKey(`Bearer ${KEY}`, "Bearer");
      return parsed.ok ? undefined : parsed.error;
    })(),
  ].filter((text): text is UserText => text !== undefined);

  it.each(LANGUAGES)("every refusal in the URL and key tables reads in %s with nothing left unfilled", (language) => {
    for (const text of refusals) {
      const shown = render(language, text);
      expect(shown, text.join(" ")).not.toMatch(/\$[A-Z0-9]/);
      expect(shown).not.toContain(KEY);
    }
    expect(refusals.length).toBeGreaterThan(40);
  });

  it("reads in English as the popup shows it", () => {
    expect(english(["key_space", "20"])).toBe("The key has a space at position 20. API keys have none: copy only the key.");
    expect(english(["needsAccessTwo", "http://a.example", "http://b.example"])).toBe(
      "ToolKey needs access to http://a.example and http://b.example for this entry.",
    );
    expect(render("zh_CN", ["activeMany", "3"])).toBe("已在 3 个 Open WebUI 标签页中生效。");
  });
});
