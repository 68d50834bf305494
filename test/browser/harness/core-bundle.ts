import { resolve } from "node:path";
import { build, type Rolldown } from "vite";

/** Bundles a module into one script that defines its exports as the global `name` in a page. */
export async function bundleForPage(entry: string, name: string): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: "silent",
    build: {
      write: false,
      minify: false,
      lib: { entry, formats: ["iife"], name },
    },
  });
  const result = (Array.isArray(output) ? output[0] : output) as Rolldown.RolldownOutput;
  return result.output[0].code;
}

/** Bundles url-tables.ts into one script that defines `ToolKeyUrlTables.run()` in a page. */
export function bundleUrlTables(): Promise<string> {
  return bundleForPage(resolve(import.meta.dirname, "url-tables.ts"), "ToolKeyUrlTables");
}
