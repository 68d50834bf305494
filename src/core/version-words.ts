import type { VersionFailure } from "./open-webui-version.ts";
import type { UserText } from "./user-text.ts";

/** Why no version could be read, as a whole line: ToolKey then adds the key as for 0.6.0. */
export function describeUnreadable(failure: VersionFailure): UserText {
  switch (failure.unknown) {
    case "network":
      return ["versionNoAnswer"];
    case "status":
      return ["versionStatus", String(failure.status)];
    case "notJson":
      return ["versionNotJson"];
    case "notVersion":
      return ["versionNotVersion"];
  }
}

/** Why the latest check failed, in a few words, for a line that also names the version still known. */
export function describeFailure(failure: VersionFailure): UserText {
  switch (failure.unknown) {
    case "network":
      return ["versionFailNoAnswer"];
    case "status":
      return ["versionFailStatus", String(failure.status)];
    case "notJson":
      return ["versionFailNotJson"];
    case "notVersion":
      return ["versionFailNotVersion"];
  }
}
