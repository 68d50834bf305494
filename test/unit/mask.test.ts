import { describe, expect, it } from "vitest";
import { maskKey } from "../../src/core/mask.ts";

const DOTS = "••••••••";

describe("maskKey", () => {
  it.each([
    ["", DOTS],
    ["abc", DOTS],
    ["fake-key-0001", DOTS],
    ["fake-key-not-re", DOTS],
    ["fake-key-not-rea", `${DOTS}-rea`],
    ["fake-key-not-real-0001", `${DOTS}0001`],
  ])("%j is shown as %j", (key, masked) => {
    expect(maskKey(key)).toBe(masked);
  });

  it("never shows more than the last 4 characters of a key, whatever its length", () => {
    for (let length = 0; length <= 64; length++) {
      const key = Array.from({ length }, (_, i) => String.fromCharCode(0x41 + (i % 26))).join("");
      const shown = maskKey(key).replaceAll("•", "");
      expect(shown.length).toBeLessThanOrEqual(4);
      expect(key.endsWith(shown)).toBe(true);
      if (length < 16) expect(shown).toBe("");
    }
  });
});
