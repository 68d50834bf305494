import { applyCommand, type Command } from "../core/commands.ts";
import type { CommandReply, Request, RevealReply, State } from "../core/messages.ts";
import { emptySettings } from "../core/settings.ts";
import { currentState, reconcileNow, serial } from "./reconcile.ts";
import { loadSettings, saveSettings } from "./store.ts";

async function runCommand(command: Command): Promise<CommandReply> {
  const loaded = await loadSettings();
  if (!loaded.ok) return { ok: false, errors: { form: loaded.problem } };
  const result = applyCommand(loaded.settings, command);
  if (!result.ok) return result;
  try {
    await saveSettings(result.settings);
  } catch {
    return { ok: false, errors: { form: ["storageRefused"] } };
  }
  const reply: CommandReply = { ok: true, state: await reconcileNow(), notices: result.notices };
  return result.savedId === undefined ? reply : { ...reply, savedId: result.savedId };
}

async function revealKey(id: number): Promise<RevealReply> {
  const loaded = await loadSettings();
  const entry = loaded.ok ? loaded.settings.entries.find((candidate) => candidate.id === id) : undefined;
  return entry === undefined ? { ok: false } : { ok: true, key: entry.key };
}

async function reset(): Promise<State> {
  await saveSettings(emptySettings());
  return reconcileNow();
}

/** Answers a page's request; every one waits its turn behind any settings write or reconcile. */
export function handleRequest(request: Request): Promise<State | CommandReply | RevealReply> {
  switch (request.type) {
    case "getState":
      return serial(async () => currentState());
    case "command":
      return serial(() => runCommand(request.command));
    case "revealKey":
      return serial(() => revealKey(request.id));
    case "reset":
      return serial(reset);
  }
}
