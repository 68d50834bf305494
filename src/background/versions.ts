import { MAX_VERSION_REPLY_BYTES, readVersionReply, type VersionCheck } from "../core/open-webui-version.ts";
import { readUrl } from "./read-url.ts";

/** A version reply takes milliseconds; a server that holds it longer is as good as silent. */
const VERSION_TIMEOUT_MS = 8000;

const inFlight = new Map<string, Promise<VersionCheck>>();

/**
 * Asks an Open WebUI for its version. The endpoint needs no sign-in in any version of Open WebUI,
 * but the browser's cookies for that origin go along, so that a sign-in proxy in front of it lets
 * the request through. The background's own requests carry no tab id, so ToolKey's rules never
 * touch this one. Checks of the same origin that overlap share one request.
 */
export function fetchVersion(origin: string): Promise<VersionCheck> {
  let pending = inFlight.get(origin);
  if (pending === undefined) {
    pending = ask(origin).finally(() => inFlight.delete(origin));
    inFlight.set(origin, pending);
  }
  return pending;
}

/**
 * With cookies first; without them when that fails at the network level. Before the user grants
 * host access (the Save that asks for it starts this check), a request with cookies is a CORS
 * request, and Open WebUI's `Access-Control-Allow-Origin: *` refuses it: measured in Firefox ESR
 * 153, where it read as "no answer" and the new entry then replaced a patched Open WebUI's key.
 */
async function ask(origin: string): Promise<VersionCheck> {
  const read = (credentials: "include" | "omit") =>
    readUrl(`${origin}/api/version`, { credentials, timeoutMs: VERSION_TIMEOUT_MS, maxBytes: MAX_VERSION_REPLY_BYTES });
  let reply = await read("include");
  if (!reply.ok && reply.why === "network") reply = await read("omit");
  if (reply.ok) return readVersionReply({ status: reply.status, body: reply.body });
  switch (reply.why) {
    // A proxy sending us to its sign-in page: what would answer there is not Open WebUI.
    case "redirect":
      return { unknown: "notJson" };
    case "tooLarge":
      return { unknown: "notVersion" };
    case "network":
    case "timeout":
      return readVersionReply(undefined);
  }
}
