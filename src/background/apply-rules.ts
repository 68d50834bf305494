import type { Entry } from "../core/entry.ts";
import { diffRules, entryIdOfRule, type HeaderRule } from "../core/rules.ts";
import type { Memory } from "./memory.ts";
import type { BrowserPort } from "./port.ts";

/** A browser's error text, with every key taken out in case the browser quoted a rule. */
export function describeError(error: unknown, entries: readonly Entry[]): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const { key } of entries) if (key !== "") message = message.split(key).join("•••");
  return message;
}

/**
 * Brings the rules the browser holds to `desired`, sending only what changed: nothing at all when
 * nothing did. If the browser refuses the batch, the rules go one by one, so that one bad rule never
 * blocks the others, and each refusal is recorded on its entry. A rule the browser refused is not
 * sent again on its own until it changes; it rides along with the next batch that goes anyway.
 * Rejects when a call other than one rule's own fails: the caller then fails closed.
 * `ruleIds`: the only rules `desired` speaks for (those of the origins an event concerns); the
 * others are left as they are. Returns whether anything was sent.
 */
export async function applyRules(
  port: BrowserPort,
  memory: Memory,
  desired: readonly HeaderRule[],
  entries: readonly Entry[],
  ruleIds?: ReadonlySet<number>,
): Promise<boolean> {
  memory.installed ??= new Map();
  const installed = memory.installed;
  const inScope = (id: number) => ruleIds === undefined || ruleIds.has(id);
  const wanted = new Set(desired.map((rule) => rule.id));
  for (const id of memory.refused.keys()) {
    if (inScope(id) && !wanted.has(id)) {
      memory.refused.delete(id);
      memory.errors.delete(entryIdOfRule(id));
    }
  }
  const held = [...installed.values()] as { id: number }[];
  const { removeRuleIds, addRules } = diffRules(ruleIds === undefined ? held : held.filter((rule) => inScope(rule.id)), desired);
  const fresh = addRules.filter((rule) => {
    const refused = memory.refused.get(rule.id);
    return refused === undefined || refused !== JSON.stringify(rule);
  });
  if (removeRuleIds.length === 0 && fresh.length === 0) return false;
  try {
    await port.updateSessionRules({ removeRuleIds, addRules });
    for (const id of removeRuleIds) installed.delete(id);
    for (const rule of addRules) accepted(memory, installed, rule);
    return true;
  } catch {
    // Refused as a whole: clear every rule the batch touched, then add them one at a time.
    const touched = [...new Set([...removeRuleIds, ...addRules.map((rule) => rule.id)])];
    await port.updateSessionRules({ removeRuleIds: touched, addRules: [] });
    for (const id of touched) installed.delete(id);
    for (const rule of addRules) {
      try {
        await port.updateSessionRules({ removeRuleIds: [], addRules: [rule] });
        accepted(memory, installed, rule);
      } catch (error) {
        memory.refused.set(rule.id, JSON.stringify(rule));
        memory.errors.set(entryIdOfRule(rule.id), describeError(error, entries));
      }
    }
    return true;
  }
}

function accepted(memory: Memory, installed: Map<number, unknown>, rule: HeaderRule): void {
  installed.set(rule.id, rule);
  memory.refused.delete(rule.id);
  memory.errors.delete(entryIdOfRule(rule.id));
}
