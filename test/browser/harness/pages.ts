import type { BrowserTab, FirstRowsAction, ToolbarPopup, ToolCallOptions, ToolReply } from "./driver.ts";
import { FAKE_USER } from "./open-webui.ts";

/** Runs a function in a page with one serialisable argument: what the pages of both drivers can do. */
export type RunInPage = <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => Promise<R>;

/** What a page of either driver (Playwright's or Puppeteer's) offers that a SitePage needs. */
interface DriverPage<Frame> {
  frames(): Frame[];
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  bringToFront(): Promise<void>;
  close(): Promise<void>;
}

/** A driver's page as the shared tab uses it; `runIn` runs scripts in the page or one of its frames. */
export function sitePageOf<Frame extends { url(): string }, Page extends DriverPage<Frame>>(
  page: Page,
  runIn: (target: Page | Frame) => RunInPage,
): SitePage {
  return {
    run: runIn(page),
    frame(url) {
      const frame = page.frames().find((candidate) => candidate.url() === url);
      return frame === undefined ? undefined : runIn(frame);
    },
    goto: async (url) => {
      await page.goto(url);
    },
    reload: async () => {
      await page.reload();
    },
    bringToFront: () => page.bringToFront(),
    close: () => page.close(),
  };
}

/** A normal tab as each driver reaches it. */
export interface SitePage {
  run: RunInPage;
  /** The frame of this page loaded from `url`, if there is one. */
  frame(url: string): RunInPage | undefined;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  bringToFront(): Promise<void>;
  close(): Promise<void>;
}

type OwuiCall = "getSpec" | "callTool" | "callOwnApi" | "signIn" | "signOut" | "userSettings";

function callOwui({ name, args }: { name: OwuiCall; args: unknown[] }): Promise<ToolReply> {
  const owui = (window as unknown as { owui: Record<OwuiCall, (...a: unknown[]) => Promise<ToolReply>> }).owui;
  return owui[name](...args);
}

/** Runs in the page: what Open WebUI's page keeps as the session token. */
function readSessionToken(): string | null {
  return localStorage.getItem("token");
}

/** A tab whose page is the imitation Open WebUI (or another site serving it), the same in every browser. */
export class SiteTab implements BrowserTab {
  constructor(
    readonly id: number,
    readonly page: SitePage,
  ) {}

  goto(url: string): Promise<void> {
    return this.page.goto(url);
  }

  reload(): Promise<void> {
    return this.page.reload();
  }

  async pushState(path: string): Promise<void> {
    await this.page.run((to) => history.pushState(null, "", to), path);
  }

  getSpec(toolServerUrl: string, keyFromSettings: string): Promise<ToolReply> {
    return this.page.run(callOwui, { name: "getSpec", args: [toolServerUrl, keyFromSettings] });
  }

  callTool(toolServerUrl: string, path: string, options: ToolCallOptions = {}): Promise<ToolReply> {
    return this.page.run(callOwui, { name: "callTool", args: [toolServerUrl, path, options.params, options.key] });
  }

  signIn(email: string = FAKE_USER.email, password: string = FAKE_USER.password): Promise<ToolReply> {
    return this.page.run(callOwui, { name: "signIn", args: [email, password] });
  }

  signOut(): Promise<ToolReply> {
    return this.page.run(callOwui, { name: "signOut", args: [] });
  }

  sessionToken(): Promise<string | null> {
    return this.page.run(readSessionToken, null);
  }

  userSettings(): Promise<ToolReply> {
    return this.page.run(callOwui, { name: "userSettings", args: [] });
  }

  callOwnApi(path: string, sessionToken: string): Promise<ToolReply> {
    return this.page.run(callOwui, { name: "callOwnApi", args: [path, sessionToken] });
  }

  async callToolFromFrame(frameUrl: string, toolServerUrl: string, path: string): Promise<ToolReply> {
    if (this.page.frame(frameUrl) === undefined) {
      await this.page.run(
        (src) =>
          new Promise<void>((loaded) => {
            const iframe = document.createElement("iframe");
            iframe.src = src;
            iframe.addEventListener("load", () => loaded(), { once: true });
            document.body.append(iframe);
          }),
        frameUrl,
      );
    }
    const frame = this.page.frame(frameUrl);
    if (frame === undefined) throw new Error(`no frame at ${frameUrl}`);
    return frame(callOwui, { name: "callTool", args: [toolServerUrl, path] });
  }

  async loadImage(url: string): Promise<void> {
    await this.page.run(
      (src) =>
        new Promise<void>((done) => {
          const image = new Image();
          image.addEventListener("load", () => done(), { once: true });
          image.addEventListener("error", () => done(), { once: true });
          image.src = src;
        }),
      url,
    );
  }

  async openWebSocket(url: string): Promise<void> {
    await this.page.run(
      (target) =>
        new Promise<void>((done) => {
          const socket = new WebSocket(target);
          for (const event of ["open", "error", "close"]) socket.addEventListener(event, () => done(), { once: true });
        }),
      url,
    );
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/** The one extension API the toolbar popup's driver calls; Firefox has the `chrome` namespace too. */
declare const chrome: { extension: { getViews(filter: { type: "popup" }): Window[] } };

/** Runs in the popup's page in a tab: whether it has finished drawing (it marks "toolkey:interactive"). */
export function popupIsReady(): boolean {
  return performance.getEntriesByName("toolkey:interactive").length > 0;
}

/** Whether the toolbar popup is open and has finished drawing (self-contained: it runs in the probe). */
export function toolbarPopupIsReady(): boolean {
  const [popup] = chrome.extension.getViews({ type: "popup" });
  return popup !== undefined && popup.performance.getEntriesByName("toolkey:interactive").length > 0;
}

/**
 * Runs in the popup's page (sent as text: self-contained), best before its own scripts: the moment
 * the list shows its first rows (at once if it already does), types the filter (if any) and clicks
 * the button, each found by the words a user sees, and keeps how many rows were drawn then in
 * `toolkeyTestDrawnAtAction`.
 */
export function actOnFirstRows({ filter, click }: FirstRowsAction): void {
  const act = () => {
    const drawn = document.querySelectorAll("li.entry").length;
    if (drawn === 0) return false;
    if (filter !== undefined) {
      const label = [...document.querySelectorAll("label")].find(
        (candidate) => candidate.textContent?.trim() === "Show entries containing",
      );
      const field = label?.control as HTMLInputElement | undefined;
      if (field === undefined) throw new Error("no filter in the popup");
      field.value = filter;
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    const button = [...document.querySelectorAll("button")].find((candidate) => candidate.textContent?.trim() === click);
    if (button === undefined) throw new Error(`no button "${click}" in the popup`);
    button.click();
    (window as unknown as { toolkeyTestDrawnAtAction: number }).toolkeyTestDrawnAtAction = drawn;
    return true;
  };
  if (act()) return;
  const observer = new MutationObserver(() => {
    if (act()) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** Runs in the popup's page: how many rows were drawn when actOnFirstRows acted, or undefined before. */
export function drawnAtAction(): number | undefined {
  return (window as unknown as { toolkeyTestDrawnAtAction?: number }).toolkeyTestDrawnAtAction;
}

/** Runs in the popup's page: the tool-server URLs of the entries the filter leaves shown. */
export function visibleEntryUrls(): string[] {
  return [...document.querySelectorAll<HTMLElement>("li.entry:not([hidden]) .tool-url")].map((url) => url.textContent ?? "");
}

/**
 * The popup that action.openPopup() shows. Neither driver lists it as a page, so it is reached from
 * an extension page (`probe`) through extension.getViews, which returns the popup's window. Each
 * function below runs in the probe, so each finds the popup itself.
 */
export class ViewsToolbarPopup implements ToolbarPopup {
  constructor(private readonly probe: RunInPage) {}

  value(inputId: string): Promise<string> {
    return this.probe((id) => {
      const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
      return (popup.document.getElementById(id) as HTMLInputElement).value;
    }, inputId);
  }

  focused(): Promise<string> {
    return this.probe(() => {
      const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
      return popup.document.activeElement?.id ?? "";
    }, null);
  }

  async fill(inputId: string, value: string): Promise<void> {
    await this.probe(
      ({ id, text }) => {
        const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
        (popup.document.getElementById(id) as HTMLInputElement).value = text;
      },
      { id: inputId, text: value },
    );
  }

  isShown(elementId: string): Promise<boolean> {
    return this.probe((id) => {
      const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
      return popup.document.getElementById(id)?.checkVisibility() ?? false;
    }, elementId);
  }

  text(elementId: string): Promise<string> {
    return this.probe((id) => {
      const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
      return popup.document.getElementById(id)?.textContent ?? "";
    }, elementId);
  }

  async click(elementId: string): Promise<void> {
    await this.probe((id) => {
      const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
      (popup.document.getElementById(id) as HTMLElement).click();
    }, elementId);
  }

  async saveAndClose(): Promise<void> {
    await this.probe(() => {
      const popup = chrome.extension.getViews({ type: "popup" })[0] as Window;
      (popup.document.getElementById("save") as HTMLButtonElement).click();
      popup.close();
    }, null);
  }
}
