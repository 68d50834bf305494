import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles } from "../../scripts/zip.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const source = JSON.parse(readFileSync(resolve(ROOT, "manifest.json"), "utf8")) as { version: string };
const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { version: string };

/**
 * design.md ("Size is a tripwire"): every .js file of a package, loader and polyfill included.
 * - 30,720 to 49,152 bytes with the Open WebUI awareness (version check, import and its review, Test):
 *   the packages went from 30,636 to 48,872 bytes.
 * - 49,152 to 57,344 bytes with the background that keeps its state in memory and fails closed, and
 *   the popup that updates rows in place (issue 13): 48,872 to 55,568 bytes (background +4,009, popup
 *   +2,200, shared code +487).
 * - 57,344 to 66,560 bytes (9 KiB more) with entries as a file (issue 15) and managed entries from
 *   browser policy (issue 16), which landed in one commit (8be2cef): the packages went from 55,568
 *   to 64,128 bytes (+8,560), measured by building that commit and its parent. (This history once
 *   said 60,330 and 59,376 here, each measured from 55,568 with one feature alone.) The benchmark's
 *   fixes after it brought them to 64,056 (fcb51a5).
 * - 66,560 to 71,680 bytes (5 KiB more) with one decision per entry from complete state (issue 20:
 *   the decision and its reasons, version knowledge that a failure never erases, the policy kept
 *   for a wake, the retry alarm, one network reader with caps, the import's limit): 64,056 to
 *   68,804 bytes (+4,748: background +3,277, popup +786, shared code +685), measured by building
 *   fcb51a5 and the change.
 */
const JS_BUDGET_BYTES = 71_680;

function manifestOf(target: string): Record<string, unknown> {
  return JSON.parse(readFileSync(resolve(ROOT, "dist", target, "manifest.json"), "utf8")) as Record<string, unknown>;
}

/** Lists a zip with Python's zipfile, an implementation independent of ours, after checking every CRC. */
function zipListing(path: string): string[] {
  const script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint('\\n'.join(z.namelist()))";
  return execFileSync("python3", ["-c", script, path], { encoding: "utf8" }).trim().split("\n");
}

it("package.json and manifest.json carry the same version", () => {
  expect(pkg.version).toBe(source.version);
});

describe.each(["chrome", "firefox"])("the %s package", (target) => {
  const dir = resolve(ROOT, "dist", target);

  it(`ships at most ${JS_BUDGET_BYTES} bytes of JavaScript`, () => {
    const js = listFiles(dir).filter((file) => file.endsWith(".js"));
    const total = js.reduce((sum, file) => sum + readFileSync(file).length, 0);
    expect(js.length).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(JS_BUDGET_BYTES);
  });

  it("asks for exactly the permissions the README justifies, host access only as optional", () => {
    const manifest = manifestOf(target);
    expect(manifest.permissions).toEqual(["activeTab", "alarms", "declarativeNetRequestWithHostAccess", "storage"]);
    expect(manifest.optional_host_permissions).toEqual(["http://*/*", "https://*/*"]);
    expect(manifest.host_permissions).toBeUndefined();
  });

  it("opens no way in for web pages or other extensions: no content scripts, no web-accessible resources, no externally_connectable", () => {
    // The background answers only ToolKey's own pages; each of these keys would let others in.
    const manifest = manifestOf(target);
    expect(manifest.content_scripts).toBeUndefined();
    expect(manifest.web_accessible_resources).toBeUndefined();
    expect(manifest.externally_connectable).toBeUndefined();
  });

  it("has a store zip named with the version, holding exactly the package's files", () => {
    const zip = resolve(ROOT, "dist", `toolkey-${target}-${source.version}.zip`);
    const expected = listFiles(dir).map((file) => relative(dir, file));
    expect(zipListing(zip).sort()).toEqual(expected.sort());
    expect(expected).toContain("manifest.json");
  });
});

it("the Chrome package runs its background as a service worker and names its minimum version", () => {
  const manifest = manifestOf("chrome");
  expect(manifest.background).toEqual({ service_worker: "service-worker-loader.js", type: "module" });
  expect(manifest.minimum_chrome_version).toBe("102");
  expect(manifest.browser_specific_settings).toBeUndefined();
});

it("the Firefox package runs an event page and carries the settings addons.mozilla.org requires", () => {
  const manifest = manifestOf("firefox");
  expect(manifest.background).toEqual({ scripts: ["service-worker-loader.js"], type: "module" });
  expect(manifest.minimum_chrome_version).toBeUndefined();
  expect(manifest.browser_specific_settings).toEqual({
    gecko: {
      id: "{6f1d3c2a-8b7e-4c55-9a0f-2d4e6b8c1a37}",
      strict_min_version: "140.0",
      data_collection_permissions: { required: ["none"] },
    },
    gecko_android: { strict_min_version: "142.0" },
  });
  // Without it, Firefox upgrades the background's requests to an http Open WebUI to https.
  expect(manifest.content_security_policy).toEqual({ extension_pages: "script-src 'self'" });
});
