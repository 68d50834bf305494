/**
 * What a failure may print of a header value: every key of a test file replaced by its name
 * (`names`: each key, and what to call it), so that no key reaches the output.
 */
export function keyLabeller(names: Readonly<Record<string, string>>): (value: string | undefined) => string {
  return (value) => {
    if (value === undefined) return "(no header)";
    return Object.entries(names).reduce((text, [key, name]) => text.replaceAll(key, name), value);
  };
}
