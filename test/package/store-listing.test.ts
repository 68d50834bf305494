import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles } from "../../scripts/zip.ts";
import { LANGUAGES, readMessages } from "../locales.ts";

/**
 * store/listing.json makes claims about the code; these tests fail when the two disagree: a
 * permission without its justification, a justification for a permission the packages no longer
 * ask for, a summary that is not the manifest's description, an image the stores would refuse.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const STORE = resolve(ROOT, "store");

/** The Chrome Web Store's limit for the summary, which is also the manifest's description. */
const SUMMARY_MAX_CHARS = 132;
const SCREENSHOT = { width: 1280, height: 800 };
const SMALL_PROMO_TILE = { width: 440, height: 280 };

interface ListedImage {
  file: string;
  width: number;
  height: number;
}

interface Language {
  name: string;
  summary: string;
  permissions: Record<string, string>;
  hostPermissions: Record<string, string>;
  dataUse: Record<string, string>;
  screenshotCaptions: Record<string, string>;
}

interface Listing {
  chromeWebStore: { remoteCode: boolean };
  addonsMozillaOrg: { dataCollectionPermissions: unknown };
  images: { screenshots: ListedImage[]; smallPromoTile: ListedImage };
  languages: Record<string, Language>;
}

interface Manifest {
  description: string;
  permissions?: string[];
  optional_permissions?: string[];
  host_permissions?: string[];
  optional_host_permissions?: string[];
  content_security_policy?: unknown;
  browser_specific_settings?: { gecko?: { data_collection_permissions?: unknown } };
}

const listing = JSON.parse(readFileSync(resolve(STORE, "listing.json"), "utf8")) as Listing;
const languages = Object.entries(listing.languages);
const TARGETS = ["chrome", "firefox"] as const;

function manifestOf(target: string): Manifest {
  return JSON.parse(readFileSync(resolve(ROOT, "dist", target, "manifest.json"), "utf8")) as Manifest;
}

/** Width and height from a PNG's IHDR chunk, which the format puts first, right after the signature. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature) || bytes.toString("latin1", 12, 16) !== "IHDR") throw new Error(`${path} is not a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Every leaf of a language's fields, as a path of keys (keys may hold dots and slashes, so " > " joins them). */
function leaves(value: unknown, path: string[] = []): [string, unknown][] {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, inner]) => leaves(inner, [...path, key]));
  }
  return [[path.join(" > "), value]];
}

it("is written in exactly the extension's languages", () => {
  expect(Object.keys(listing.languages).sort()).toEqual(LANGUAGES);
});

it.each(languages)("fills every field in %s that any language has, none of them empty", (_language, fields) => {
  const all = new Set(languages.flatMap(([, other]) => leaves(other).map(([path]) => path)));
  const own = leaves(fields);
  expect(own.map(([path]) => path).sort()).toEqual([...all].sort());
  const empty = own.filter(([, value]) => typeof value !== "string" || value.trim() === "").map(([path]) => path);
  expect(empty).toEqual([]);
});

describe.each(languages)("the %s summary", (language, fields) => {
  it(`fits the Chrome Web Store's ${SUMMARY_MAX_CHARS} characters`, () => {
    // Characters as the store counts them: code points, not UTF-16 units.
    expect([...fields.summary].length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
  });

  it("is the description both packages show, and the name is the extension's name", () => {
    const messages = readMessages(language);
    expect(fields.summary).toBe(messages.extDescription?.message);
    expect(fields.name).toBe(messages.extName?.message);
    for (const target of TARGETS) expect(manifestOf(target).description).toBe("__MSG_extDescription__");
  });
});

describe.each(TARGETS)("the %s package", (target) => {
  const manifest = manifestOf(target);
  const permissions = [...(manifest.permissions ?? []), ...(manifest.optional_permissions ?? [])];
  const hostPermissions = [...(manifest.host_permissions ?? []), ...(manifest.optional_host_permissions ?? [])];

  it.each(languages)("has every permission it asks for justified in %s, and no other", (_language, fields) => {
    expect(Object.keys(fields.permissions).sort()).toEqual([...permissions].sort());
  });

  it.each(languages)("has every host permission it asks for justified in %s, and no other", (_language, fields) => {
    expect(Object.keys(fields.hostPermissions).sort()).toEqual([...hostPermissions].sort());
  });

  it("runs only its own scripts, as the listing's 'no remote code' says: no web address and no text evaluated as code", () => {
    expect(listing.chromeWebStore.remoteCode).toBe(false);
    const scripts = listFiles(resolve(ROOT, "dist", target)).filter((file) => file.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    const offending = scripts.filter((file) => /https?:\/\/|\beval\(|new Function\(/.test(readFileSync(file, "utf8")));
    expect(offending).toEqual([]);
    // Chromium's default policy for extension pages allows no other script source; Firefox's is set to 'self'.
    expect(manifest.content_security_policy).toEqual(target === "chrome" ? undefined : { extension_pages: "script-src 'self'" });
  });
});

it("declares to addons.mozilla.org exactly the data collection the Firefox package declares", () => {
  const declared = manifestOf("firefox").browser_specific_settings?.gecko?.data_collection_permissions;
  expect(listing.addonsMozillaOrg.dataCollectionPermissions).toEqual(declared);
});

describe("the images", () => {
  const { screenshots, smallPromoTile } = listing.images;

  it("are at least three screenshots and one small promo tile, exactly the files in store/images", () => {
    expect(screenshots.length).toBeGreaterThanOrEqual(3);
    const listed = [...screenshots, smallPromoTile].map(({ file }) => file).sort();
    const present = readdirSync(resolve(STORE, "images"))
      .map((name) => `images/${name}`)
      .sort();
    expect(present).toEqual(listed);
  });

  it.each(screenshots.map(({ file }) => file))(`%s is exactly ${SCREENSHOT.width} x ${SCREENSHOT.height}`, (file) => {
    expect(pngSize(resolve(STORE, file))).toEqual(SCREENSHOT);
    expect(screenshots.find((image) => image.file === file)).toMatchObject(SCREENSHOT);
  });

  it(`the small promo tile is exactly ${SMALL_PROMO_TILE.width} x ${SMALL_PROMO_TILE.height}`, () => {
    expect(pngSize(resolve(STORE, smallPromoTile.file))).toEqual(SMALL_PROMO_TILE);
    expect(smallPromoTile).toMatchObject(SMALL_PROMO_TILE);
  });

  it.each(languages)("each screenshot has a caption in %s, and no caption names another image", (_language, fields) => {
    expect(Object.keys(fields.screenshotCaptions).sort()).toEqual(screenshots.map(({ file }) => file).sort());
  });
});
