import type { CommandReply, ImportReply } from "../core/messages.ts";
import { missingPatterns } from "../core/permissions.ts";
import { originPattern, parseOpenWebUiAddress } from "../core/urls.ts";
import { ask, requestAccess } from "./calls.ts";
import { clearFormMessages, readForm, showErrors, showNotice } from "./form.ts";
import { renderReview, showReview, showReviewError } from "./import-review.ts";
import { say } from "./say.ts";

/** The review on screen and what its button writes (with keys: kept here, never drawn). */
let pending: Extract<ImportReply, { ok: true }> | undefined;

function read(address: string): void {
  showNotice(say(["importReading"]));
  ask<ImportReply>({ type: "readOpenWebUi", address })
    .catch((): ImportReply => ({ ok: false, problem: ["noAnswer"] }))
    .then((reply) => {
      showNotice("");
      if (!reply.ok) {
        showErrors({ form: reply.problem });
        return;
      }
      pending = reply;
      renderReview(reply);
    });
}

/**
 * Import from Open WebUI: reads the tool servers of the Open WebUI named in the address field. The
 * request carries that Open WebUI's sign-in cookie only with host access to it, which is asked for
 * here, synchronously in the click, as the browsers require.
 */
export function onImportClick(granted: string[]): void {
  clearFormMessages();
  showReview(false);
  const { openWebUiAddress } = readForm();
  const origin = parseOpenWebUiAddress(openWebUiAddress);
  if (!origin.ok) {
    showErrors({ openWebUi: origin.error });
    return;
  }
  const missing = missingPatterns([originPattern(origin.value)], granted);
  if (missing.length === 0) {
    read(origin.value);
    return;
  }
  requestAccess(missing, granted, (ok) => (ok ? read(origin.value) : showErrors({ form: ["importNeedsAccess", origin.value] })));
}

/** Writes the reviewed import in one command: all of it or, if anything changed meanwhile, none. */
export function onImportConfirm(run: (inputs: ImportReply & { ok: true }) => Promise<CommandReply>): void {
  const reviewed = pending;
  if (reviewed === undefined) return;
  void run(reviewed).then((reply) => {
    if (!reply.ok) {
      showReviewError(reply.errors.form ?? ["importNoLongerValid"]);
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
