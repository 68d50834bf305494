import type { VersionFailure } from "../core/open-webui-version.ts";
import { describeFailure } from "../core/version-words.ts";
import { say } from "./say.ts";

/** A known version whose latest check failed: both, with when the version was read, in the reader's language. */
export function latestCheckFailedText(version: string, readAt: number, failure: VersionFailure): string {
  // 0: kept by a ToolKey that did not note the time.
  const when = readAt === 0 ? "?" : new Date(readAt).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return say(["versionLatestCheckFailed", version, when, say(describeFailure(failure))]);
}
