import { execFileSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CHROMIUM_PATH, FIREFOX_PATH } from "./harness/environment.ts";

interface Needed {
  name: string;
  path: string;
  /** The variable that points the tests at another binary. */
  variable: string;
  debianPackage: string;
}

const BROWSERS: readonly Needed[] = [
  { name: "Chromium", path: CHROMIUM_PATH, variable: "CHROMIUM_PATH", debianPackage: "chromium" },
  { name: "Firefox ESR", path: FIREFOX_PATH, variable: "FIREFOX_PATH", debianPackage: "firefox-esr" },
];

/**
 * Firefox shows extensions in a language only when it has that language itself (Chromium needs
 * nothing more): the zh-CN scenario needs Debian's language pack beside Firefox.
 */
function firefoxChinese(): Needed {
  const path = resolve(dirname(realpathSync(FIREFOX_PATH)), "browser/extensions/langpack-zh-CN@firefox-esr.mozilla.org.xpi");
  return { name: "Firefox's Simplified Chinese language pack", path, variable: "FIREFOX_PATH", debianPackage: "firefox-esr-l10n-zh-cn" };
}

/** Installs what is missing from Debian when we may (root with apt-get); else fails saying how. */
function ensureInstalled(needed: readonly Needed[]): void {
  const missing = needed.filter((browser) => !existsSync(browser.path));
  if (missing.length === 0) return;
  const canInstall =
    process.getuid?.() === 0 && existsSync("/usr/bin/apt-get") && missing.every((browser) => process.env[browser.variable] === undefined);
  if (canInstall) {
    const packages = missing.map((browser) => browser.debianPackage);
    console.log(`Installing Debian's ${packages.join(" and ")} with apt-get for the real-browser tests.`);
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", ...packages], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  for (const browser of needed) {
    if (!existsSync(browser.path)) {
      throw new Error(
        `The real-browser tests need ${browser.name} at ${browser.path}. Install it with: ` +
          `apt-get update && apt-get install -y ${browser.debianPackage} (Debian), or point ${browser.variable} at a binary that has it.`,
      );
    }
  }
}

export default function setup(): void {
  ensureInstalled(BROWSERS);
  ensureInstalled([firefoxChinese()]);
  for (const target of ["chrome", "firefox"]) {
    if (!existsSync(resolve(import.meta.dirname, `../../dist/${target}/manifest.json`))) {
      throw new Error("The real-browser tests load the built extension: run `npm run build` first (`npm test` does).");
    }
  }
}
