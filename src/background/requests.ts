import { applyCommand, type Command } from "../core/commands.ts";
import type { CommandReply, Request, RevealReply, State, VersionReply } from "../core/messages.ts";
import { emptySettings } from "../core/settings.ts";
import { parseOpenWebUiAddress } from "../core/urls.ts";
import { serial } from "./queue.ts";
import { currentState, reconcileNow, requestReconcile } from "./reconcile.ts";
import { loadSettings, saveSettings } from "./store.ts";
import { recheckVersion } from "./versions.ts";

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
  if (result.savedId === undefined) return reply;
  const saved = result.settings.entries.find((entry) => entry.id === result.savedId);
  // Not awaited: the check queues its own write behind this command.
  if (saved !== undefined) void checkVersionOf(saved.openWebUiOrigin);
  return { ...reply, savedId: result.savedId };
}

/** Reads a saved Open WebUI's version and, when the answer changed, brings the rules in line with it. */
export async function checkVersionOf(origin: string): Promise<void> {
  const { changed } = await recheckVersion(origin);
  if (changed) await requestReconcile();
}

async function checkVersion(address: string): Promise<VersionReply> {
  const origin = parseOpenWebUiAddress(address);
  if (!origin.ok) return { ok: false };
  const { check, changed } = await recheckVersion(origin.value);
  if (changed) void requestReconcile();
  return { ok: true, origin: origin.value, check };
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
export function handleRequest(request: Request): Promise<State | CommandReply | RevealReply | VersionReply> {
  switch (request.type) {
    case "getState":
      return serial(async () => currentState());
    case "command":
      return serial(() => runCommand(request.command));
    case "revealKey":
      return serial(() => revealKey(request.id));
    case "reset":
      return serial(reset);
    case "checkVersion":
      // Outside the queue: a slow Open WebUI must not hold up saves.
      return checkVersion(request.address);
  }
}
