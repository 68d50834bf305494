import type { BrowserPort } from "./port.ts";

/**
 * Marks the toolbar button of every tab where ToolKey adds a key, and clears it elsewhere, sending
 * the browser only the marks that change. `marked` is what each tab shows now.
 */
export function markTabs(port: BrowserPort, marked: Map<number, boolean>, tabs: Iterable<number>, active: ReadonlySet<number>): void {
  const open = new Set<number>();
  for (const id of tabs) {
    open.add(id);
    const on = active.has(id);
    // A tab the browser has not been told about shows the plain button.
    if ((marked.get(id) ?? false) === on) continue;
    marked.set(id, on);
    // A tab may close before its mark lands.
    port.markTab(id, on).catch(() => undefined);
  }
  for (const id of marked.keys()) if (!open.has(id)) marked.delete(id);
}
