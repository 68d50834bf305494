import type { ConnectionReport } from "../core/connection-test.ts";
import type { VersionNote } from "../core/decision.ts";
import { readableUrl } from "../core/idn.ts";
import type { EntryView } from "../core/messages.ts";
import { specText } from "../core/spec-text.ts";
import type { MessageName, UserText } from "../core/user-text.ts";
import { describeUnreadable } from "../core/version-words.ts";
import { element } from "./element.ts";
import { say } from "./say.ts";
import { latestCheckFailedText } from "./version-text.ts";

export interface EntryActions {
  setEnabled(entry: EntryView, enabled: boolean): void;
  remove(entry: EntryView): void;
  toggleKey(entry: EntryView): void;
  grantAccess(entry: EntryView): void;
  edit(entry: EntryView): void;
  setAddKeyAnyway(entry: EntryView, addKeyAnyway: boolean): void;
  test(entry: EntryView): void;
}

/** The last Test of an entry as the page keeps it; "running" while it runs. */
export type TestShown = ConnectionReport | "running";

/** The buttons a line of an entry can end with. */
type LineButton = "grantAccess" | "addKeyAnyway" | "standAside";

/** A line under the key: the entry's state, what its Open WebUI version means, or why it has no rule. */
interface Line {
  text: string;
  warning: boolean;
  button?: LineButton;
}

/**
 * Everything one entry's row says, as data: the row is drawn from it, the filter searches its text,
 * and the list draws a row again only when this changed.
 */
export interface RowView {
  entry: EntryView;
  /** The tool-server URL as the user reads it. */
  url: string;
  origin: string;
  keyPrefix: string;
  /** The key masked, or in full once revealed. */
  key: string;
  revealed: boolean;
  lines: Line[];
  test?: { lines: string[]; warning: boolean };
  /** Test needs a rule's worth of entry: access granted and nothing wrong with it. */
  canTest: boolean;
}

/** "http://host/*" as the site it stands for. */
function siteOf(pattern: string): string {
  return readableUrl(pattern.replace(/\/\*$/, ""));
}

/** The line that says why the entry adds no key now, or where it does. */
function reasonLineOf(entry: EntryView): Line {
  const reason = entry.reason;
  if (reason === undefined) {
    return { text: say(entry.activeTabs === 1 ? ["activeOne"] : ["activeMany", String(entry.activeTabs)]), warning: false };
  }
  switch (reason.why) {
    case "invalid": {
      // A duplicate's or a changed entry's text is already a whole sentence.
      const whole = reason.problem[0] === "entryDuplicate" || reason.problem[0] === "entryChanged";
      return { text: say(whole ? reason.problem : ["entryInvalid", say(reason.problem)]), warning: true };
    }
    case "managedCovers":
      return { text: say(["entryManagedCovers"]), warning: true };
    case "userEntriesOff":
      return { text: say(["userEntriesTurnedOff"]), warning: true };
    case "disabled":
      return { text: say(["disabled"]), warning: false };
    case "awaitingVersion":
      return { text: say(["awaitingVersion"]), warning: false };
    case "standsAside":
      return { text: say(["notNeeded", reason.version]), warning: false, button: "addKeyAnyway" };
    case "noAccess": {
      const [first = "", second] = reason.missing.map(siteOf);
      const text = say(second === undefined ? ["needsAccessOne", first] : ["needsAccessTwo", first, second]);
      return { text, warning: true, button: "grantAccess" };
    }
    case "noTab":
      return { text: say(["ready", readableUrl(entry.openWebUiOrigin)]), warning: false };
    case "rulesFailed":
      return { text: say(["rulesWithdrawn"]), warning: true };
    case "refused":
      return { text: say(["ruleRefused", reason.error]), warning: true };
  }
}

/** What the entry's Open WebUI version means for it. */
function versionLineOf(note: VersionNote): Line {
  switch (note.note) {
    case "addingAnyway":
      return { text: say(["addingAnyway", note.version]), warning: false, button: "standAside" };
    case "otherHeader":
      return { text: say(["addsOtherHeader", note.version, note.header]), warning: false };
    case "tooOld":
      return { text: say(["versionTooOld", note.version]), warning: true };
    case "unknown":
      return { text: say(describeUnreadable(note.failure)), warning: true };
    case "latestCheckFailed":
      return { text: latestCheckFailedText(note.version, note.readAt, note.failure), warning: true };
  }
}

function testOf(test: TestShown | undefined): RowView["test"] {
  if (test === undefined) return undefined;
  if (test === "running") return { lines: [say(["testRunning"])], warning: false };
  const lines = [...(test.spec === undefined ? [] : [specText(test.spec)]), test.verdict, ...test.warnings];
  return { lines: lines.map(say), warning: test.outcome !== "pass" };
}

export function describeRow(entry: EntryView, revealed: string | undefined, test: TestShown | undefined): RowView {
  const lines = [reasonLineOf(entry), ...entry.versionNotes.map(versionLineOf)].map((line) =>
    // The switch between adding the key anyway and standing aside is offered only where the decision says so.
    (line.button === "addKeyAnyway" || line.button === "standAside") && !entry.canAddAnyway
      ? { text: line.text, warning: line.warning }
      : line,
  );
  if (entry.managed) {
    // The organisation's entry is read-only, and its key stays masked.
    lines.unshift({ text: say(["managedBy"]), warning: false });
    if (entry.reason?.why === "noAccess") lines.push({ text: say(["managedNeedsAccess"]), warning: false });
  }
  const shown = entry.managed ? undefined : revealed;
  return {
    entry,
    url: readableUrl(entry.toolServerUrl),
    origin: say(["from", readableUrl(entry.openWebUiOrigin)]),
    keyPrefix: entry.scheme === "" ? `${entry.headerName}: ` : `${entry.headerName}: ${entry.scheme} `,
    key: shown ?? entry.maskedKey,
    revealed: shown !== undefined,
    lines,
    test: testOf(test),
    canTest: entry.canTest,
  };
}

/** The row's text the filter searches, in lower case: what the row says, its buttons aside. */
export function wordsOf(view: RowView): string {
  const lines = [...view.lines.map((line) => line.text), ...(view.test?.lines ?? [])];
  return [view.url, view.origin, view.keyPrefix + view.key, ...lines].join("\n").toLowerCase();
}

/**
 * `control` names the button's place in a row, the same in every row and every drawing of it:
 * the list gives the focus back to it when it draws the row again.
 */
function button(text: UserText, label: UserText, control: string, onClick: () => void): HTMLButtonElement {
  const node = element("button", say(text));
  node.type = "button";
  node.setAttribute("aria-label", say(label));
  node.dataset.control = control;
  node.addEventListener("click", onClick);
  return node;
}

/** A line's button: its text, its accessible name (with the URL), and what it does. */
const LINE_BUTTONS: Record<LineButton, [MessageName, MessageName, (actions: EntryActions, entry: EntryView) => void]> = {
  grantAccess: ["grantAccess", "grantAccessFor", (actions, entry) => actions.grantAccess(entry)],
  // Both are the same switch: the focus stays on it when it flips.
  addKeyAnyway: ["addKeyAnyway", "addKeyAnywayFor", (actions, entry) => actions.setAddKeyAnyway(entry, true)],
  standAside: ["standAside", "standAsideFor", (actions, entry) => actions.setAddKeyAnyway(entry, false)],
};

function drawLine(line: Line, view: RowView, actions: EntryActions): HTMLElement {
  const node = element("p", line.text, line.warning ? "status warning" : "status");
  if (line.button !== undefined) {
    const [text, label, act] = LINE_BUTTONS[line.button];
    const control = line.button === "grantAccess" ? "grantAccess" : "addKeyAnyway";
    node.append(
      " ",
      button([text], [label, view.url], control, () => act(actions, view.entry)),
    );
  }
  return node;
}

function drawTest(test: NonNullable<RowView["test"]>): HTMLElement {
  const box = element("div", undefined, test.warning ? "test-result warning" : "test-result");
  box.setAttribute("role", "status");
  box.append(...test.lines.map((line) => element("p", line)));
  return box;
}

/** One list item: where the key goes, the key masked unless revealed, its state and its controls. */
export function drawRow(view: RowView, actions: EntryActions): HTMLLIElement {
  const { entry, url } = view;
  const item = element("li", undefined, "entry");
  item.dataset.entryId = String(entry.id);

  const keyLine = element("p", undefined, "key-line");
  keyLine.append(view.keyPrefix, element("code", view.key, "key"));
  if (!entry.managed) {
    const [text, label] = view.revealed ? (["hideKey", "hideKeyFor"] as const) : (["showKey", "showKeyFor"] as const);
    const reveal = button([text], [label, url], "key", () => actions.toggleKey(entry));
    reveal.className = "link";
    keyLine.append(" ", reveal);
  }
  item.append(element("p", url, "tool-url"), element("p", view.origin, "origin"), keyLine);
  item.append(...view.lines.map((line) => drawLine(line, view, actions)));
  if (view.test !== undefined) item.append(drawTest(view.test));

  const controls = element("div", undefined, "controls");
  const test = view.canTest ? [button(["test"], ["testFor", url], "test", () => actions.test(entry))] : [];
  if (entry.managed) {
    controls.append(...test);
    item.append(controls);
    return item;
  }
  const enabledLabel = element("label");
  const enabled = element("input");
  enabled.type = "checkbox";
  enabled.checked = entry.enabled;
  enabled.dataset.control = "enabled";
  enabled.addEventListener("change", () => actions.setEnabled(entry, !entry.enabled));
  enabledLabel.append(enabled, " ", say(["enabled"]));
  controls.append(
    enabledLabel,
    ...test,
    button(["edit"], ["editFor", url], "edit", () => actions.edit(entry)),
    button(["remove"], ["removeFor", url], "remove", () => actions.remove(entry)),
  );
  item.append(controls);
  return item;
}
