import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listFiles, zipFiles } from "../../scripts/zip.ts";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "toolkey-zip-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "manifest.json"), '{"name":"x"}');
  writeFileSync(join(dir, "assets", "b.js"), "console.log('b');\n".repeat(50));
  writeFileSync(join(dir, "assets", "a.js"), "");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("lists files depth first in name order, so every build zips them in the same order", () => {
  expect(listFiles(dir).map((file) => file.slice(dir.length + 1))).toEqual(["assets/a.js", "assets/b.js", "manifest.json"]);
});

it("gives the same bytes for the same files, whatever their timestamps", () => {
  const first = zipFiles(dir, listFiles(dir));
  writeFileSync(join(dir, "manifest.json"), '{"name":"x"}');
  expect(zipFiles(dir, listFiles(dir)).equals(first)).toBe(true);
});

it("writes a zip that another implementation reads back intact", () => {
  const zip = join(dir, "..", `${dir.split("/").at(-1)}.zip`);
  writeFileSync(zip, zipFiles(dir, listFiles(dir)));
  const script = [
    "import sys, zipfile",
    "z = zipfile.ZipFile(sys.argv[1])",
    "assert z.testzip() is None",
    "print(z.read('assets/b.js').decode().count('b'), z.read('assets/a.js') == b'', z.read('manifest.json').decode())",
  ].join("\n");
  const out = execFileSync("python3", ["-c", script, zip], { encoding: "utf8" }).trim();
  rmSync(zip);
  expect(out).toBe('50 True {"name":"x"}');
});
