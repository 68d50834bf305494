import type { UserText } from "./user-text.ts";

/** The fields a user types into, named as the popup names its inputs. */
export type Field = "openWebUi" | "toolServer" | "key" | "headerName" | "scheme";

/** One message per field: what to fix (errors) or what was changed for the user (notices). */
export type FieldMessages = Partial<Record<Field, UserText>>;

export type Parsed<T> = { ok: true; value: T; notice?: UserText } | { ok: false; error: UserText };
