import type english from "../../public/_locales/en/messages.json";

/** The name of a message in public/_locales/<language>/messages.json. */
export type MessageName = keyof typeof english;

/**
 * A text for the user, as data: the name of its message and what fills the message's placeholders,
 * in order. The core and the background never build sentences; the page that shows a text looks it
 * up in the browser's language, so no sentence is put together from English fragments.
 */
export type UserText = readonly [MessageName, ...string[]];
