/**
 * The customer's conversation, live: find or start it, replay its events (the same view as
 * before a reload), follow them over a WebSocket that reconnects (resuming after the last event id) when the network
 * drops, and send messages. The conversation id is remembered, so a reload or a later
 * visit continues the same conversation.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import {
  ApiError,
  expireTyping,
  api,
  apiFetch,
  chatReducer,
  newClientMessageId,
  readEvents,
  initialChat,
  type AttachmentRef,
  type Conversation,
  type Source,
  type StreamEvent,
} from "@tandem/client";
import type { Session } from "../api/auth";
import { storage } from "../api/storage";

export type Connection = "connecting" | "online" | "reconnecting" | "offline";

const storageKey = (session: Session) => `tandem.chat.conversation.${session.customerId ?? session.sub}`;

async function openConversation(session: Session): Promise<Conversation> {
  const saved = storage.getItem(storageKey(session));
  if (saved) {
    try {
      return await api<Conversation>(`/v1/conversations/${saved}`, session.token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
  }
  const created = await api<Conversation>("/v1/conversations", session.token, { body: { channel: "web" } });
  storage.setItem(storageKey(session), created.id);
  return created;
}

export function socketUrl(id: string, token: string, after: number): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ access_token: token, after: String(after) });
  return `${scheme}://${window.location.host}/v1/conversations/${id}/ws?${query}`;
}

export function useConversation(session: Session) {
  const [state, dispatch] = useReducer(chatReducer, initialChat);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [failure, setFailure] = useState<string | null>(null);
  const lastId = useRef(0);
  const socket = useRef<WebSocket | null>(null);
  lastId.current = state.lastEventId;

  const onEvent = useCallback((event: StreamEvent) => dispatch({ type: "event", event }), []);

  // Open (or create) the conversation, hydrate, then keep a socket open.
  useEffect(() => {
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    const conversationIdRef = { current: null as string | null };

    const connect = (id: string) => {
      if (closed) return;
      setConnection(attempts ? "reconnecting" : "connecting");
      const ws = new WebSocket(socketUrl(id, session.token, lastId.current));
      socket.current = ws;
      ws.onopen = () => {
        attempts = 0;
        setConnection("online");
      };
      ws.onmessage = (message) => {
        try {
          onEvent(JSON.parse(message.data) as StreamEvent);
        } catch {
          // ignore a malformed frame
        }
      };
      ws.onclose = (close) => {
        if (socket.current === ws) socket.current = null;
        if (closed) return;
        if (close.code === 4401 || close.code === 4403 || close.code === 4404) {
          setConnection("offline");
          setFailure("Your session has ended; please sign in again.");
          return;
        }
        attempts += 1;
        setConnection(navigator.onLine === false ? "offline" : "reconnecting");
        retry = setTimeout(() => connect(id), Math.min(500 * 2 ** attempts, 10_000));
      };
    };

    const reconnectNow = () => {
      if (socket.current || closed) return;
      clearTimeout(retry);
      attempts = Math.max(attempts, 1);
      if (conversationIdRef.current) connect(conversationIdRef.current);
    };
    (async () => {
      try {
        const conversation = await openConversation(session);
        if (closed) return;
        conversationIdRef.current = conversation.id;
        setConversationId(conversation.id);
        // Replaying the stored events rebuilds exactly what was on screen: tool lines,
        // notices, sources and order cards, not just the messages.
        dispatch({ type: "replay", upTo: conversation.last_event_id, turnRunning: conversation.turn_running });
        lastId.current = 0;
        connect(conversation.id);
      } catch (error) {
        setConnection("offline");
        setFailure(error instanceof Error ? error.message : "The conversation could not be opened.");
      }
    })();

    window.addEventListener("online", reconnectNow);
    return () => {
      closed = true;
      clearTimeout(retry);
      window.removeEventListener("online", reconnectNow);
      socket.current?.close();
      socket.current = null;
    };
  }, [session, onEvent]);

  // "… is typing" goes away on its own unless a newer signal (or the message) replaces it.
  const typingId = state.typing?.id;
  useEffect(() => expireTyping(typingId, dispatch), [typingId]);

  // A knowledge-base answer: fetch the articles it used, to show as links (once per answer,
  // not again on every token or event that arrives while the request is out).
  const pendingSources = state.items.find((item) => item.kind === "message" && item.wantsSources && !item.streaming)?.key;
  useEffect(() => {
    if (!pendingSources || !conversationId) return;
    api<Source[]>(`/v1/conversations/${conversationId}/sources`, session.token)
      .then((sources) => dispatch({ type: "sources", key: pendingSources, sources }))
      .catch(() => dispatch({ type: "sources", key: pendingSources, sources: [] }));
  }, [pendingSources, conversationId, session.token]);

  /** Send over the socket; when it is down, post over HTTP (its events are de-duplicated). */
  const send = useCallback(
    async (text: string, attachments: AttachmentRef[] = []) => {
      if (!conversationId) return;
      const ws = socket.current;
      // the server records each client message id once, so a retried send is not a second message
      const clientMessageId = newClientMessageId();
      const files = attachments.length ? { attachments: attachments.map((item) => item.id) } : {};
      if (ws && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: "message", text, client_message_id: clientMessageId, ...files }));
        return;
      }
      const response = await apiFetch(`/v1/conversations/${conversationId}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${session.token}`, "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ text, client_message_id: clientMessageId, ...files }),
      });
      if (!response.ok || !response.body) {
        let detail = "The message could not be sent; please try again.";
        try {
          detail = (await response.json()).detail ?? detail;
        } catch {
          // keep the default sentence
        }
        throw new Error(detail);
      }
      await readEvents(response.body, onEvent);
    },
    [conversationId, session.token, onEvent],
  );

  const startOver = useCallback(() => {
    storage.removeItem(storageKey(session));
    window.location.reload();
  }, [session]);

  return { state, conversationId, connection, failure, send, startOver };
}
