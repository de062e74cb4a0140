/**
 * One conversation on the phone, live and offline. The last state seen is restored from the
 * phone at once (readable without a network), then refreshed from the server; events are
 * followed over SSE, resuming after the last event id on every reconnect, exactly like the
 * web client. Messages go through the outbox, so one typed offline is sent on reconnect,
 * once.
 */
import NetInfo from "@react-native-community/netinfo";
import {
  ApiError,
  api,
  apiFetch,
  chatReducer,
  followStream,
  initialChat,
  loadHistory,
  problemOf,
  readEvents,
  type AttachmentRef,
  type ChatAction,
  type ChatItem,
  type ChatState,
  type Conversation,
  type Session,
  type Source,
  type StreamEvent,
  expireTyping,
} from "@tandem/client";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { loadConversation, saveConversation } from "../storage";
import { Outbox, type QueuedMessage } from "./outbox";

export type Connection = "connecting" | "online" | "offline";

type Action = ChatAction | { type: "restore"; state: ChatState };

function reducer(state: ChatState, action: Action): ChatState {
  // A typing signal kept on the phone is long over (and an older app kept none).
  if (action.type === "restore") return { ...action.state, typing: null };
  const next = chatReducer(state, action);
  return action.type === "hydrate" ? keepCards(state, next) : next;
}

/**
 * The server's history has the replies but not the orders as their turns saw them: a reply
 * already on the phone keeps its cards, rather than showing its orders as they are today.
 */
function keepCards(before: ChatState, after: ChatState): ChatState {
  const kept = new Map<string, Pick<BotReply, "orders" | "orderCards">>();
  for (const item of before.items) {
    if (isReply(item) && item.orderCards) kept.set(item.text, { orders: item.orders, orderCards: item.orderCards });
  }
  if (!kept.size) return after;
  const items = after.items.map((item) => (isReply(item) && !item.orderCards && kept.has(item.text) ? { ...item, ...kept.get(item.text) } : item));
  return { ...after, items };
}

type BotReply = Extract<ChatItem, { kind: "message" }>;
const isReply = (item: ChatItem): item is BotReply => item.kind === "message" && item.role === "bot";

const RETRY_BUSY_MS = 2_000;

/** A conversation id to open, `NEW_CONVERSATION`, or null for the last one (or a new one). */
export const NEW_CONVERSATION = "new";

/** The conversation `requestedId` of the signed-in customer, live and kept on the phone. */
export function useChat(session: Session, requestedId: string | null) {
  const customer = session.customerId ?? session.sub;
  const [state, dispatch] = useReducer(reducer, initialChat);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [queued, setQueued] = useState<QueuedMessage[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const outbox = useMemo(() => new Outbox(customer), [customer]);
  const onEvent = useCallback((event: StreamEvent) => dispatch({ type: "event", event }), []);
  const idRef = useRef<string | null>(null);

  const sendQueued = useCallback(
    async (message: QueuedMessage) => {
      const response = await apiFetch(`/v1/conversations/${message.conversationId}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${session.token}`, "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({
          text: message.text,
          client_message_id: message.id,
          ...(message.attachments?.length ? { attachments: message.attachments.map((item) => item.id) } : {}),
        }),
      });
      if (!response.ok) throw await problemOf(response);
      setQueued((current) => current.filter((item) => item.id !== message.id));
      if (response.body) await readEvents(response.body, onEvent);
    },
    [session.token, onEvent],
  );

  const retry = useRef<() => void>(() => undefined);
  const flush = useCallback(async () => {
    const result = await outbox.flush(sendQueued);
    setQueued(await outbox.pending());
    if (result === "busy") setTimeout(() => retry.current(), RETRY_BUSY_MS);
  }, [outbox, sendQueued]);
  useEffect(() => {
    retry.current = () => void flush();
  }, [flush]);

  // Restore what the phone kept, open the conversation on the server, follow its events.
  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      const saved = await loadConversation(customer);
      const fresh = requestedId === NEW_CONVERSATION;
      const restore = saved && !fresh && (requestedId === null || saved.id === requestedId) ? saved : null;
      if (restore) {
        dispatch({ type: "restore", state: restore.state });
        idRef.current = restore.id;
        setConversationId(restore.id);
      }
      setQueued(await outbox.pending());
      let conversation: Conversation;
      try {
        const id = fresh ? null : (requestedId ?? restore?.id);
        conversation = id
          ? await api<Conversation>(`/v1/conversations/${id}`, session.token)
          : await api<Conversation>("/v1/conversations", session.token, { body: { channel: "mobile" } });
        const messages = await loadHistory(conversation.id, session.token);
        if (abort.signal.aborted) return;
        const waiting = conversation.waiting_for_human;
        dispatch({
          type: "hydrate",
          messages,
          lastEventId: conversation.last_event_id,
          handoff: waiting ? (messages.some((m) => m.role === "agent") ? "human" : "waiting") : conversation.handoff_status,
          turnRunning: conversation.turn_running,
          awaitingConfirmation: conversation.awaiting_confirmation,
        });
      } catch (error) {
        if (abort.signal.aborted) return;
        setConnection("offline");
        if (error instanceof ApiError) setFailure(error.message);
        else if (!restore) setFailure("You're offline. The conversation opens when the network is back.");
        return;
      }
      idRef.current = conversation.id;
      setConversationId(conversation.id);
      void flush();
      await followStream({
        url: `/v1/conversations/${conversation.id}/events`,
        token: () => session.token,
        after: conversation.last_event_id,
        onEvent,
        onState: (next) => {
          setConnection(next === "open" ? "online" : next === "connecting" ? "connecting" : "offline");
          if (next === "open") void flush();
        },
        signal: abort.signal,
      });
    })();
    return () => abort.abort();
  }, [customer, requestedId, session.token, outbox, onEvent, flush]);

  // "… is typing" goes away on its own unless a newer signal (or the message) replaces it.
  const typingId = state.typing?.id;
  useEffect(() => expireTyping(typingId, dispatch), [typingId]);

  // Send what waits as soon as the phone is back online.
  useEffect(
    () =>
      NetInfo.addEventListener((net) => {
        if (net.isConnected && idRef.current) void flush();
      }),
    [flush],
  );

  // Keep the last state on the phone, readable offline: between turns, not on every token
  // of a reply (a streaming draft is not kept anyway).
  useEffect(() => {
    if (conversationId && state.items.length && !state.turnRunning) {
      void saveConversation(customer, { id: conversationId, state, savedAt: Date.now() });
    }
  }, [customer, conversationId, state]);

  const send = useCallback(
    async (text: string, attachments: AttachmentRef[] = []) => {
      const id = idRef.current;
      if (!id || (!text.trim() && !attachments.length)) return;
      await outbox.add(id, text.trim(), attachments);
      setQueued(await outbox.pending());
      await flush();
    },
    [outbox, flush],
  );

  const dispatchSources = useCallback((key: string, sources: Source[]) => dispatch({ type: "sources", key, sources }), []);

  return { state, conversationId, connection, queued, failure, send, dispatchSources };
}
