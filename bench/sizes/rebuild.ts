/**
 * The package built again exactly as `npm run build` builds it, with source maps, into a scratch
 * folder: what dist/ cannot say (which module each byte of a chunk came from, which chunks each
 * chunk imports) taken from the bundler's own output. The store-zip step is left out, so that
 * dist/ is never written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { build, loadConfigFromFile, type Plugin, type PluginOption } from "vite";

export interface BuiltFile {
  /** As the package holds it, from its root: `assets/index-x1.js`. */
  fileName: string;
  code: string;
  /** Chunks only: its source map's sources (relative to the project) and mappings. */
  map?: { sources: string[]; mappings: string };
  /** Chunks only: the chunks it imports when it runs, and those it may import later. */
  imports: string[];
  dynamicImports: string[];
}

/** vite.config.ts's plugin that writes the store zips (and the source zip) into dist/. */
const STORE_ZIP_PLUGIN = "toolkey-store-zip";

function withoutStoreZip(plugins: PluginOption[] | undefined): PluginOption[] {
  return (plugins ?? []).filter(
    (plugin) => !(plugin !== null && typeof plugin === "object" && "name" in plugin && plugin.name === STORE_ZIP_PLUGIN),
  );
}

function capture(root: string, outDir: string, files: Map<string, BuiltFile>): Plugin {
  return {
    name: "bench-capture-bundle",
    apply: "build",
    writeBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type === "asset") {
          const code = typeof output.source === "string" ? output.source : Buffer.from(output.source).toString("utf8");
          files.set(output.fileName, { fileName: output.fileName, code, imports: [], dynamicImports: [] });
          continue;
        }
        const at = dirname(resolve(outDir, output.fileName));
        const built: BuiltFile = {
          fileName: output.fileName,
          code: output.code,
          imports: output.imports,
          dynamicImports: output.dynamicImports,
        };
        if (output.map) {
          const sources = output.map.sources.map((source) => relative(root, resolve(at, source)));
          built.map = { sources, mappings: output.map.mappings };
        }
        files.set(output.fileName, built);
      }
    },
  };
}

/** Builds `target` ("chrome" or "firefox") with source maps and returns every file the bundler wrote. */
export async function rebuildWithSourceMaps(root: string, target: string): Promise<Map<string, BuiltFile>> {
  const outDir = mkdtempSync(join(tmpdir(), `toolkey-bench-build-${target}-`));
  const files = new Map<string, BuiltFile>();
  // vite.config.ts reads TARGET when it loads; `vite build` runs in production mode.
  const saved = { TARGET: process.env.TARGET, NODE_ENV: process.env.NODE_ENV };
  process.env.TARGET = target;
  process.env.NODE_ENV = "production";
  try {
    const loaded = await loadConfigFromFile(
      { command: "build", mode: "production", isSsrBuild: false, isPreview: false },
      resolve(root, "vite.config.ts"),
      root,
      "silent",
    );
    if (loaded === null) throw new Error("vite.config.ts could not be loaded");
    const { config } = loaded;
    await build({
      ...config,
      configFile: false,
      root,
      logLevel: "silent",
      plugins: [...withoutStoreZip(config.plugins), capture(root, outDir, files)],
      build: { ...config.build, outDir, emptyOutDir: true, sourcemap: "hidden" },
    });
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  return files;
}
