import type { SpecSummary } from "./connection-test.ts";
import type { UserText } from "./user-text.ts";

/** The spec's title and number of tools as one line: what Test shows of the tool server. */
export function specText(spec: SpecSummary): UserText {
  return spec.title === "" ? ["testSpecUntitled", String(spec.toolCount)] : ["testSpec", spec.title, String(spec.toolCount)];
}
