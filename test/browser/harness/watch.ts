import type { BrowserTab, ExtensionBrowser } from "./driver.ts";
import type { SiteTab } from "./pages.ts";

/**
 * Watching a moment from inside the browser rather than by round trips from the test: the Open
 * WebUI tab making tool calls back to back, and an extension page reading the session rules back
 * to back, each until told to stop. What a round trip from the test would sample once, these see
 * as often as the browser lets them.
 */

/** A session rule reduced to what decides which key reaches which server. */
export interface WatchedRule {
  id: number;
  urlFilter: string | null;
  tabIds: number[];
  /** Each header the rule sets, as "Name: value" (the value holds a key: label it before printing). */
  headers: string[];
}

/** The session rules as one moment of the watch saw them. */
export type RuleState = WatchedRule[];

/** What a watch of the session rules saw: each distinct state in order, and how many reads it made. */
export interface RuleWatch {
  states: RuleState[];
  reads: number;
}

/** The extension page's global where the watch keeps what it saw. */
const RULES = "toolkeyTestRuleWatch";

/**
 * Starts reading the session rules back to back from the test's extension page (one read as soon as
 * the last answered), keeping each state that differs from the one before. `stop()` ends it and
 * returns what it saw. Reading rules neither wakes nor keeps alive ToolKey's background.
 */
export async function watchSessionRules(browser: ExtensionBrowser): Promise<{ stop(): Promise<RuleWatch> }> {
  await browser.evaluateInExtension(`(() => {
    const watch = { stop: false, states: [], reads: 0 };
    window.${RULES} = watch;
    let last = "";
    watch.done = (async () => {
      while (!watch.stop) {
        const rules = await chrome.declarativeNetRequest.getSessionRules();
        const state = rules
          .map((rule) => ({
            id: rule.id,
            urlFilter: rule.condition.urlFilter ?? null,
            tabIds: [...(rule.condition.tabIds ?? [])].sort((a, b) => a - b),
            headers: (rule.action.requestHeaders ?? []).map((header) => header.header + ": " + (header.value ?? "")),
          }))
          .sort((a, b) => a.id - b.id);
        const text = JSON.stringify(state);
        watch.reads += 1;
        if (text !== last) {
          watch.states.push(state);
          last = text;
        }
      }
    })();
    return true;
  })()`);
  return {
    stop: async () =>
      (await browser.evaluateInExtension(`(async () => {
        const watch = window.${RULES};
        watch.stop = true;
        await watch.done;
        return { states: watch.states, reads: watch.reads };
      })()`)) as RuleWatch,
  };
}

/** The page's global where the loop of tool calls keeps its state. */
interface CallLoop {
  stop: boolean;
  made: number;
  done: Promise<void>;
}

/** Runs in the Open WebUI page: tool calls back to back, each as the page's own callTool makes it. */
function startCallLoop({ url, path, key }: { url: string; path: string; key: string | null }): void {
  const scope = window as unknown as {
    toolkeyTestCalls?: CallLoop;
    owui: { callTool(url: string, path: string, params: unknown, key?: string): Promise<unknown> };
  };
  const loop: CallLoop = { stop: false, made: 0, done: Promise.resolve() };
  scope.toolkeyTestCalls = loop;
  loop.done = (async () => {
    while (!loop.stop) {
      await scope.owui.callTool(url, path, undefined, key ?? undefined);
      loop.made += 1;
    }
  })();
}

/** Runs in the Open WebUI page: ends the loop and says how many calls it made. */
async function stopCallLoop(): Promise<number> {
  const loop = (window as unknown as { toolkeyTestCalls: CallLoop }).toolkeyTestCalls;
  loop.stop = true;
  await loop.done;
  return loop.made;
}

/**
 * Starts tool calls from the page of `tab` to `toolServerUrl` + `path`, back to back, each with
 * `authorization: Bearer <pageKey>` when a page key is given (as Open WebUI 0.6.1 and later send it).
 * `stop()` ends the loop and returns how many calls it made; a load of the page ends it too
 * (start another after the load).
 */
export async function loopToolCalls(
  tab: BrowserTab,
  toolServerUrl: string,
  path: string,
  pageKey?: string,
): Promise<{ stop(): Promise<number> }> {
  const page = (tab as SiteTab).page;
  await page.run(startCallLoop, { url: toolServerUrl, path, key: pageKey ?? null });
  return { stop: () => page.run(stopCallLoop, null) };
}
