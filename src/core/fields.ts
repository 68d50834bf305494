/** The fields a user types into, named as the popup names its inputs. */
export type Field = "openWebUi" | "toolServer" | "key" | "headerName" | "scheme";

/** One message per field: what to fix (errors) or what was changed for the user (notices). */
export type FieldMessages = Partial<Record<Field, string>>;

export type Parsed<T> = { ok: true; value: T; notice?: string } | { ok: false; error: string };
