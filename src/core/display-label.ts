/** A label never grows past this many characters: enough for a long URL, not enough to flood the review. */
export const MAX_LABEL_LENGTH = 120;

/** What a value from outside shows as inside a message ("an unknown kind: x"). */
export const MAX_QUOTED_LENGTH = 40;

/** Characters that would hide or reorder what is shown: controls and bidirectional overrides. */
const HIDDEN_CHARACTERS = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text from outside (an answer, a file's name) made fit to show: hidden characters removed, white
 * space collapsed, at most `max` characters. Each secret is replaced where it occurs, so that a key
 * typed into a name or a URL never reaches the screen.
 */
export function displayLabel(text: string, secrets: readonly string[] = [], max = MAX_LABEL_LENGTH): string {
  let redacted = text;
  for (const secret of secrets) if (secret !== "") redacted = redacted.replaceAll(secret, "•••");
  const plain = redacted.replace(HIDDEN_CHARACTERS, " ").replace(/\s+/gu, " ").trim();
  const characters = Array.from(plain);
  return characters.length <= max ? plain : `${characters.slice(0, max - 1).join("")}…`;
}
