/**
 * Whether a granted host-access pattern (as permissions.getAll lists them: "<all_urls>",
 * "*://*\/*", "http://*.example.com/*", "http://example.com/*") covers a wanted "scheme://host/*".
 */
export function patternCovers(granted: string, wanted: string): boolean {
  if (granted === "<all_urls>") return true;
  const g = /^(\*|https?):\/\/([^/]+)\/(.*)$/.exec(granted);
  const w = /^(https?):\/\/([^/]+)\/\*$/.exec(wanted);
  if (g === null || w === null) return false;
  const [, gScheme, gHost, gPath] = g;
  const [, wScheme, wHost] = w;
  if (gPath !== "*") return false;
  if (gScheme !== "*" && gScheme !== wScheme) return false;
  if (gHost === "*" || gHost === wHost) return true;
  if (gHost?.startsWith("*.") && wHost !== undefined) {
    const base = gHost.slice(2);
    return wHost === base || wHost.endsWith(`.${base}`);
  }
  return false;
}

/** The wanted patterns that no granted pattern covers: what Save still has to ask for. */
export function missingPatterns(wanted: readonly string[], granted: readonly string[]): string[] {
  return wanted.filter((pattern) => !granted.some((held) => patternCovers(held, pattern)));
}
