import type { EntryInput } from "../core/entry.ts";
import type { Field, FieldMessages } from "../core/fields.ts";
import type { EntryView } from "../core/messages.ts";
import type { UserText } from "../core/user-text.ts";
import { say } from "./say.ts";

const FIELDS: readonly Field[] = ["openWebUi", "toolServer", "key", "headerName", "scheme"];

function input(id: Field): HTMLInputElement {
  return document.getElementById(id) as HTMLInputElement;
}

function errorElement(id: Field | "form"): HTMLElement {
  return document.getElementById(`${id}-error`) as HTMLElement;
}

export function readForm(): EntryInput {
  return {
    openWebUiAddress: input("openWebUi").value,
    toolServerUrl: input("toolServer").value,
    key: input("key").value,
    headerName: input("headerName").value,
    scheme: input("scheme").value,
  };
}

let prefilled = "";

/** Fills in the Open WebUI address when the popup opened on an http(s) page, and puts the cursor where typing starts. */
export function prefillAddress(origin: string | undefined): void {
  prefilled = origin ?? "";
  if (origin !== undefined && input("openWebUi").value === "") input("openWebUi").value = origin;
  (input("openWebUi").value === "" ? input("openWebUi") : input("toolServer")).focus();
}

export function clearFormMessages(): void {
  for (const id of [...FIELDS, "form" as const]) {
    const element = errorElement(id);
    element.textContent = "";
    element.hidden = true;
    if (id !== "form") input(id).removeAttribute("aria-invalid");
  }
  showNotice("");
}

/** Puts each error beside its field and moves the focus to the first field to fix. */
export function showErrors(errors: FieldMessages & { form?: UserText }): void {
  let first: HTMLInputElement | undefined;
  for (const id of FIELDS) {
    const message = errors[id];
    if (message === undefined) continue;
    const element = errorElement(id);
    element.textContent = say(message);
    element.hidden = false;
    input(id).setAttribute("aria-invalid", "true");
    first ??= input(id);
  }
  if (errors.form !== undefined) {
    errorElement("form").textContent = say(errors.form);
    errorElement("form").hidden = false;
  }
  if (errors.headerName !== undefined || errors.scheme !== undefined) {
    (document.querySelector("details") as HTMLDetailsElement).open = true;
  }
  first?.focus();
}

export function showNotice(text: string): void {
  (document.getElementById("notice") as HTMLElement).textContent = text;
}

/** Puts an entry in the form for editing; its key stays unless a new one is typed. */
export function editEntry(entry: EntryView): void {
  clearFormMessages();
  input("openWebUi").value = entry.openWebUiOrigin;
  input("toolServer").value = entry.toolServerUrl;
  input("key").value = "";
  input("headerName").value = entry.headerName;
  input("scheme").value = entry.scheme;
  showNotice(say(["editing"]));
  input("key").focus();
}

/** Escape: the form as it was when the page opened, nothing saved. */
export function cancelEdit(): void {
  (document.getElementById("entry-form") as HTMLFormElement).reset();
  clearFormMessages();
  prefillAddress(prefilled);
}

/** After a save the address stays for the next tool server; URL and key are cleared. */
export function clearAfterSave(): void {
  input("toolServer").value = "";
  input("key").value = "";
  input("toolServer").focus();
}
