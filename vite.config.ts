import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { crx, type ManifestV3Export } from "@crxjs/vite-plugin";
import { defineConfig, type Plugin } from "vite";
import manifest from "./manifest.json" with { type: "json" };
import { listFiles, zipFiles } from "./scripts/zip.ts";

type Target = "chrome" | "firefox";
const target: Target = process.env.TARGET === "firefox" ? "firefox" : "chrome";
const outDir = resolve(import.meta.dirname, "dist", target);

export const GECKO_ID = "{6f1d3c2a-8b7e-4c55-9a0f-2d4e6b8c1a37}";

/** Everything the Firefox package changes, in one place. */
function firefoxManifest(source: typeof manifest): ManifestV3Export {
  const { minimum_chrome_version: _chromeOnly, background, ...rest } = source;
  return {
    ...rest,
    // Firefox runs the background as an event page.
    background: { scripts: [background.service_worker], type: background.type },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        // 140: first ESR with data_collection_permissions, needed for new add-ons on AMO.
        strict_min_version: "140.0",
        data_collection_permissions: { required: ["none"] },
      },
      // crxjs's manifest type has no gecko_android; AMO wants it once data_collection_permissions is set.
      gecko_android: { strict_min_version: "142.0" },
    },
  } as ManifestV3Export;
}

/** Writes dist/toolkey-<target>-<version>.zip from the finished build, without Vite's own metadata. */
function storeZip(): Plugin {
  return {
    name: "toolkey-store-zip",
    apply: "build",
    closeBundle() {
      const files = listFiles(outDir).filter((file) => !file.includes(`${outDir}/.vite`));
      mkdirSync(resolve(outDir, ".."), { recursive: true });
      const zipPath = resolve(outDir, "..", `toolkey-${target}-${manifest.version}.zip`);
      writeFileSync(zipPath, zipFiles(outDir, files));
    },
  };
}

export default defineConfig({
  build: {
    outDir,
    emptyOutDir: true,
    // What minimum_chrome_version and gecko.strict_min_version promise.
    target: ["chrome101", "firefox140"],
  },
  plugins: [crx({ manifest: target === "firefox" ? firefoxManifest(manifest) : manifest, browser: target }), storeZip()],
});
