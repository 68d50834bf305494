import { type ConnectionReport, specText } from "../core/connection-test.ts";
import { readableUrl } from "../core/idn.ts";
import type { EntryView } from "../core/messages.ts";
import { describeVersion, type VersionCheck, verdictOf } from "../core/open-webui-version.ts";
import type { MessageName, UserText } from "../core/user-text.ts";
import { element } from "./element.ts";
import { say } from "./say.ts";

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

/** `check`: where Open WebUI sends keys itself, an enabled entry says so in its version line alone. */
function statusOf(entry: EntryView, check: VersionCheck | undefined): Line | undefined {
  if (!entry.enabled) return { text: say(["disabled"]), warning: false };
  if (verdictOf(check) === "patched" && !entry.addKeyAnyway) return undefined;
  if (!entry.access) {
    const [first = "", second] = entry.missingAccess.map(siteOf);
    const text = say(second === undefined ? ["needsAccessOne", first] : ["needsAccessTwo", first, second]);
    return { text, warning: true, button: "grantAccess" };
  }
  if (entry.error !== undefined) return { text: say(["ruleRefused", entry.error]), warning: true };
  if (entry.openTabs === 0) return { text: say(["ready", readableUrl(entry.openWebUiOrigin)]), warning: false };
  return { text: say(entry.openTabs === 1 ? ["activeOne"] : ["activeMany", String(entry.openTabs)]), warning: false };
}

/**
 * What the entry's Open WebUI version means for it, when there is something to say: ToolKey stands
 * aside (or adds the key anyway) where Open WebUI sends it itself; the version could not be read; or
 * the Open WebUI predates tool servers. Nothing for 0.6.0, the case ToolKey is made for.
 */
function versionLineOf(entry: EntryView, check: VersionCheck | undefined): Line | undefined {
  const verdict = verdictOf(check);
  if (check === undefined || verdict === "affected") return undefined;
  if (verdict === "patched" && "version" in check) {
    return entry.addKeyAnyway
      ? { text: say(["addingAnyway", check.version]), warning: false, button: "standAside" }
      : { text: say(["notNeeded", check.version]), warning: false, button: "addKeyAnyway" };
  }
  return { text: say(describeVersion(check)), warning: true };
}

/** Why a stored entry has no rule; a duplicate's or a changed entry's text is already a whole sentence. */
function problemLineOf(problem: UserText): Line {
  const whole = problem[0] === "entryDuplicate" || problem[0] === "entryChanged" || problem[0] === "entryManagedCovers";
  return { text: say(whole ? problem : ["entryInvalid", say(problem)]), warning: true };
}

function testOf(test: TestShown | undefined): RowView["test"] {
  if (test === undefined) return undefined;
  if (test === "running") return { lines: [say(["testRunning"])], warning: false };
  const lines = [...(test.spec === undefined ? [] : [specText(test.spec)]), test.verdict, ...test.warnings];
  return { lines: lines.map(say), warning: test.outcome !== "pass" };
}

export function describeRow(
  entry: EntryView,
  revealed: string | undefined,
  test: TestShown | undefined,
  check: VersionCheck | undefined,
): RowView {
  const lines = entry.problem === undefined ? [statusOf(entry, check), versionLineOf(entry, check)] : [problemLineOf(entry.problem)];
  if (entry.managed) {
    // The organisation's entry is read-only: no switch to add the key anyway, and its key stays masked.
    const version = lines[1];
    if (version !== undefined) lines[1] = { text: version.text, warning: version.warning };
    lines.unshift({ text: say(["managedBy"]), warning: false });
    if (!entry.access) lines.push({ text: say(["managedNeedsAccess"]), warning: false });
  }
  const shown = entry.managed ? undefined : revealed;
  return {
    entry,
    url: readableUrl(entry.toolServerUrl),
    origin: say(["from", readableUrl(entry.openWebUiOrigin)]),
    keyPrefix: entry.scheme === "" ? `${entry.headerName}: ` : `${entry.headerName}: ${entry.scheme} `,
    key: shown ?? entry.maskedKey,
    revealed: shown !== undefined,
    lines: lines.filter((line) => line !== undefined),
    test: testOf(test),
    canTest: entry.access && entry.problem === undefined,
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
