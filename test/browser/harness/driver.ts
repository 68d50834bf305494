/**
 * What the real-browser scenarios need from a browser with ToolKey loaded. Written once so that the
 * same scenarios can run in every browser the extension supports; each browser has its driver.
 */

export interface ToolReply {
  status: number;
  body: string;
}

/** How the imitation page makes a tool call. */
export interface ToolCallOptions {
  /** The JSON body (the tool's arguments); none when not given. */
  params?: unknown;
  /** A key the page sends itself as `authorization: Bearer <key>`, as Open WebUI 0.6.1 and later do. */
  key?: string;
}

/** A normal tab, whose page is the imitation Open WebUI (or another site serving it). */
export interface BrowserTab {
  /** The browser's own id of the tab, as declarativeNetRequest's tabIds uses it. */
  id: number;
  goto(url: string): Promise<void>;
  /** Reloads the page, as the browser's reload button does. */
  reload(): Promise<void>;
  /** Changes the address within the page (history.pushState), as Open WebUI does when it switches chats. */
  pushState(path: string): Promise<void>;
  getSpec(toolServerUrl: string, keyFromSettings: string): Promise<ToolReply>;
  callTool(toolServerUrl: string, path: string, options?: ToolCallOptions): Promise<ToolReply>;
  callOwnApi(path: string, sessionToken: string): Promise<ToolReply>;
  /**
   * Signs in as Open WebUI's page does (the fake user unless told otherwise): the backend sets the
   * HttpOnly `token` cookie, the page keeps the token in `localStorage.token`.
   */
  signIn(email?: string, password?: string): Promise<ToolReply>;
  /** Signs out as Open WebUI's page does: the backend deletes the cookie, the page `localStorage.token`. */
  signOut(): Promise<ToolReply>;
  /** The page's `localStorage.token`: the session token, or null when signed out. */
  sessionToken(): Promise<string | null>;
  /** The user's settings as the page itself reads them (`Authorization: Bearer <localStorage.token>`). */
  userSettings(): Promise<ToolReply>;
  /** Makes the tool call from a frame of this tab, loaded from `frameUrl` (added on first use). */
  callToolFromFrame(frameUrl: string, toolServerUrl: string, path: string): Promise<ToolReply>;
  /** Loads the URL as an image of the page: a request that is not an XMLHttpRequest or fetch. */
  loadImage(url: string): Promise<void>;
  /** Opens a WebSocket to the URL and waits until it has opened, failed or closed. */
  openWebSocket(url: string): Promise<void>;
  close(): Promise<void>;
}

/** The popup, opened as a page, driven through its accessible names as a user sees them. */
export interface PopupPage {
  fill(label: string, value: string): Promise<void>;
  /** The value of the field with this label, as it stands. */
  value(label: string): Promise<string>;
  click(buttonName: string): Promise<void>;
  /** Presses a key ("Escape", "Enter") where the focus is. */
  press(key: string): Promise<void>;
  /**
   * Clicks a button of the entry whose tool-server URL is given ("Remove", "Grant access", ...);
   * `nth` (from 0) picks one of several entries with that URL, as a stored duplicate has.
   */
  clickInEntry(toolServerUrl: string, buttonName: string, nth?: number): Promise<void>;
  setEnabled(toolServerUrl: string, enabled: boolean): Promise<void>;
  /** The visible text of the whole page. */
  text(): Promise<string>;
  /** The page's lang attribute: the language its texts are in. */
  language(): Promise<string>;
  /** The text of the entry's list item, or undefined when there is none. */
  entryText(toolServerUrl: string): Promise<string | undefined>;
  /** The texts of every entry with this tool-server URL, in the list's order (a stored duplicate shares it). */
  entryTexts(toolServerUrl: string): Promise<string[]>;
  /** How many entries the list shows. */
  entryCount(): Promise<number>;
  /** The tool-server URLs of the entries the list shows now (a filter hides the others). */
  visibleEntries(): Promise<string[]>;
  /** The texts of the visible role="alert" elements. */
  alerts(): Promise<string[]>;
  /** Waits until the page shows this text. */
  waitForText(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real popup, opened from the toolbar button over a tab (not a page in a tab of its own): its
 * "active tab" is the tab it was opened over, and it closes as a real popup does.
 */
export interface ToolbarPopup {
  /** The value of the input with this id. */
  value(inputId: string): Promise<string>;
  /** The id of the element that has the focus. */
  focused(): Promise<string>;
  fill(inputId: string, value: string): Promise<void>;
  /** Whether the element with this id is shown (not hidden by the page or its style). */
  isShown(elementId: string): Promise<boolean>;
  /** The text of the element with this id. */
  text(elementId: string): Promise<string>;
  /** Clicks the element with this id. */
  click(elementId: string): Promise<void>;
  /** Clicks Save and closes the popup in the same task, as a popup closing on blur would. */
  saveAndClose(): Promise<void>;
}

/** What openPopupActingOnFirstRows does: the filter to type, if any, and the button to click. */
export interface FirstRowsAction {
  filter?: string;
  click: string;
}

export interface InstalledRule {
  id: number;
  condition: { urlFilter?: string; tabIds?: number[] | null; initiatorDomains?: string[] | null };
}

export interface ExtensionBrowser {
  /**
   * Whether a request for host access made from a click is granted at once (Firefox, with its
   * prompt turned off in the test profile) rather than waiting on a browser dialog that automation
   * cannot answer (Chromium, whose test package therefore holds the test hosts from install).
   */
  readonly grantsAccessOnClick: boolean;
  /** From now on, requests for host access wait on a dialog nobody answers (or, with false, no longer do). */
  leaveAccessRequestsUnanswered(unanswered: boolean): Promise<void>;
  openTab(url: string): Promise<BrowserTab>;
  openPopup(): Promise<PopupPage>;
  /**
   * Opens the popup in a tab and, the moment its list shows its first rows (a long list is drawn
   * in batches after that), types `filter` into the filter if given and clicks the button `click`,
   * as a quick user would. Returns the page and how many rows were drawn at that moment.
   */
  openPopupActingOnFirstRows(action: FirstRowsAction): Promise<{ popup: PopupPage; drawnAtAction: number }>;
  /** Makes the tab the active one and opens the toolbar popup over it. */
  openToolbarPopup(tab: BrowserTab): Promise<ToolbarPopup>;
  /** Evaluates a script in an extension page and returns the value of its last expression. */
  evaluateInExtension(script: string): Promise<unknown>;
  /** The session rules the extension has installed, read from an extension page. */
  sessionRules(): Promise<InstalledRule[]>;
  /**
   * Everything written to the console so far by the extension's background and pages and by the
   * tabs, and every uncaught error, as text.
   */
  consoleOutput(): Promise<string[]>;
  /**
   * Every promise rejection that no handler took and every uncaught error, in the background and in
   * ToolKey's pages, since launch (across restarts), as text.
   */
  unhandledErrors(): Promise<string[]>;
  /** Leaves a promise rejection with this text unhandled in the background, to prove that unhandledErrors() hears it. */
  rejectUnhandledInBackground(text: string): Promise<void>;
  /**
   * Makes the background's next `count` calls of declarativeNetRequest.updateSessionRules reach the
   * browser as an update it refuses (a rule whose condition has both a urlFilter and a regexFilter),
   * so that the browser itself rejects each. The calls after those go through unchanged, or, with
   * `holdRetry`, those that add rules (a retry's) wait until `release()`, so that a test can look
   * at the state between the failure and the retry without racing the retry. Lasts until the
   * background stops; `release()` does nothing once it has.
   */
  refuseNextRuleUpdates(count: number, options?: { holdRetry?: boolean }): Promise<{ release(): Promise<void> }>;
  /** Stops the background (as the browser does to an idle one); the next event wakes it again. */
  stopBackground(): Promise<void>;
  /** Writes a line to the background's console, to prove that consoleOutput() hears it. */
  logInBackground(text: string): Promise<void>;
  /** Closes the browser and launches it again on the same profile. */
  restart(): Promise<void>;
  /**
   * Updates ToolKey in place to the same code under a higher version, the way the browser applies an
   * update from the store: the stored settings stay, the extension restarts, its pages close.
   */
  update(): Promise<void>;
  close(): Promise<void>;
}
