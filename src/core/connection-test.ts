import type { ReadFailure } from "./read-failure.ts";
import { isRecord } from "./records.ts";
import { isUnderPath, pathOf } from "./urls.ts";
import type { UserText } from "./user-text.ts";

/** How long each request of a test may take, reading its body included. */
export const TEST_TIMEOUT_MS = 10_000;
/** A spec bigger than this is not read: mcpo's specs are a few KB. */
export const MAX_SPEC_BYTES = 5 * 1024 * 1024;
export const MAX_TITLE_LENGTH = 100;

export interface SpecSummary {
  /** Plain text, at most MAX_TITLE_LENGTH characters; empty when the spec has none. */
  title: string;
  toolCount: number;
}

/**
 * What a test found, for the popup; it holds no key and nothing of a server's reply but the
 * spec's cleaned title and status numbers. `outcome`: "pass" when the server accepted the key,
 * "fail" when something must be fixed, "unknown" when the key could not be checked.
 */
export interface ConnectionReport {
  outcome: "pass" | "fail" | "unknown";
  verdict: UserText;
  warnings: UserText[];
  spec?: SpecSummary;
}

/** The request that checks the key without running a tool: the body lacks required fields. */
export interface KeyCheck {
  method: string;
  url: string;
}

export type ReadSpec = { ok: true; spec: SpecSummary; keyCheck?: KeyCheck } | { ok: false };

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const BODY_METHODS = ["post", "put", "patch"];
/** Enough for mcpo's one `$ref` to `<tool>_form_model`; a loop ends here too. */
const MAX_REF_DEPTH = 3;

/** Where the spec is: Open WebUI 0.6.0 always reads `<url>/openapi.json`. */
export function specUrlOf(toolServerUrl: string): string {
  return `${toolServerUrl}/openapi.json`;
}

/**
 * Whether an https Open WebUI page is barred from calling this tool server: browsers block its
 * plain-http requests as mixed content unless the host is potentially trustworthy (loopback).
 */
export function isBlockedAsMixedContent(openWebUiOrigin: string, toolServerUrl: string): boolean {
  const tool = new URL(toolServerUrl);
  if (new URL(openWebUiOrigin).protocol !== "https:" || tool.protocol !== "http:") return false;
  const host = tool.hostname;
  return !(/(^|\.)localhost\.?$/.test(host) || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "[::1]");
}

/**
 * A spec's title as plain text: each secret hidden (a server that echoes the key it was sent must
 * not put it on screen), control and direction-changing characters gone, spaces collapsed, capped.
 */
export function sanitiseTitle(raw: unknown, secrets: readonly string[] = []): string {
  if (typeof raw !== "string") return "";
  let redacted = raw;
  for (const secret of secrets) if (secret !== "") redacted = redacted.replaceAll(secret, "•••");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  const text = redacted.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+/g, " ");
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length > MAX_TITLE_LENGTH ? `${chars.slice(0, MAX_TITLE_LENGTH - 1).join("")}…` : chars.join("");
}

/**
 * Reads a parsed `openapi.json`: its title (with `secrets` hidden), its number of tools and the
 * operation that can check the key.
 */
export function readSpec(document: unknown, toolServerUrl: string, secrets: readonly string[] = []): ReadSpec {
  if (!isRecord(document) || !isRecord(document.paths) || (typeof document.openapi !== "string" && typeof document.swagger !== "string")) {
    return { ok: false };
  }
  let toolCount = 0;
  let keyCheck: KeyCheck | undefined;
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isRecord(item)) continue;
    for (const method of HTTP_METHODS) {
      if (!isRecord(item[method])) continue;
      toolCount++;
      if (keyCheck === undefined && BODY_METHODS.includes(method) && hasRequiredBodyFields(document, item[method])) {
        const url = operationUrl(toolServerUrl, path);
        if (url !== undefined) keyCheck = { method: method.toUpperCase(), url };
      }
    }
  }
  const info = isRecord(document.info) ? document.info : {};
  const spec = { title: sanitiseTitle(info.title, secrets), toolCount };
  return keyCheck === undefined ? { ok: true, spec } : { ok: true, spec, keyCheck };
}

/** Whether an operation's JSON request body requires at least one field, so that `{}` is refused before it runs. */
function hasRequiredBodyFields(document: Record<string, unknown>, operation: Record<string, unknown>): boolean {
  const body = resolve(document, operation.requestBody);
  const content = isRecord(body?.content) ? body.content["application/json"] : undefined;
  const schema = resolve(document, isRecord(content) ? content.schema : undefined);
  return Array.isArray(schema?.required) && schema.required.some((field) => typeof field === "string");
}

/** Follows local `$ref`s (`#/components/schemas/X`) a few levels; a loop or a dangling one gives undefined. */
function resolve(document: Record<string, unknown>, value: unknown): Record<string, unknown> | undefined {
  let current = value;
  for (let depth = 0; isRecord(current) && typeof current.$ref === "string"; depth++) {
    if (depth === MAX_REF_DEPTH || !current.$ref.startsWith("#/")) return undefined;
    let target: unknown = document;
    for (const part of current.$ref.slice(2).split("/")) {
      const name = part.replaceAll("~1", "/").replaceAll("~0", "~");
      target = isRecord(target) && Object.hasOwn(target, name) ? target[name] : undefined;
    }
    current = target;
  }
  return isRecord(current) ? current : undefined;
}

/**
 * The URL Open WebUI would call for a path of the spec, or undefined when the path has a template
 * (`{id}`: no value to fill in) or would leave the tool-server URL (`@host`, `/../`): the key goes
 * nowhere else.
 */
function operationUrl(toolServerUrl: string, path: string): string | undefined {
  if (!path.startsWith("/") || /[{}?#\\]/.test(path)) return undefined;
  try {
    const url = new URL(`${toolServerUrl}${path}`);
    const base = new URL(toolServerUrl);
    return url.origin === base.origin && isUnderPath(url.pathname, pathOf(toolServerUrl)) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A reply to the spec request that is not 2xx. mcpo --strict-auth guards the spec with the key too. */
export function specStatusReport(status: number, toolServerUrl: string): ConnectionReport {
  if (status === 401 || status === 403) return keyStatusReport(status);
  if (status === 404) return fail(["testSpecNotFound", specUrlOf(toolServerUrl)]);
  return fail(status >= 500 ? ["testServerError", String(status)] : ["testUnexpectedStatus", String(status)]);
}

/** The reply to the key check: a key is judged before the body, so 422 means it got past the key. */
export function keyStatusReport(status: number, spec?: SpecSummary): ConnectionReport {
  const report = (outcome: ConnectionReport["outcome"], verdict: UserText): ConnectionReport =>
    spec === undefined ? { outcome, verdict, warnings: [] } : { outcome, verdict, warnings: [], spec };
  if (status === 401) return report("fail", ["testNoKey"]);
  if (status === 403) return report("fail", ["testKeyRejected"]);
  // 2xx should not happen, as a required field is missing; the key got through all the same.
  if (status === 422 || (status >= 200 && status < 300)) return report("pass", ["testKeyAccepted"]);
  if (status >= 500) return report("fail", ["testServerError", String(status)]);
  return report("unknown", ["testUnexpectedStatus", String(status)]);
}

/**
 * Why a request of a test (to `requestUrl`) brought no reply to judge, as the background's reader
 * reports it. Only the spec is read with a size cap, so only the spec can be too large.
 */
export function failureReport(why: ReadFailure, requestUrl: string, toolServerUrl: string, spec?: SpecSummary): ConnectionReport {
  const url = new URL(toolServerUrl);
  switch (why) {
    case "redirect":
      return fail(["testRedirect", requestUrl], spec);
    case "tooLarge":
      return fail(["testSpecTooLarge", String(MAX_SPEC_BYTES / 1024 / 1024)], spec);
    case "timeout":
      return fail(["testTimeout", url.host, String(TEST_TIMEOUT_MS / 1000)], spec);
    case "network":
      // A certificate the browser does not trust fails exactly like a server that is down.
      return fail(
        url.protocol === "https:" ? ["testUnreachableHttps", url.host, specUrlOf(toolServerUrl)] : ["testUnreachable", url.host],
        spec,
      );
  }
}

/**
 * The warning for a key-check reply without `Access-Control-Allow-Origin` when the page calls
 * another origin. Only a request that carries an `Origin` header says anything here: measured in
 * Chromium 156 and Firefox ESR 153, an extension's fetch with host access reads every response
 * header, sends `Origin: chrome-extension://<id>` (`moz-extension://<uuid>`) on a POST and no
 * `Origin` on a GET, and servers such as mcpo's (Starlette) add CORS headers only when asked with
 * an `Origin`. So the spec's GET reply is never judged, only the key check's POST.
 */
export function corsWarning(openWebUiOrigin: string, toolServerUrl: string, allowOrigin: string | null): UserText | undefined {
  return allowOrigin === null && new URL(toolServerUrl).origin !== openWebUiOrigin ? ["testNoCors"] : undefined;
}

export function fail(verdict: UserText, spec?: SpecSummary): ConnectionReport {
  return spec === undefined ? { outcome: "fail", verdict, warnings: [] } : { outcome: "fail", verdict, warnings: [], spec };
}
