import { resolve } from "node:path";
import { build, type Rolldown } from "vite";

/** Bundles url-tables.ts into one script that defines `ToolKeyUrlTables.run()` in a page. */
export async function bundleUrlTables(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: "silent",
    build: {
      write: false,
      minify: false,
      lib: { entry: resolve(import.meta.dirname, "url-tables.ts"), formats: ["iife"], name: "ToolKeyUrlTables" },
    },
  });
  const result = (Array.isArray(output) ? output[0] : output) as Rolldown.RolldownOutput;
  return result.output[0].code;
}
