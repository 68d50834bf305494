import { applyCommand, type Command } from "../core/commands.ts";
import { versionPartOf } from "../core/decision.ts";
import { parseManagedPolicy } from "../core/managed.ts";
import type { CommandReply, State } from "../core/messages.ts";
import { learn, type VersionCheck, type VersionKnowledge, verdictOf } from "../core/open-webui-version.ts";
import { isPageLoad } from "../core/page-load.ts";
import { emptySettings, type Settings } from "../core/settings.ts";
import { httpOriginOf } from "../core/urls.ts";
import { entriesOf, grantedPatterns, loadMemory, type Memory, tabMap, takeManaged, takeSettings, userEntriesOf } from "./memory.ts";
import { createOutputs, stateOf } from "./outputs.ts";
import type { BrowserPort } from "./port.ts";
import { createSerialQueue } from "./queue.ts";
import { createReconciler } from "./reconcile.ts";

export type Engine = ReturnType<typeof createEngine>;

/** What a change may have touched: every rule (true), none (false), or those of these Open WebUI origins. */
type Changed = boolean | ReadonlySet<string>;

/**
 * The background's one writer: it holds the memory and turns the browser's events and the pages'
 * commands, one at a time, into changes of it; after each change that may touch a rule it runs the
 * one reconcile (reconcile.ts). An event that changes no rule costs no browser call.
 */
export function createEngine(port: BrowserPort) {
  const serial = createSerialQueue();
  const outputs = createOutputs(port);
  const reconcile = createReconciler(port, outputs, () => void handle(() => true));
  let memory: Memory | undefined;
  /** Tabs where a page has started loading and not completed: each load is taken once, at its end. */
  const loading = new Set<number>();

  /** The memory, read on the first call of each wake; the first reconcile follows it. */
  async function wake(): Promise<{ m: Memory; fresh: boolean }> {
    if (memory !== undefined) return { m: memory, fresh: false };
    memory = await loadMemory(port);
    return { m: memory, fresh: true };
  }

  /**
   * Runs `change` on the memory in turn with every other change, then reconciles when it says the
   * rules may differ: all of them, or those of the Open WebUI origins it names (and all when the
   * memory has just been read). Never rejects: a failure to even read the memory is retried on the
   * next event.
   */
  function handle(change: (m: Memory) => Changed | Promise<Changed>): Promise<void> {
    return serial(async () => {
      const { m, fresh } = await wake();
      const changed = await change(m);
      if (fresh || changed === true) await reconcile(m);
      else if (changed !== false && changed.size > 0) await reconcile(m, changed);
    }).catch(() => undefined);
  }

  /** Runs a page's request in turn with everything else, on the woken memory. */
  function serialReply<T>(task: (m: Memory) => Promise<T>): Promise<T> {
    return serial(async () => {
      const { m, fresh } = await wake();
      if (fresh) await reconcile(m);
      return task(m);
    });
  }

  /** Whether a tab on this origin takes part in any entry's rule: an entry names it. */
  const isSaved = (m: Memory, origin: string | undefined): origin is string => origin !== undefined && m.origins.has(origin);

  async function write(m: Memory, settings: Settings): Promise<{ ok: true } | { ok: false; errors: { form: ["storageRefused"] } }> {
    try {
      await port.writeSettings(settings);
    } catch {
      return { ok: false, errors: { form: ["storageRefused"] } };
    }
    takeSettings(m, { ok: true, settings });
    await forgetUnnamed(m);
    outputs.changed();
    await reconcile(m);
    return { ok: true };
  }

  /**
   * Drops the version knowledge of Open WebUIs no entry names any more: an entry added for one
   * later starts from a fresh check, as any new entry does.
   */
  async function forgetUnnamed(m: Memory): Promise<void> {
    const named = Object.entries(m.versions).filter(([origin]) => m.origins.has(origin));
    if (named.length === Object.keys(m.versions).length) return;
    m.versions = Object.fromEntries(named);
    // Not kept, the next wake reads them back, and they are dropped again on the next write.
    await port.writeVersions(m.versions).catch(() => undefined);
  }

  return {
    /** Start-up, install, update, an alarm, or any wake: reads the memory if needed and reconciles. */
    start: () => handle(() => true),

    /**
     * A tab changed. Only a change of the tab's origin, to or from a saved Open WebUI, touches the
     * rules: a chat switch inside Open WebUI changes nothing and costs no browser call. A page that
     * loads in a tab (core/page-load.ts: not a navigation inside the page) loses its mark, which is
     * put back when it completes, and then resolves to the saved Open WebUI it loaded, whose
     * version is read again.
     */
    tabUpdated(
      tabId: number,
      change: { status?: string; url?: string },
      tab: { url?: string; favIconUrl?: string },
    ): Promise<string | undefined> {
      let loaded: string | undefined;
      const { url } = tab;
      return handle((m) => {
        const before = m.tabs.get(tabId);
        m.tabs.set(tabId, url);
        const [from, to] = [httpOriginOf(before), httpOriginOf(url)];
        const concerned = new Set([from, to].filter((origin) => isSaved(m, origin)));
        const moved = from !== to && concerned.size > 0;
        // The browser clears the mark as a new page loads; leaving the Open WebUI, the reconcile decides.
        if (isPageLoad(change, before, tab)) {
          loading.add(tabId);
          if (moved) outputs.marked.delete(tabId);
        }
        if (change.status === "complete" && loading.delete(tabId)) {
          // Once per load, on the page that stayed: Firefox reports a load as "loading" twice, the
          // first time while the old address is still current (measured in Firefox ESR 153).
          if (isSaved(m, to)) loaded = to;
          outputs.marked.delete(tabId);
          if (!moved) outputs.show(m);
        }
        return moved ? concerned : false;
      }).then(() => loaded);
    },

    tabRemoved(tabId: number): Promise<void> {
      return handle((m) => {
        const origin = httpOriginOf(m.tabs.get(tabId));
        m.tabs.delete(tabId);
        loading.delete(tabId);
        outputs.marked.delete(tabId);
        return isSaved(m, origin) ? new Set([origin]) : false;
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
        outputs.changed();
        return true;
      });
    },

    /**
     * Takes in a check of an Open WebUI's version made at `at` (design.md, "Version knowledge
     * survives failures"): a failure keeps the version read before it. Kept only for an Open WebUI
     * an entry names. Resolves to what ToolKey knows of that Open WebUI now, if an entry names it.
     */
    learnVersion(origin: string, check: VersionCheck, at: number): Promise<VersionKnowledge | undefined> {
      let known: VersionKnowledge | undefined;
      return handle(async (m) => {
        if (!m.origins.has(origin)) return false;
        known = learn(m.versions[origin], check, at);
        const versions = { ...m.versions, [origin]: known };
        await port.writeVersions(versions);
        // What the knowledge says to this Open WebUI's entries, the part of their decisions it decides.
        const entries = entriesOf(m).filter((entry) => entry.openWebUiOrigin === origin);
        const says = (book: typeof versions) => JSON.stringify(entries.map((entry) => versionPartOf(entry, book)));
        const same = says(m.versions) === says(versions);
        m.versions = versions;
        // A page load of an unchanged Open WebUI changes only when the version was read: no rule, no page.
        if (same) return false;
        outputs.changed();
        return new Set([origin]);
      }).then(() => known);
    },

    /**
     * The Open WebUI origins entries name whose version was never checked (their entries wait for
     * it), and with `orUnknown`, also those whose checks never gave a version.
     */
    originsToCheck: (orUnknown: boolean) =>
      serialReply(async (m) =>
        [...m.origins].filter((origin) => {
          const verdict = verdictOf(m.versions[origin]);
          return verdict === "unread" || (orUnknown && verdict === "unknown");
        }),
      ),

    /**
     * Reads the organisation's policy and takes it in when it differs from what memory holds: once
     * per wake, and again whenever the browser says it changed. Memory starts from the answer kept
     * this session, so a wake changes no rule; after a browser start, the user's rules never wait
     * for the browser's first answer.
     */
    async readManaged(): Promise<void> {
      const value = await port.readManaged();
      const policy = parseManagedPolicy(value);
      await handle(async (m) => {
        if (JSON.stringify(policy) === JSON.stringify(m.managed)) return false;
        // Kept for the next wake; not kept, the next wake starts without it as after a browser start.
        await port.keepPolicy(value).catch(() => undefined);
        takeManaged(m, policy);
        await forgetUnnamed(m);
        outputs.changed();
        return true;
      });
    },

    /**
     * Applies a page's command: stored first, then in memory, then in the rules. Resolves to the
     * page's reply, and the Open WebUI origins of the entries a save or an import wrote, whose
     * versions decide whether those entries get rules (none for any other command).
     */
    command(command: Command): Promise<{ reply: CommandReply; named: string[] }> {
      return serialReply(async (m) => {
        if (!m.loaded.ok) return { reply: { ok: false, errors: { form: m.loaded.problem } }, named: [] };
        const before = new Set(m.loaded.settings.entries);
        const result = applyCommand(m.loaded.settings, command, m.managed);
        if (!result.ok) return { reply: result, named: [] };
        const written = await write(m, result.settings);
        if (!written.ok) return { reply: written, named: [] };
        const reply: CommandReply = { ok: true, state: stateOf(m), notices: result.notices };
        // Entries a command leaves alone keep their object.
        const wrote =
          command.type === "save" || command.type === "import" ? result.settings.entries.filter((entry) => !before.has(entry)) : [];
        return {
          reply: result.savedId === undefined ? reply : { ...reply, savedId: result.savedId },
          named: [...new Set(wrote.map((entry) => entry.openWebUiOrigin))],
        };
      });
    },

    /** Reset: empty settings, in place of damaged or newer ones. */
    reset(): Promise<State> {
      return serialReply(async (m) => {
        await write(m, emptySettings());
        return stateOf(m);
      });
    },

    state: (first?: number) => serialReply(async (m) => stateOf(m, first)),

    /** A user entry's key, for Show key; only a page of ToolKey's own ever asks. A managed key is never revealed. */
    key: (id: number) => serialReply(async (m) => userEntriesOf(m).find((entry) => entry.id === id)?.key),

    /** A saved entry, for Test. */
    entry: (id: number) => serialReply(async (m) => entriesOf(m).find((entry) => entry.id === id)),

    /** The saved entries, for an import's review; settings that cannot be read are a problem. */
    entries: () => serialReply(async (m) => m.loaded),
  };
}
