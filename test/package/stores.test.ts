import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { SOURCE_PATHS } from "../../vite.config.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const { version } = JSON.parse(readFileSync(resolve(ROOT, "manifest.json"), "utf8")) as { version: string };
const PACKAGES = [`toolkey-chrome-${version}.zip`, `toolkey-firefox-${version}.zip`, `toolkey-source-${version}.zip`];

interface LintMessage {
  code: string;
  message: string;
  file?: string;
}

it("web-ext lint finds no error and no warning in the Firefox package", () => {
  const lint = spawnSync(
    resolve(ROOT, "node_modules/.bin/web-ext"),
    ["lint", "--output=json", "--source-dir", resolve(ROOT, "dist/firefox")],
    {
      encoding: "utf8",
    },
  );
  const report = JSON.parse(lint.stdout) as { errors: LintMessage[]; warnings: LintMessage[] };
  const describe = (messages: LintMessage[]) => messages.map(({ code, message, file }) => `${code} ${file ?? ""}: ${message}`);
  expect(describe(report.errors)).toEqual([]);
  expect(describe(report.warnings)).toEqual([]);
});

/** The files inside a zip and their bytes, read by Python's zipfile (an implementation independent of ours). */
function unzipped(path: string): Record<string, string> {
  const script =
    "import sys, zipfile, json, base64\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: base64.b64encode(z.read(n)).decode() for n in z.namelist()}))";
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8", maxBuffer: 64 << 20 })) as Record<string, string>;
}

const rebuilt = mkdtempSync(join(tmpdir(), "toolkey-review-"));
afterAll(() => rmSync(rebuilt, { recursive: true, force: true }));

it("the source archive holds exactly the build's inputs, and rebuilding from it gives the same packages", () => {
  const source = unzipped(resolve(ROOT, "dist", `toolkey-source-${version}.zip`));
  const names = Object.keys(source);
  expect(names.filter((name) => !SOURCE_PATHS.some((path) => name === path || name.startsWith(`${path}/`)))).toEqual([]);
  expect(names).toEqual(expect.arrayContaining(["package-lock.json", "manifest.json", "vite.config.ts", "src/background/index.ts"]));

  // A reviewer's steps (README, "Store packages"): unpack, `npm ci`, `npm run build`. The locked
  // packages are linked here instead of downloaded again.
  execFileSync("python3", [
    "-c",
    "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
    resolve(ROOT, "dist", PACKAGES[2] as string),
    rebuilt,
  ]);
  symlinkSync(resolve(ROOT, "node_modules"), join(rebuilt, "node_modules"), "dir");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: rebuilt, stdio: "pipe" });
  for (const name of PACKAGES) {
    const ours = resolve(ROOT, "dist", name);
    const theirs = join(rebuilt, "dist", name);
    expect(unzipped(theirs), `the files inside ${name}`).toEqual(unzipped(ours));
    expect(readFileSync(theirs).equals(readFileSync(ours)), `the bytes of ${name}`).toBe(true);
  }
});
