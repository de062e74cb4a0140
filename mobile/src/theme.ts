/** Colours with at least 4.5:1 contrast on their backgrounds (WCAG AA for body text). */
export const colors = {
  background: "#ffffff",
  text: "#1a1a1a",
  muted: "#4a4a4a",
  primary: "#0b57d0",
  onPrimary: "#ffffff",
  customerBubble: "#0b57d0",
  botBubble: "#eef1f6",
  agentBubble: "#e6f4ea",
  border: "#c4c7cc",
  error: "#b3261e",
  success: "#146c2e",
};

/** Touch targets of at least 44 points. */
export const TOUCH = 44;
