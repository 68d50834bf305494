import browser from "webextension-polyfill";
import type { MessageName, UserText } from "../core/user-text.ts";

/** A text in the language the browser picked from ToolKey's _locales. */
export function say(text: UserText): string {
  return browser.i18n.getMessage(text[0], text.slice(1));
}

/** Gives every element marked with data-message its message, and the page the language they are in. */
export function localizePage(): void {
  document.documentElement.lang = say(["lang"]);
  for (const element of document.querySelectorAll<HTMLElement>("[data-message]")) {
    element.textContent = say([element.dataset.message as MessageName]);
  }
}
