/**
 * ToolKey's toolbar popup over an Open WebUI tab, and the bare extension's blank popup, each opened
 * with action.openPopup() from a page of its own extension, in turn: to interactive (the form
 * works), to the first row drawn, and to the whole list drawn.
 */
import { JUDGED_ENTRIES } from "../judge/goals.ts";
import { summarise } from "../judge/stats.ts";
import type { BenchBrowser } from "./browsers.ts";
import { seedEntries, waitForRules } from "./rules.ts";
import type { Sites } from "./sites.ts";

const POPUP_REPEATS = 10;
export const POPUP_ENTRIES = [1, 100, JUDGED_ENTRIES];

/** The moments ToolKey's popup marks in its performance timeline (src/popup/timing.ts). */
const MARKS = { interactive: "toolkey:interactive", firstRow: "toolkey:first-row", list: "toolkey:list-drawn" };
/** What the blank popup marks (bare-extension/blank.js). */
const BLANK_INTERACTIVE = "bench:interactive";

/** The extension APIs called here from extension pages (Firefox has the `chrome` namespace too). */
declare const chrome: {
  action: { openPopup(): Promise<void> };
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  extension: { getViews(filter: { type: "popup" }): Window[] };
};

/** Where a moment's time came from: the popup's own mark, or an observer of its list. */
type Source = "mark" | "observed";

interface PopupOpen {
  /** From the openPopup() call to the interactive mark, in ms. */
  interactive: number;
  /** The mark's time from the popup page's own start. */
  interactiveInPage: number;
  /** When the page's scripts had run (DOMContentLoaded ended), from the page's own start. */
  contentLoadedInPage: number;
  firstRow?: number;
  firstRowFrom?: Source;
  listDrawn?: number;
  listDrawnFrom?: Source;
}

interface OpenOptions {
  marks: { interactive: string; firstRow: string; list: string };
  entries: number;
  timeoutMs: number;
}

/**
 * Runs in an extension page: opens that extension's toolbar popup with action.openPopup(), times it
 * on this page's clock (the popup runs in the same process, so the two clocks agree), closes it and
 * waits until it is gone. Where the popup marks when its first row and its whole list were drawn,
 * the marks say; otherwise an observer of the list (which runs as soon as the batch that added the
 * rows ends) says when it held its first row and every entry.
 */
function openPopupTimed(options: OpenOptions): Promise<PopupOpen> {
  const now = () => performance.timeOrigin + performance.now();
  return new Promise((resolve, reject) => {
    const start = now();
    let firstSeenAt: number | undefined;
    let allSeenAt: number | undefined;
    let observing = false;
    chrome.action.openPopup().catch(reject);
    const closed = (result: PopupOpen) => {
      const wait = () => (chrome.extension.getViews({ type: "popup" }).length === 0 ? resolve(result) : setTimeout(wait, 10));
      wait();
    };
    const poll = () => {
      const popup = chrome.extension.getViews({ type: "popup" })[0];
      const list = popup?.document.getElementById("entries");
      if (popup !== undefined && options.entries > 0 && list && !observing) {
        observing = true;
        const check = () => {
          if (firstSeenAt === undefined && list.childElementCount > 0) firstSeenAt = now();
          if (allSeenAt === undefined && list.childElementCount >= options.entries) allSeenAt = now();
        };
        new (popup as Window & typeof globalThis).MutationObserver(check).observe(list, { childList: true });
        check();
      }
      const markAt = (name: string) => popup?.performance.getEntriesByName(name)[0];
      const interactive = markAt(options.marks.interactive);
      const listMark = markAt(options.marks.list);
      const listDone = options.entries === 0 || listMark !== undefined || allSeenAt !== undefined;
      const late = now() - start > options.timeoutMs;
      if (popup !== undefined && interactive !== undefined && (listDone || late)) {
        const origin = popup.performance.timeOrigin;
        const navigation = popup.performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
        const result: PopupOpen = {
          interactive: origin + interactive.startTime - start,
          interactiveInPage: interactive.startTime,
          contentLoadedInPage: navigation?.domContentLoadedEventEnd ?? Number.NaN,
        };
        if (options.entries > 0) {
          const moment = (mark: PerformanceEntry | undefined, seenAt: number | undefined) =>
            mark !== undefined
              ? { at: origin + mark.startTime - start, from: "mark" as const }
              : { at: seenAt === undefined ? Number.NaN : seenAt - start, from: "observed" as const };
          const firstRow = moment(markAt(options.marks.firstRow), firstSeenAt);
          const list = moment(listMark, allSeenAt);
          Object.assign(result, { firstRow: firstRow.at, firstRowFrom: firstRow.from, listDrawn: list.at, listDrawnFrom: list.from });
        }
        popup.close();
        closed(result);
      } else if (late) {
        popup?.close();
        reject(new Error(`the popup did not mark ${options.marks.interactive}`));
      } else {
        setTimeout(poll, 0);
      }
    };
    poll();
  });
}

export async function popupTimes(bench: BenchBrowser, { owuiOrigin, toolsOrigin }: Sites) {
  const results = [];
  for (const count of POPUP_ENTRIES) {
    await seedEntries(bench, count, owuiOrigin, toolsOrigin);
    const tab = await bench.openTab(`${owuiOrigin}/`);
    await waitForRules(bench, count, 1);
    const toolkeyOptions: OpenOptions = { marks: MARKS, entries: count, timeoutMs: 20_000 };
    const blankOptions: OpenOptions = { marks: { interactive: BLANK_INTERACTIVE, firstRow: "", list: "" }, entries: 0, timeoutMs: 20_000 };
    const toolkey: PopupOpen[] = [];
    const blank: PopupOpen[] = [];
    const openToolkey = async () => {
      await tab.bringToFront();
      return bench.inExtension(openPopupTimed, toolkeyOptions);
    };
    const openBlank = async () => {
      await tab.bringToFront();
      return bench.inBare(openPopupTimed, blankOptions);
    };
    // One of each first, unrecorded: the first opening loads what later ones find ready.
    await openToolkey();
    await openBlank();
    for (let r = 0; r < POPUP_REPEATS; r++) {
      if (r % 2 === 0) {
        toolkey.push(await openToolkey());
        blank.push(await openBlank());
      } else {
        blank.push(await openBlank());
        toolkey.push(await openToolkey());
      }
    }
    // What the popup waits for once its scripts run: the background's state, asked for as it asks.
    const stateRoundTrips = await bench.inExtension(async (times) => {
      const spent: number[] = [];
      for (let i = 0; i < times; i++) {
        const start = performance.now();
        await chrome.runtime.sendMessage({ type: "getState" });
        spent.push(performance.now() - start);
      }
      return spent;
    }, POPUP_REPEATS);
    await tab.close();
    const of = (opens: PopupOpen[], pick: (open: PopupOpen) => number | undefined) => opens.map((open) => pick(open) ?? Number.NaN);
    const interactive = summarise(of(toolkey, (open) => open.interactive));
    const blankInteractive = summarise(of(blank, (open) => open.interactive));
    const firstRow = summarise(of(toolkey, (open) => open.firstRow));
    results.push({
      entries: count,
      toolkey: {
        interactive,
        firstRow,
        firstRowFrom: toolkey[0]?.firstRowFrom ?? "observed",
        listDrawn: summarise(of(toolkey, (open) => open.listDrawn)),
        listDrawnFrom: toolkey[0]?.listDrawnFrom ?? "observed",
        interactiveInPage: summarise(of(toolkey, (open) => open.interactiveInPage)),
        contentLoadedInPage: summarise(of(toolkey, (open) => open.contentLoadedInPage)),
        /** A getState message from an extension page of ToolKey's to its answer. */
        stateRoundTrip: summarise(stateRoundTrips),
      },
      blank: {
        interactive: blankInteractive,
        interactiveInPage: summarise(of(blank, (open) => open.interactiveInPage)),
        contentLoadedInPage: summarise(of(blank, (open) => open.contentLoadedInPage)),
      },
      ratio: interactive.median / blankInteractive.median,
      firstRowRatio: firstRow.median / blankInteractive.median,
      /** What the goals are judged from: each opening, ToolKey's and the blank popup's, in turn. */
      samples: {
        interactive: of(toolkey, (open) => open.interactive),
        firstRow: of(toolkey, (open) => open.firstRow),
        blank: of(blank, (open) => open.interactive),
      },
    });
  }
  return results;
}
