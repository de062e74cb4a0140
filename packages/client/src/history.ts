/** A conversation's whole transcript, read page by page. */
import { api } from "./client";
import type { Message, MessagePage } from "./types";

export async function loadHistory(id: string, token: string): Promise<Message[]> {
  const messages: Message[] = [];
  let cursor: number | null = 0;
  while (cursor !== null) {
    const page: MessagePage = await api<MessagePage>(`/v1/conversations/${id}/messages?cursor=${cursor}&limit=200`, token);
    messages.push(...page.items);
    cursor = page.next_cursor;
  }
  return messages;
}
