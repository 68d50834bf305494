import { readableUrl } from "../core/idn.ts";
import type { EntryView } from "../core/messages.ts";
import { say } from "./say.ts";

export interface EntryActions {
  setEnabled(entry: EntryView, enabled: boolean): void;
  remove(entry: EntryView): void;
  toggleKey(entry: EntryView): void;
  grantAccess(entry: EntryView): void;
  edit(entry: EntryView): void;
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

/** `url`: the entry's tool-server URL as the user reads it. */
function statusOf(entry: EntryView, url: string, actions: EntryActions): HTMLElement {
  const status = element("p", undefined, "status");
  if (!entry.enabled) {
    status.textContent = say(["disabled"]);
  } else if (!entry.access) {
    status.classList.add("warning");
    const [first = "", second] = entry.missingAccess.map(siteOf);
    status.append(say(second === undefined ? ["needsAccessOne", first] : ["needsAccessTwo", first, second]), " ");
    const grant = element("button", say(["grantAccess"]));
    grant.type = "button";
    grant.setAttribute("aria-label", say(["grantAccessFor", url]));
    grant.addEventListener("click", () => actions.grantAccess(entry));
    status.append(grant);
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

/** One list item: where the key goes, the key masked unless revealed, its state and its controls. */
function renderEntry(entry: EntryView, revealed: string | undefined, actions: EntryActions): HTMLLIElement {
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

  item.append(statusOf(entry, url, actions));

  const controls = element("div", undefined, "controls");
  const enabledLabel = element("label");
  const enabled = element("input");
  enabled.type = "checkbox";
  enabled.checked = entry.enabled;
  enabled.addEventListener("change", () => actions.setEnabled(entry, enabled.checked));
  enabledLabel.append(enabled, " ", say(["enabled"]));
  const edit = element("button", say(["edit"]));
  edit.type = "button";
  edit.setAttribute("aria-label", say(["editFor", url]));
  edit.addEventListener("click", () => actions.edit(entry));
  const remove = element("button", say(["remove"]));
  remove.type = "button";
  remove.setAttribute("aria-label", say(["removeFor", url]));
  remove.addEventListener("click", () => actions.remove(entry));
  controls.append(enabledLabel, edit, remove);
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

export function renderEntries(entries: readonly EntryView[], revealed: ReadonlyMap<number, string>, actions: EntryActions): void {
  const list = document.getElementById("entries") as HTMLUListElement;
  const draw = (from: number, to: number) => entries.slice(from, to).map((entry) => renderEntry(entry, revealed.get(entry.id), actions));
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
