import { readableUrl } from "../core/idn.ts";
import type { ImportReview, ReviewedServer } from "../core/import-review.ts";
import type { CommandReply, ImportReply } from "../core/messages.ts";
import { missingPatterns } from "../core/permissions.ts";
import { patternsOf } from "../core/rules.ts";
import type { MessageName, UserText } from "../core/user-text.ts";
import { requestAccess } from "./calls.ts";
import { element } from "./element.ts";
import { showNotice } from "./form.ts";
import { say } from "./say.ts";

type ReviewedImport = Extract<ImportReply, { ok: true }>;

/** The review on screen and what its button writes (with keys: kept here, never drawn). */
let pending: ReviewedImport | undefined;

/**
 * One server of the review: its name (as Open WebUI calls it), its URL, the Open WebUI it serves when
 * the review is of a file (whose entries each name their own), and what is notable.
 */
function serverItem(server: { label: string; toolServerUrl?: string; openWebUiOrigin?: string }, notes: UserText[]): HTMLLIElement {
  const item = element("li", undefined, "review-item");
  item.append(element("p", server.label, "tool-url"));
  const url = server.toolServerUrl === undefined ? undefined : readableUrl(server.toolServerUrl);
  if (url !== undefined && url !== server.label) item.append(element("p", url, "origin"));
  if (pending?.origin === undefined && server.openWebUiOrigin !== undefined) {
    item.append(element("p", say(["from", readableUrl(server.openWebUiOrigin)]), "origin"));
  }
  for (const note of notes) item.append(element("p", say(note), "hint"));
  return item;
}

/** A heading with the group's count and its list, or nothing when the group is empty. */
function group(heading: MessageName, items: HTMLLIElement[]): HTMLElement[] {
  if (items.length === 0) return [];
  const list = element("ul", undefined, "entries");
  list.append(...items);
  return [element("h3", say([heading, String(items.length)])), list];
}

function changeNotes(change: ImportReview["change"][number]): UserText[] {
  const notes: UserText[] = [];
  if (change.keyDiffers) notes.push(["reviewKeyDiffers"]);
  if (change.headerDiffers) notes.push(["reviewHeaderDiffers"]);
  if (!change.enabled) notes.push(["reviewStaysDisabled"]);
  return notes;
}

function addNotes(add: ImportReview["add"][number]): UserText[] {
  const notes: UserText[] = [];
  if (add.waitsForKey) notes.push(["reviewWaitsForKey"]);
  if (add.off) notes.push(["reviewAddedOff"]);
  return notes;
}

/**
 * Draws the review of an import (design.md, "One review for every import"): what will be added,
 * what will change (a different key named as such, never shown) and what is skipped with why, each
 * in the order of its source. The review holds no key; names and URLs from Open WebUI or a file are
 * set as text, never as markup. `from` is the review's first line: where the entries come from;
 * the review's notice, when there is one (servers left unread), comes next, before any list.
 */
export function renderReview(reply: ReviewedImport, from: UserText): void {
  pending = reply;
  const { review } = reply;
  const body = document.getElementById("review-body") as HTMLElement;
  const plain = (server: ReviewedServer) => serverItem(server, []);
  body.replaceChildren(
    element("p", say(from), "hint"),
    ...(review.notice === undefined ? [] : [element("p", say(review.notice), "hint")]),
    ...group(
      "reviewAdd",
      review.add.map((add) => serverItem(add, addNotes(add))),
    ),
    ...group(
      "reviewChange",
      review.change.map((change) => serverItem(change, changeNotes(change))),
    ),
    ...group("reviewUnchanged", review.unchanged.map(plain)),
    ...group(
      "reviewSkipped",
      review.skipped.map((skipped) => serverItem(skipped, [skipped.reason])),
    ),
  );
  const confirm = document.getElementById("import-confirm") as HTMLButtonElement;
  confirm.hidden = review.count === 0;
  confirm.textContent = say(review.count === 1 ? ["importOne"] : ["importMany", String(review.count)]);
  (document.getElementById("review-nothing") as HTMLElement).hidden = review.count > 0;
  (document.getElementById("review-error") as HTMLElement).hidden = true;
  showReview(true);
}

/**
 * Writes the reviewed import in one command: all of it or, if anything changed meanwhile, none.
 * Host access the new entries lack is asked for in the same click, as Save does; an entry without
 * it is kept waiting for access.
 */
export function onImportConfirm(run: (reviewed: ReviewedImport) => Promise<CommandReply>, granted: string[]): void {
  const reviewed = pending;
  if (reviewed === undefined) return;
  const reply = run(reviewed);
  const wanted = [...reviewed.review.add, ...reviewed.review.change].flatMap(patternsOf);
  const missing = missingPatterns([...new Set(wanted)], granted);
  if (missing.length > 0) requestAccess(missing, granted);
  void reply.then((shown) => {
    if (!shown.ok) {
      showReviewError(shown.errors.form ?? ["importNoLongerValid"]);
      return;
    }
    pending = undefined;
    showReview(false);
    const count = reviewed.review.count;
    showNotice(say(count === 1 ? ["importDoneOne"] : ["importDoneMany", String(count)]));
  });
}

export function onImportCancel(): void {
  pending = undefined;
  showReview(false);
}

export function showReview(shown: boolean): void {
  (document.getElementById("review") as HTMLElement).hidden = !shown;
  if (shown) (document.getElementById("review-heading") as HTMLElement).focus();
}

function showReviewError(text: UserText): void {
  const error = document.getElementById("review-error") as HTMLElement;
  error.textContent = say(text);
  error.hidden = false;
}
