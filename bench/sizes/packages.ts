/**
 * The bytes of each built package (dist/chrome, dist/firefox), ToolKey's own code and the
 * `webextension-polyfill` apart, per chunk, per page (the background and the popup, each with every
 * chunk it imports) and per package. The chunks and what each imports are derived from the build,
 * never named here: the chunking may change.
 */
import { readFileSync } from "node:fs";
import { join, posix, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { listFiles } from "../../scripts/zip.ts";
import { type BuiltFile, rebuildWithSourceMaps } from "./rebuild.ts";
import { attributeBytes } from "./source-map.ts";

/** Where a chunk's bytes came from. `glue` is what no source maps: the bundler's imports, exports and helpers, and the loader. */
export interface Bytes {
  toolkey: number;
  polyfill: number;
  glue: number;
  total: number;
}

export interface ChunkSize {
  file: string;
  bytes: Bytes;
  gzipped: number;
  /** Each source module's bytes in this chunk, from the project's root; "(glue)" for the rest. */
  modules: Record<string, number>;
  imports: string[];
  dynamicImports: string[];
}

export interface PageSize {
  page: "background" | "popup";
  /** What the manifest names: the popup's HTML, the background's script(s). */
  entry: string;
  /** The JavaScript the page loads when it starts: its scripts and every chunk they import, transitively. */
  files: string[];
  bytes: Bytes;
  /** Chunks it may import later (dynamic imports), not counted in `bytes`. */
  onDemand: { files: string[]; bytes: Bytes };
}

export interface PackageSize {
  target: string;
  javascript: Bytes;
  javascriptGzipped: number;
  /** The size tripwire `npm test` checks (test/package/packages.test.ts). */
  javascriptBudget: number;
  zipBytes: number;
  zipGzipped: number;
  pages: PageSize[];
  chunks: ChunkSize[];
}

const POLYFILL = "node_modules/webextension-polyfill/";
const GLUE = "(glue)";

const none = (): Bytes => ({ toolkey: 0, polyfill: 0, glue: 0, total: 0 });

function added(a: Bytes, b: Bytes): Bytes {
  return { toolkey: a.toolkey + b.toolkey, polyfill: a.polyfill + b.polyfill, glue: a.glue + b.glue, total: a.total + b.total };
}

/** The JavaScript budget as `npm test` checks it, read rather than copied. */
export function javascriptBudget(root: string): number {
  const test = readFileSync(resolve(root, "test/package/packages.test.ts"), "utf8");
  const found = /JS_BUDGET_BYTES\s*=\s*([\d_]+)/.exec(test)?.[1];
  return found === undefined ? Number.NaN : Number(found.replaceAll("_", ""));
}

function chunkSize(file: string, code: string, built: BuiltFile | undefined): ChunkSize {
  const total = Buffer.byteLength(code);
  const modules: Record<string, number> = {};
  const bytes = none();
  bytes.total = total;
  if (built?.map === undefined) {
    modules[GLUE] = total;
    bytes.glue = total;
  } else {
    const { bySource, unmapped } = attributeBytes(code, built.map.mappings);
    modules[GLUE] = unmapped;
    bytes.glue = unmapped;
    for (const [index, count] of bySource) {
      const mapped: string = built.map.sources[index] ?? GLUE;
      // A dependency by its path inside node_modules, wherever that folder really lies.
      const source = mapped.includes("node_modules/") ? mapped.slice(mapped.lastIndexOf("node_modules/")) : mapped;
      modules[source] = (modules[source] ?? 0) + count;
      if (source.includes(POLYFILL)) bytes.polyfill += count;
      else if (source.startsWith("src/")) bytes.toolkey += count;
      else bytes.glue += count;
    }
  }
  return {
    file,
    bytes,
    gzipped: gzipSync(code, { level: 9 }).length,
    modules: Object.fromEntries(Object.entries(modules).sort(([, a], [, b]) => b - a)),
    imports: built?.imports ?? [],
    dynamicImports: built?.dynamicImports ?? [],
  };
}

/** A path the package refers to (`/assets/x.js`, `./x.js`), from the package's root. */
function fromRoot(reference: string, referrer: string): string {
  return reference.startsWith("/") ? reference.slice(1) : posix.normalize(posix.join(posix.dirname(referrer), reference));
}

/** The static imports of a file the bundler did not write as a chunk (the background's loader). */
function importsInText(file: string, code: string): string[] {
  return [...code.matchAll(/\bimport\s*(?:[^'"()]*?\bfrom\s*)?["']([^"']+)["']/g)].map((match) => fromRoot(match[1] ?? "", file));
}

/** The module scripts of an HTML page and the modules it asks the browser to preload. */
function scriptsOfPage(page: string, html: string): string[] {
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1] ?? "");
  const preloads = [...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((match) => match[1] ?? "");
  return [...scripts, ...preloads].map((reference) => fromRoot(reference, page));
}

interface Manifest {
  action?: { default_popup?: string };
  background?: { service_worker?: string; scripts?: string[] };
}

function pageSize(page: PageSize["page"], entry: string, starts: string[], chunks: Map<string, ChunkSize>): PageSize {
  const closure = (from: string[], skip: Set<string>) => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file) || skip.has(file)) return;
      seen.add(file);
      for (const next of chunks.get(file)?.imports ?? []) visit(next);
    };
    for (const file of from) visit(file);
    return seen;
  };
  const loaded = closure(starts, new Set());
  const later = closure(
    [...loaded].flatMap((file) => chunks.get(file)?.dynamicImports ?? []),
    loaded,
  );
  const sum = (files: Set<string>) => [...files].reduce((total, file) => added(total, chunks.get(file)?.bytes ?? none()), none());
  for (const file of [...loaded, ...later]) if (!chunks.has(file)) throw new Error(`${entry} loads ${file}, which the package lacks`);
  return { page, entry, files: [...loaded].sort(), bytes: sum(loaded), onDemand: { files: [...later].sort(), bytes: sum(later) } };
}

/**
 * Measures one package in dist/. Its chunks must be exactly what building the tree gives now:
 * otherwise the figures would describe code that is not the code measured.
 */
async function packageSize(root: string, target: string, budget: number): Promise<PackageSize> {
  const dir = resolve(root, "dist", target);
  const built = await rebuildWithSourceMaps(root, target);
  const chunks = new Map<string, ChunkSize>();
  for (const path of listFiles(dir).filter((file) => file.endsWith(".js"))) {
    const file = relative(dir, path);
    const code = readFileSync(path, "utf8");
    const fresh = built.get(file);
    if (fresh === undefined || fresh.code !== code) {
      throw new Error(
        `dist/${target}/${file} is not what building this tree gives now: run \`npm run build\` (or \`npm run bench\`) again`,
      );
    }
    const size = chunkSize(file, code, fresh);
    if (fresh.map === undefined) size.imports = importsInText(file, code);
    chunks.set(file, size);
  }
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  const pages: PageSize[] = [];
  const background = manifest.background?.service_worker ?? manifest.background?.scripts?.join(", ");
  if (background !== undefined) {
    const scripts = manifest.background?.service_worker === undefined ? (manifest.background?.scripts ?? []) : [background];
    pages.push(pageSize("background", background, scripts, chunks));
  }
  const popup = manifest.action?.default_popup;
  if (popup !== undefined) pages.push(pageSize("popup", popup, scriptsOfPage(popup, readFileSync(join(dir, popup), "utf8")), chunks));
  const all = [...chunks.values()];
  const version = (JSON.parse(readFileSync(resolve(root, "manifest.json"), "utf8")) as { version: string }).version;
  const zip = readFileSync(resolve(root, "dist", `toolkey-${target}-${version}.zip`));
  return {
    target,
    javascript: all.reduce((total, chunk) => added(total, chunk.bytes), none()),
    javascriptGzipped: all.reduce((total, chunk) => total + chunk.gzipped, 0),
    javascriptBudget: budget,
    zipBytes: zip.length,
    zipGzipped: gzipSync(zip, { level: 9 }).length,
    pages,
    chunks: all.sort((a, b) => a.file.localeCompare(b.file)),
  };
}

export async function packageSizes(root: string): Promise<PackageSize[]> {
  const budget = javascriptBudget(root);
  const sizes: PackageSize[] = [];
  // One build at a time: each reads TARGET from the environment.
  for (const target of ["chrome", "firefox"]) sizes.push(await packageSize(root, target, budget));
  return sizes;
}
