import { readVersionReply, type VersionCheck } from "../core/open-webui-version.ts";

/** A version reply takes milliseconds; a server that holds it longer is as good as silent. */
const VERSION_TIMEOUT_MS = 8000;

const inFlight = new Map<string, Promise<VersionCheck>>();

/**
 * Asks an Open WebUI for its version, without credentials: the endpoint needs none in any version.
 * The background's own requests carry no tab id, so ToolKey's rules never touch this one. Checks of
 * the same origin that overlap share one request.
 */
export function fetchVersion(origin: string): Promise<VersionCheck> {
  let pending = inFlight.get(origin);
  if (pending === undefined) {
    pending = ask(origin).finally(() => inFlight.delete(origin));
    inFlight.set(origin, pending);
  }
  return pending;
}

async function ask(origin: string): Promise<VersionCheck> {
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
