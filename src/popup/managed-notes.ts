import type { State } from "../core/messages.ts";
import { say } from "./say.ts";

/**
 * What the organisation's policy means for the page: without room for entries of the user's own,
 * the form gives way to why; what of the policy is ignored is said above the list, with why.
 */
export function drawManagedNotes(state: State): void {
  const form = document.getElementById("entry-form") as HTMLFormElement;
  const off = state.allowUserEntries === false;
  form.hidden = off;
  const notes = noteBox(form);
  const texts = [
    ...(off ? [say(["userEntriesOff"])] : []),
    ...(state.managedProblems ?? []).map(({ at, toolServer, problem }) => {
      if (at === undefined) return say(problem);
      const reason = say(problem);
      return say(
        toolServer === undefined ? ["managedEntryIgnored", String(at), reason] : ["managedEntryIgnoredUrl", String(at), toolServer, reason],
      );
    }),
  ];
  const text = texts.join("\n");
  if (notes.textContent !== text) notes.textContent = text;
  notes.hidden = texts.length === 0;
}

/** The paragraph of notes, made beside the form the first time there is one to say. */
function noteBox(form: HTMLFormElement): HTMLElement {
  let notes = document.getElementById("managed-notes");
  if (notes === null) {
    notes = document.createElement("p");
    notes.id = "managed-notes";
    notes.className = "hint managed-notes";
    notes.setAttribute("role", "status");
    form.before(notes);
  }
  return notes;
}
