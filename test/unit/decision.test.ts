import { describe, expect, it } from "vitest";
import { type Decision, decide, type Reason, type VersionNote, type World } from "../../src/core/decision.ts";
import type { Entry } from "../../src/core/entry.ts";
import { MANAGED_ID_FIRST, NO_POLICY } from "../../src/core/managed.ts";
import type { VersionKnowledge } from "../../src/core/open-webui-version.ts";
import { ruleIdOf } from "../../src/core/rules.ts";
import { makeEntry } from "./fixtures.ts";

const OWUI = "http://localhost:3000";
const bearer = makeEntry({ id: 0 });
const apiKey = makeEntry({ id: 1, toolServerUrl: "http://localhost:8000/x", headerName: "X-API-Key", scheme: "" });
const bareToken = makeEntry({ id: 2, toolServerUrl: "http://localhost:8000/bare", scheme: "" });
const managedBearer = makeEntry({ id: MANAGED_ID_FIRST, toolServerUrl: "http://localhost:8000/org" });

const read = (version: string): VersionKnowledge => ({ read: { version, at: 100 } });
const failed502 = { unknown: "status", status: 502 } as const;

/** Everything in place: 0.6.0 read, access held, one Open WebUI tab (7), no policy. */
function world(changes: Partial<World> = {}): World {
  return {
    tabsByOrigin: new Map([[OWUI, [7]]]),
    granted: new Set(["http://localhost/*"]),
    versions: { [OWUI]: read("0.6.0") },
    policy: NO_POLICY,
    problems: new Map(),
    refused: new Map(),
    rulesFailed: false,
    ...changes,
  };
}

/** What a decision says, in short: whether a rule is wanted, the reason, the notes, the switch. */
function summary(decision: Decision): { rule: boolean; reason?: Reason; notes: VersionNote[]; canAddAnyway: boolean } {
  const short = { rule: decision.rule !== undefined, notes: decision.versionNotes, canAddAnyway: decision.canAddAnyway };
  return decision.reason === undefined ? short : { ...short, reason: decision.reason };
}

describe("decide: does this entry get a rule, and if not, the one reason", () => {
  it.each<{ what: string; entry: Entry; world: World; expected: ReturnType<typeof summary> }>([
    {
      what: "a Bearer entry on 0.6.0 gets its rule",
      entry: bearer,
      world: world(),
      expected: { rule: true, notes: [], canAddAnyway: false },
    },
    {
      what: "a Bearer entry on 0.6.5 stands aside, with the switch to add it anyway",
      entry: bearer,
      world: world({ versions: { [OWUI]: read("0.6.5") } }),
      expected: { rule: false, reason: { why: "standsAside", version: "0.6.5" }, notes: [], canAddAnyway: true },
    },
    {
      what: "authorization: BEARER in another case stands aside too",
      entry: { ...bearer, headerName: "authorization", scheme: "BEARER" },
      world: world({ versions: { [OWUI]: read("0.7.0") } }),
      expected: { rule: false, reason: { why: "standsAside", version: "0.7.0" }, notes: [], canAddAnyway: true },
    },
    {
      what: "a Bearer entry set to add the key anyway on 0.6.5 gets its rule and says so",
      entry: { ...bearer, addKeyAnyway: true },
      world: world({ versions: { [OWUI]: read("0.6.5") } }),
      expected: { rule: true, notes: [{ note: "addingAnyway", version: "0.6.5" }], canAddAnyway: true },
    },
    {
      what: "an X-API-Key entry on 0.6.5 gets its rule: no Open WebUI sends it",
      entry: apiKey,
      world: world({ versions: { [OWUI]: read("0.6.5") } }),
      expected: { rule: true, notes: [{ note: "otherHeader", version: "0.6.5", header: "X-API-Key: <key>" }], canAddAnyway: false },
    },
    {
      what: "a bare token in Authorization on 0.6.5 gets its rule",
      entry: bareToken,
      world: world({ versions: { [OWUI]: read("0.6.41") } }),
      expected: { rule: true, notes: [{ note: "otherHeader", version: "0.6.41", header: "Authorization: <key>" }], canAddAnyway: false },
    },
    {
      what: "an organisation's Bearer entry on 0.6.5 stands aside without a switch",
      entry: managedBearer,
      world: world({ versions: { [OWUI]: read("0.6.5") } }),
      expected: { rule: false, reason: { why: "standsAside", version: "0.6.5" }, notes: [], canAddAnyway: false },
    },
    {
      what: "an organisation's Bearer entry with addKeyAnyway on 0.6.5 gets its rule",
      entry: { ...managedBearer, addKeyAnyway: true },
      world: world({ versions: { [OWUI]: read("0.6.5") } }),
      expected: { rule: true, notes: [{ note: "addingAnyway", version: "0.6.5" }], canAddAnyway: false },
    },
    {
      what: "a known 0.6.5 whose latest check failed: still standing aside, and both said",
      entry: bearer,
      world: world({ versions: { [OWUI]: { read: { version: "0.6.5", at: 100 }, failed: { failure: failed502, at: 200 } } } }),
      expected: {
        rule: false,
        reason: { why: "standsAside", version: "0.6.5" },
        notes: [{ note: "latestCheckFailed", version: "0.6.5", readAt: 100, failure: failed502 }],
        canAddAnyway: true,
      },
    },
    {
      what: "an Open WebUI never read but asked: the key is added as for 0.6.0, and why is said",
      entry: bearer,
      world: world({ versions: { [OWUI]: { failed: { failure: { unknown: "network" }, at: 200 } } } }),
      expected: { rule: true, notes: [{ note: "unknown", failure: { unknown: "network" } }], canAddAnyway: false },
    },
    {
      what: "an Open WebUI never asked: the entry waits for the check",
      entry: apiKey,
      world: world({ versions: {} }),
      expected: { rule: false, reason: { why: "awaitingVersion" }, notes: [], canAddAnyway: false },
    },
    {
      what: "before 0.6.0: the rule, and a note that there were no tool servers",
      entry: bearer,
      world: world({ versions: { [OWUI]: read("0.5.20") } }),
      expected: { rule: true, notes: [{ note: "tooOld", version: "0.5.20" }], canAddAnyway: false },
    },
    {
      what: "disabled",
      entry: { ...bearer, enabled: false },
      world: world(),
      expected: { rule: false, reason: { why: "disabled" }, notes: [], canAddAnyway: false },
    },
    {
      what: "disabled wins over standing aside: one reason",
      entry: { ...bearer, enabled: false },
      world: world({ versions: { [OWUI]: read("0.6.5") } }),
      expected: { rule: false, reason: { why: "disabled" }, notes: [], canAddAnyway: true },
    },
    {
      what: "no access",
      entry: bearer,
      world: world({ granted: new Set() }),
      expected: { rule: false, reason: { why: "noAccess", missing: ["http://localhost/*"] }, notes: [], canAddAnyway: false },
    },
    {
      what: "no Open WebUI tab open",
      entry: bearer,
      world: world({ tabsByOrigin: new Map([["http://localhost:3001", [8]]]) }),
      expected: { rule: false, reason: { why: "noTab" }, notes: [], canAddAnyway: false },
    },
    {
      what: "an invalid stored entry, whatever else",
      entry: bearer,
      world: world({ problems: new Map([[0, ["entryDuplicate"]]]), versions: { [OWUI]: read("0.6.5") } }),
      expected: { rule: false, reason: { why: "invalid", problem: ["entryDuplicate"] }, notes: [], canAddAnyway: false },
    },
    {
      what: "a user entry covered by an organisation's entry of the same Open WebUI",
      entry: makeEntry({ id: 3, toolServerUrl: "http://localhost:8000/org/sub" }),
      world: world({ policy: { entries: [managedBearer], allowUserEntries: true } }),
      expected: { rule: false, reason: { why: "managedCovers" }, notes: [], canAddAnyway: false },
    },
    {
      what: "a user entry while the organisation lets only its own apply",
      entry: apiKey,
      world: world({ policy: { entries: [managedBearer], allowUserEntries: false } }),
      expected: { rule: false, reason: { why: "userEntriesOff" }, notes: [], canAddAnyway: false },
    },
    {
      what: "the organisation's own entry while user entries are off",
      entry: managedBearer,
      world: world({ policy: { entries: [managedBearer], allowUserEntries: false } }),
      expected: { rule: true, notes: [], canAddAnyway: false },
    },
    {
      what: "rules withdrawn after a failure: the rule is still wanted, and not in force",
      entry: bearer,
      world: world({ rulesFailed: true }),
      expected: { rule: true, reason: { why: "rulesFailed" }, notes: [], canAddAnyway: false },
    },
    {
      what: "refused by the browser: the rule is still wanted, and the refusal said",
      entry: bearer,
      world: world({ refused: new Map([[0, "Rule with id 1000 is invalid."]]) }),
      expected: { rule: true, reason: { why: "refused", error: "Rule with id 1000 is invalid." }, notes: [], canAddAnyway: false },
    },
  ])("$what", ({ entry, world, expected }) => {
    expect(summary(decide(entry, world))).toStrictEqual(expected);
  });

  it("the rule covers exactly the Open WebUI tabs, with the entry's header", () => {
    const { rule } = decide(apiKey, world({ versions: { [OWUI]: read("0.6.5") }, tabsByOrigin: new Map([[OWUI, [3, 9]]]) }));
    expect(rule).toStrictEqual({
      id: ruleIdOf(1),
      priority: "http://localhost:8000/x/".length,
      action: { type: "modifyHeaders", requestHeaders: [{ header: "X-API-Key", operation: "set", value: "fake-key-not-real-0001" }] },
      condition: {
        urlFilter: "|http://localhost:8000/x/",
        isUrlFilterCaseSensitive: true,
        initiatorDomains: ["localhost"],
        tabIds: [3, 9],
        resourceTypes: ["xmlhttprequest"],
      },
    });
  });
});
