// Generated from graphs/event_schema.py by `make events`
// (python scripts/gen_event_types.py). Do not edit: change the models and regenerate.

// --- conversation events -------------------------------------------------------------------------

/** A file the customer attached to a message (download it from `/v1/attachments/{id}`). */
export interface AttachmentRef {
  /** The attachment's id. */
  id: string;
  /** The file's name, made safe (letters, digits, . _ -). */
  filename: string;
  /** The type recognised from the file's content. */
  content_type: string;
  /** Size in bytes. */
  size: number;
}

/** The customer's message, echoed as the first event of the turn it starts. */
export interface CustomerMessageEvent {
  type: "customer_message";
  /** What the customer wrote. */
  text: string;
  /** Files attached to the message, if any. */
  attachments?: AttachmentRef[];
}

/** A line telling the customer what is happening (or why the answer waits). */
export interface StatusEvent {
  type: "status";
  /** The sentence to show, e.g. a notice that the server is busy. */
  text: string;
}

/** One line of an order card. */
export interface OrderCardItem {
  /** The item's product name. */
  name: string;
  /** The item's price. */
  price: number;
}

/** What the chat's order card shows, as the order was when the tool ran. */
export interface OrderCardShape {
  /** The order, e.g. `#W1234567`. */
  order_id: string;
  /** Its status then, e.g. pending, delivered, cancelled. */
  status: string;
  /** Its items and their prices. */
  items: OrderCardItem[];
  /** The shipping address's city. */
  city?: string | null;
  /** The shipping address's state. */
  state?: string | null;
}

/** A tool starting or finishing: an order lookup, an order action, a help-centre search. */
export interface ToolEvent {
  type: "tool";
  /** The tool, e.g. `get_order_details`, `search_knowledge_base`. */
  name: string;
  /** `start` before the call, `end` after. */
  phase: "start" | "end";
  /** A short human-readable line: what is being looked up, what was found, or the error when the call failed. */
  summary: string;
  /** False when the call failed (only on `end`). */
  ok: boolean;
  /** On the `end` of a call that returned one of the customer's orders: the order as it was then (the card a reload shows, not today's status). */
  order?: OrderCardShape | null;
}

/** A piece of the bot's reply as it is produced; not persisted, `done` has the whole reply. */
export interface TokenEvent {
  type: "token";
  /** The next piece of the reply, to append to what came before. */
  text: string;
}

/** The customer's sentiment when the conversation was handed off. */
export interface HandoffSentiment {
  /** The latest message's score in [-1, 1] (negative is upset). */
  score: number;
  /** The latest message's label. */
  label: "negative" | "neutral" | "positive";
  /** Whether frustration cues (shouting, ...) were found. */
  frustration: boolean;
  /** The frustration cues found. */
  cues: string[];
  /** Scores of the customer's recent messages. */
  history: number[];
  /** How the scores move over the history (negative: worse). */
  trend: number;
}

/** The identified customer of a handed-off conversation. */
export interface HandoffCustomer {
  /** The customer's id. */
  user_id: string;
  /** The customer's full name. */
  name: string;
  /** How the customer was identified: signed in, by email, or by name and zip. */
  verified_by: "auth" | "email" | "name_zip";
}

/** What the handoff shows human agents: why, who, what, how they feel, a reply idea. */
export interface HandoffPayload {
  /** `handoff`: the bot hands the conversation to a person (new in the queue); `awaiting_agent`: the agent's own reply paused the conversation again (nothing new for the queue); `customer_message`: the customer wrote while a person has the conversation. */
  type: "handoff" | "awaiting_agent" | "customer_message";
  /** Why it was handed off: explicit_request, complaint, negative_sentiment, worsening_sentiment, repeated_failure, out_of_scope, policy_refund_limit, attachment_only (files sent without words) or language (the customer writes in a language the offline bot does not serve). */
  reason: string;
  /** One line for the agent: customer, intent, order, mood. */
  summary: string;
  /** The latest message's intent, if known. */
  intent: string | null;
  /** The customer's sentiment, if known. */
  sentiment: HandoffSentiment | null;
  /** The customer, once identified. */
  customer: HandoffCustomer | null;
  /** The order the conversation is about, if any. */
  order_id: string | null;
  /** Where the latest message came from. */
  channel: string | null;
  /** The customer's latest message. */
  last_message: string;
  /** An opening line the agent may send. */
  suggested_reply: string;
}

/** The conversation now waits for a human agent (the graph paused for one). */
export interface HandoffEvent {
  type: "handoff";
  /** The queue entry's details. */
  payload: HandoffPayload;
}

/** A human agent's message to the customer. */
export interface AgentMessageEvent {
  type: "agent_message";
  /** The agent's display name. */
  agent: string;
  /** What the agent wrote. */
  text: string;
}

/**
 * The human agent holding the conversation is writing (shown for a few seconds).
 *
 * Live only: never persisted, never part of a replayed transcript, never sent to a model.
 */
export interface AgentTypingEvent {
  type: "agent_typing";
  /** The writing agent's display name. */
  agent: string;
}

/** What the chat model spent on the turn. */
export interface TurnUsageShape {
  /** The model that planned the turn. */
  model: string;
  /** Model calls in the turn. */
  calls: number;
  /** Prompt tokens. */
  input_tokens: number;
  /** Generated tokens. */
  output_tokens: number;
  /** Prompt tokens read from the provider's cache. */
  cache_read_tokens: number;
  /** Prompt tokens written to the provider's cache. */
  cache_write_tokens: number;
  /** Estimated cost; null when the price is unknown. */
  cost_usd: number | null;
}

/** A help-centre article a reply was grounded on. */
export interface SourceShape {
  /** The article's id (shown at `/help/{article_id}`). */
  article_id: string;
  /** The article's title. */
  title: string;
}

/** The turn finished; the last event of every successful turn. */
export interface DoneEvent {
  type: "done";
  /** The conversation the turn belongs to. */
  conversation_id: string;
  /** The whole reply of the turn (empty if there was none). */
  reply: string;
  /** Whether the conversation waits for a person. */
  waiting_for_human: boolean;
  /** none; waiting (queued for a person); human (an agent has it); returned (given back to the bot); resolved (the agent closed the case). */
  handoff_status: "none" | "waiting" | "human" | "returned" | "resolved";
  /** Who served the turn: rules (no model configured), model, fast (a confident look-up the rules answered although a model is configured) or fallback (the model failed and the rules answered). */
  planner?: "rules" | "model" | "fast" | "fallback" | null;
  /** The chat model's tokens and cost; null without a model call. */
  usage?: TurnUsageShape | null;
  /** The customer the conversation has identified (signed in, by email or by name and zip); null while unidentified. */
  customer_id?: string | null;
  /** The intent of the customer's latest message (null when unknown). */
  intent?: string | null;
  /** The help-centre articles retrieved for the reply, best first (null when none), so a transcript shows the same sources later. */
  sources?: SourceShape[] | null;
  /** Whether the reply asks the customer to confirm (yes) or decline (no) an action described in it; apps show the two answers as buttons. */
  awaiting_confirmation?: boolean;
}

/**
 * The customer spoke over the voice reply: its speech stopped.
 *
 * `heard` is the reply's text that had been played out, `unheard` the rest, which the
 * customer did not hear (the reply itself stays whole in the conversation).
 */
export interface SpeechInterruptedEvent {
  type: "speech_interrupted";
  /** The reply's sentences played before the interruption. */
  heard: string;
  /** The reply's text that was cut off or never spoken. */
  unheard: string;
}

/**
 * Something went wrong: a turn that could not finish, or a rejected WebSocket message.
 *
 * A failed turn carries `detail`, `retryable` and `error` and ends the turn like `done`.
 * A WebSocket message that was not taken carries `code` (and, for `invalid_request`,
 * `detail`); such errors are sent on that socket only, without an `id`.
 */
export interface ErrorEvent {
  type: "error";
  /** What went wrong, for people. */
  detail?: string | null;
  /** Whether sending again may work. */
  retryable?: boolean | null;
  /** The failure's kind, e.g. the exception's name or LeaseLost. */
  error?: string | null;
  /** Why a WebSocket message was not taken. */
  code?: "invalid_request" | "rate_limited" | "turn_in_progress" | null;
}

/** One event of a conversation, told apart by its `type`. */
export type TurnEvent =
  | CustomerMessageEvent
  | StatusEvent
  | ToolEvent
  | TokenEvent
  | HandoffEvent
  | AgentMessageEvent
  | AgentTypingEvent
  | DoneEvent
  | SpeechInterruptedEvent
  | ErrorEvent;

/** The `type` of a conversation event. */
export type TurnEventType = TurnEvent["type"];

// --- the agents' queue feed ----------------------------------------------------------------------

/** A handoff queue entry as stored (the queue feed sends it on every change). */
export interface QueueRow {
  /** The handed-off conversation. */
  conversation_id: string;
  /** waiting for an agent, claimed by one, or closed (resolved or returned). */
  status: "waiting" | "claimed" | "resolved" | "returned";
  /** Why it was handed off (see HandoffPayload). */
  reason: string | null;
  /** The customer's intent at the handoff. */
  intent: string | null;
  /** The customer's latest sentiment label. */
  sentiment_label: string | null;
  /** The customer's latest sentiment score. */
  sentiment_score: number | null;
  /** One line for the agent. */
  summary: string | null;
  /** An opening line the agent may send. */
  suggested_reply: string | null;
  /** The customer, if identified. */
  customer_id: string | null;
  /** Where the conversation happens. */
  channel: string | null;
  /** The customer's latest message. */
  last_message: string | null;
  /** When it was handed off (Unix seconds). */
  created_at: number;
  /** When the entry last changed (Unix seconds). */
  updated_at: number;
  /** The agent who claimed it. */
  claimed_by: string | null;
  /** When it was claimed (Unix seconds). */
  claimed_at: number | null;
  /** When an agent first answered. */
  first_response_at: number | null;
  /** When it was resolved or returned. */
  resolved_at: number | null;
  /** The agents' tags, a JSON list. */
  tags?: string | null;
  /** low, normal, high or urgent (None: normal). */
  priority?: string | null;
  /** The order it is about, if any. */
  order_id?: string | null;
}

/** A queue entry was opened or changed (claimed, answered, resolved, returned). */
export interface QueueUpdateEvent {
  type: "queue_update";
  /** The entry as it is now. */
  entry: QueueRow;
  /** What changed when it was not the status alone: requeued (a claim timed out), unclaim, reassign, takeover, labels, note. */
  change?: string | null;
}

/** One event of the agents' queue feed. */
export type QueueEvent = QueueUpdateEvent;
