import browser, { type Runtime } from "webextension-polyfill";
import { PAGE_CONNECTION } from "../core/page-connection.ts";

/**
 * ToolKey's pages that are open now, each by the connection it keeps: the state is told only to
 * them, and not even built when none is open (a reconcile with 1,000 entries spent about a fifth of
 * its time building a state nobody read: measured by the benchmark, docs/performance.md).
 */
export const openPages = new Set<Runtime.Port>();

/** Takes the connections of ToolKey's own pages; registered synchronously, as every listener is. */
export function listenForPages(isOwnPage: (sender: Runtime.MessageSender) => boolean): void {
  browser.runtime.onConnect.addListener((connection) => {
    if (connection.name !== PAGE_CONNECTION || connection.sender === undefined || !isOwnPage(connection.sender)) {
      connection.disconnect();
      return;
    }
    openPages.add(connection);
    connection.onDisconnect.addListener(() => openPages.delete(connection));
  });
}
