import type { Command } from "./commands.ts";
import type { ConnectionReport } from "./connection-test.ts";
import { decide, type Reason, type VersionNote, type World } from "./decision.ts";
import type { Entry, EntryInput } from "./entry.ts";
import type { FieldMessages } from "./fields.ts";
import type { ImportInput, ImportReview } from "./import-review.ts";
import { isManagedId, type ManagedProblem } from "./managed.ts";
import { maskKey } from "./mask.ts";
import type { VersionFailure } from "./open-webui-version.ts";
import { isRecord } from "./records.ts";
import { MAX_ENTRIES, missingAccessOf } from "./rules.ts";
import type { UserText } from "./user-text.ts";

/** An entry as pages see it: the key masked, with its decision (decision.ts) to draw. */
export interface EntryView extends Omit<Entry, "key"> {
  maskedKey: string;
  /** The host-access patterns the entry still lacks, for the "Grant access" button. */
  missingAccess: string[];
  /** Why the entry adds no key now; absent when it does, in `activeTabs` Open WebUI tabs. */
  reason?: Reason;
  activeTabs: number;
  versionNotes: VersionNote[];
  /** "Add the key anyway" / "Stand aside" is offered. */
  canAddAnyway: boolean;
  /** Test can run: access to the tool server is held and the entry is valid. */
  canTest: boolean;
  /** Set by the organisation through browser policy: read-only, its key never revealed. */
  managed?: true;
}

export interface State {
  entries: EntryView[];
  /** Set when `entries` holds only the first of this many entries (a first, small answer). */
  total?: number;
  /** Set when the saved settings cannot be trusted; no rule applies until the user resets them. */
  problem?: UserText;
  /**
   * Set while ToolKey cannot apply its rules because a browser call failed: the browser's message,
   * without any key. ToolKey has then removed all its rules and is retrying.
   */
  rulesProblem?: string;
  /** What of the organisation's policy is ignored, and why (none: not in the record). */
  managedProblems?: ManagedProblem[];
  /** Set (false) when the organisation's policy lets no one add entries of their own. */
  allowUserEntries?: false;
}

export type Request =
  /** `first`: only the first entries, for a popup to draw its first screenful before the rest. */
  | { type: "getState"; first?: number }
  | { type: "command"; command: Command }
  | { type: "revealKey"; id: number }
  | { type: "reset" }
  /** Reads the version of the Open WebUI at this address, as typed (the popup's early check). */
  | { type: "checkVersion"; address: string }
  /** Reads the signed-in user's tool servers from this Open WebUI, for the review of an import. */
  | { type: "readOpenWebUi"; address: string }
  /** Tests an entry's tool server and key from the background. */
  | { type: "testEntry"; id: number }
  /** The text of toolkey-entries.json for the user's own entries, with their keys only if asked. */
  | { type: "exportEntries"; includeKeys: boolean }
  /** Reads a file of entries the user picked, for the review of its import. */
  | { type: "readEntriesFile"; text: string };

/** Refused only when the entry no longer exists. */
export type TestReply = { ok: true; report: ConnectionReport } | { ok: false };

/**
 * The review of an import, and what its one button writes. `inputs` hold keys: they stay in the
 * page's memory, are never shown, and come back to the background in the import command.
 */
export type ImportReply =
  /** `origin`: the Open WebUI read from; none for a file, whose entries each name their own. */
  | { ok: true; origin?: string; review: ImportReview; inputs: ImportInput[] }
  /** `detail`: more about the problem (a file's entry: the popup's own message for the field refused). */
  | { ok: false; problem: UserText; detail?: UserText };

/** The file's text and how many entries it holds, or why there is none. */
export type ExportReply = { ok: true; text: string; count: number } | { ok: false; problem: UserText };

/**
 * Refused when the address is not one ToolKey would accept. `line`: what this check found; `stale`:
 * set when it failed for a saved Open WebUI whose version was read before, which still counts.
 */
export type VersionReply =
  | { ok: true; origin: string; line: UserText; stale?: { version: string; readAt: number; failure: VersionFailure } }
  | { ok: false };

export type CommandReply =
  | { ok: true; state: State; notices: FieldMessages; savedId?: number }
  | { ok: false; errors: FieldMessages & { form?: UserText } };

/** Refused only when the entry no longer exists. */
export type RevealReply = { ok: true; key: string } | { ok: false };

/** Sent by the background to every open extension page after each reconcile. */
export interface StateBroadcast {
  type: "state";
  state: State;
}

/** The entries as pages see them, each with its one decision. */
export function describeEntries(entries: readonly Entry[], world: World): EntryView[] {
  return entries.map((whole) => {
    const { key, ...entry } = whole;
    const decision = decide(whole, world);
    const missingAccess = missingAccessOf(whole, world.granted);
    const view: EntryView = {
      ...entry,
      maskedKey: maskKey(key),
      missingAccess,
      activeTabs: decision.reason === undefined ? (decision.rule?.condition.tabIds.length ?? 0) : 0,
      versionNotes: decision.versionNotes,
      canAddAnyway: decision.canAddAnyway,
      canTest: missingAccess.length === 0 && decision.reason?.why !== "invalid",
    };
    if (decision.reason !== undefined) view.reason = decision.reason;
    if (isManagedId(entry.id)) view.managed = true;
    return view;
  });
}

/** Accepts only well-formed requests; anything else is ignored by the background. */
export function isRequest(message: unknown): message is Request {
  if (!isRecord(message)) return false;
  switch (message.type) {
    case "getState":
      return message.first === undefined || (typeof message.first === "number" && Number.isInteger(message.first) && message.first > 0);
    case "reset":
      return true;
    case "revealKey":
    case "testEntry":
      return typeof message.id === "number";
    case "checkVersion":
    case "readOpenWebUi":
      return typeof message.address === "string";
    case "exportEntries":
      return typeof message.includeKeys === "boolean";
    case "readEntriesFile":
      return typeof message.text === "string";
    case "command":
      return isCommand(message.command);
    default:
      return false;
  }
}

function isEntryInput(input: unknown): input is EntryInput {
  if (!isRecord(input)) return false;
  const optionalString = (value: unknown) => value === undefined || typeof value === "string";
  return (
    typeof input.openWebUiAddress === "string" &&
    typeof input.toolServerUrl === "string" &&
    typeof input.key === "string" &&
    optionalString(input.headerName) &&
    optionalString(input.scheme)
  );
}

function isCommand(command: unknown): command is Command {
  if (!isRecord(command)) return false;
  switch (command.type) {
    case "save":
      return isEntryInput(command.input) && (command.editing === undefined || typeof command.editing === "number");
    case "import":
      return (
        Array.isArray(command.inputs) &&
        command.inputs.length <= MAX_ENTRIES &&
        command.inputs.every((input) => isEntryInput(input) && [undefined, true, false].includes((input as ImportInput).enabled))
      );
    case "setEnabled":
      return Array.isArray(command.ids) && command.ids.every((id) => typeof id === "number") && typeof command.enabled === "boolean";
    case "remove":
      return typeof command.id === "number";
    case "setAddKeyAnyway":
      return typeof command.id === "number" && typeof command.addKeyAnyway === "boolean";
    default:
      return false;
  }
}
