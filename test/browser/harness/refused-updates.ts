/** The part of the background's declarativeNetRequest namespace that the fault replaces. */
export interface SessionRuleApi {
  updateSessionRules(update: unknown, ...rest: unknown[]): unknown;
}

/**
 * An update both browsers refuse, asynchronously and with their own message, as they refuse a rule
 * they cannot take: a condition may name a urlFilter or a regexFilter, never both. (Firefox refuses
 * a rule id of 0 before the call, by throwing, so that is not used.)
 */
export const REFUSED_UPDATE = {
  addRules: [
    {
      id: 999_999,
      priority: 1,
      action: { type: "block" },
      condition: { urlFilter: "|http://refused.invalid/", regexFilter: "refused", resourceTypes: ["xmlhttprequest"] },
    },
  ],
};

/**
 * Runs where it can reach the background's namespace `api` (sent as text: self-contained). The
 * next `count` calls of `updateSessionRules` go to the browser's own function, but with `refused`
 * for their update, so that the browser itself rejects them; a callback, if the caller gave one, is
 * passed along. After them the browser's function is put back, or, with `hold`, calls that add rules
 * wait until `toolkeyTestRelease()`, left on the global of the page that ran this, is called (calls
 * that only remove rules go through at once), as a slow browser would make them wait.
 */
export function refuseRuleUpdates(api: SessionRuleApi, count: number, refused: unknown, hold: boolean): void {
  const original = api.updateSessionRules;
  let left = count;
  let release: () => void = () => undefined;
  const released = new Promise<void>((done) => {
    release = done;
  });
  (globalThis as { toolkeyTestRelease?: () => void }).toolkeyTestRelease = () => {
    api.updateSessionRules = original;
    release();
  };
  api.updateSessionRules = function (this: SessionRuleApi, update: unknown, ...rest: unknown[]) {
    if (left > 0) {
      left--;
      if (left === 0 && !hold) api.updateSessionRules = original;
      return original.call(this, refused, ...rest);
    }
    const adds = ((update as { addRules?: unknown[] } | undefined)?.addRules?.length ?? 0) > 0;
    return adds ? released.then(() => original.call(this, update, ...rest)) : original.call(this, update, ...rest);
  };
}

/** The script that sets refuseRuleUpdates up; `api` names the background's namespace from where it runs. */
export function refuseRuleUpdatesScript(api: string, count: number, hold: boolean): string {
  return `(${refuseRuleUpdates.toString()})(${api}, ${count}, ${JSON.stringify(REFUSED_UPDATE)}, ${hold})`;
}

/** The script that lets the calls refuseRuleUpdates holds go on, run where refuseRuleUpdates ran. */
export const RELEASE_RULE_UPDATES_SCRIPT = "globalThis.toolkeyTestRelease?.()";
