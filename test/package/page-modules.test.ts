import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * Modules only the background needs: the parsers of what comes from outside (replies, files,
 * policy), the decision and the stored settings. Each is code the popup would load and never run,
 * before it can draw anything (issue 21: the popup loads only what it draws).
 */
const BACKGROUND_ONLY = [
  "src/background/",
  "src/core/commands.ts",
  "src/core/connection-test.ts",
  "src/core/decision.ts",
  "src/core/entries-file.ts",
  "src/core/import-review.ts",
  "src/core/key-delivery.ts",
  "src/core/managed.ts",
  "src/core/messages.ts",
  "src/core/open-webui-import.ts",
  "src/core/open-webui-version.ts",
  "src/core/page-load.ts",
  "src/core/settings.ts",
];

type Chunks = Record<string, { modules: string[]; imports: string[] }>;

/** The source modules a page loads: the chunks its HTML names, and every chunk they import. */
function modulesLoadedBy(chunks: Chunks, entryChunks: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of chunks[file]?.imports ?? []) visit(imported);
  };
  for (const file of entryChunks) visit(file);
  return [...seen].flatMap((file) => chunks[file]?.modules ?? []).sort();
}

describe.each(["chrome", "firefox"])("what each page of the %s package loads", (target) => {
  const dir = resolve(ROOT, "dist", target);
  const chunks = JSON.parse(readFileSync(resolve(ROOT, "dist", `chunks-${target}.json`), "utf8")) as Chunks;
  const html = readFileSync(resolve(dir, "src/popup/index.html"), "utf8");
  const popupChunks = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1] as string);
  const popup = modulesLoadedBy(chunks, popupChunks);
  const backgroundChunk = Object.keys(chunks).find((file) => chunks[file]?.modules.includes("src/background/index.ts"));
  const background = modulesLoadedBy(chunks, backgroundChunk === undefined ? [] : [backgroundChunk]);

  it("the popup loads its own modules and the few of the core it draws with", () => {
    expect(popup).toContain("src/popup/main.ts");
    expect(popup.filter((module) => module.startsWith("src/core/"))).toStrictEqual([
      "src/core/display-label.ts",
      "src/core/entries-file-name.ts",
      "src/core/entry.ts",
      "src/core/headers.ts",
      "src/core/idn.ts",
      "src/core/page-connection.ts",
      "src/core/permissions.ts",
      "src/core/rules.ts",
      "src/core/spec-text.ts",
      "src/core/urls.ts",
      "src/core/version-words.ts",
    ]);
  });

  it("the popup loads no module that only the background needs", () => {
    expect(popup.filter((module) => BACKGROUND_ONLY.some((only) => module.startsWith(only)))).toStrictEqual([]);
  });

  it("the background loads no module of the popup's", () => {
    expect(background).toContain("src/background/index.ts");
    expect(background.filter((module) => module.startsWith("src/popup/"))).toStrictEqual([]);
  });
});
