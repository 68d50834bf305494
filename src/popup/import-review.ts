import { readableUrl } from "../core/idn.ts";
import type { ImportReview, ReviewedServer } from "../core/import-review.ts";
import type { ImportReply } from "../core/messages.ts";
import type { MessageName, UserText } from "../core/user-text.ts";
import { say } from "./say.ts";

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

/** One server of the review: its name (as Open WebUI calls it), its URL, and what is notable. */
function serverItem(server: { label: string; toolServerUrl?: string }, notes: UserText[]): HTMLLIElement {
  const item = element("li", undefined, "review-item");
  item.append(element("p", server.label, "tool-url"));
  const url = server.toolServerUrl === undefined ? undefined : readableUrl(server.toolServerUrl);
  if (url !== undefined && url !== server.label) item.append(element("p", url, "origin"));
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

/**
 * Draws the review of an import (design.md, "One review for every import"): what will be added,
 * what will change (a different key named as such, never shown) and what is skipped with why. The
 * review holds no key; names and URLs from Open WebUI are set as text, never as markup.
 */
export function renderReview(reply: Extract<ImportReply, { ok: true }>): void {
  const { review } = reply;
  const body = document.getElementById("review-body") as HTMLElement;
  const plain = (server: ReviewedServer) => serverItem(server, []);
  body.replaceChildren(
    element("p", say(["reviewFrom", readableUrl(reply.origin)]), "hint"),
    ...group("reviewAdd", review.add.map(plain)),
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

export function showReview(shown: boolean): void {
  (document.getElementById("review") as HTMLElement).hidden = !shown;
  if (shown) (document.getElementById("review-heading") as HTMLElement).focus();
}

export function showReviewError(text: UserText): void {
  const error = document.getElementById("review-error") as HTMLElement;
  error.textContent = say(text);
  error.hidden = false;
}
