/**
 * The sites the benchmark's browsers visit: an Open WebUI page (served cross-origin isolated, for
 * fine timers), a tool server with one prefix per way of adding the key, and another site under the
 * Open WebUI server's port that no entry names. Every request they receive is logged.
 */
import { type LoggedRequest, startSite } from "../../test/browser/harness/servers.ts";

/** An obviously fake key, on every entry and every tool-server prefix. */
export const BENCH_KEY = "bench-key-not-a-secret";

export interface Sites {
  owuiOrigin: string;
  toolsOrigin: string;
  /** Another site (the Open WebUI's server under another name): no entry names it. */
  otherOrigin: string;
  owuiPort: number;
  /** Every request the sites received; read only for counts, emptied between browsers. */
  log: LoggedRequest[];
  close(): Promise<void>;
}

export async function startSites(): Promise<Sites> {
  const log: LoggedRequest[] = [];
  const owui = await startSite(log, { isolated: true });
  const tools = await startSite(log, { tools: { "/a": BENCH_KEY, "/a0": BENCH_KEY, "/b": BENCH_KEY, "/c": BENCH_KEY } });
  return {
    owuiOrigin: `http://owui.test:${owui.port}`,
    toolsOrigin: `http://tools.test:${tools.port}`,
    otherOrigin: `http://other.test:${owui.port}`,
    owuiPort: owui.port,
    log,
    close: async () => {
      await Promise.all([owui.close(), tools.close()]);
    },
  };
}
