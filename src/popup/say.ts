import browser from "webextension-polyfill";
import type { MessageName, UserText } from "../core/user-text.ts";

/** Texts without substitutions, looked up once: a list of 1,000 entries repeats them on every line. */
const fixed = new Map<MessageName, string>();

/** A text in the language the browser picked from ToolKey's _locales. */
export function say([name, ...substitutions]: UserText): string {
  if (substitutions.length > 0) return browser.i18n.getMessage(name, substitutions);
  const text = fixed.get(name) ?? browser.i18n.getMessage(name);
  fixed.set(name, text);
  return text;
}

/** Gives every element marked with data-message its message, and the page the language they are in. */
export function localizePage(): void {
  document.documentElement.lang = say(["lang"]);
  for (const element of document.querySelectorAll<HTMLElement>("[data-message]")) {
    element.textContent = say([element.dataset.message as MessageName]);
  }
}
