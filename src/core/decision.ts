/**
 * The one answer to "does this entry get a rule, and if not, why" (design.md, "Decide once"), from
 * everything that bears on it. Rules are compiled from it, the background sends its reasons to the
 * pages, and the pages draw them: nothing else decides.
 */
import type { Entry } from "./entry.ts";
import { headerValue } from "./headers.ts";
import { coversSameUrls, isManagedId, type ManagedPolicy } from "./managed.ts";
import { type VersionBook, type VersionFailure, verdictOf } from "./open-webui-version.ts";
import { type HeaderRule, missingAccessOf, ruleIdOf } from "./rules.ts";
import type { UserText } from "./user-text.ts";

/** Everything besides the entry itself that decides its rule. */
export interface World {
  /** The open tabs on each http(s) origin, ids ascending (rules.ts, groupTabsByOrigin). */
  tabsByOrigin: ReadonlyMap<string, readonly number[]>;
  /** The host-access patterns held. */
  granted: ReadonlySet<string>;
  versions: Readonly<VersionBook>;
  policy: Pick<ManagedPolicy, "entries" | "allowUserEntries">;
  /** Why a stored entry cannot have a rule (settings.ts, entryProblems), by entry id. */
  problems: ReadonlyMap<number, UserText>;
  /** The browser's refusal of an entry's rule, by entry id. */
  refused: ReadonlyMap<number, string>;
  /** A browser call failed: ToolKey has withdrawn every rule and is retrying. */
  rulesFailed: boolean;
}

/** Why an entry adds no key now, in the order they are asked: the first that holds is the one reason. */
export type Reason =
  /** The stored entry is invalid or a duplicate. */
  | { why: "invalid"; problem: UserText }
  /** A user entry whose URLs an organisation's entry of the same Open WebUI covers: the organisation's wins. */
  | { why: "managedCovers" }
  /** The organisation lets only its own entries apply. */
  | { why: "userEntriesOff" }
  | { why: "disabled" }
  /** Its Open WebUI's version has not been checked yet: no rule may replace a patched Open WebUI's key, even for a moment. */
  | { why: "awaitingVersion" }
  /** Its Open WebUI sends this same header itself. */
  | { why: "standsAside"; version: string }
  | { why: "noAccess"; missing: string[] }
  /** No tab is on its Open WebUI: `tabIds` may not be empty. */
  | { why: "noTab" }
  /** The rule is wanted, but ToolKey has withdrawn all its rules after a failed browser call. */
  | { why: "rulesFailed" }
  /** The rule is wanted, but the browser refused it. */
  | { why: "refused"; error: string };

/** What the entry's Open WebUI version means for it, when there is something to say. */
export type VersionNote =
  /** Open WebUI sends the same header itself, and the entry adds its key anyway (the switch back: Stand aside). */
  | { note: "addingAnyway"; version: string }
  /** Open WebUI sends `Authorization: Bearer` only: this entry's header is needed on every version. */
  | { note: "otherHeader"; version: string; header: string }
  | { note: "tooOld"; version: string }
  /** No version was ever read: the key is added as for 0.6.0. */
  | { note: "unknown"; failure: VersionFailure }
  /** A version is known, and the latest check failed: ToolKey keeps acting on the version known. */
  | { note: "latestCheckFailed"; version: string; readAt: number; failure: VersionFailure };

export interface Decision {
  /** The rule the entry should have; it is in force unless `reason` says otherwise. */
  rule?: HeaderRule;
  /** Why the entry adds no key now; absent when its rule is in force. */
  reason?: Reason;
  versionNotes: VersionNote[];
  /** The entry's stand-aside switch is offered (a user's Bearer entry on a patched Open WebUI). */
  canAddAnyway: boolean;
}

/** Whether Open WebUI 0.6.1 and later send this entry's header themselves: `Authorization: Bearer`. */
function sendsSameHeader(entry: Pick<Entry, "headerName" | "scheme">): boolean {
  return entry.headerName.toLowerCase() === "authorization" && entry.scheme.toLowerCase() === "bearer";
}

/** The header an entry adds, as the user reads it, without its key. */
function headerShown(entry: Pick<Entry, "headerName" | "scheme">): string {
  return `${entry.headerName}: ${entry.scheme === "" ? "" : `${entry.scheme} `}<key>`;
}

export function decide(entry: Entry, world: World): Decision {
  const { awaiting, versionNotes, asideFor, canAddAnyway } = versionPartOf(entry, world.versions);
  const none = (reason: Reason): Decision => ({ reason, versionNotes, canAddAnyway });
  const problem = world.problems.get(entry.id);
  if (problem !== undefined) return { reason: { why: "invalid", problem }, versionNotes: [], canAddAnyway: false };
  const managed = isManagedId(entry.id);
  if (!managed && world.policy.entries.some((other) => coversSameUrls(other, entry))) {
    return { reason: { why: "managedCovers" }, versionNotes: [], canAddAnyway: false };
  }
  if (!managed && !world.policy.allowUserEntries) return none({ why: "userEntriesOff" });
  if (!entry.enabled) return none({ why: "disabled" });
  if (awaiting) return none({ why: "awaitingVersion" });
  if (asideFor !== undefined) return none({ why: "standsAside", version: asideFor });
  const missing = missingAccessOf(entry, world.granted);
  if (missing.length > 0) return none({ why: "noAccess", missing });
  const tabIds = world.tabsByOrigin.get(entry.openWebUiOrigin) ?? [];
  if (tabIds.length === 0) return none({ why: "noTab" });
  const rule = ruleOf(entry, [...tabIds]);
  if (world.rulesFailed) return { rule, reason: { why: "rulesFailed" }, versionNotes, canAddAnyway };
  const error = world.refused.get(entry.id);
  if (error !== undefined) return { rule, reason: { why: "refused", error }, versionNotes, canAddAnyway };
  return { rule, versionNotes, canAddAnyway };
}

/** The part of an entry's decision that its Open WebUI's version knowledge decides. */
export interface VersionPart {
  /** Never checked yet: the entry waits for its first check. */
  awaiting: boolean;
  versionNotes: VersionNote[];
  /** The version it stands aside for, when it does. */
  asideFor?: string;
  canAddAnyway: boolean;
}

/**
 * What the version known means for the entry. Knowledge that gives every entry of an Open WebUI the
 * same part changes no decision (decide reads the versions only through this).
 */
export function versionPartOf(entry: Entry, versions: Readonly<VersionBook>): VersionPart {
  const known = versions[entry.openWebUiOrigin];
  const verdict = verdictOf(known);
  const awaiting = verdict === "unread";
  const notes: VersionNote[] = [];
  let asideFor: string | undefined;
  let canAddAnyway = false;
  if (known?.read !== undefined) {
    const { version, at } = known.read;
    if (verdict === "patched" && sendsSameHeader(entry)) {
      canAddAnyway = !isManagedId(entry.id);
      if (entry.addKeyAnyway) notes.push({ note: "addingAnyway", version });
      else asideFor = version;
    } else if (verdict === "patched") notes.push({ note: "otherHeader", version, header: headerShown(entry) });
    else if (verdict === "tooOld") notes.push({ note: "tooOld", version });
    if (known.failed !== undefined) notes.push({ note: "latestCheckFailed", version, readAt: at, failure: known.failed.failure });
  } else if (known?.failed !== undefined) notes.push({ note: "unknown", failure: known.failed.failure });
  return asideFor === undefined
    ? { awaiting, versionNotes: notes, canAddAnyway }
    : { awaiting, versionNotes: notes, asideFor, canAddAnyway };
}

/**
 * The entry's rule: `urlFilter` pins scheme, host, port and the path prefix at a "/" boundary;
 * `tabIds` pins the tabs exactly on its Open WebUI's origin (never empty: left out, it would match
 * every tab).
 */
function ruleOf(entry: Entry, tabIds: number[]): HeaderRule {
  const prefix = `${entry.toolServerUrl}/`;
  // The condition first and its tabIds first of all: what a tab event changes is what the
  // comparison with the installed rule (rules.ts, matchesWanted) meets first.
  return {
    id: ruleIdOf(entry.id),
    condition: {
      tabIds,
      urlFilter: `|${prefix}`,
      isUrlFilterCaseSensitive: true,
      // Host only: it keeps other hosts' pages out even if a tab id were reused; tabIds pins the origin.
      initiatorDomains: initiatorDomainsOf(entry.openWebUiOrigin),
      resourceTypes: ["xmlhttprequest"],
    },
    // The longer prefix wins where two entries set the same header on one request.
    priority: prefix.length,
    action: {
      type: "modifyHeaders",
      requestHeaders: [{ header: entry.headerName, operation: "set", value: headerValue(entry.scheme, entry.key) }],
    },
  };
}

/** Each Open WebUI's initiatorDomains, worked out once: every rule of its entries lists them. */
const initiatorDomainsOfOrigin = new Map<string, readonly string[]>();

/**
 * The Open WebUI's host as initiatorDomains takes it. A host written with a final dot is listed
 * without it too: Chromium drops that dot from the initiator before it compares, Firefox keeps it
 * (found by the differential test, test/browser/matcher.test.ts).
 */
function initiatorDomainsOf(openWebUiOrigin: string): string[] {
  let domains = initiatorDomainsOfOrigin.get(openWebUiOrigin);
  if (domains === undefined) {
    const host = new URL(openWebUiOrigin).hostname;
    domains = host.endsWith(".") ? [host, host.slice(0, -1)] : [host];
    initiatorDomainsOfOrigin.set(openWebUiOrigin, domains);
  }
  return [...domains];
}

/** The rules wanted for these entries: each one that its decision gives a rule. */
export function compileRules(entries: readonly Entry[], world: World): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const entry of entries) {
    const { rule } = decide(entry, world);
    if (rule !== undefined) rules.push(rule);
  }
  return rules;
}
