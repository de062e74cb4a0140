/**
 * The customer chat as a pure reducer over the conversation's events. Every event carries
 * the conversation's sequence number; events at or below the last one applied are ignored,
 * so a reconnect that replays a little (or a send that races the live socket) never
 * duplicates a message.
 */
import type { AttachmentRef, DoneEvent, ErrorEvent, OrderCardShape } from "./events";
import type { Message, Source, StreamEvent } from "./types";

export type HandoffState = "none" | "waiting" | "human" | "resolved" | "returned";

export type ChatItem =
  | {
      kind: "message";
      key: string;
      role: "customer" | "bot" | "agent";
      text: string;
      author?: string | null;
      streaming?: boolean;
      fromHistory?: boolean;
      orders?: string[];
      /** The orders as the turn's tools returned them (what their cards show, also after a
       * reload); an order without one is fetched as it is now. */
      orderCards?: Record<string, OrderCardShape>;
      wantsSources?: boolean;
      sources?: Source[];
      /** Files the customer attached. */
      attachments?: AttachmentRef[];
    }
  | { kind: "status"; key: string; text: string; done: boolean; ok: boolean }
  | { kind: "notice"; key: string; text: string; tone: "info" | "success" | "error" };

export interface ChatState {
  items: ChatItem[];
  lastEventId: number;
  handoff: HandoffState;
  agentName: string | null;
  turnRunning: boolean;
  /** The last reply asks the customer to confirm or decline an action (yes / no). */
  awaitingConfirmation: boolean;
  /** Orders looked up (and as they were then) and whether the help centre was searched, in
   * the running turn. */
  turn: TurnSeen;
  /** Whether to offer the satisfaction survey: a person resolved the conversation, or the
   * customer closed it with thanks or goodbye after the bot's help. */
  survey: boolean;
  /** Events up to this number were already seen before the page (re)loaded: what they add
   * is history, not news. */
  replayTo: number;
  /** The agent writing now (first name) and the event that said so; null when nobody is. */
  typing: { agent: string; id: number } | null;
}

export interface TurnSeen {
  orders: string[];
  cards: Record<string, OrderCardShape>;
  usedKb: boolean;
}

const freshTurn = (): TurnSeen => ({ orders: [], cards: {}, usedKb: false });

/** Intents with which a customer closes a conversation the bot handled. */
export const CLOSING_INTENTS = ["thanks", "goodbye"];

export const initialChat: ChatState = {
  items: [],
  lastEventId: 0,
  handoff: "none",
  agentName: null,
  turnRunning: false,
  awaitingConfirmation: false,
  turn: freshTurn(),
  survey: false,
  replayTo: 0,
  typing: null,
};

/** How long "… is typing" stays up without a newer signal or the agent's message. */
export const TYPING_SHOWN_MS = 6000;

/**
 * Clear the typing signal `typingId` after TYPING_SHOWN_MS unless the returned cancel runs
 * first (a newer signal, or the view going away): the body of an app's effect on it.
 */
export function expireTyping(typingId: number | undefined, dispatch: (action: ChatAction) => void): (() => void) | undefined {
  if (typingId === undefined) return undefined;
  const timer = setTimeout(() => dispatch({ type: "typing_expired", id: typingId }), TYPING_SHOWN_MS);
  return () => clearTimeout(timer);
}

export type ChatAction =
  | {
      type: "hydrate";
      messages: Message[];
      lastEventId: number;
      handoff: string;
      turnRunning: boolean;
      awaitingConfirmation?: boolean;
    }
  /** Rebuild the view by replaying the conversation's events (up to `upTo` is history). */
  | { type: "replay"; upTo: number; turnRunning: boolean }
  | { type: "event"; event: StreamEvent }
  | { type: "sources"; key: string; sources: Source[] }
  /** The typing signal `id` is too old to show any more. */
  | { type: "typing_expired"; id: number }
  | { type: "notice"; text: string; tone: "info" | "success" | "error" };

const ORDER_ID = /#W\d{7}/g;

export function orderIdsIn(text: string): string[] {
  return [...new Set(text.match(ORDER_ID) ?? [])];
}

/** The customer-facing line for a tool starting ("Looking up order #W1234567…"). */
export function toolLine(name: string, summary: string, phase: string): string {
  const order = orderIdsIn(summary)[0];
  const done = phase === "end";
  switch (name) {
    case "get_order_details":
      return done ? `Looked up order ${order ?? ""}`.trim() : `Looking up order ${order ?? ""}…`.replace(" …", "…");
    case "list_user_orders":
    case "get_user_details":
      return done ? "Checked your account" : "Checking your account…";
    case "search_knowledge_base":
      return done ? "Searched the help centre" : "Searching the help centre…";
    default:
      return done ? summary : `${summary}…`;
  }
}

function handoffOf(status: string, waiting: boolean): HandoffState {
  if (waiting) return status === "human" ? "human" : "waiting";
  if (status === "resolved" || status === "returned") return status;
  return status === "human" || status === "waiting" ? (status as HandoffState) : "none";
}

function lastMessage(items: ChatItem[], role: string) {
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item.kind === "message" && item.role === role) return item;
  }
  return undefined;
}

function applyEvent(state: ChatState, event: StreamEvent): ChatState {
  const key = `e${event.id || Math.random()}`;
  const items = state.items;
  switch (event.type) {
    case "customer_message": {
      const text = event.text;
      const previous = items[items.length - 1];
      if (previous?.kind === "message" && previous.role === "customer" && previous.fromHistory && previous.text === text) {
        return { ...state, turnRunning: true };
      }
      return {
        ...state,
        turnRunning: true,
        awaitingConfirmation: false,
        turn: freshTurn(),
        items: [...items, { kind: "message", key, role: "customer", text, attachments: event.attachments ?? [] }],
      };
    }
    case "token": {
      const text = event.text;
      const last = items[items.length - 1];
      if (last?.kind === "message" && last.role === "bot" && last.streaming) {
        return { ...state, items: [...items.slice(0, -1), { ...last, text: last.text + text }] };
      }
      return { ...state, items: [...items, { kind: "message", key, role: "bot", text, streaming: true }] };
    }
    case "tool": {
      const { name, summary, phase, ok } = event;
      const turn = { ...state.turn };
      if (name === "get_order_details" && phase === "end" && ok) {
        turn.orders = [...new Set([...turn.orders, ...orderIdsIn(summary)])];
      }
      if (phase === "end" && ok && event.order) turn.cards = { ...(turn.cards ?? {}), [event.order.order_id]: event.order };
      if (name === "search_knowledge_base") turn.usedKb = true;
      if (phase === "end") {
        const index = items.findLastIndex(
          (item) => item.kind === "status" && !item.done && item.text === toolLine(name, summary, "start"),
        );
        if (index >= 0) {
          const updated = [...items];
          updated[index] = { kind: "status", key: items[index].key, text: toolLine(name, summary, "end"), done: true, ok };
          return { ...state, turn, items: updated };
        }
      }
      return {
        ...state,
        turn,
        items: [...items, { kind: "status", key, text: toolLine(name, summary, phase), done: phase === "end", ok }],
      };
    }
    case "status":
      return { ...state, items: [...items, { kind: "status", key, text: event.text, done: false, ok: true }] };
    case "handoff": {
      // Only the first pause for a person is news to the customer; later pauses (their own
      // message reaching the agent, the agent about to write again) change nothing on screen.
      if (state.handoff === "human" || event.payload.type !== "handoff") return state;
      return {
        ...state,
        handoff: "waiting",
        items: [...items, { kind: "notice", key, text: "A person will join shortly.", tone: "info" }],
      };
    }
    case "agent_typing": {
      // A signal from before the page loaded is long over.
      if (!event.id || event.id <= state.replayTo) return state;
      const agent = event.agent.trim().split(/\s+/)[0] || "Support agent";
      return { ...state, typing: { agent, id: event.id } };
    }
    case "agent_message": {
      const agent = event.agent || "Support agent";
      const text = event.text;
      const previous = lastMessage(items, "agent");
      if (previous?.fromHistory && previous.text === text && items[items.length - 1] === previous) return state;
      const joined: ChatItem[] =
        state.agentName === agent
          ? []
          : [{ kind: "notice", key: `${key}j`, text: `${agent} joined the conversation.`, tone: "success" }];
      return {
        ...state,
        handoff: "human",
        agentName: agent,
        typing: null,
        items: [...items, ...joined, { kind: "message", key, role: "agent", author: agent, text }],
      };
    }
    case "done":
      return finishTurn(state, event, key);
    case "speech_interrupted":
      return {
        ...state,
        items: [...items, { kind: "notice", key, text: `Reply interrupted; not heard: “${event.unheard}”`, tone: "info" }],
      };
    case "error":
      return {
        ...state,
        turnRunning: false,
        items: [
          ...items.map((item) => (item.kind === "message" && item.streaming ? { ...item, streaming: false } : item)),
          { kind: "notice", key, text: errorText(event), tone: "error" },
        ],
      };
    default:
      return state;
  }
}

function errorText(event: ErrorEvent): string {
  if (event.code === "turn_in_progress") return "Still answering your last message; please wait a moment.";
  if (event.code === "rate_limited") return "You're sending messages quickly; please wait a moment.";
  return event.detail || "Something went wrong; please try again.";
}

function finishTurn(state: ChatState, event: DoneEvent, key: string): ChatState {
  const reply = event.reply;
  const handoff = handoffOf(event.handoff_status, event.waiting_for_human);
  let items = [...state.items];
  const sources = state.turn.usedKb && event.sources ? event.sources.map((source) => ({ ...source, url: `/help/${source.article_id}` })) : undefined;
  // `cards` can be missing from a state a client saved before it existed.
  const cards = Object.keys(state.turn.cards ?? {}).length ? { orderCards: state.turn.cards } : {};
  const extras = { orders: state.turn.orders, ...cards, wantsSources: state.turn.usedKb && !sources, ...(sources ? { sources } : {}) };
  const streaming = items.findLastIndex((item) => item.kind === "message" && item.role === "bot" && Boolean(item.streaming));
  const turnStart = items.findLastIndex((item) => item.kind === "message" && item.role === "customer");
  const shown = items.slice(turnStart + 1).some((item) => item.kind === "message" && item.text === reply);
  if (streaming >= 0) {
    const draft = items[streaming] as Extract<ChatItem, { kind: "message" }>;
    items[streaming] = { ...draft, text: reply || draft.text, streaming: false, ...extras };
  } else if (reply && !shown) {
    items.push({ kind: "message", key, role: "bot", text: reply, ...extras });
  }
  if (handoff !== state.handoff && (handoff === "resolved" || handoff === "returned")) {
    const text = handoff === "resolved" ? "This conversation was resolved. Write again any time." : "You're chatting with our virtual assistant again.";
    items = [...items, { kind: "notice", key: `${key}h`, text, tone: "success" }];
  }
  const closedByCustomer = (handoff === "none" || handoff === "returned") && CLOSING_INTENTS.includes(event.intent ?? "");
  const survey = state.survey || handoff === "resolved" || closedByCustomer;
  return {
    ...state,
    items,
    handoff,
    survey,
    turnRunning: false,
    typing: handoff === "human" ? state.typing : null,
    awaitingConfirmation: Boolean(event.awaiting_confirmation),
    turn: freshTurn(),
  };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "hydrate": {
      const items: ChatItem[] = action.messages.map((message) => ({
        kind: "message",
        key: `h${message.index}`,
        role: message.role,
        author: message.author,
        text: message.text,
        fromHistory: true,
        orders: message.role === "bot" ? orderIdsIn(message.text).slice(0, 2) : [],
        attachments: message.attachments ?? [],
      }));
      const agent = [...action.messages].reverse().find((m) => m.role === "agent");
      return {
        ...initialChat,
        items,
        lastEventId: action.lastEventId,
        handoff: handoffOf(action.handoff, action.handoff === "waiting" || action.handoff === "human"),
        agentName: agent?.author ?? null,
        turnRunning: action.turnRunning,
        survey: action.handoff === "resolved",
        awaitingConfirmation: Boolean(action.awaitingConfirmation),
      };
    }
    case "replay":
      return { ...initialChat, replayTo: action.upTo, turnRunning: action.turnRunning };
    case "event": {
      const { event } = action;
      if (event.id && event.id <= state.lastEventId) return state;
      let next = applyEvent(state, event);
      if (event.id && event.id <= state.replayTo && next.items !== state.items) {
        const known = new Set(state.items.map((item) => item.key));
        next = { ...next, items: next.items.map((item) => (item.kind === "message" && !known.has(item.key) ? { ...item, fromHistory: true } : item)) };
      }
      return event.id ? { ...next, lastEventId: event.id } : next;
    }
    case "sources":
      return {
        ...state,
        items: state.items.map((item) =>
          item.kind === "message" && item.key === action.key ? { ...item, sources: action.sources, wantsSources: false } : item,
        ),
      };
    case "typing_expired":
      return state.typing?.id === action.id ? { ...state, typing: null } : state;
    case "notice":
      return { ...state, items: [...state.items, { kind: "notice", key: `n${state.items.length}${Date.now()}`, text: action.text, tone: action.tone }] };
  }
}
