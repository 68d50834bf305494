import { type ConnectionReport, specText } from "../core/connection-test.ts";
import { readableUrl } from "../core/idn.ts";
import type { EntryView } from "../core/messages.ts";
import { describeVersion, type VersionCheck, type VersionChecks, verdictOf } from "../core/open-webui-version.ts";
import type { UserText } from "../core/user-text.ts";
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

/** What the page knows of an entry beyond the background's view: a revealed key, a Test's outcome. */
export interface EntryExtras {
  revealed: ReadonlyMap<number, string>;
  /** The last Test of each entry; "running" while it runs. */
  tests: ReadonlyMap<number, ConnectionReport | "running">;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

/** "http://host/*" as the site it stands for. */
function siteOf(pattern: string): string {
  return readableUrl(pattern.replace(/\/\*$/, ""));
}

function button(text: UserText, label: UserText, onClick: () => void): HTMLButtonElement {
  const node = element("button", say(text));
  node.type = "button";
  node.setAttribute("aria-label", say(label));
  node.addEventListener("click", onClick);
  return node;
}

/**
 * What the entry's Open WebUI version means for it, when there is something to say: ToolKey stands
 * aside (or adds the key anyway) where Open WebUI sends it itself; the version could not be read; or
 * the Open WebUI predates tool servers. Nothing for 0.6.0, the case ToolKey is made for.
 */
function versionNoteOf(entry: EntryView, check: VersionCheck | undefined, url: string, actions: EntryActions): HTMLElement | undefined {
  const verdict = verdictOf(check);
  if (check === undefined || verdict === "affected") return undefined;
  const note = element("p", undefined, "status");
  if (verdict === "patched" && "version" in check) {
    note.append(
      say(entry.addKeyAnyway ? ["addingAnyway", check.version] : ["notNeeded", check.version]),
      " ",
      entry.addKeyAnyway
        ? button(["standAside"], ["standAsideFor", url], () => actions.setAddKeyAnyway(entry, false))
        : button(["addKeyAnyway"], ["addKeyAnywayFor", url], () => actions.setAddKeyAnyway(entry, true)),
    );
  } else {
    note.classList.add("warning");
    note.textContent = say(describeVersion(check));
  }
  return note;
}

/** `url`: the entry's tool-server URL as the user reads it. */
function statusOf(entry: EntryView, url: string, actions: EntryActions, standingAside: boolean): HTMLElement | undefined {
  if (standingAside && entry.enabled) return undefined;
  const status = element("p", undefined, "status");
  if (!entry.enabled) {
    status.textContent = say(["disabled"]);
  } else if (!entry.access) {
    status.classList.add("warning");
    const [first = "", second] = entry.missingAccess.map(siteOf);
    status.append(say(second === undefined ? ["needsAccessOne", first] : ["needsAccessTwo", first, second]), " ");
    status.append(button(["grantAccess"], ["grantAccessFor", url], () => actions.grantAccess(entry)));
  } else if (entry.error !== undefined) {
    status.classList.add("warning");
    status.textContent = say(["ruleRefused", entry.error]);
  } else if (entry.openTabs === 0) {
    status.textContent = say(["ready", readableUrl(entry.openWebUiOrigin)]);
  } else {
    status.textContent = say(entry.openTabs === 1 ? ["activeOne"] : ["activeMany", String(entry.openTabs)]);
  }
  return status;
}

/** What the entry's last Test found: the spec, the verdict on the key, and any warning. */
function testLinesOf(test: ConnectionReport | "running" | undefined): HTMLElement | undefined {
  if (test === undefined) return undefined;
  const box = element("div", undefined, "test-result");
  box.setAttribute("role", "status");
  if (test === "running") {
    box.textContent = say(["testRunning"]);
    return box;
  }
  if (test.outcome !== "pass") box.classList.add("warning");
  const lines = [...(test.spec === undefined ? [] : [specText(test.spec)]), test.verdict, ...test.warnings];
  box.append(...lines.map((line) => element("p", say(line))));
  return box;
}

/** One list item: where the key goes, the key masked unless revealed, its state and its controls. */
function renderEntry(entry: EntryView, extras: EntryExtras, check: VersionCheck | undefined, actions: EntryActions): HTMLLIElement {
  const revealed = extras.revealed.get(entry.id);
  const item = element("li", undefined, "entry");
  item.dataset.entryId = String(entry.id);

  const url = readableUrl(entry.toolServerUrl);
  item.append(element("p", url, "tool-url"));
  item.append(element("p", say(["from", readableUrl(entry.openWebUiOrigin)]), "origin"));

  const keyLine = element("p", undefined, "key-line");
  const prefix = entry.scheme === "" ? `${entry.headerName}: ` : `${entry.headerName}: ${entry.scheme} `;
  keyLine.append(prefix, element("code", revealed ?? entry.maskedKey, "key"));
  const hidden = revealed === undefined;
  const reveal = element("button", say([hidden ? "showKey" : "hideKey"]), "link");
  reveal.type = "button";
  reveal.setAttribute("aria-label", say([hidden ? "showKeyFor" : "hideKeyFor", url]));
  reveal.addEventListener("click", () => actions.toggleKey(entry));
  keyLine.append(" ", reveal);
  item.append(keyLine);

  const versionNote = versionNoteOf(entry, check, url, actions);
  const status = statusOf(entry, url, actions, verdictOf(check) === "patched" && !entry.addKeyAnyway);
  for (const line of [status, versionNote, testLinesOf(extras.tests.get(entry.id))]) if (line !== undefined) item.append(line);

  const controls = element("div", undefined, "controls");
  const enabledLabel = element("label");
  const enabled = element("input");
  enabled.type = "checkbox";
  enabled.checked = entry.enabled;
  enabled.addEventListener("change", () => actions.setEnabled(entry, enabled.checked));
  enabledLabel.append(enabled, " ", say(["enabled"]));
  controls.append(
    enabledLabel,
    ...(entry.access ? [button(["test"], ["testFor", url], () => actions.test(entry))] : []),
    button(["edit"], ["editFor", url], () => actions.edit(entry)),
    button(["remove"], ["removeFor", url], () => actions.remove(entry)),
  );
  item.append(controls);
  showIfMatching(item);
  return item;
}

let query = "";

function showIfMatching(item: HTMLElement): void {
  item.hidden = !(item.textContent ?? "").toLowerCase().includes(query);
}

/** Shows only the entries whose text contains `text`, in any case; empty shows them all. */
export function filterEntries(text: string): void {
  query = text.trim().toLowerCase();
  for (const item of document.querySelectorAll<HTMLElement>("li.entry")) showIfMatching(item);
}

/** The ids of the entries the filter leaves shown. */
export function shownEntryIds(): number[] {
  return [...document.querySelectorAll<HTMLElement>("li.entry:not([hidden])")].map((item) => Number(item.dataset.entryId));
}

/** Entries drawn at once: more than a popup shows. The rest follow in batches, between which input is handled. */
const FIRST_BATCH = 30;
const LATER_BATCH = 200;
let drawing = 0;

export function renderEntries(entries: readonly EntryView[], versions: VersionChecks, extras: EntryExtras, actions: EntryActions): void {
  const list = document.getElementById("entries") as HTMLUListElement;
  const draw = (from: number, to: number) =>
    entries.slice(from, to).map((entry) => renderEntry(entry, extras, versions[entry.openWebUiOrigin], actions));
  const run = ++drawing;
  list.replaceChildren(...draw(0, FIRST_BATCH));
  (document.getElementById("no-entries") as HTMLElement).hidden = entries.length > 0;
  const drawFrom = (from: number) => {
    // A newer render replaces this one.
    if (run !== drawing || from >= entries.length) return;
    list.append(...draw(from, from + LATER_BATCH));
    setTimeout(() => drawFrom(from + LATER_BATCH));
  };
  setTimeout(() => drawFrom(FIRST_BATCH));
}
