import browser from "webextension-polyfill";
import type { Command } from "../core/commands.ts";
import type { ConnectionReport } from "../core/connection-test.ts";
import { validateEntryInput } from "../core/entry.ts";
import type { CommandReply, EntryView, RevealReply, State, StateBroadcast, TestReply } from "../core/messages.ts";
import { missingPatterns } from "../core/permissions.ts";
import { patternsOf } from "../core/rules.ts";
import { httpOriginOf } from "../core/urls.ts";
import { ask, requestAccess } from "./calls.ts";
import { type EntryActions, filterEntries, renderEntries, shownEntryIds } from "./entries.ts";
import { cancelEdit, clearAfterSave, clearFormMessages, editEntry, prefillAddress, readForm, showErrors, showNotice } from "./form.ts";
import { onImportCancel, onImportClick, onImportConfirm } from "./import-open-webui.ts";
import { localizePage, say } from "./say.ts";
import { watchOpenWebUiVersion } from "./version-line.ts";

/** Host access held when the popup opened, so Save knows what to ask for without awaiting. */
const granted: string[] = [];
/** Keys the user chose to reveal, by entry id; forgotten when the popup closes. */
const revealed = new Map<number, string>();
/** The last Test of each entry, shown until the popup closes. */
const tests = new Map<number, ConnectionReport | "running">();
let state: State = { entries: [], versions: {} };

function render(next: State): void {
  state = next;
  const problem = document.getElementById("problem") as HTMLElement;
  problem.hidden = next.problem === undefined;
  (document.getElementById("problem-text") as HTMLElement).textContent = next.problem === undefined ? "" : say(next.problem);
  renderEntries(next.entries, next.versions, { revealed, tests }, actions);
}

function showReply(reply: CommandReply): CommandReply {
  if (reply.ok) render(reply.state);
  else showErrors(reply.errors);
  return reply;
}

/** Sends a command and shows its outcome; a background that cannot be reached is said so too. */
function run(command: Command): Promise<CommandReply> {
  return ask<CommandReply>({ type: "command", command })
    .catch((): CommandReply => ({ ok: false, errors: { form: ["noAnswer"] } }))
    .then(showReply);
}

const actions: EntryActions = {
  setEnabled(entry, enabled) {
    void run({ type: "setEnabled", ids: [entry.id], enabled });
  },
  remove(entry) {
    revealed.delete(entry.id);
    void run({ type: "remove", id: entry.id });
  },
  toggleKey(entry) {
    if (revealed.delete(entry.id)) {
      render(state);
      return;
    }
    void ask<RevealReply>({ type: "revealKey", id: entry.id }).then((reply) => {
      if (reply.ok) revealed.set(entry.id, reply.key);
      render(state);
    });
  },
  grantAccess(entry: EntryView) {
    requestAccess(entry.missingAccess, granted);
  },
  edit: editEntry,
  test(entry) {
    tests.set(entry.id, "running");
    render(state);
    void ask<TestReply>({ type: "testEntry", id: entry.id })
      .catch((): TestReply => ({ ok: false }))
      .then((reply) => {
        if (reply.ok) tests.set(entry.id, reply.report);
        else tests.delete(entry.id);
        render(state);
      });
  },
  setAddKeyAnyway(entry, addKeyAnyway) {
    void run({ type: "setAddKeyAnyway", id: entry.id, addKeyAnyway });
  },
};

function onSave(event: SubmitEvent): void {
  event.preventDefault();
  clearFormMessages();
  const input = readForm();
  // The entry goes to the background first: if the permission dialog closes the popup, the
  // background keeps it waiting for access and activates it once access is granted.
  const reply = run({ type: "save", input });
  const validated = validateEntryInput(input);
  if (validated.ok) {
    const missing = missingPatterns(patternsOf(validated.fields), granted);
    if (missing.length > 0) requestAccess(missing, granted);
  }
  void reply.then((shown) => {
    if (!shown.ok) return;
    clearAfterSave();
    showNotice([["saved"] as const, ...Object.values(shown.notices)].map(say).join(" "));
  });
}

let resetArmed = false;
function onReset(event: MouseEvent): void {
  const button = event.currentTarget as HTMLButtonElement;
  if (!resetArmed) {
    resetArmed = true;
    button.textContent = say(["resetConfirm"]);
    return;
  }
  void ask<State>({ type: "reset" }).then(render);
}

async function start(): Promise<void> {
  localizePage();
  const form = document.getElementById("entry-form") as HTMLFormElement;
  form.addEventListener("submit", onSave);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") cancelEdit();
  });
  for (const [id, enabled] of [
    ["enable-shown", true],
    ["disable-shown", false],
  ] as const) {
    (document.getElementById(id) as HTMLButtonElement).addEventListener("click", () => {
      const ids = shownEntryIds();
      if (ids.length > 0) void run({ type: "setEnabled", ids, enabled });
    });
  }
  (document.getElementById("reset") as HTMLButtonElement).addEventListener("click", onReset);
  const onClick = (id: string, handler: () => void) =>
    (document.getElementById(id) as HTMLButtonElement).addEventListener("click", handler);
  onClick("import-open-webui", () => onImportClick(granted));
  onClick("import-confirm", () => onImportConfirm(({ inputs }) => run({ type: "import", inputs })));
  onClick("import-cancel", onImportCancel);
  const filter = document.getElementById("filter") as HTMLInputElement;
  filter.addEventListener("input", () => filterEntries(filter.value));
  browser.runtime.onMessage.addListener((message: unknown) => {
    if ((message as StateBroadcast | undefined)?.type === "state") render((message as StateBroadcast).state);
    return undefined;
  });
  const [permissions, tabs, current] = await Promise.all([
    browser.permissions.getAll(),
    browser.tabs.query({ active: true, currentWindow: true }),
    ask<State>({ type: "getState" }),
  ]);
  granted.push(...(permissions.origins ?? []));
  prefillAddress(httpOriginOf(tabs[0]?.url));
  watchOpenWebUiVersion();
  render(current);
  // From opening to a form that works and a full list: what the benchmark reports.
  performance.mark("toolkey:interactive");
}

void start();
