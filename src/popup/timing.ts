/**
 * Marks a moment in the page's performance timeline, for the benchmark. A popup closed meanwhile
 * has no timeline left (Firefox throws "Global object is unavailable"): the mark is then skipped.
 */
export function markMoment(name: string): void {
  try {
    performance.mark(name);
  } catch {
    // The page is gone; nobody is left to read the mark.
  }
}
