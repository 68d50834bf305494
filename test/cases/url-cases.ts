/**
 * URL tables shared by the unit tests and, later, the real-browser tests: Node's URL parser and the
 * browsers' differ on IPv6, IDN and some characters, so the same cases must hold in every one.
 * Plain data only: no test framework is imported here.
 */
import type { Parsed } from "../../src/core/fields.ts";
import type { UserText } from "../../src/core/user-text.ts";

export interface UrlCase<I, E> {
  input: I;
  expected: E;
}

const notHttp = (scheme: string): UserText => ["notHttp", scheme];

export const openWebUiAddressAccepted: UrlCase<string, Parsed<string>>[] = [
  { input: "http://open_webui:8080", expected: { ok: true, value: "http://open_webui:8080" } },
  { input: "http://localhost:3000", expected: { ok: true, value: "http://localhost:3000" } },
  { input: "http://localhost:3000/", expected: { ok: true, value: "http://localhost:3000" } },
  { input: "  http://localhost:3000  ", expected: { ok: true, value: "http://localhost:3000" } },
  { input: "HTTP://LOCALHOST:3000", expected: { ok: true, value: "http://localhost:3000" } },
  { input: "https://Chat.Example.COM/", expected: { ok: true, value: "https://chat.example.com" } },
  { input: "http://chat.example.com:80", expected: { ok: true, value: "http://chat.example.com" } },
  { input: "https://chat.example.com:443/", expected: { ok: true, value: "https://chat.example.com" } },
  { input: "http://chat.example.com:443", expected: { ok: true, value: "http://chat.example.com:443" } },
  { input: "https://chat.example.com:80", expected: { ok: true, value: "https://chat.example.com:80" } },
  { input: "http://127.0.0.1:8080", expected: { ok: true, value: "http://127.0.0.1:8080" } },
  { input: "http://[::1]:8080", expected: { ok: true, value: "http://[::1]:8080" } },
  { input: "http://[0:0:0:0:0:0:0:1]:8080/", expected: { ok: true, value: "http://[::1]:8080" } },
  { input: "http://münchen.example", expected: { ok: true, value: "http://xn--mnchen-3ya.example" } },
  {
    input: "http://localhost:3000/c/abc?x=1#y",
    expected: { ok: true, value: "http://localhost:3000", notice: ["addressReduced", "http://localhost:3000"] },
  },
  {
    input: "https://chat.example.com/admin/settings",
    expected: { ok: true, value: "https://chat.example.com", notice: ["addressReduced", "https://chat.example.com"] },
  },
  {
    input: "http://localhost:3000/?",
    expected: { ok: true, value: "http://localhost:3000", notice: ["addressReduced", "http://localhost:3000"] },
  },
  {
    input: "http://localhost:3000/#",
    expected: { ok: true, value: "http://localhost:3000", notice: ["addressReduced", "http://localhost:3000"] },
  },
];

export const openWebUiAddressRefused: UrlCase<string, Parsed<string>>[] = [
  {
    input: "http://*",
    expected: { ok: false, error: ["openWebUi_hostName"] },
  },
  {
    input: "http://*.example.com:3000",
    expected: { ok: false, error: ["openWebUi_hostName"] },
  },
  { input: "", expected: { ok: false, error: ["openWebUi_empty"] } },
  { input: "   \t ", expected: { ok: false, error: ["openWebUi_empty"] } },
  { input: "http://local host:3000", expected: { ok: false, error: ["openWebUi_spaces"] } },
  { input: "http://localhost:3000/c/a b", expected: { ok: false, error: ["openWebUi_spaces"] } },
  { input: "http://local\thost:3000", expected: { ok: false, error: ["openWebUi_spaces"] } },
  {
    input: "localhost:3000",
    expected: { ok: false, error: ["openWebUi_noScheme"] },
  },
  {
    input: "example.com",
    expected: { ok: false, error: ["openWebUi_noScheme"] },
  },
  {
    input: "//example.com",
    expected: { ok: false, error: ["openWebUi_noScheme"] },
  },
  { input: "ftp://example.com", expected: { ok: false, error: notHttp("ftp") } },
  { input: "file:///etc", expected: { ok: false, error: notHttp("file") } },
  { input: "javascript:alert(1)", expected: { ok: false, error: notHttp("javascript") } },
  { input: "JavaScript:alert(1)", expected: { ok: false, error: notHttp("javascript") } },
  { input: "data:text/html,x", expected: { ok: false, error: notHttp("data") } },
  { input: "chrome-extension://abc/", expected: { ok: false, error: notHttp("chrome-extension") } },
  { input: "ws://localhost:3000", expected: { ok: false, error: notHttp("ws") } },
  {
    input: "http://u:p@localhost:3000",
    expected: { ok: false, error: ["openWebUi_credentials"] },
  },
  {
    input: "http://u@localhost:3000",
    expected: { ok: false, error: ["openWebUi_credentials"] },
  },
  { input: "http://", expected: { ok: false, error: ["openWebUi_invalid"] } },
  { input: "http://[::1", expected: { ok: false, error: ["openWebUi_invalid"] } },
  { input: "http://localhost:99999", expected: { ok: false, error: ["openWebUi_invalid"] } },
];

export const toolServerUrlAccepted: UrlCase<string, Parsed<string>>[] = [
  { input: "http://localhost:8000", expected: { ok: true, value: "http://localhost:8000" } },
  { input: "http://localhost:8000/", expected: { ok: true, value: "http://localhost:8000" } },
  { input: " http://localhost:8000/time/ ", expected: { ok: true, value: "http://localhost:8000/time" } },
  { input: "http://localhost:8000/time//", expected: { ok: true, value: "http://localhost:8000/time" } },
  { input: "HTTP://TOOLS.EXAMPLE.COM/Time", expected: { ok: true, value: "http://tools.example.com/Time" } },
  { input: "https://tools.example.com:443/a/b", expected: { ok: true, value: "https://tools.example.com/a/b" } },
  { input: "http://tools.example.com:80/", expected: { ok: true, value: "http://tools.example.com" } },
  { input: "http://tools.example.com:8443/v1", expected: { ok: true, value: "http://tools.example.com:8443/v1" } },
  { input: "http://[::1]:8080/tools/", expected: { ok: true, value: "http://[::1]:8080/tools" } },
  { input: "http://münchen.example/tools", expected: { ok: true, value: "http://xn--mnchen-3ya.example/tools" } },
];

const PATH_SPECIAL: UserText = ["toolServer_filterCharacters"];

export const toolServerUrlRefused: UrlCase<string, Parsed<string>>[] = [
  {
    input: "http://*",
    expected: { ok: false, error: ["toolServer_hostName"] },
  },
  {
    input: "http://tools.*.example",
    expected: { ok: false, error: ["toolServer_hostName"] },
  },
  {
    // Every parser refuses "<" in a host: the message still names the host.
    input: "http://tools<x>.example:8000/",
    expected: { ok: false, error: ["toolServer_hostName"] },
  },
  { input: "http://tools.example:99999/", expected: { ok: false, error: ["toolServer_invalid"] } },
  { input: "", expected: { ok: false, error: ["toolServer_empty"] } },
  { input: "  ", expected: { ok: false, error: ["toolServer_empty"] } },
  { input: "http://localhost:8000/my tools", expected: { ok: false, error: ["toolServer_spaces"] } },
  {
    input: "localhost:8000",
    expected: { ok: false, error: ["toolServer_noScheme"] },
  },
  {
    input: "example.com/tools",
    expected: { ok: false, error: ["toolServer_noScheme"] },
  },
  { input: "ftp://localhost:8000", expected: { ok: false, error: notHttp("ftp") } },
  { input: "file:///etc", expected: { ok: false, error: notHttp("file") } },
  { input: "javascript:alert(1)", expected: { ok: false, error: notHttp("javascript") } },
  { input: "data:text/html,x", expected: { ok: false, error: notHttp("data") } },
  { input: "chrome-extension://abc/", expected: { ok: false, error: notHttp("chrome-extension") } },
  {
    input: "http://u:p@localhost:8000",
    expected: { ok: false, error: ["toolServer_credentials"] },
  },
  { input: "http://localhost:8000/time?x=1", expected: { ok: false, error: ["toolServer_query"] } },
  { input: "http://localhost:8000/?", expected: { ok: false, error: ["toolServer_query"] } },
  {
    input: "http://localhost:8000/time#x",
    expected: { ok: false, error: ["toolServer_fragment"] },
  },
  { input: "http://localhost:8000/#", expected: { ok: false, error: ["toolServer_fragment"] } },
  { input: "http://localhost:8000/a*b", expected: { ok: false, error: PATH_SPECIAL } },
  { input: "http://localhost:8000/a^b", expected: { ok: false, error: PATH_SPECIAL } },
  { input: "http://localhost:8000/a|b", expected: { ok: false, error: PATH_SPECIAL } },
  { input: "http://localhost:8000/*", expected: { ok: false, error: PATH_SPECIAL } },
  { input: "http://", expected: { ok: false, error: ["toolServer_invalid"] } },
];

/** [tool-server URL (normalised), Open WebUI origin] -> the refusal, or undefined when allowed. */
export const toolServerAgainstOpenWebUi: UrlCase<{ toolServerUrl: string; openWebUiOrigin: string }, UserText | undefined>[] = [
  {
    input: { toolServerUrl: "http://localhost:3000", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_isOpenWebUi"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/api", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/api"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/api/v1/x", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/api"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/ollama", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/ollama"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/openai/v1", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/openai"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/ws", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/ws"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/oauth/google", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/oauth"],
  },
  // Found by the differential test (matcher.test.ts): the server decodes the escapes, so these are its own API.
  {
    input: { toolServerUrl: "http://localhost:3000/%61pi/v1", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/api"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/ap%69", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/api"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/o%61uth/x", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/oauth"],
  },
  // Repeated slashes are collapsed before comparing, as a proxy in front of Open WebUI may do.
  {
    input: { toolServerUrl: "http://localhost:3000//api/v1", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/api"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/%2Fapi", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/api"],
  },
  {
    input: { toolServerUrl: "http://localhost:3000/ollama//x", openWebUiOrigin: "http://localhost:3000" },
    expected: ["toolServer_ownPath", "/ollama"],
  },
  { input: { toolServerUrl: "http://localhost:3000/tools//api", openWebUiOrigin: "http://localhost:3000" }, expected: undefined },
  { input: { toolServerUrl: "http://localhost:3000/API", openWebUiOrigin: "http://localhost:3000" }, expected: undefined },
  { input: { toolServerUrl: "http://localhost:3000/apix", openWebUiOrigin: "http://localhost:3000" }, expected: undefined },
  { input: { toolServerUrl: "http://localhost:3000/tools", openWebUiOrigin: "http://localhost:3000" }, expected: undefined },
  { input: { toolServerUrl: "http://localhost:3000/tools/api", openWebUiOrigin: "http://localhost:3000" }, expected: undefined },
  { input: { toolServerUrl: "http://localhost:8000", openWebUiOrigin: "http://localhost:3000" }, expected: undefined },
  { input: { toolServerUrl: "http://localhost:8000/api", openWebUiOrigin: "http://localhost:3000" }, expected: undefined },
  { input: { toolServerUrl: "https://localhost:3000/api", openWebUiOrigin: "http://localhost:3000" }, expected: undefined },
];

export const originPatterns: UrlCase<string, string>[] = [
  { input: "http://localhost:3000", expected: "http://localhost/*" },
  { input: "https://tools.example.com/time", expected: "https://tools.example.com/*" },
  { input: "http://[::1]:8080", expected: "http://[::1]/*" },
  { input: "http://xn--mnchen-3ya.example/tools", expected: "http://xn--mnchen-3ya.example/*" },
];

export const httpOrigins: UrlCase<string | undefined, string | undefined>[] = [
  { input: undefined, expected: undefined },
  { input: "", expected: undefined },
  { input: "not a url", expected: undefined },
  { input: "about:blank", expected: undefined },
  { input: "chrome://newtab/", expected: undefined },
  { input: "file:///etc/passwd", expected: undefined },
  { input: "http://localhost:3000/c/abc?x=1#y", expected: "http://localhost:3000" },
  { input: "https://chat.example.com:443/", expected: "https://chat.example.com" },
  { input: "http://[::1]:8080/", expected: "http://[::1]:8080" },
];
