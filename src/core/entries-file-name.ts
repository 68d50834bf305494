/**
 * What the page needs of the file of entries before the background reads it (entries-file.ts):
 * its name when saved, and the size past which it is refused unread.
 */
export const ENTRIES_FILE_NAME = "toolkey-entries.json";

/** Far above 5,000 entries with keys (about 2 MB). */
export const MAX_ENTRIES_FILE_BYTES = 10 * 1024 * 1024;
