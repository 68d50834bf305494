import { readableUrl } from "../core/idn.ts";
import type { ImportReply } from "../core/messages.ts";
import { missingPatterns } from "../core/permissions.ts";
import { originPattern, parseOpenWebUiAddress } from "../core/urls.ts";
import { ask, requestAccess } from "./calls.ts";
import { clearFormMessages, readForm, showErrors, showNotice } from "./form.ts";
import { renderReview, showReview } from "./import-review.ts";
import { say } from "./say.ts";

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
      renderReview(reply, ["reviewFrom", readableUrl(reply.origin ?? address)]);
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
