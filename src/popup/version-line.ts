import type { VersionReply } from "../core/messages.ts";
import { ask } from "./calls.ts";
import { say } from "./say.ts";
import { latestCheckFailedText } from "./version-text.ts";

let asked = 0;
let shownFor: string | undefined;

/**
 * Says which Open WebUI the address field names and what that means, as soon as an address is
 * there (design.md, "The Open WebUI check runs early"): before a key is typed, the user learns
 * whether ToolKey is needed at all. The line always holds a text and keeps its room (popup.css):
 * leaving the field for a button below it starts a check, and a line appearing then would move
 * the button away from under the pointer between press and release.
 */
function check(field: HTMLInputElement, line: HTMLElement): void {
  const address = field.value.trim();
  if (address === shownFor) return;
  shownFor = address;
  const run = ++asked;
  line.textContent = say([address === "" ? "versionBeforeAddress" : "versionChecking"]);
  if (address === "") return;
  const show = (text: string) => {
    // A newer address replaced this one while its answer was on the way.
    if (run === asked) line.textContent = text;
  };
  ask<VersionReply>({ type: "checkVersion", address }).then(
    (reply) => show(reply.ok ? textOf(reply) : say(["versionBeforeAddress"])),
    () => show(say(["noAnswer"])),
  );
}

/** The check just made; where it failed and a saved Open WebUI's version is known, that version still counts. */
function textOf({ line, stale }: Extract<VersionReply, { ok: true }>): string {
  return stale === undefined ? say(line) : latestCheckFailedText(stale.version, stale.readAt, stale.failure);
}

/** Checks the prefilled address now, and the typed one on every change and when the field is left. */
export function watchOpenWebUiVersion(): void {
  const field = document.getElementById("openWebUi") as HTMLInputElement;
  const line = document.getElementById("openWebUi-version") as HTMLElement;
  const onChange = () => check(field, line);
  field.addEventListener("change", onChange);
  field.addEventListener("blur", onChange);
  onChange();
}
