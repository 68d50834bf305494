import { applyCommand, type Command } from "../core/commands.ts";
import type { CommandReply, ImportReply, Request, RevealReply, State, TestReply, VersionReply } from "../core/messages.ts";
import { emptySettings } from "../core/settings.ts";
import { parseOpenWebUiAddress } from "../core/urls.ts";
import { runConnectionTest } from "./connection-test.ts";
import { readOpenWebUi } from "./open-webui-import.ts";
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
  // A save or an import names Open WebUIs whose version decides whether their entries get rules.
  // Not awaited: each check queues its own write behind this command.
  for (const origin of originsNamedBy(command)) void checkVersionOf(origin);
  return result.savedId === undefined ? reply : { ...reply, savedId: result.savedId };
}

function originsNamedBy(command: Command): Set<string> {
  const inputs = command.type === "save" ? [command.input] : command.type === "import" ? command.inputs : [];
  const origins = new Set<string>();
  for (const input of inputs) {
    const origin = parseOpenWebUiAddress(input.openWebUiAddress);
    if (origin.ok) origins.add(origin.value);
  }
  return origins;
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

async function testEntry(id: number): Promise<TestReply> {
  const loaded = await loadSettings();
  const entry = loaded.ok ? loaded.settings.entries.find((candidate) => candidate.id === id) : undefined;
  return entry === undefined ? { ok: false } : { ok: true, report: await runConnectionTest(entry) };
}

async function reset(): Promise<State> {
  await saveSettings(emptySettings());
  return reconcileNow();
}

/** Answers a page's request; every one waits its turn behind any settings write or reconcile. */
export function handleRequest(request: Request): Promise<State | CommandReply | RevealReply | VersionReply | ImportReply | TestReply> {
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
    case "readOpenWebUi":
      return readOpenWebUi(request.address);
    case "testEntry":
      // Outside the queue: a slow tool server must not hold up saves.
      return testEntry(request.id);
  }
}
