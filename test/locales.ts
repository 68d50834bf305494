/**
 * ToolKey's _locales read the way the browsers read them, for tests that run outside a browser:
 * a message's $NAME$ placeholders take their "content", and "$1".."$9" in a content take the
 * substitutions in order ("$$" is a plain "$").
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { UserText } from "../src/core/user-text.ts";

export const LOCALES_DIR = resolve(import.meta.dirname, "..", "public", "_locales");

export interface Message {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

export type Messages = Record<string, Message>;

export const LANGUAGES = readdirSync(LOCALES_DIR).sort();

export function readMessages(language: string): Messages {
  return JSON.parse(readFileSync(resolve(LOCALES_DIR, language, "messages.json"), "utf8")) as Messages;
}

function fillSubstitutions(content: string, substitutions: readonly string[]): string {
  return content.replace(/\$(\$|[1-9])/g, (_, what: string) => (what === "$" ? "$" : (substitutions[Number(what) - 1] ?? "")));
}

const loaded = new Map<string, Messages>();

/** The text as a browser in `language` shows it; throws on a message that does not exist. */
export function render(language: string, [name, ...substitutions]: UserText): string {
  const messages = loaded.get(language) ?? readMessages(language);
  loaded.set(language, messages);
  const message = messages[name];
  if (message === undefined) throw new Error(`no message ${name} in ${language}`);
  const placeholders = message.placeholders ?? {};
  return message.message.replace(/\$([A-Za-z0-9_@]+)\$|\$\$/g, (whole, placeholder: string | undefined) => {
    if (placeholder === undefined) return "$";
    const content = placeholders[placeholder.toLowerCase()]?.content;
    return content === undefined ? whole : fillSubstitutions(content, substitutions);
  });
}

/** What the user reads in English. */
export function english(text: UserText): string {
  return render("en", text);
}
