import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { CHROMIUM_PATH } from "./harness/environment.ts";

const INSTALL_HINT =
  "Install it with: apt-get update && apt-get install -y chromium (Debian), or point CHROMIUM_PATH at a Chromium binary.";

/** Installs Debian's Chromium when it is missing and we may (root with apt-get); else fails saying how. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get") && process.env.CHROMIUM_PATH === undefined;
  if (canInstall) {
    console.log("Chromium is missing: installing Debian's chromium with apt-get.");
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`The real-browser tests need Chromium at ${CHROMIUM_PATH}. ${INSTALL_HINT}`);
}

export default function setup(): void {
  ensureChromium();
  if (!existsSync(resolve(import.meta.dirname, "../../dist/chrome/manifest.json"))) {
    throw new Error("The real-browser tests load the built extension: run `npm run build` first (`npm test` does).");
  }
}
