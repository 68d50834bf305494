import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { crx, type ManifestV3Export } from "@crxjs/vite-plugin";
import { defineConfig, type Plugin } from "vite";
import manifest from "./manifest.json" with { type: "json" };
import { listFiles, zipFiles } from "./scripts/zip.ts";

type Target = "chrome" | "firefox";
const target: Target = process.env.TARGET === "firefox" ? "firefox" : "chrome";
const root = import.meta.dirname;
const outDir = resolve(root, "dist", target);

export const GECKO_ID = "{6f1d3c2a-8b7e-4c55-9a0f-2d4e6b8c1a37}";

/** Everything the Firefox package changes, in one place. */
function firefoxManifest(source: typeof manifest): ManifestV3Export {
  // Firefox reads the organisation's entries from its own policies.json without a schema, and
  // warns on the manifest key.
  const { minimum_chrome_version: _chromeOnly, storage: _chromeSchema, background, ...rest } = source;
  return {
    ...rest,
    // Firefox runs the background as an event page.
    background: { scripts: [background.service_worker], type: background.type },
    // Firefox's default policy for extension pages adds upgrade-insecure-requests: the background's
    // requests to an http Open WebUI or tool server (other than loopback) then go out as https and
    // fail (measured in Firefox ESR 153), so the version check, the import and Test could not reach
    // them. Chromium's default has no such directive. Scripts stay limited to the package's own.
    content_security_policy: { extension_pages: "script-src 'self'" },
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

/**
 * What a store reviewer needs to rebuild the packages with `npm ci && npm run build`: the build's
 * own inputs, nothing else (the tests, the benchmark and the linters' settings are left out).
 */
export const SOURCE_PATHS = [
  "LICENSE",
  "README.md",
  "manifest.json",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "vite.config.ts",
  "public",
  "scripts",
  "src",
];

/**
 * Writes dist/toolkey-<target>-<version>.zip from the finished build, without Vite's own metadata,
 * and, with the Firefox build, dist/toolkey-source-<version>.zip for addons.mozilla.org's review.
 */
function storeZip(): Plugin {
  return {
    name: "toolkey-store-zip",
    apply: "build",
    closeBundle() {
      const files = listFiles(outDir).filter((file) => !file.includes(`${outDir}/.vite`));
      const dist = resolve(outDir, "..");
      mkdirSync(dist, { recursive: true });
      writeFileSync(resolve(dist, `toolkey-${target}-${manifest.version}.zip`), zipFiles(outDir, files));
      if (target === "firefox") {
        const sources = SOURCE_PATHS.map((path) => resolve(root, path)).flatMap((path) =>
          statSync(path).isDirectory() ? listFiles(path) : [path],
        );
        writeFileSync(resolve(dist, `toolkey-source-${manifest.version}.zip`), zipFiles(root, sources.sort()));
      }
    },
  };
}

/**
 * Writes dist/chunks-<target>.json beside the package (not in it): for each JavaScript chunk, the
 * source modules in it and the chunks it imports, so that a package test can list what each page
 * loads.
 */
function chunkListing(): Plugin {
  const chunks: Record<string, { modules: string[]; imports: string[] }> = {};
  return {
    name: "toolkey-chunk-listing",
    apply: "build",
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== "chunk") continue;
        const modules = output.moduleIds.map((id) => (id.startsWith(root) ? relative(root, id) : id)).sort();
        chunks[output.fileName] = { modules, imports: [...output.imports].sort() };
      }
    },
    closeBundle() {
      writeFileSync(resolve(outDir, "..", `chunks-${target}.json`), `${JSON.stringify(chunks, null, 2)}\n`);
    },
  };
}

export default defineConfig(({ command }) => ({
  build: {
    // `npm run dev` (Vite's dev server, crxjs reloading the extension on change) writes its
    // development build to dist/dev-chrome, never over the packages the tests load.
    outDir: command === "serve" ? resolve(root, "dist", `dev-${target}`) : outDir,
    emptyOutDir: true,
    // What minimum_chrome_version and gecko.strict_min_version promise.
    target: ["chrome102", "firefox140"],
    // Both browsers at those versions preload modules themselves; Vite's polyfill for it would be
    // dead weight in the size budget.
    modulePreload: { polyfill: false },
  },
  plugins: [crx({ manifest: target === "firefox" ? firefoxManifest(manifest) : manifest, browser: target }), chunkListing(), storeZip()],
}));
