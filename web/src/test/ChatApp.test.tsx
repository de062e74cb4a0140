import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatApp } from "../chat/ChatApp";
import { FakeSocket, fakeToken, handoffPayload, routeFetch, signedIn } from "./fakes";

const CONVERSATION = {
  id: "c1",
  customer_id: "alex_morgan_1001",
  channel: "web",
  created_at: 0,
  updated_at: 0,
  handoff_status: "none",
  waiting_for_human: false,
  intent: null,
  message_count: 0,
  turn_running: false,
  last_event_id: 3,
};

const ORDER = {
  order_id: "#W1234567",
  user_id: "alex_morgan_1001",
  status: "pending",
  items: [{ name: "Office Chair", price: 501.57 }],
  address: { city: "San Francisco", state: "CA" },
};

beforeEach(() => {
  vi.stubGlobal("WebSocket", FakeSocket);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("ChatApp", () => {
  it("signs a customer in with the development issuer", async () => {
    const calls = routeFetch({
      "GET /v1/auth/config": { mode: "local", hosted_login: null },
      "POST /v1/auth/local-token": {
        access_token: fakeToken({ sub: "alex_morgan_1001", "cognito:groups": ["customer"], "custom:customer_id": "alex_morgan_1001" }),
      },
      "POST /v1/conversations": CONVERSATION,
      "GET /v1/conversations/c1/messages": { items: [], next_cursor: null },
    });
    render(<ChatApp />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("log", { name: "Conversation" })).toBeInTheDocument();
    expect(calls.find((call) => call.url === "/v1/auth/local-token")?.body).toEqual({ role: "customer", sub: "alex_morgan_1001" });
    expect(localStorage.getItem("tandem.chat.conversation.alex_morgan_1001")).toBe("c1");
  });

  it("resumes the saved conversation, streams the reply and renders the order card", async () => {
    signedIn("chat", {});
    localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
    routeFetch({
      "GET /v1/conversations/c1/messages": { items: [{ index: 0, role: "customer", author: null, text: "hello" }], next_cursor: null },
      "GET /v1/conversations/c1": CONVERSATION,
      "GET /v1/orders/": ORDER,
    });
    render(<ChatApp />);
    expect(await screen.findByText("hello")).toBeInTheDocument();
    const socket = FakeSocket.last!;
    expect(socket.url).toContain("after=3");
    await screen.findByText("Online");

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Message"), "Where is my order #W1234567?{Enter}");
    expect(socket.sent).toEqual([
      { type: "message", text: "Where is my order #W1234567?", client_message_id: expect.stringMatching(/^[a-z0-9]+-[0-9a-f]{32}$/) },
    ]);

    act(() => {
      socket.emit({ id: 4, type: "customer_message", text: "Where is my order #W1234567?" });
      socket.emit({ id: 5, type: "tool", name: "get_order_details", phase: "start", summary: "get order details #W1234567", ok: true });
    });
    expect(screen.getAllByText("Looking up order #W1234567…").length).toBeGreaterThan(0);
    act(() => {
      socket.emit({ id: 6, type: "tool", name: "get_order_details", phase: "end", summary: "get order details #W1234567", ok: true });
      socket.emit({ id: 7, type: "token", text: "Order #W1234567 is " });
    });
    expect(screen.getByText(/Order #W1234567 is/)).toBeInTheDocument();
    act(() => {
      socket.emit({ id: 8, type: "token", text: "**pending**." });
      socket.emit({ id: 7, type: "token", text: "Order #W1234567 is " }); // replayed after a reconnect
      socket.emit({ id: 9, type: "done", conversation_id: "c1", reply: "Order #W1234567 is **pending**.", waiting_for_human: false, handoff_status: "none" });
    });
    expect(await screen.findByRole("article", { name: "Order #W1234567" })).toHaveTextContent("$501.57");
    expect(screen.getAllByText(/Order #W1234567 is/)).toHaveLength(1);
  });

  it("shows the handoff and the agent's name", async () => {
    signedIn("chat", {});
    localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
    routeFetch({
      "GET /v1/conversations/c1/messages": { items: [], next_cursor: null },
      "GET /v1/conversations/c1": CONVERSATION,
    });
    render(<ChatApp />);
    await screen.findByText("Online");
    const socket = FakeSocket.last!;
    act(() => {
      socket.emit({ id: 4, type: "customer_message", text: "human please" });
      socket.emit({ id: 5, type: "handoff", payload: handoffPayload() });
      socket.emit({ id: 6, type: "done", conversation_id: "c1", reply: "", waiting_for_human: true, handoff_status: "waiting" });
    });
    expect(screen.getAllByText("A person will join shortly.").length).toBeGreaterThan(0);
    expect(screen.getByText("Waiting for a person to join")).toBeInTheDocument();
    act(() => socket.emit({ id: 7, type: "agent_message", agent: "Alice", text: "Hi, Alice here." }));
    expect(screen.getByRole("heading", { name: "Alice · Support" })).toBeInTheDocument();
    expect(screen.getByText("Hi, Alice here.")).toBeInTheDocument();
  });
});
