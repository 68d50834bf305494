import { isRecord } from "./records.ts";
import type { UserText } from "./user-text.ts";
import { describeUnreadable } from "./version-words.ts";

/**
 * What one `GET <origin>/api/version` told ToolKey about an Open WebUI: its version, or why none
 * could be read.
 */
export type VersionCheck = { version: string } | VersionFailure;

export type VersionFailure =
  | { unknown: "network" }
  | { unknown: "status"; status: number }
  /** Not JSON, or a redirect (a sign-in page): not Open WebUI's answer. */
  | { unknown: "notJson" }
  | { unknown: "notVersion" };

/**
 * Everything ToolKey knows of one Open WebUI's version, kept per origin in storage (design.md,
 * "Version knowledge survives failures"): the last version read and when, and the latest check's
 * failure while the latest check failed. A failure never erases a version read before it.
 */
export interface VersionKnowledge {
  /** `at`: milliseconds since the epoch; 0 when kept by a ToolKey that did not note the time. */
  read?: { version: string; at: number };
  failed?: { failure: VersionFailure; at: number };
}

/** The version knowledge of every Open WebUI an entry names, by origin. No record: never checked. */
export type VersionBook = Record<string, VersionKnowledge>;

/** What a version means for ToolKey (design.md, "Stand aside only where Open WebUI sends the same thing itself"). */
export type Verdict =
  /** 0.6.0: forgets the key on tool calls. */
  | "affected"
  /** 0.6.1 and later send `Authorization: Bearer <key>` themselves. */
  | "patched"
  /** Before 0.6.0 Open WebUI had no tool servers. */
  | "tooOld"
  /** Checked, and no version could ever be read: ToolKey acts as for 0.6.0. */
  | "unknown"
  /** Never checked yet: a new entry waits for the check before it gets a rule. */
  | "unread";

/** Open WebUI's versions are three numbers; a suffix (a development build) is allowed and ignored. */
const VERSION = /^(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:[-+.][0-9A-Za-z.+-]{0,40})?$/;

/** A version reply is a few dozen bytes; anything much longer is not one, and is not parsed. */
export const MAX_VERSION_REPLY_BYTES = 4096;

/** Reads the reply of `/api/version`; `undefined` means no reply arrived at all. */
export function readVersionReply(reply: { status: number; body: string } | undefined): VersionCheck {
  if (reply === undefined) return { unknown: "network" };
  if (reply.status < 200 || reply.status > 299) return { unknown: "status", status: reply.status };
  if (reply.body.length > MAX_VERSION_REPLY_BYTES) return { unknown: "notVersion" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body);
  } catch {
    return { unknown: "notJson" };
  }
  const version = isRecord(parsed) ? parsed.version : undefined;
  return typeof version === "string" && VERSION.test(version) ? { version } : { unknown: "notVersion" };
}

/** What ToolKey knows after a check made at `at`: a version replaces everything, a failure keeps the version. */
export function learn(known: VersionKnowledge | undefined, check: VersionCheck, at: number): VersionKnowledge {
  if ("version" in check) return { read: { version: check.version, at } };
  return known?.read === undefined ? { failed: { failure: check, at } } : { read: known.read, failed: { failure: check, at } };
}

export function verdictOf(known: VersionKnowledge | undefined): Verdict {
  if (known === undefined) return "unread";
  return known.read === undefined ? "unknown" : verdictOfVersion(known.read.version);
}

function verdictOfVersion(version: string): "affected" | "patched" | "tooOld" {
  const [major = 0, minor = 0, patch = 0] = (VERSION.exec(version) ?? []).slice(1).map(Number);
  // Compared with 0.6.0, number by number.
  const order = major !== 0 ? major : minor !== 6 ? minor - 6 : patch;
  return order < 0 ? "tooOld" : order === 0 ? "affected" : "patched";
}

function isFailure(value: unknown): value is VersionFailure {
  if (!isRecord(value)) return false;
  switch (value.unknown) {
    case "network":
    case "notJson":
    case "notVersion":
      return Object.keys(value).length === 1;
    case "status":
      return Number.isInteger(value.status) && Object.keys(value).length === 2;
    default:
      return false;
  }
}

const isTime = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

/**
 * One origin's knowledge as storage holds it. ToolKey before this kept only the latest check
 * (`{ version }` or `{ unknown }`), read here as a version or a failure of unknown time.
 */
function parseKnowledge(stored: unknown): VersionKnowledge | undefined {
  if (!isRecord(stored)) return undefined;
  if (typeof stored.version === "string") return VERSION.test(stored.version) ? { read: { version: stored.version, at: 0 } } : undefined;
  if (isFailure(stored)) return { failed: { failure: stored, at: 0 } };
  const known: VersionKnowledge = {};
  const { read, failed } = stored;
  if (isRecord(read) && typeof read.version === "string" && VERSION.test(read.version) && isTime(read.at)) {
    known.read = { version: read.version, at: read.at };
  }
  if (isRecord(failed) && isFailure(failed.failure) && isTime(failed.at)) known.failed = { failure: failed.failure, at: failed.at };
  return known.read === undefined && known.failed === undefined ? undefined : known;
}

/** The version book as storage holds it; an unreadable record is dropped (that origin is checked again). */
export function parseVersionBook(stored: unknown): VersionBook {
  const book: VersionBook = {};
  if (!isRecord(stored)) return book;
  for (const [origin, record] of Object.entries(stored)) {
    const known = parseKnowledge(record);
    if (known !== undefined) book[origin] = known;
  }
  return book;
}

/** One line for the user about one check: which Open WebUI this is and what that means for ToolKey. */
export function describeVersion(check: VersionCheck): UserText {
  if (!("version" in check)) return describeUnreadable(check);
  switch (verdictOfVersion(check.version)) {
    case "affected":
      return ["versionAffected", check.version];
    case "patched":
      return ["versionPatched", check.version];
    default:
      return ["versionTooOld", check.version];
  }
}
