import { applyCommand, type Command } from "../core/commands.ts";
import { parseManagedPolicy } from "../core/managed.ts";
import { type CommandReply, describeEntries, type State } from "../core/messages.ts";
import { originsSendingKeys, type VersionCheck } from "../core/open-webui-version.ts";
import { compileRules, type HeaderRule, isOwnedRuleId } from "../core/rules.ts";
import { emptySettings, type Settings } from "../core/settings.ts";
import { httpOriginOf } from "../core/urls.ts";
import { applyRules, describeError } from "./apply-rules.ts";
import { markTabs } from "./badge.ts";
import {
  entriesOf,
  grantedPatterns,
  loadMemory,
  type Memory,
  tabList,
  tabMap,
  takeManaged,
  takeSettings,
  userEntriesOf,
} from "./memory.ts";
import type { BrowserPort } from "./port.ts";
import { createSerialQueue } from "./queue.ts";

export const RECONCILE_MEASURE = "toolkey:reconcile";

/** The first retry after a failed reconcile, doubled each time up to the last. */
const RETRY_FIRST_MS = 1000;
const RETRY_LAST_MS = 60_000;

export type Engine = ReturnType<typeof createEngine>;

/**
 * The background's one writer: it holds the memory, takes the browser's events and the pages'
 * commands one at a time, and after each runs the one reconcile, which sends the browser only the
 * rules that change (design.md, "Reconcile, don't patch"). An event that changes no rule costs no
 * browser call. A failed browser call fails closed: every ToolKey rule is removed, the problem is
 * kept for the popup, and the reconcile is tried again with a growing delay.
 */
export function createEngine(port: BrowserPort) {
  const serial = createSerialQueue();
  let memory: Memory | undefined;
  /** What each tab's toolbar button shows now. */
  const marked = new Map<number, boolean>();
  /** The pages have not been told the latest state. */
  let unsaid = true;
  let failures = 0;
  let retrying = false;

  function desiredRules(m: Memory): HeaderRule[] {
    const usable = entriesOf(m).filter((entry) => !m.problems.has(entry.id));
    return compileRules(usable, tabList(m), m.granted, originsSendingKeys(m.versions));
  }

  function stateOf(m: Memory): State {
    const entries = describeEntries(entriesOf(m), {
      tabs: tabList(m),
      granted: m.granted,
      errors: m.errors,
      sendingKeys: originsSendingKeys(m.versions),
      problems: m.problems,
    });
    const state: State = { entries, versions: m.versions };
    if (!m.loaded.ok) state.problem = m.loaded.problem;
    if (m.managed.problems.length > 0) state.managedProblems = m.managed.problems;
    if (!m.managed.allowUserEntries) state.allowUserEntries = false;
    if (m.rulesProblem !== undefined) {
      state.rulesProblem = m.rulesProblem;
      // No rule is in force: no entry is active in any tab.
      for (const entry of entries) entry.openTabs = 0;
    }
    return state;
  }

  function retryLater(): void {
    if (retrying) return;
    retrying = true;
    const delay = Math.min(RETRY_LAST_MS, RETRY_FIRST_MS * 2 ** failures);
    failures++;
    port.later(() => {
      retrying = false;
      handle(() => true);
    }, delay);
  }

  /** A browser call failed: no rule of ToolKey's may stay in force, since some may be stale. */
  async function failClosed(m: Memory, error: unknown): Promise<void> {
    m.rulesProblem = describeError(error, entriesOf(m));
    m.installed = undefined;
    unsaid = true;
    try {
      const owned = (await port.sessionRules()).map((rule) => rule.id).filter(isOwnedRuleId);
      if (owned.length > 0) await port.updateSessionRules({ removeRuleIds: owned, addRules: [] });
      m.installed = new Map();
    } catch {
      // Still unknown: the retry reads them again.
    }
    retryLater();
  }

  async function reconcile(m: Memory): Promise<void> {
    const start = performance.now();
    const desired = desiredRules(m);
    let sent = false;
    try {
      m.installed ??= new Map(
        (await port.sessionRules()).filter((rule) => isOwnedRuleId(rule.id)).map((rule) => [rule.id, rule] as [number, unknown]),
      );
      sent = await applyRules(port, m, desired, entriesOf(m));
      if (m.rulesProblem !== undefined) {
        m.rulesProblem = undefined;
        unsaid = true;
      }
      failures = 0;
    } catch (error) {
      await failClosed(m, error);
    }
    const active = new Set([...(m.installed?.values() ?? [])].flatMap((rule) => (rule as HeaderRule).condition?.tabIds ?? []));
    markTabs(port, marked, m.tabs.keys(), active);
    if (sent) unsaid = true;
    if (unsaid) {
      unsaid = false;
      port.broadcast(stateOf(m));
    }
    recordDuration(start, { entries: entriesOf(m).length, tabs: m.tabs.size, rules: desired.length });
  }

  /** The memory, read on the first call of each wake; the first reconcile follows it. */
  async function wake(): Promise<{ m: Memory; fresh: boolean }> {
    if (memory !== undefined) return { m: memory, fresh: false };
    memory = await loadMemory(port);
    return { m: memory, fresh: true };
  }

  /**
   * Runs `change` on the memory in turn with every other change, then reconciles when it says the
   * rules may differ (or when the memory has just been read). Never rejects: a failure to even read
   * the memory is retried later.
   */
  function handle(change: (m: Memory) => boolean | Promise<boolean>): Promise<void> {
    return serial(async () => {
      let woken: { m: Memory; fresh: boolean };
      try {
        woken = await wake();
      } catch {
        retryLater();
        return;
      }
      if ((await change(woken.m)) || woken.fresh) await reconcile(woken.m);
    }).catch(() => undefined);
  }

  /** Whether a tab on this address takes part in any entry's rule. */
  const matters = (m: Memory, url: string | undefined) => {
    const origin = httpOriginOf(url);
    return origin !== undefined && m.origins.has(origin);
  };

  return {
    /** Start-up, install, update, or any wake: reads the memory if needed and reconciles. */
    start: () => handle(() => true),

    /**
     * A tab changed. Only a change of the tab's origin, to or from a saved Open WebUI, touches the
     * rules: a chat switch inside Open WebUI changes nothing. A page loading in a marked tab loses
     * its mark (the browser clears it), so the mark is put back.
     */
    tabUpdated(tabId: number, change: { status?: string; url?: string }, url: string | undefined): Promise<void> {
      return handle((m) => {
        const before = m.tabs.get(tabId);
        m.tabs.set(tabId, url);
        const moved = httpOriginOf(before) !== httpOriginOf(url) && (matters(m, before) || matters(m, url));
        if (change.status === "loading" && marked.get(tabId) === true) {
          // The browser cleared the mark as the page began to load. Staying on its Open WebUI (a
          // reload, a chat switch, which Chromium also reports as loading), the tab gets it back
          // without a reconcile; leaving it, the reconcile decides.
          if (moved) marked.delete(tabId);
          else port.markTab(tabId, true).catch(() => undefined);
        }
        return moved;
      });
    },

    tabRemoved(tabId: number): Promise<void> {
      return handle((m) => {
        const url = m.tabs.get(tabId);
        m.tabs.delete(tabId);
        marked.delete(tabId);
        return matters(m, url);
      });
    },

    /** A tab was swapped for another (prerendering): the tab list is read again. */
    tabReplaced(): Promise<void> {
      return handle(async (m) => {
        m.tabs = tabMap(await port.openTabs());
        return true;
      });
    },

    /**
     * Access was granted or withdrawn. The tab list is read again with it: the address of a tab on
     * a site newly granted was hidden from the extension until now.
     */
    permissionsChanged(): Promise<void> {
      return handle(async (m) => {
        const [held, tabs] = await Promise.all([port.grantedOrigins(), port.openTabs()]);
        m.held = held;
        m.granted = grantedPatterns(entriesOf(m), m.held);
        m.tabs = tabMap(tabs);
        unsaid = true;
        return true;
      });
    },

    /**
     * Keeps a saved Open WebUI's version; a changed answer changes that Open WebUI's rules. Origins
     * no entry names any more are dropped from what is stored.
     */
    keepVersion(origin: string, check: VersionCheck): Promise<void> {
      return handle(async (m) => {
        if (!m.origins.has(origin) || JSON.stringify(m.versions[origin]) === JSON.stringify(check)) return false;
        const versions = { [origin]: check };
        for (const [other, known] of Object.entries(m.versions)) if (m.origins.has(other) && other !== origin) versions[other] = known;
        await port.writeVersions(versions);
        m.versions = versions;
        unsaid = true;
        return true;
      });
    },

    /**
     * Reads the organisation's policy and takes it in when it differs from what memory holds: once
     * per wake, and again whenever the browser says it changed. The user's rules never wait for it.
     * Resolves to the Open WebUI origins the policy newly names whose version is not known yet.
     */
    async readManaged(): Promise<string[]> {
      const policy = parseManagedPolicy(await port.readManaged());
      let fresh: string[] = [];
      await handle((m) => {
        if (JSON.stringify(policy) === JSON.stringify(m.managed)) return false;
        const before = new Set(m.managed.entries.map((entry) => entry.openWebUiOrigin));
        takeManaged(m, policy);
        fresh = [...new Set(policy.entries.map((entry) => entry.openWebUiOrigin))].filter(
          (origin) => !before.has(origin) && m.versions[origin] === undefined,
        );
        unsaid = true;
        return true;
      });
      return fresh;
    },

    /** Applies a page's command: stored first, then in memory, then in the rules. */
    command(command: Command): Promise<CommandReply> {
      return serialReply(async (m) => {
        if (!m.loaded.ok) return { ok: false, errors: { form: m.loaded.problem } };
        const result = applyCommand(m.loaded.settings, command, m.managed);
        if (!result.ok) return result;
        const written = await write(m, result.settings);
        if (!written.ok) return written;
        const reply: CommandReply = { ok: true, state: stateOf(m), notices: result.notices };
        return result.savedId === undefined ? reply : { ...reply, savedId: result.savedId };
      });
    },

    /** Reset: empty settings, in place of damaged or newer ones. */
    reset(): Promise<State> {
      return serialReply(async (m) => {
        await write(m, emptySettings());
        return stateOf(m);
      });
    },

    state: () => serialReply(async (m) => stateOf(m)),

    /** A user entry's key, for Show key; only a page of ToolKey's own ever asks. A managed key is never revealed. */
    key: (id: number) => serialReply(async (m) => userEntriesOf(m).find((entry) => entry.id === id)?.key),

    /** A saved entry, for Test. */
    entry: (id: number) => serialReply(async (m) => entriesOf(m).find((entry) => entry.id === id)),

    /** The saved entries, for an import's review; settings that cannot be read are a problem. */
    entries: () => serialReply(async (m) => m.loaded),

    /** Whether an entry names this Open WebUI origin. */
    savesOrigin: (origin: string) => serialReply(async (m) => m.origins.has(origin)),
  };

  async function write(m: Memory, settings: Settings): Promise<{ ok: true } | { ok: false; errors: { form: ["storageRefused"] } }> {
    try {
      await port.writeSettings(settings);
    } catch {
      return { ok: false, errors: { form: ["storageRefused"] } };
    }
    takeSettings(m, { ok: true, settings });
    unsaid = true;
    await reconcile(m);
    return { ok: true };
  }

  /** Runs a page's request in turn with everything else, on the woken memory. */
  function serialReply<T>(task: (m: Memory) => Promise<T>): Promise<T> {
    return serial(async () => {
      const { m, fresh } = await wake();
      if (fresh) await reconcile(m);
      return task(m);
    });
  }
}

/**
 * Keeps the durations of the latest reconciles in the background's performance timeline, for the
 * benchmark and for anyone profiling ToolKey in DevTools; bounded so that it never grows.
 */
function recordDuration(start: number, detail: Record<string, number>): void {
  if (performance.getEntriesByName(RECONCILE_MEASURE).length >= 100) performance.clearMeasures(RECONCILE_MEASURE);
  performance.measure(RECONCILE_MEASURE, { start, detail });
}
