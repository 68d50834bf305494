import type { Entry } from "../../../src/core/entry.ts";
import { SETTINGS_VERSION, type Settings } from "../../../src/core/settings.ts";

/**
 * Settings as ToolKey stores them, with `count` entries from one Open WebUI to the paths
 * `/t0`, `/t1`, ... of one tool server: for tests and the benchmark that seed storage directly.
 */
export function settingsWithEntries(count: number, openWebUiOrigin: string, toolsOrigin: string, key: string): Settings {
  const entries: Entry[] = Array.from({ length: count }, (_, id) => ({
    id,
    openWebUiOrigin,
    toolServerUrl: `${toolsOrigin}/t${id}`,
    key,
    headerName: "Authorization",
    scheme: "Bearer",
    enabled: true,
    addKeyAnyway: false,
  }));
  return { version: SETTINGS_VERSION, entries };
}
