/** Shapes of the Tandem HTTP API (see /openapi.json); the events are generated in ./events. */
import type { AttachmentRef, QueueEvent, QueueRow, TurnEvent } from "./events";

export type Role = "customer" | "agent" | "admin";

export interface Conversation {
  id: string;
  customer_id: string | null;
  channel: string;
  created_at: number;
  updated_at: number;
  handoff_status: string;
  waiting_for_human: boolean;
  intent: string | null;
  message_count: number;
  turn_running: boolean;
  last_event_id: number;
  /** The last reply asks the customer to confirm an action (yes / no). */
  awaiting_confirmation?: boolean;
}

export interface Message {
  index: number;
  role: "customer" | "bot" | "agent";
  author: string | null;
  text: string;
  /** Files the customer attached to the message. */
  attachments?: AttachmentRef[];
}

export interface MessagePage {
  items: Message[];
  next_cursor: number | null;
}

export type SlaState = "ok" | "at_risk" | "breached" | "met";

/** A queue entry as the REST API returns it: the stored row with its SLA state. */
export type Priority = "low" | "normal" | "high" | "urgent";

export interface QueueEntry extends Omit<QueueRow, "updated_at" | "tags" | "priority"> {
  waiting_seconds: number;
  sla_state: SlaState;
  tags: string[];
  priority: Priority;
}

export type QueueView = "open" | "mine" | "unassigned" | "resolved" | "all";

/** An internal note: agents only, never sent to the customer or the model. */
export interface Note {
  id: string;
  conversation_id: string;
  author: string;
  text: string;
  created_at: number;
}

/** A canned response; `{customer_name}`, `{first_name}`, `{order_id}` are filled in. */
export interface Macro {
  id: string;
  title: string;
  body: string;
  updated_by: string | null;
  updated_at: number | null;
}

export interface RenderedMacro {
  macro_id: string;
  text: string;
  missing: string[];
}

/** A recorded event of a conversation (tool calls, handoffs, agent messages, errors). */
export interface TranscriptEvent {
  seq: number;
  type: TurnEvent["type"];
  data: TurnEvent;
}

/** What the long-term memory keeps about a customer (saved when they are identified). */
export interface CustomerProfile {
  name: string | null;
  email: string | null;
  verified_by: string | null;
  /** Epoch seconds. */
  last_seen: number | null;
}

/** One of the customer's other conversations, as the long-term memory summarises it. */
export interface EarlierConversation {
  conversation_id: string;
  summary: string;
  /** Epoch seconds. */
  when: number;
  outcome: string | null;
  intent: string | null;
}

/** One of the customer's conversations on any channel. */
export interface CustomerConversation {
  conversation_id: string;
  /** web, mobile, email, sms, whatsapp, voice, ... */
  channel: string;
  /** Epoch seconds. */
  created_at: number;
  /** Epoch seconds. */
  updated_at: number;
}

export interface TranscriptCustomer {
  user_id: string;
  profile: CustomerProfile | null;
  /** Newest first, at most 10, never the current conversation. */
  earlier_conversations: EarlierConversation[];
  /** Every channel, newest first, at most 20, the current conversation included. */
  conversations?: CustomerConversation[];
}

export interface Transcript {
  conversation_id: string;
  messages: Message[];
  events: TranscriptEvent[];
  passages: Array<Record<string, unknown>>;
  queue: QueueEntry | null;
  customer: TranscriptCustomer | null;
}

export interface Source {
  article_id: string;
  title: string;
  url: string;
}

export interface OrderItem {
  name: string;
  price: number;
  options?: Record<string, string>;
}

export interface Order {
  order_id: string;
  user_id: string;
  status: string;
  items: OrderItem[];
  address?: Record<string, string>;
  fulfillments?: Array<{ tracking_id?: string[]; item_ids?: string[] }>;
  payment_history?: Array<{ transaction_type: string; amount: number }>;
}

/**
 * One event of a conversation stream with the id to resume after (a WebSocket's own
 * rejections of a message, `error` events with a `code`, come without one).
 */
export type StreamEvent = TurnEvent & { id?: number };

/** One event of the agents' queue feed, with its id. */
export type QueueStreamEvent = QueueEvent & { id?: number };

export interface AuthConfig {
  mode: "local" | "cognito";
  hosted_login: {
    authorize_url: string;
    token_url: string;
    logout_url: string;
    client_id: string;
    scopes: string[];
  } | null;
}
