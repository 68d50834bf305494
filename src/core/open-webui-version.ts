import { isRecord } from "./records.ts";
import type { UserText } from "./user-text.ts";

/**
 * What `GET <origin>/api/version` told ToolKey about an Open WebUI: its version, or why none could
 * be read. Kept per origin in storage, so that the rules know it from the first moment after a wake.
 */
export type VersionCheck =
  | { version: string }
  | { unknown: "network" }
  | { unknown: "status"; status: number }
  | { unknown: "notJson" }
  | { unknown: "notVersion" };

/** What the version means for ToolKey (design.md, "Stand aside where Open WebUI sends keys itself"). */
export type Verdict =
  /** 0.6.0: forgets the key on tool calls; ToolKey adds it. */
  | "affected"
  /** 0.6.1 and later send the key themselves; a rule would replace it with a possibly stale one. */
  | "patched"
  /** Before 0.6.0 Open WebUI had no tool servers. */
  | "tooOld"
  /** Nothing could be read: ToolKey adds the key, as for 0.6.0. */
  | "unknown";

/** Open WebUI's versions are three numbers; a suffix (a development build) is allowed and ignored. */
const VERSION = /^(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:[-+.][0-9A-Za-z.+-]{0,40})?$/;

/** A version reply is a few dozen bytes; anything much longer is not one, and is not parsed. */
const MAX_REPLY_LENGTH = 4096;

/** Reads the reply of `/api/version`; `undefined` means no reply arrived at all. */
export function readVersionReply(reply: { status: number; body: string } | undefined): VersionCheck {
  if (reply === undefined) return { unknown: "network" };
  if (reply.status < 200 || reply.status > 299) return { unknown: "status", status: reply.status };
  if (reply.body.length > MAX_REPLY_LENGTH) return { unknown: "notVersion" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body);
  } catch {
    return { unknown: "notJson" };
  }
  const version = isRecord(parsed) ? parsed.version : undefined;
  return typeof version === "string" && VERSION.test(version) ? { version } : { unknown: "notVersion" };
}

export function verdictOf(check: VersionCheck | undefined): Verdict {
  if (check === undefined || !("version" in check)) return "unknown";
  const [major = 0, minor = 0, patch = 0] = (VERSION.exec(check.version) ?? []).slice(1).map(Number);
  // Compared with 0.6.0, number by number.
  const order = major !== 0 ? major : minor !== 6 ? minor - 6 : patch;
  return order < 0 ? "tooOld" : order === 0 ? "affected" : "patched";
}

/** Whether a value read back from storage is a check this version of ToolKey wrote. */
export function isVersionCheck(value: unknown): value is VersionCheck {
  if (!isRecord(value)) return false;
  if (typeof value.version === "string") return VERSION.test(value.version) && Object.keys(value).length === 1;
  switch (value.unknown) {
    case "network":
    case "notJson":
    case "notVersion":
      return Object.keys(value).length === 1;
    case "status":
      return typeof value.status === "number" && Object.keys(value).length === 2;
    default:
      return false;
  }
}

/** The version checks of every Open WebUI, by origin, as storage holds them; bad items are dropped. */
export type VersionChecks = Record<string, VersionCheck>;

export function parseVersionChecks(stored: unknown): VersionChecks {
  const checks: VersionChecks = {};
  if (!isRecord(stored)) return checks;
  for (const [origin, check] of Object.entries(stored)) if (isVersionCheck(check)) checks[origin] = check;
  return checks;
}

/** The origins whose Open WebUI sends keys itself: their entries get no rule unless told otherwise. */
export function originsSendingKeys(checks: Readonly<VersionChecks>): Set<string> {
  return new Set(Object.keys(checks).filter((origin) => verdictOf(checks[origin]) === "patched"));
}

/** One line for the user: which Open WebUI this is and what that means for ToolKey. */
export function describeVersion(check: VersionCheck): UserText {
  if ("version" in check) {
    switch (verdictOf(check)) {
      case "affected":
        return ["versionAffected", check.version];
      case "patched":
        return ["versionPatched", check.version];
      default:
        return ["versionTooOld", check.version];
    }
  }
  switch (check.unknown) {
    case "network":
      return ["versionNoAnswer"];
    case "status":
      return ["versionStatus", String(check.status)];
    case "notJson":
      return ["versionNotJson"];
    case "notVersion":
      return ["versionNotVersion"];
  }
}
