import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const { version } = JSON.parse(readFileSync(resolve(ROOT, "manifest.json"), "utf8")) as { version: string };

/** The manifest inside a store zip, read with Python's zipfile (an implementation independent of ours). */
function manifestInZip(zip: string): string {
  const script = "import sys, zipfile\nprint(zipfile.ZipFile(sys.argv[1]).read('manifest.json').decode())";
  return execFileSync("python3", ["-c", script, zip], { encoding: "utf8" });
}

/**
 * The differential test (test/browser/matcher.test.ts) asks the browsers' matchers questions with
 * declarativeNetRequestFeedback, which it adds to its own copy of the package only. A shipped package
 * that held it would let ToolKey read which rule matched which request: more than it needs.
 */
describe("declarativeNetRequestFeedback, which only the tests' copy of the package holds", () => {
  it.each([
    ["the source manifest", resolve(ROOT, "manifest.json")],
    ["the Chrome package", resolve(ROOT, "dist/chrome/manifest.json")],
    ["the Firefox package", resolve(ROOT, "dist/firefox/manifest.json")],
  ])("is not in %s", (_what, path) => {
    const text = readFileSync(path, "utf8");
    expect(JSON.parse(text).permissions).not.toContain("declarativeNetRequestFeedback");
    expect(text).not.toContain("declarativeNetRequestFeedback");
  });

  it.each(["chrome", "firefox"])("is not in the %s store zip", (target) => {
    const text = manifestInZip(resolve(ROOT, "dist", `toolkey-${target}-${version}.zip`));
    expect(JSON.parse(text).permissions).toContain("declarativeNetRequestWithHostAccess");
    expect(text).not.toContain("declarativeNetRequestFeedback");
  });
});
