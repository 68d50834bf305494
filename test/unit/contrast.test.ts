import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const CSS = readFileSync(resolve(import.meta.dirname, "../../src/popup/popup.css"), "utf8");

/** The custom properties of the first `:root { ... }` block after `from` in the stylesheet. */
function paletteAfter(from: number): Record<string, string> {
  const start = CSS.indexOf(":root {", from);
  const block = CSS.slice(start, CSS.indexOf("}", start));
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/g)].map(([, name, value]) => [name, value]));
}

const PALETTES = {
  light: paletteAfter(0),
  dark: paletteAfter(CSS.indexOf("@media (prefers-color-scheme: dark)")),
};

/** WCAG 2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const channel = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Every text colour the popup draws, on every background it draws it on (popup.css). */
const TEXT_ON_BACKGROUND: [text: string, background: string, where: string][] = [
  ["fg", "bg", "labels, inputs, notices"],
  ["muted", "bg", "hints"],
  ["error", "bg", "messages beside a field"],
  ["accent", "bg", "focus outline"],
  ["accent-fg", "accent", "the Save button"],
  ["fg", "card", "entries and buttons"],
  ["muted", "card", "an entry's Open WebUI line"],
  ["accent", "card", "Show key"],
  ["fg", "warning-bg", "an entry's warning, the settings problem"],
];

describe.each(Object.entries(PALETTES))("the %s palette", (_scheme, palette) => {
  it.each(TEXT_ON_BACKGROUND)("%s on %s (%s) meets WCAG AA: 4.5:1", (text, background) => {
    const [fg, bg] = [palette[text], palette[background]];
    expect(fg, `--${text}`).toMatch(/^#[0-9a-f]{6}$/);
    expect(bg, `--${background}`).toMatch(/^#[0-9a-f]{6}$/);
    expect(contrast(fg as string, bg as string)).toBeGreaterThanOrEqual(4.5);
  });
});
