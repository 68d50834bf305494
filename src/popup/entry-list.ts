import type { EntryView, State } from "../core/messages.ts";
import { describeRow, drawRow, type EntryActions, type RowView, type TestShown, wordsOf } from "./entry-row.ts";
import { markMoment } from "./timing.ts";

/** What the list is drawn from: the page's state (main.ts). */
export interface ListSource {
  readonly state: State;
  readonly revealed: ReadonlyMap<number, string>;
  readonly tests: ReadonlyMap<number, TestShown>;
  /** The filter in lower case: an entry is shown when its row's text contains it. */
  readonly query: string;
}

/** One entry's row: what it was described from, what it says, and its list item once drawn. */
interface Row {
  from: [EntryView, string | undefined, TestShown | undefined];
  view: RowView;
  words: string;
  signature: string;
  node: HTMLLIElement | undefined;
  /** The signature `node` was drawn from. */
  drawn: string | undefined;
}

/** Every entry's row by entry id, drawn or not yet. */
const rows = new Map<number, Row>();

/** The entry's row, described again only when something it is described from came in new. */
function rowOf(entry: EntryView, source: ListSource): Row {
  const from: Row["from"] = [entry, source.revealed.get(entry.id), source.tests.get(entry.id)];
  const row = rows.get(entry.id);
  if (row?.from.every((part, i) => part === from[i])) return row;
  const view = describeRow(...from);
  const described: Row = { from, view, words: wordsOf(view), signature: JSON.stringify(view), node: row?.node, drawn: row?.drawn };
  rows.set(entry.id, described);
  return described;
}

function shows(row: Row, query: string): boolean {
  return row.words.includes(query);
}

/** Hides or shows the row's item; left alone when already so, as restyling 1,000 rows is not free. */
function applyFilter(row: Row, query: string): void {
  const hidden = !shows(row, query);
  if (row.node !== undefined && row.node.hidden !== hidden) row.node.hidden = hidden;
}

/** The ids of the entries the filter shows, drawn or not yet: what "Enable shown" and "Disable shown" act on. */
export function shownEntryIds(source: ListSource): number[] {
  // The organisation's entries are always on: the user switches only their own.
  return source.state.entries.filter((entry) => !entry.managed && shows(rowOf(entry, source), source.query)).map((entry) => entry.id);
}

/** Applies the filter to the rows drawn; the rows still to draw take it when they are drawn. */
export function filterEntries(source: ListSource): void {
  for (const row of rows.values()) applyFilter(row, source.query);
}

/** The `data-control` of the focused element, when it is inside `node`. */
function focusedControlIn(node: HTMLElement): string | undefined {
  const focused = document.activeElement;
  return focused instanceof HTMLElement && node.contains(focused) ? focused.dataset.control : undefined;
}

/** Focuses the row's control of that name, or its first control when it has none of that name (or none is named). */
function focusControl(node: HTMLElement, control?: string): void {
  const named = control === undefined ? null : node.querySelector<HTMLElement>(`[data-control="${control}"]`);
  (named ?? node.querySelector<HTMLElement>("[data-control]"))?.focus();
}

/** The nearest row after `node`, or else before it, that stays. */
function neighbourOf(node: HTMLElement, staying: ReadonlySet<number>): HTMLElement | undefined {
  for (const step of ["nextElementSibling", "previousElementSibling"] as const) {
    for (let at = node[step]; at instanceof HTMLElement; at = at[step]) if (staying.has(Number(at.dataset.entryId))) return at;
  }
  return undefined;
}

/**
 * Takes out the rows of entries no longer there. Focus in a removed row goes to the first control of
 * its neighbour (not the same control: Enter pressed again must not remove a second entry).
 */
function removeGone(entries: readonly EntryView[]): void {
  const staying = new Set(entries.map((entry) => entry.id));
  for (const [id, row] of rows) {
    if (staying.has(id)) continue;
    rows.delete(id);
    if (row.node === undefined) continue;
    const neighbour = focusedControlIn(row.node) === undefined ? undefined : neighbourOf(row.node, staying);
    row.node.remove();
    if (neighbour !== undefined) focusControl(neighbour);
  }
}

/**
 * Puts the row's item right after `previous`: the same node when what it says is unchanged, else a new
 * one, which takes the focus on the same control if the old one had it.
 */
function place(list: HTMLElement, row: Row, previous: Element | undefined, source: ListSource, actions: EntryActions): HTMLLIElement {
  const old = row.node;
  const focused = old === undefined ? undefined : focusedControlIn(old);
  let node = old;
  if (node === undefined || row.drawn !== row.signature) {
    node = drawRow(row.view, actions);
    old?.replaceWith(node);
    row.node = node;
    row.drawn = row.signature;
  } else {
    // A switch the user flipped shows the data again if the background did not take the change.
    const enabled = node.querySelector<HTMLInputElement>('[data-control="enabled"]');
    if (enabled !== null) enabled.checked = row.view.entry.enabled;
  }
  applyFilter(row, source.query);
  const at = previous === undefined ? list.firstElementChild : previous.nextElementSibling;
  if (node !== at) list.insertBefore(node, at);
  if (focused !== undefined && !node.contains(document.activeElement)) focusControl(node, focused);
  return node;
}

/** Rows drawn at once: more than a popup shows. The rest follow in batches, between which input is handled. */
export const FIRST_BATCH = 30;
const LATER_BATCH = 200;
let drawing = 0;
let firstRowMarked = false;

/**
 * Brings the list in line with the source, keyed by entry id: a row whose view is unchanged keeps its
 * node (and so the focus), a changed one is drawn again. The first rows at once, the rest in batches.
 */
export function drawEntries(source: ListSource, actions: EntryActions): void {
  const list = document.getElementById("entries") as HTMLUListElement;
  const { entries } = source.state;
  const run = ++drawing;
  removeGone(entries);
  (document.getElementById("no-entries") as HTMLElement).hidden = entries.length > 0;
  let previous: HTMLLIElement | undefined;
  const drawFrom = (from: number, count: number) => {
    // A newer drawing replaces this one.
    if (run !== drawing) return;
    for (const entry of entries.slice(from, from + count)) previous = place(list, rowOf(entry, source), previous, source, actions);
    if (from + count < entries.length) setTimeout(() => drawFrom(from + count, LATER_BATCH));
    // The whole list is drawn: what the benchmark reports beside the first interactive moment.
    else if (source.state.total === undefined) markMoment("toolkey:list-drawn");
  };
  drawFrom(0, FIRST_BATCH);
  if (entries.length > 0 && !firstRowMarked) {
    firstRowMarked = true;
    // The first row is on screen: what the benchmark compares with a blank popup's first paint.
    markMoment("toolkey:first-row");
  }
}
