import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { CHROMIUM_PATH, FIREFOX_PATH } from "./harness/environment.ts";

interface NeededBrowser {
  name: string;
  path: string;
  /** The variable that points the tests at another binary. */
  variable: string;
  debianPackage: string;
}

const BROWSERS: readonly NeededBrowser[] = [
  { name: "Chromium", path: CHROMIUM_PATH, variable: "CHROMIUM_PATH", debianPackage: "chromium" },
  { name: "Firefox ESR", path: FIREFOX_PATH, variable: "FIREFOX_PATH", debianPackage: "firefox-esr" },
];

/** Installs the missing browsers from Debian when we may (root with apt-get); else fails saying how. */
function ensureBrowsers(needed: readonly NeededBrowser[]): void {
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
          `apt-get update && apt-get install -y ${browser.debianPackage} (Debian), or point ${browser.variable} at its binary.`,
      );
    }
  }
}

export default function setup(): void {
  ensureBrowsers(BROWSERS);
  for (const target of ["chrome", "firefox"]) {
    if (!existsSync(resolve(import.meta.dirname, `../../dist/${target}/manifest.json`))) {
      throw new Error("The real-browser tests load the built extension: run `npm run build` first (`npm test` does).");
    }
  }
}
