import type { Command } from "./commands.ts";
import type { ConnectionReport } from "./connection-test.ts";
import type { Entry, EntryInput } from "./entry.ts";
import type { FieldMessages } from "./fields.ts";
import type { ImportReview } from "./import-review.ts";
import { maskKey } from "./mask.ts";
import type { VersionCheck, VersionChecks } from "./open-webui-version.ts";
import { isRecord } from "./records.ts";
import { groupTabsByOrigin, MAX_ENTRIES, missingAccessOf, standsAside, type Tab } from "./rules.ts";
import type { UserText } from "./user-text.ts";

/** An entry as pages see it: the key masked, with what the background knows of its state. */
export interface EntryView extends Omit<Entry, "key"> {
  maskedKey: string;
  /** Host access to both the Open WebUI and the tool server is granted. */
  access: boolean;
  /** The host-access patterns the entry still lacks, for the "Grant access" button. */
  missingAccess: string[];
  /** Open WebUI tabs the rule currently applies to (none while ToolKey stands aside). */
  openTabs: number;
  /** Why the browser refused this entry's rule, if it did. */
  error?: string;
}

export interface State {
  entries: EntryView[];
  /** What the last version check found for each saved Open WebUI (none yet: not in the record). */
  versions: VersionChecks;
  /** Set when the saved settings cannot be trusted; no rule applies until the user resets them. */
  problem?: UserText;
}

export type Request =
  | { type: "getState" }
  | { type: "command"; command: Command }
  | { type: "revealKey"; id: number }
  | { type: "reset" }
  /** Reads the version of the Open WebUI at this address, as typed (the popup's early check). */
  | { type: "checkVersion"; address: string }
  /** Reads the signed-in user's tool servers from this Open WebUI, for the review of an import. */
  | { type: "readOpenWebUi"; address: string }
  /** Tests an entry's tool server and key from the background. */
  | { type: "testEntry"; id: number };

/** Refused only when the entry no longer exists. */
export type TestReply = { ok: true; report: ConnectionReport } | { ok: false };

/**
 * The review of an import, and what its one button writes. `inputs` hold keys: they stay in the
 * page's memory, are never shown, and come back to the background in the import command.
 */
export type ImportReply = { ok: true; origin: string; review: ImportReview; inputs: EntryInput[] } | { ok: false; problem: UserText };

/** Refused when the address is not one ToolKey would accept. */
export type VersionReply = { ok: true; origin: string; check: VersionCheck } | { ok: false };

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

export function describeEntries(
  entries: readonly Entry[],
  tabs: readonly Tab[],
  granted: ReadonlySet<string>,
  errors: ReadonlyMap<number, string>,
  sendingKeys: ReadonlySet<string>,
): EntryView[] {
  const byOrigin = groupTabsByOrigin(tabs);
  return entries.map(({ key, ...entry }) => {
    const missingAccess = missingAccessOf(entry, granted);
    const access = missingAccess.length === 0;
    const error = errors.get(entry.id);
    const view: EntryView = {
      ...entry,
      maskedKey: maskKey(key),
      access,
      missingAccess,
      openTabs: entry.enabled && access && !standsAside(entry, sendingKeys) ? (byOrigin.get(entry.openWebUiOrigin)?.length ?? 0) : 0,
    };
    return error === undefined ? view : { ...view, error };
  });
}

/** Accepts only well-formed requests; anything else is ignored by the background. */
export function isRequest(message: unknown): message is Request {
  if (!isRecord(message)) return false;
  switch (message.type) {
    case "getState":
    case "reset":
      return true;
    case "revealKey":
    case "testEntry":
      return typeof message.id === "number";
    case "checkVersion":
    case "readOpenWebUi":
      return typeof message.address === "string";
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
      return isEntryInput(command.input);
    case "import":
      return Array.isArray(command.inputs) && command.inputs.length <= MAX_ENTRIES && command.inputs.every(isEntryInput);
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
