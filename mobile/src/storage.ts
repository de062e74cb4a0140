/**
 * What the app keeps on the phone (AsyncStorage): the session, the last conversation as it
 * was last seen (readable offline), the messages waiting to be sent, and the ratings given.
 */
import AsyncStorage from "@react-native-async-storage/async-storage";
import type { ChatState, Session } from "@tandem/client";

const SESSION = "tandem.mobile.session";
const conversationKey = (customer: string) => `tandem.mobile.conversation.${customer}`;
const ratingsKey = (customer: string) => `tandem.mobile.csat.${customer}`;

/** The last conversation, as shown when it was last updated. */
export interface SavedConversation {
  id: string;
  state: ChatState;
  savedAt: number;
}

export async function loadSession(): Promise<Session | null> {
  try {
    const raw = await AsyncStorage.getItem(SESSION);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > Date.now() + 30_000 ? session : null;
  } catch {
    return null;
  }
}

export async function saveSession(session: Session | null): Promise<void> {
  if (session) await AsyncStorage.setItem(SESSION, JSON.stringify(session));
  else await AsyncStorage.removeItem(SESSION);
}

export async function loadConversation(customer: string): Promise<SavedConversation | null> {
  try {
    const raw = await AsyncStorage.getItem(conversationKey(customer));
    return raw ? (JSON.parse(raw) as SavedConversation) : null;
  } catch {
    return null;
  }
}

export async function saveConversation(customer: string, saved: SavedConversation): Promise<void> {
  // streaming drafts are not kept: the server's transcript has the finished reply
  const items = saved.state.items.filter((item) => !(item.kind === "message" && item.streaming));
  await AsyncStorage.setItem(conversationKey(customer), JSON.stringify({ ...saved, state: { ...saved.state, items } }));
}

async function loadRatings(customer: string): Promise<Record<string, number>> {
  try {
    const raw = await AsyncStorage.getItem(ratingsKey(customer));
    return raw ? (JSON.parse(raw) as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** The rating the customer gave the conversation on this phone, or null. */
export async function loadRating(customer: string, conversationId: string): Promise<number | null> {
  return (await loadRatings(customer))[conversationId] ?? null;
}

/** Remember the rating given (shown again after the app restarts, even offline). */
export async function saveRating(customer: string, conversationId: string, score: number): Promise<void> {
  const ratings = await loadRatings(customer);
  await AsyncStorage.setItem(ratingsKey(customer), JSON.stringify({ ...ratings, [conversationId]: score }));
}

export async function forgetCustomer(customer: string): Promise<void> {
  await AsyncStorage.multiRemove([conversationKey(customer), `tandem.mobile.outbox.${customer}`, ratingsKey(customer)]);
}
