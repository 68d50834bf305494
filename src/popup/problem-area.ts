import type { State } from "../core/messages.ts";
import { say } from "./say.ts";

/** What the area above the form is drawn from. */
export interface Problems {
  readonly state: State;
  /** The background did not answer a request the page cannot do without (its state, a reset). */
  readonly unanswered: boolean;
  /** Reset was clicked once: the next click erases every entry. */
  readonly resetArmed: boolean;
}

function setText(node: HTMLElement, text: string): void {
  // An alert read out again on every state the background sends would drown the page.
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Says what keeps ToolKey from working as a whole: settings that cannot be trusted (with Reset, the
 * one way out), rules it could not apply (it retries by itself), a background that does not answer.
 */
export function drawProblems({ state, unanswered, resetArmed }: Problems): void {
  const texts = [
    state.problem === undefined ? "" : say(state.problem),
    state.rulesProblem === undefined ? "" : say(["rulesFailed", state.rulesProblem]),
    unanswered ? say(["noAnswer"]) : "",
  ].filter((text) => text !== "");
  (document.getElementById("problem") as HTMLElement).hidden = texts.length === 0;
  setText(document.getElementById("problem-text") as HTMLElement, texts.join(" "));
  const reset = document.getElementById("reset") as HTMLButtonElement;
  reset.hidden = state.problem === undefined;
  setText(reset, say([resetArmed ? "resetConfirm" : "resetSettings"]));
}
