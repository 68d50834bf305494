/**
 * Why a read of the network brought no reply to judge (src/background/read-url.ts): the one list
 * that the version check, the import and Test each turn into their own words.
 */
export type ReadFailure =
  /** The request or its body failed: no server, refused, TLS, a connection cut. */
  | "network"
  /** No complete answer within the time allowed, body included. */
  | "timeout"
  /** A 2xx body longer than the cap. */
  | "tooLarge"
  /** The server sent us elsewhere; never followed. */
  | "redirect";
