import browser from "webextension-polyfill";
import type { State, StateBroadcast } from "../core/messages.ts";
import type { VersionBook } from "../core/open-webui-version.ts";
import { isRecord } from "../core/records.ts";
import type { HeaderRule, Tab } from "../core/rules.ts";
import { SETTINGS_KEY, type Settings } from "../core/settings.ts";
import type { MessageName } from "../core/user-text.ts";
import { openPages } from "./pages.ts";

/** Where what ToolKey knows of each saved Open WebUI's version is kept. */
const VERSIONS_KEY = "openWebUiVersions";

/** Where the browser's last answer about the organisation's policy is kept for the session (storage.session). */
const KEPT_POLICY_KEY = "managedPolicy";

/** The alarm that wakes a stopped background to retry a failed reconcile. */
const RETRY_ALARM = "toolkey-retry";

/**
 * Every browser call the background makes to keep the rules, in one place: the engine is given this
 * port, so a unit test can hand it a recording fake and count the calls an event costs.
 */
export interface BrowserPort {
  /** ToolKey's stored settings and version checks, as storage holds them. */
  readStorage(): Promise<{ settings: unknown; versions: unknown }>;
  writeSettings(settings: Settings): Promise<void>;
  /**
   * What the organisation's policy sets (storage.managed), undefined where there is none. Chromium
   * answers only some seconds after it starts: never wait for it before applying the user's rules.
   */
  readManaged(): Promise<unknown>;
  /** The last policy answer kept this browser session; undefined before the first since the browser started. */
  readKeptPolicy(): Promise<{ value: unknown } | undefined>;
  keepPolicy(value: unknown): Promise<void>;
  writeVersions(versions: VersionBook): Promise<void>;
  /** The host-access patterns held, as the browser lists them. */
  grantedOrigins(): Promise<string[]>;
  openTabs(): Promise<Tab[]>;
  /** Every session rule the extension holds, ToolKey's and any other. */
  sessionRules(): Promise<{ id: number }[]>;
  updateSessionRules(update: { removeRuleIds: number[]; addRules: HeaderRule[] }): Promise<void>;
  /** Marks a tab's toolbar button as ToolKey at work there, or plain. */
  markTab(tabId: number, on: boolean): Promise<void>;
  /** Tells every open page of ToolKey's the new state, built only if one is open. */
  broadcast(state: () => State): void;
  /** Runs `task` after `ms`: the retry after a failed reconcile, while the background lives. */
  later(task: () => void, ms: number): void;
  /**
   * Wakes the background after at least `ms` even if it was stopped meanwhile (an alarm: the
   * backstop for a retry whose timer dies with the background); undefined cancels it.
   */
  wakeAfter(ms: number | undefined): Promise<void>;
}

const message = (name: MessageName) => browser.i18n.getMessage(name);

export const realBrowser: BrowserPort = {
  async readStorage() {
    const stored = await browser.storage.local.get([SETTINGS_KEY, VERSIONS_KEY]);
    return { settings: stored[SETTINGS_KEY], versions: stored[VERSIONS_KEY] };
  },
  writeSettings: (settings) => browser.storage.local.set({ [SETTINGS_KEY]: settings }),
  // Firefox rejects when no policy names ToolKey: that is no policy.
  readManaged: () => browser.storage.managed.get().catch(() => undefined),
  async readKeptPolicy() {
    const kept = (await browser.storage.session.get(KEPT_POLICY_KEY))[KEPT_POLICY_KEY];
    return isRecord(kept) ? { value: kept.value } : undefined;
  },
  keepPolicy: (value) => browser.storage.session.set({ [KEPT_POLICY_KEY]: value === undefined ? {} : { value } }),
  writeVersions: (versions) => browser.storage.local.set({ [VERSIONS_KEY]: versions }),
  grantedOrigins: async () => (await browser.permissions.getAll()).origins ?? [],
  openTabs: () => browser.tabs.query({}),
  sessionRules: () => browser.declarativeNetRequest.getSessionRules(),
  updateSessionRules: (update) => browser.declarativeNetRequest.updateSessionRules(update),
  async markTab(tabId, on) {
    await Promise.all([
      browser.action.setBadgeText({ tabId, text: on ? message("buttonOn") : "" }),
      browser.action.setTitle({ tabId, title: message(on ? "buttonOnTitle" : "extShortName") }),
    ]);
  },
  broadcast(state) {
    if (openPages.size === 0) return;
    const broadcast: StateBroadcast = { type: "state", state: state() };
    for (const page of openPages) {
      try {
        page.postMessage(broadcast);
      } catch {
        // The page closed meanwhile.
        openPages.delete(page);
      }
    }
  },
  later: (task, ms) => void setTimeout(task, ms),
  async wakeAfter(ms) {
    if (ms === undefined) await browser.alarms.clear(RETRY_ALARM);
    // Chromium fires no alarm sooner than 30 s.
    else await browser.alarms.create(RETRY_ALARM, { when: Date.now() + Math.max(ms, 30_000) });
  },
};
