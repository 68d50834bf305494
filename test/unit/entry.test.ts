import { describe, expect, it } from "vitest";
import { type EntryInput, isSameEntry, validateEntryInput } from "../../src/core/entry.ts";

const KEY = "fake-key-not-real-0001";

const good: EntryInput = {
  openWebUiAddress: "http://localhost:3000",
  toolServerUrl: "http://localhost:8000/time",
  key: KEY,
};

describe("validateEntryInput", () => {
  it("a valid input gives normalised fields, with Authorization and Bearer by default", () => {
    expect(validateEntryInput(good)).toStrictEqual({
      ok: true,
      fields: {
        openWebUiOrigin: "http://localhost:3000",
        toolServerUrl: "http://localhost:8000/time",
        key: KEY,
        headerName: "Authorization",
        scheme: "Bearer",
      },
      notices: {},
    });
  });

  it("a custom header with an empty scheme is kept as given", () => {
    const validated = validateEntryInput({ ...good, headerName: " X-API-Key ", scheme: "" });
    expect(validated).toMatchObject({ ok: true, fields: { headerName: "X-API-Key", scheme: "", key: KEY } });
  });

  it("normalises every field and says what it changed, beside the field", () => {
    expect(
      validateEntryInput({
        openWebUiAddress: " HTTP://LOCALHOST:3000/c/abc?x=1 ",
        toolServerUrl: "http://LOCALHOST:8000/time/",
        key: `Bearer ${KEY}`,
      }),
    ).toStrictEqual({
      ok: true,
      fields: {
        openWebUiOrigin: "http://localhost:3000",
        toolServerUrl: "http://localhost:8000/time",
        key: KEY,
        headerName: "Authorization",
        scheme: "Bearer",
      },
      notices: {
        openWebUi: ["addressReduced", "http://localhost:3000"],
        key: ["key_schemeRemoved", "Bearer"],
      },
    });
  });

  it("reports every field's problem at once, each beside its own field", () => {
    const validated = validateEntryInput({
      openWebUiAddress: "localhost:3000",
      toolServerUrl: "ftp://localhost:8000",
      key: "fake-key-not real-0001",
      headerName: "Cookie",
      scheme: "Bearer token",
    });
    expect(validated).toStrictEqual({
      ok: false,
      errors: {
        openWebUi: ["openWebUi_noScheme"],
        toolServer: ["notHttp", "ftp"],
        key: ["key_space", "13"],
        headerName: ["headerName_forbidden", "Cookie"],
        scheme: ["scheme_notToken"],
      },
    });
  });

  it("refuses a tool server on the Open WebUI's own API, beside the tool-server field", () => {
    expect(
      validateEntryInput({ openWebUiAddress: "http://localhost:3000/c/abc", toolServerUrl: "http://localhost:3000/api/v1", key: KEY }),
    ).toStrictEqual({
      ok: false,
      errors: { toolServer: ["toolServer_ownPath", "/api"] },
    });
  });

  it("refuses the Open WebUI address itself as a tool server, even written differently", () => {
    const validated = validateEntryInput({ openWebUiAddress: "http://localhost:3000", toolServerUrl: "HTTP://localhost:3000/", key: KEY });
    expect(validated).toMatchObject({ ok: false, errors: { toolServer: ["toolServer_isOpenWebUi"] } });
  });

  it("accepts a tool server on another port of the Open WebUI host", () => {
    expect(validateEntryInput({ ...good, toolServerUrl: "http://localhost:3001/api" })).toMatchObject({ ok: true });
  });

  it("does not look for a clash while the Open WebUI address itself is wrong", () => {
    const validated = validateEntryInput({ openWebUiAddress: "localhost:3000", toolServerUrl: "http://localhost:3000/api", key: KEY });
    expect(validated).toStrictEqual({
      ok: false,
      errors: { openWebUi: ["openWebUi_noScheme"] },
    });
  });

  it("returns no notices with errors, so nothing looks half-saved", () => {
    const validated = validateEntryInput({ ...good, key: `Bearer ${KEY}`, headerName: "Host" });
    expect(validated).toStrictEqual({
      ok: false,
      errors: { headerName: ["headerName_forbidden", "Host"] },
    });
  });

  it("never puts the key in an error", () => {
    const validated = validateEntryInput({ openWebUiAddress: "", toolServerUrl: "", key: "fake-key-not\nreal-0001" });
    expect(validated.ok).toBe(false);
    expect(JSON.stringify(validated)).not.toContain("not-real");
    expect(JSON.stringify(validated)).not.toContain("real-0001");
  });
});

describe("isSameEntry", () => {
  const a = { openWebUiOrigin: "http://localhost:3000", toolServerUrl: "http://localhost:8000/time" };

  it.each([
    { what: "the same Open WebUI and tool-server URL", b: { ...a }, same: true },
    { what: "the same pair with another key and header", b: { ...a, key: "fake-key-not-real-0002", headerName: "X-API-Key" }, same: true },
    { what: "another Open WebUI origin", b: { ...a, openWebUiOrigin: "http://localhost:3001" }, same: false },
    { what: "another tool-server path", b: { ...a, toolServerUrl: "http://localhost:8000/time2" }, same: false },
    { what: "a tool-server prefix of it", b: { ...a, toolServerUrl: "http://localhost:8000" }, same: false },
  ])("an entry with $what is the same: $same", ({ b, same }) => {
    expect(isSameEntry(a, b)).toBe(same);
  });
});
