import { displayLabel } from "../core/display-label.ts";
import { ENTRIES_FILE_NAME, MAX_ENTRIES_FILE_BYTES } from "../core/entries-file-name.ts";
import type { ExportReply, ImportReply } from "../core/messages.ts";
import type { UserText } from "../core/user-text.ts";
import { ask } from "./calls.ts";
import { renderReview, showReview } from "./import-review.ts";
import { say } from "./say.ts";

/**
 * The full tab's Files part (design.md, "Files"): Export entries writes toolkey-entries.json, and
 * Import from a file opens the same review as an import from Open WebUI.
 */

/** What the Files part is drawn from, in the page's state. */
export interface FilesState {
  /** Export was clicked once with "Include keys" ticked: the warning shows, the next click exports keys. */
  exportArmed: boolean;
}

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** Says how an export or the reading of a file went; an error replaces any notice, and the other way round. */
function showOutcome(text: string, error: boolean): void {
  const problem = byId("files-error");
  problem.textContent = error ? text : "";
  problem.hidden = !error;
  byId("files-notice").textContent = error ? "" : text;
}

function drawExport(page: FilesState): void {
  byId("export-warning").hidden = !page.exportArmed;
}

/**
 * Saves the text as toolkey-entries.json through a link to it, which both browsers follow as a
 * download: no `downloads` permission needed.
 */
function download(text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = ENTRIES_FILE_NAME;
  link.hidden = true;
  // Firefox follows only a link that is in the document.
  document.body.append(link);
  link.click();
  link.remove();
  // The download reads the file after the click; a minute is ample, and a closed page frees it anyway.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function onExportClick(page: FilesState): void {
  const includeKeys = byId<HTMLInputElement>("include-keys").checked;
  if (includeKeys && !page.exportArmed) {
    page.exportArmed = true;
    drawExport(page);
    return;
  }
  page.exportArmed = false;
  drawExport(page);
  ask<ExportReply>({ type: "exportEntries", includeKeys })
    .catch((): ExportReply => ({ ok: false, problem: ["noAnswer"] }))
    .then((reply) => {
      if (!reply.ok) {
        showOutcome(say(reply.problem), true);
        return;
      }
      download(reply.text);
      showOutcome(say([includeKeys ? "exportDoneWithKeys" : "exportDone", String(reply.count)]), false);
    });
}

/** Unticking "Include keys" takes the warning back; ticking it again asks again. */
export function onIncludeKeysChange(page: FilesState): void {
  page.exportArmed = false;
  drawExport(page);
}

export function onImportFileClick(): void {
  byId<HTMLInputElement>("import-file-input").click();
}

/** Reads the picked file (its size checked first) and shows the review of its import, or why not. */
export function onFilePicked(input: HTMLInputElement): void {
  const file = input.files?.[0];
  // Picking the same file again after fixing it must fire `change` again.
  input.value = "";
  if (file === undefined) return;
  showReview(false);
  showOutcome("", false);
  const refused = (problem: UserText, detail?: UserText) => showOutcome([problem, ...(detail ? [detail] : [])].map(say).join(" "), true);
  if (file.size > MAX_ENTRIES_FILE_BYTES) {
    refused(["fileTooLarge"]);
    return;
  }
  file.text().then(
    (text) =>
      ask<ImportReply>({ type: "readEntriesFile", text })
        .catch((): ImportReply => ({ ok: false, problem: ["noAnswer"] }))
        .then((reply) => {
          if (reply.ok) renderReview(reply, ["reviewFromFile", displayLabel(file.name)]);
          else refused(reply.problem, reply.detail);
        }),
    () => refused(["fileUnreadable"]),
  );
}
