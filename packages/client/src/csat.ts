/** The customer's one-tap satisfaction rating (CSAT) of a conversation, for the web and the app. */
import { api } from "./client";

/** The five answers, worst first: the score sent, a face to show, and the words to read out. */
export const CSAT_CHOICES = [
  { score: 1, face: "😞", label: "Very unsatisfied" },
  { score: 2, face: "🙁", label: "Unsatisfied" },
  { score: 3, face: "😐", label: "Neutral" },
  { score: 4, face: "🙂", label: "Satisfied" },
  { score: 5, face: "😀", label: "Very satisfied" },
] as const;

/** What a screen reader says for a choice, e.g. "4 of 5: Satisfied". */
export function csatChoiceLabel(choice: { score: number; label: string }): string {
  return `${choice.score} of 5: ${choice.label}`;
}

function csatPath(conversationId: string): string {
  return `/v1/conversations/${encodeURIComponent(conversationId)}/csat`;
}

/** GET the customer's rating of the conversation (null when not rated yet). */
export async function fetchRating(conversationId: string, token: string): Promise<number | null> {
  const answer = await api<{ score: number | null }>(csatPath(conversationId), token);
  return answer.score;
}

/** PUT the customer's rating (1 to 5) of the conversation; a second rating replaces the first. */
export async function rateConversation(conversationId: string, score: number, token: string): Promise<number> {
  const answer = await api<{ score: number }>(csatPath(conversationId), token, { method: "PUT", body: { score } });
  return answer.score;
}
