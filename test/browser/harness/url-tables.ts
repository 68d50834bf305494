/**
 * The URL tables of test/cases run through the core's URL functions: bundled by core-bundle.ts and
 * evaluated inside a real browser, whose URL parser is the one ToolKey really uses.
 */

import {
  checkToolServerAgainstOpenWebUi,
  httpOriginOf,
  originPattern,
  parseOpenWebUiAddress,
  parseToolServerUrl,
} from "../../../src/core/urls.ts";
import * as cases from "../../cases/url-cases.ts";

export interface Outcome {
  table: string;
  input: unknown;
  expected: unknown;
  actual: unknown;
}

export function run(): Outcome[] {
  const outcomes: Outcome[] = [];
  const table = <I, E>(name: string, rows: cases.UrlCase<I, E>[], apply: (input: I) => unknown) => {
    for (const row of rows) outcomes.push({ table: name, input: row.input, expected: row.expected, actual: apply(row.input) });
  };
  table("Open WebUI address accepted", cases.openWebUiAddressAccepted, parseOpenWebUiAddress);
  table("Open WebUI address refused", cases.openWebUiAddressRefused, parseOpenWebUiAddress);
  table("tool-server URL accepted", cases.toolServerUrlAccepted, parseToolServerUrl);
  table("tool-server URL refused", cases.toolServerUrlRefused, parseToolServerUrl);
  table("tool server against Open WebUI", cases.toolServerAgainstOpenWebUi, (input) =>
    checkToolServerAgainstOpenWebUi(input.toolServerUrl, input.openWebUiOrigin),
  );
  table("origin patterns", cases.originPatterns, originPattern);
  table("http origins", cases.httpOrigins, httpOriginOf);
  // Rows share their expected texts; a copy without shared objects crosses WebDriver BiDi intact
  // (it sends an object met twice as a reference, which the driver hands back as undefined).
  return JSON.parse(JSON.stringify(outcomes)) as Outcome[];
}
