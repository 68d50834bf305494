/** The name of the connection an open page of ToolKey's keeps to the background, to hear each new state. */
export const PAGE_CONNECTION = "toolkey-page";
