/**
 * Which source each byte of a built chunk came from, read from the chunk's source map: every byte
 * from one mapped position to the next belongs to the first one's source; bytes no position maps
 * (the bundler's own imports, exports and helpers, newlines) belong to no source. Pure.
 */

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** One line of a source map's `mappings`: each segment's fields, still relative (VLQ deltas). */
function decodeLine(line: string): number[][] {
  const segments: number[][] = [];
  for (const text of line.split(",")) {
    if (text === "") continue;
    const fields: number[] = [];
    let value = 0;
    let shift = 0;
    for (const char of text) {
      const digit = BASE64.indexOf(char);
      if (digit === -1) throw new Error(`not a source map character: ${char}`);
      value += (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
      } else {
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
    }
    segments.push(fields);
  }
  return segments;
}

/** The sources' bytes of `code`, by index into the map's `sources`; `unmapped` is everything else. */
export interface Attribution {
  bySource: Map<number, number>;
  unmapped: number;
}

export function attributeBytes(code: string, mappings: string): Attribution {
  const bySource = new Map<number, number>();
  let unmapped = 0;
  const add = (source: number | undefined, text: string) => {
    const bytes = Buffer.byteLength(text);
    if (source === undefined) unmapped += bytes;
    else bySource.set(source, (bySource.get(source) ?? 0) + bytes);
  };
  const lines = code.split("\n");
  const mapped = mappings.split(";");
  // The newlines themselves.
  unmapped += lines.length - 1;
  let source = 0;
  for (const [index, line] of lines.entries()) {
    let column = 0;
    let from = 0;
    let owner: number | undefined;
    for (const fields of decodeLine(mapped[index] ?? "")) {
      column += fields[0] ?? 0;
      add(owner, line.slice(from, column));
      from = column;
      if (fields.length >= 4) {
        source += fields[1] ?? 0;
        owner = source;
      } else {
        owner = undefined;
      }
    }
    add(owner, line.slice(from));
  }
  return { bySource, unmapped };
}
