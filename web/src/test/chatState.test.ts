import { describe, expect, it } from "vitest";
import { chatReducer, initialChat, toolLine, type StreamEvent, type ChatState } from "@tandem/client";
import { handoffPayload } from "./fakes";

const play = (events: StreamEvent[], state: ChatState = initialChat) =>
  events.reduce((current, event, index) => chatReducer(current, { type: "event", event: { id: index + 1, ...event } }), state);

const messages = (state: ChatState) =>
  state.items.filter((item) => item.kind === "message").map((item) => (item.kind === "message" ? `${item.role}:${item.text}` : ""));

describe("chatReducer", () => {
  it("streams tokens into one bot message and finalises it with the reply", () => {
    const state = play([
      { type: "customer_message", text: "Where is my order #W1234567?" },
      { type: "tool", name: "get_order_details", phase: "start", summary: "get order details #W1234567", ok: true },
      { type: "tool", name: "get_order_details", phase: "end", summary: "get order details #W1234567", ok: true },
      { type: "token", text: "Order #W1234567 " },
      { type: "token", text: "is pending." },
      { type: "done", conversation_id: "c1", reply: "Order #W1234567 is pending.", waiting_for_human: false, handoff_status: "none" },
    ]);
    expect(messages(state)).toEqual(["customer:Where is my order #W1234567?", "bot:Order #W1234567 is pending."]);
    const status = state.items.filter((item) => item.kind === "status");
    expect(status).toHaveLength(1);
    expect(status[0]).toMatchObject({ text: "Looked up order #W1234567", done: true });
    const bot = state.items.find((item) => item.kind === "message" && item.role === "bot");
    expect(bot).toMatchObject({ streaming: false, orders: ["#W1234567"] });
    expect(state.turnRunning).toBe(false);
  });

  it("ignores events it has already applied (reconnects never duplicate)", () => {
    const once = play([
      { type: "customer_message", text: "hi" },
      { type: "token", text: "Hello" },
    ]);
    const replayed = chatReducer(once, { type: "event", event: { id: 2, type: "token", text: "Hello" } });
    expect(replayed).toBe(once);
    expect(messages(replayed)).toEqual(["customer:hi", "bot:Hello"]);
  });

  it("shows the handoff, then the agent joining and their messages", () => {
    const state = play([
      { type: "customer_message", text: "I want a human" },
      { type: "token", text: "Connecting you." },
      { type: "handoff", payload: handoffPayload() },
      { type: "done", conversation_id: "c1", reply: "Connecting you.", waiting_for_human: true, handoff_status: "waiting" },
      { type: "agent_message", agent: "Alice", text: "Hi, Alice here." },
      { type: "done", conversation_id: "c1", reply: "Hi, Alice here.", waiting_for_human: false, handoff_status: "human" },
    ]);
    const notices = state.items.filter((item) => item.kind === "notice").map((item) => (item.kind === "notice" ? item.text : ""));
    expect(notices).toEqual(["A person will join shortly.", "Alice joined the conversation."]);
    expect(messages(state)).toEqual(["customer:I want a human", "bot:Connecting you.", "agent:Hi, Alice here."]);
    expect(state.handoff).toBe("human");
    expect(state.agentName).toBe("Alice");
  });

  it("announces the person only once while the agent and customer keep talking", () => {
    const state = play([
      { type: "customer_message", text: "I want a human" },
      { type: "handoff", payload: handoffPayload("handoff") },
      { type: "done", conversation_id: "c1", reply: "Connecting you.", waiting_for_human: true, handoff_status: "waiting" },
      { type: "agent_message", agent: "Alice", text: "Hi, Alice here." },
      { type: "handoff", payload: handoffPayload("awaiting_agent") },
      { type: "done", conversation_id: "c1", reply: "Hi, Alice here.", waiting_for_human: true, handoff_status: "human" },
      { type: "customer_message", text: "Thanks" },
      { type: "handoff", payload: handoffPayload("customer_message") },
    ]);
    const notices = state.items.filter((item) => item.kind === "notice").map((item) => (item.kind === "notice" ? item.text : ""));
    expect(notices).toEqual(["A person will join shortly.", "Alice joined the conversation."]);
    expect(state.handoff).toBe("human");
  });

  it("announces a resolution", () => {
    const state = play([
      { type: "agent_message", agent: "Alice", text: "All sorted." },
      { type: "done", conversation_id: "c1", reply: "All sorted.", waiting_for_human: false, handoff_status: "resolved" },
    ]);
    expect(state.handoff).toBe("resolved");
    expect(state.items.at(-1)).toMatchObject({ kind: "notice", tone: "success" });
  });

  it("hydrates history and skips the live copy of the last message", () => {
    const hydrated = chatReducer(initialChat, {
      type: "hydrate",
      messages: [
        { index: 0, role: "customer", author: null, text: "hello" },
        { index: 1, role: "agent", author: "Alice", text: "Hi there" },
      ],
      lastEventId: 10,
      handoff: "human",
      turnRunning: false,
    });
    expect(hydrated.agentName).toBe("Alice");
    const next = chatReducer(hydrated, { type: "event", event: { id: 11, type: "agent_message", agent: "Alice", text: "Hi there" } });
    expect(messages(next)).toEqual(["customer:hello", "agent:Hi there"]);
    expect(chatReducer(hydrated, { type: "event", event: { id: 9, type: "token", text: "old" } })).toBe(hydrated);
  });

  it("marks a knowledge-base answer as wanting its sources", () => {
    const state = play([
      { type: "customer_message", text: "refunds?" },
      { type: "tool", name: "search_knowledge_base", phase: "start", summary: "Searching the help centre", ok: true },
      { type: "tool", name: "search_knowledge_base", phase: "end", summary: "Found: Refunds", ok: true },
      { type: "done", conversation_id: "c1", reply: "5 to 7 business days.", waiting_for_human: false, handoff_status: "none" },
    ]);
    expect(state.items.at(-1)).toMatchObject({ kind: "message", role: "bot", wantsSources: true, text: "5 to 7 business days." });
  });

  it("turns errors into a notice and ends the turn", () => {
    const state = play([
      { type: "customer_message", text: "hi" },
      { type: "error", detail: "The turn could not be completed." },
    ]);
    expect(state.turnRunning).toBe(false);
    expect(state.items.at(-1)).toMatchObject({ kind: "notice", tone: "error", text: "The turn could not be completed." });
  });
});

describe("toolLine", () => {
  it("writes short customer-facing status lines", () => {
    expect(toolLine("get_order_details", "get order details #W7654321", "start")).toBe("Looking up order #W7654321…");
    expect(toolLine("search_knowledge_base", "Searching", "start")).toBe("Searching the help centre…");
    expect(toolLine("cancel_pending_order", "Cancelling order", "end")).toBe("Cancelling order");
  });
});
