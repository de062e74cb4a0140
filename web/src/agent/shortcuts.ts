/** Keyboard shortcuts of the agent console (single keys, ignored while typing). */

export const SHORTCUTS: { keys: string; does: string }[] = [
  { keys: "j / k", does: "Next / previous conversation in the queue" },
  { keys: "c", does: "Claim the open conversation" },
  { keys: "x", does: "Resolve it" },
  { keys: "b", does: "Return it to the bot" },
  { keys: "/", does: "Search the queue" },
  { keys: "Ctrl+Enter (⌘+Enter)", does: "Send the reply" },
  { keys: "?", does: "Show or hide this help" },
];

/** Whether a key press belongs to a text field (or carries a modifier) and is no shortcut. */
export function isTyping(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.target as HTMLElement | null;
  if (!target || !target.tagName) return false;
  return ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable;
}
