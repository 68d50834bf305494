import browser from "webextension-polyfill";
import type { Command } from "../core/commands.ts";
import { validateEntryInput } from "../core/entry.ts";
import type { CommandReply, RevealReply, State, StateBroadcast, TestReply } from "../core/messages.ts";
import { PAGE_CONNECTION } from "../core/page-connection.ts";
import { missingPatterns } from "../core/permissions.ts";
import { patternsOf } from "../core/rules.ts";
import { httpOriginOf } from "../core/urls.ts";
import { ask, requestAccess } from "./calls.ts";
import { drawEntries, FIRST_BATCH, filterEntries, shownEntryIds } from "./entry-list.ts";
import type { EntryActions, TestShown } from "./entry-row.ts";
import { onExportClick, onFilePicked, onImportFileClick, onIncludeKeysChange } from "./files.ts";
import { cancelEdit, clearAfterSave, clearFormMessages, editEntry, prefillAddress, readForm, showErrors, showNotice } from "./form.ts";
import { onImportClick } from "./import-open-webui.ts";
import { onImportCancel, onImportConfirm } from "./import-review.ts";
import { drawManagedNotes } from "./managed-notes.ts";
import { drawProblems } from "./problem-area.ts";
import { localizePage, say } from "./say.ts";
import { markMoment } from "./timing.ts";
import { watchOpenWebUiVersion } from "./version-line.ts";

/** Host access held when the popup opened, so Save knows what to ask for without awaiting. */
const granted: string[] = [];

/** The page's state: the problem area and the list are drawn from it; handlers change it and draw. */
const page = {
  state: { entries: [] } as State,
  /** Keys the user chose to reveal, by entry id; forgotten when the popup closes. */
  revealed: new Map<number, string>(),
  /** The last Test of each entry, shown until the popup closes. */
  tests: new Map<number, TestShown>(),
  /** The filter, in lower case. */
  query: "",
  /** The entry Edit put in the form: Save updates that one, even under a new URL. */
  editing: undefined as number | undefined,
  unanswered: false,
  resetArmed: false,
  exportArmed: false,
};

function draw(): void {
  drawProblems(page);
  drawManagedNotes(page.state);
  drawEntries(page, actions);
}

/** Settles once the page holds every entry, not only the first screenful. */
let settleWhole: () => void = () => undefined;
const whole = new Promise<void>((resolve) => {
  settleWhole = resolve;
});
let hasWhole = false;

function show(state: State): void {
  // A first screenful that arrives after the whole list (a broadcast overtook it) is old news.
  if (state.total !== undefined && hasWhole) return;
  page.state = state;
  page.unanswered = false;
  if (state.total === undefined) {
    hasWhole = true;
    settleWhole();
  }
  draw();
}

/** Sends a command and shows its outcome; a background that cannot be reached is said so too. */
function run(command: Command): Promise<CommandReply> {
  return ask<CommandReply>({ type: "command", command })
    .catch((): CommandReply => ({ ok: false, errors: { form: ["noAnswer"] } }))
    .then((reply) => {
      if (reply.ok) {
        show(reply.state);
      } else {
        showErrors(reply.errors);
        // A switch flipped for nothing goes back to what the data says.
        draw();
      }
      return reply;
    });
}

const actions: EntryActions = {
  setEnabled(entry, enabled) {
    void run({ type: "setEnabled", ids: [entry.id], enabled });
  },
  remove(entry) {
    page.revealed.delete(entry.id);
    void run({ type: "remove", id: entry.id });
  },
  toggleKey(entry) {
    if (page.revealed.delete(entry.id)) {
      draw();
      return;
    }
    ask<RevealReply>({ type: "revealKey", id: entry.id }).then(
      (reply) => {
        if (reply.ok) page.revealed.set(entry.id, reply.key);
        else showErrors({ form: ["entryGone"] });
        draw();
      },
      () => showErrors({ form: ["noAnswer"] }),
    );
  },
  grantAccess(entry) {
    requestAccess(entry.missingAccess, granted);
  },
  edit(entry) {
    page.editing = entry.id;
    editEntry(entry);
  },
  test(entry) {
    page.tests.set(entry.id, "running");
    draw();
    ask<TestReply>({ type: "testEntry", id: entry.id })
      .catch((): TestReply | undefined => undefined)
      .then((reply) => {
        const failed = reply === undefined ? "noAnswer" : "entryGone";
        page.tests.set(entry.id, reply?.ok ? reply.report : { outcome: "unknown", verdict: [failed], warnings: [] });
        draw();
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
  const reply = run({ type: "save", input, editing: page.editing });
  const validated = validateEntryInput(input);
  if (validated.ok) {
    const missing = missingPatterns(patternsOf(validated.fields), granted);
    if (missing.length > 0) requestAccess(missing, granted);
  }
  void reply.then((shown) => {
    if (!shown.ok) return;
    page.editing = undefined;
    clearAfterSave();
    showNotice([["saved"] as const, ...Object.values(shown.notices)].map(say).join(" "));
  });
}

function onReset(): void {
  if (!page.resetArmed) {
    page.resetArmed = true;
    drawProblems(page);
    return;
  }
  ask<State>({ type: "reset" }).then(
    (state) => {
      page.resetArmed = false;
      show(state);
    },
    () => {
      page.unanswered = true;
      drawProblems(page);
    },
  );
}

/**
 * Keeps a connection to the background, which tells the page each new state over it. A background
 * the browser stopped drops it: it is made again at once, which wakes the background, so that the
 * page goes on hearing what changes while it is open.
 */
function listenForState(): void {
  const connection = browser.runtime.connect({ name: PAGE_CONNECTION });
  connection.onMessage.addListener((message: unknown) => {
    if ((message as StateBroadcast | undefined)?.type === "state") show((message as StateBroadcast).state);
  });
  connection.onDisconnect.addListener(() => listenForState());
}

function onClick(id: string, handler: () => void): void {
  (document.getElementById(id) as HTMLButtonElement).addEventListener("click", handler);
}

async function start(): Promise<void> {
  localizePage();
  const form = document.getElementById("entry-form") as HTMLFormElement;
  form.addEventListener("submit", onSave);
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    page.editing = undefined;
    cancelEdit();
  });
  for (const [id, enabled] of [
    ["enable-shown", true],
    ["disable-shown", false],
  ] as const) {
    onClick(id, () => {
      // The entries the filter shows include those not yet in the page: it acts once all are.
      void whole.then(() => {
        const ids = shownEntryIds(page);
        if (ids.length > 0) void run({ type: "setEnabled", ids, enabled });
      });
    });
  }
  onClick("reset", onReset);
  onClick("import-open-webui", () => onImportClick(granted));
  onClick("import-confirm", () => onImportConfirm(({ inputs }) => run({ type: "import", inputs }), granted));
  onClick("import-cancel", onImportCancel);
  onClick("export-entries", () => onExportClick(page));
  onClick("import-file", onImportFileClick);
  document.getElementById("include-keys")?.addEventListener("change", () => onIncludeKeysChange(page));
  const picker = document.getElementById("import-file-input") as HTMLInputElement;
  picker.addEventListener("change", () => onFilePicked(picker));
  const filter = document.getElementById("filter") as HTMLInputElement;
  filter.addEventListener("input", () => {
    page.query = filter.value.trim().toLowerCase();
    filterEntries(page);
  });
  listenForState();
  const [permissions, tabs, current] = await Promise.all([
    browser.permissions.getAll().catch(() => ({ origins: [] })),
    browser.tabs.query({ active: true, currentWindow: true }).catch(() => []),
    // A first, small answer: the rows drawn at once; the rest follows.
    ask<State>({ type: "getState", first: FIRST_BATCH }).catch(() => undefined),
  ]);
  granted.push(...(permissions.origins ?? []));
  prefillAddress(httpOriginOf(tabs[0]?.url));
  watchOpenWebUiVersion();
  if (current === undefined) {
    page.unanswered = true;
    draw();
  } else {
    show(current);
  }
  // From opening to a form that works and the first rows drawn: what the benchmark reports as interactive.
  markMoment("toolkey:interactive");
  if (current?.total !== undefined) {
    const rest = await ask<State>({ type: "getState" }).catch(() => undefined);
    if (rest !== undefined) show(rest);
  }
}

void start();
