import browser from "webextension-polyfill";
import { parseVersionChecks, readVersionReply, type VersionCheck, type VersionChecks } from "../core/open-webui-version.ts";
import { serial } from "./queue.ts";
import { loadSettings } from "./store.ts";

/** Where the last answer of each saved Open WebUI's `/api/version` is kept. */
const VERSIONS_KEY = "openWebUiVersions";

/** A version reply takes milliseconds; a server that holds it longer is as good as silent. */
const VERSION_TIMEOUT_MS = 8000;

export async function loadVersionChecks(): Promise<VersionChecks> {
  const stored = await browser.storage.local.get(VERSIONS_KEY);
  return parseVersionChecks(stored[VERSIONS_KEY]);
}

/**
 * Asks the Open WebUI for its version, without credentials: the endpoint needs none in any version.
 * The background's own requests carry no tab id, so ToolKey's rules never touch this one.
 */
export async function fetchVersion(origin: string): Promise<VersionCheck> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), VERSION_TIMEOUT_MS);
  try {
    const response = await fetch(`${origin}/api/version`, { credentials: "omit", cache: "no-store", signal: abort.signal });
    return readVersionReply({ status: response.status, body: await response.text() });
  } catch {
    return readVersionReply(undefined);
  } finally {
    clearTimeout(timer);
  }
}

const inFlight = new Map<string, Promise<VersionCheck>>();

/**
 * Reads the version of a saved Open WebUI and keeps it, pruning origins no entry names any more.
 * Returns whether what is kept changed, so that the caller reconciles only then. Checks of the same
 * origin that overlap share one request.
 */
export function recheckVersion(origin: string): Promise<{ check: VersionCheck; changed: boolean }> {
  let pending = inFlight.get(origin);
  if (pending === undefined) {
    pending = fetchVersion(origin).finally(() => inFlight.delete(origin));
    inFlight.set(origin, pending);
  }
  // Kept in the settings queue: two origins' answers must not overwrite each other's.
  return pending.then(async (check) => ({ check, changed: await serial(() => keep(origin, check)) }));
}

async function keep(origin: string, check: VersionCheck): Promise<boolean> {
  const [loaded, checks] = await Promise.all([loadSettings(), loadVersionChecks()]);
  const saved = new Set(loaded.ok ? loaded.settings.entries.map((entry) => entry.openWebUiOrigin) : []);
  if (!saved.has(origin) || JSON.stringify(checks[origin]) === JSON.stringify(check)) return false;
  const kept: VersionChecks = { [origin]: check };
  for (const [other, known] of Object.entries(checks)) if (saved.has(other) && other !== origin) kept[other] = known;
  await browser.storage.local.set({ [VERSIONS_KEY]: kept });
  return true;
}
