import type { Command } from "../core/commands.ts";
import { readEntriesFile, writeEntriesFile } from "../core/entries-file.ts";
import { importInputs, planImport, reviewOf } from "../core/import-review.ts";
import type { CommandReply, ExportReply, ImportReply, Request, RevealReply, State, TestReply, VersionReply } from "../core/messages.ts";
import { describeVersion, type VersionCheck, type VersionKnowledge } from "../core/open-webui-version.ts";
import { parseOpenWebUiAddress } from "../core/urls.ts";
import { runConnectionTest } from "./connection-test.ts";
import type { Engine } from "./engine.ts";
import { readOpenWebUi } from "./open-webui-import.ts";
import { fetchVersion } from "./versions.ts";

type Reply = State | CommandReply | RevealReply | VersionReply | ImportReply | TestReply | ExportReply;

/** Answers the requests of ToolKey's own pages; settings and rules change only through the engine. */
export function createRequestHandler(engine: Engine) {
  /**
   * Reads an Open WebUI's version; when an entry names it, the engine keeps what it learns and
   * brings the rules in line. Resolves to the check and what ToolKey now knows of that Open WebUI.
   */
  async function checkVersionOf(origin: string): Promise<{ check: VersionCheck; known?: VersionKnowledge }> {
    const check = await fetchVersion(origin);
    const known = await engine.learnVersion(origin, check, Date.now());
    return known === undefined ? { check } : { check, known };
  }

  /**
   * Checks every Open WebUI an entry names whose version was never checked (its entries wait for
   * it); with `orUnknown`, also those whose checks all failed: access just granted lets a check
   * send the cookies a sign-in proxy in front of Open WebUI wants.
   */
  async function checkUnread(orUnknown = false): Promise<void> {
    await Promise.all((await engine.originsToCheck(orUnknown)).map(checkVersionOf));
  }

  async function command(command: Command): Promise<CommandReply> {
    const { reply, named } = await engine.command(command);
    // Not awaited: the page has its answer, and each check queues its own change.
    for (const origin of named) void checkVersionOf(origin);
    return reply;
  }

  async function checkVersion(address: string): Promise<VersionReply> {
    const origin = parseOpenWebUiAddress(address);
    if (!origin.ok) return { ok: false };
    const { check, known } = await checkVersionOf(origin.value);
    const reply: VersionReply = { ok: true, origin: origin.value, line: describeVersion(check) };
    return "unknown" in check && known?.read !== undefined
      ? { ...reply, stale: { version: known.read.version, readAt: known.read.at, failure: check } }
      : reply;
  }

  async function test(id: number): Promise<TestReply> {
    const entry = await engine.entry(id);
    return entry === undefined ? { ok: false } : { ok: true, report: await runConnectionTest(entry) };
  }

  async function reveal(id: number): Promise<RevealReply> {
    const key = await engine.key(id);
    return key === undefined ? { ok: false } : { ok: true, key };
  }

  /** The user's own entries as a file; entries set by the organisation are not among them. */
  async function exportEntries(includeKeys: boolean): Promise<ExportReply> {
    const loaded = await engine.entries();
    if (!loaded.ok) return { ok: false, problem: loaded.problem };
    const { entries } = loaded.settings;
    return { ok: true, text: writeEntriesFile(entries, includeKeys), count: entries.length };
  }

  /** Plans the import of a file against the saved entries; nothing is written here. */
  async function readFile(text: string): Promise<ImportReply> {
    const file = readEntriesFile(text);
    if (!file.ok) return file;
    const loaded = await engine.entries();
    if (!loaded.ok) return { ok: false, problem: loaded.problem };
    const plan = planImport(loaded.settings.entries, file.candidates);
    return { ok: true, review: reviewOf(plan), inputs: importInputs(plan) };
  }

  return {
    checkVersionOf,
    checkUnread,
    handle(request: Request): Promise<Reply> {
      switch (request.type) {
        case "getState":
          return engine.state(request.first);
        case "command":
          return command(request.command);
        case "revealKey":
          return reveal(request.id);
        case "reset":
          return engine.reset();
        case "checkVersion":
          return checkVersion(request.address);
        case "readOpenWebUi":
          return engine.entries().then((entries) => readOpenWebUi(request.address, entries));
        case "testEntry":
          return test(request.id);
        case "exportEntries":
          return exportEntries(request.includeKeys);
        case "readEntriesFile":
          return readFile(request.text);
      }
    },
  };
}
