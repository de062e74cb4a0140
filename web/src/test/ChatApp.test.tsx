import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatApp } from "../chat/ChatApp";
import { CONVERSATION, FakeSocket, fakeToken, handoffPayload, routeFetch, signedIn } from "./fakes";


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
      "GET /v1/conversations/c1": CONVERSATION,
      "GET /v1/orders/": ORDER,
    });
    render(<ChatApp />);
    await screen.findByText("Online");
    const socket = FakeSocket.last!;
    expect(socket.url).toContain("after=0"); // the stored events rebuild the view
    act(() => {
      socket.emit({ id: 1, type: "customer_message", text: "hello" });
      socket.emit({ id: 3, type: "done", conversation_id: "c1", reply: "Hi! How can I help?", waiting_for_human: false, handoff_status: "none" });
    });
    expect(screen.getByText("hello")).toBeInTheDocument();

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

  it("after a reload shows each order card as it was when the message was sent", async () => {
    signedIn("chat", {});
    localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
    const calls = routeFetch({
      "GET /v1/conversations/c1": { ...CONVERSATION, last_event_id: 9 },
      "GET /v1/orders/": { ...ORDER, status: "cancelled" }, // today's status
    });
    render(<ChatApp />);
    await screen.findByText("Online");
    const socket = FakeSocket.last!;
    const seen = { order_id: "#W1234567", status: "pending", items: [{ name: "Office Chair", price: 501.57 }], city: "San Francisco", state: "CA" };
    act(() => {
      socket.emit({ id: 4, type: "customer_message", text: "Where is my order #W1234567?" });
      socket.emit({ id: 5, type: "tool", name: "get_order_details", phase: "start", summary: "get order details #W1234567", ok: true });
      socket.emit({ id: 6, type: "tool", name: "get_order_details", phase: "end", summary: "get order details #W1234567", ok: true, order: seen });
      socket.emit({ id: 9, type: "done", conversation_id: "c1", reply: "Order #W1234567 is pending.", waiting_for_human: false, handoff_status: "none" });
    });
    const card = await screen.findByRole("article", { name: "Order #W1234567" });
    expect(card).toHaveTextContent("Pending");
    expect(card).toHaveTextContent("San Francisco, CA");
    expect(card).toHaveTextContent("$501.57");
    expect(card).not.toHaveTextContent("Cancelled");
    expect(calls.some((call) => call.url.startsWith("/v1/orders/"))).toBe(false);
  });

  it("shows the handoff and the agent's name", async () => {
    signedIn("chat", {});
    localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
    routeFetch({
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

  it("shows the agent typing until their message arrives or the signal goes stale", async () => {
    signedIn("chat", {});
    localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
    routeFetch({ "GET /v1/conversations/c1": CONVERSATION });
    render(<ChatApp />);
    await screen.findByText("Online");
    const socket = FakeSocket.last!;
    vi.useFakeTimers();
    try {
      act(() => socket.emit({ id: 4, type: "agent_typing", agent: "Alice Chen" }));
      expect(screen.getByText("Alice is typing…")).toBeInTheDocument();
      act(() => socket.emit({ id: 5, type: "agent_message", agent: "Alice Chen", text: "Hi, Alice here." }));
      expect(screen.queryByText("Alice is typing…")).not.toBeInTheDocument();
      expect(screen.getByText("Hi, Alice here.")).toBeInTheDocument();

      act(() => socket.emit({ id: 6, type: "agent_typing", agent: "Alice Chen" }));
      act(() => vi.advanceTimersByTime(4000));
      act(() => socket.emit({ id: 7, type: "agent_typing", agent: "Alice Chen" })); // still writing
      act(() => vi.advanceTimersByTime(4000));
      expect(screen.getByText("Alice is typing…")).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(2500));
      expect(screen.queryByText("Alice is typing…")).not.toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not replay an old typing signal after a reload", async () => {
    signedIn("chat", {});
    localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
    routeFetch({ "GET /v1/conversations/c1": { ...CONVERSATION, last_event_id: 5 } });
    render(<ChatApp />);
    await screen.findByText("Online");
    const socket = FakeSocket.last!;
    act(() => {
      socket.emit({ id: 4, type: "customer_message", text: "human please" });
      socket.emit({ id: 5, type: "agent_typing", agent: "Alice" });
    });
    expect(screen.queryByText("Alice is typing…")).not.toBeInTheDocument();
    act(() => socket.emit({ id: 6, type: "agent_typing", agent: "Alice" }));
    expect(screen.getByText("Alice is typing…")).toBeInTheDocument();
  });

  it("after a reload shows what was seen: tool lines, sources, the handoff and the agent", async () => {
    signedIn("chat", {});
    localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
    const calls = routeFetch({ "GET /v1/conversations/c1": { ...CONVERSATION, last_event_id: 9 } });
    const { container } = render(<ChatApp />);
    await screen.findByText("Online");
    const socket = FakeSocket.last!;
    act(() => {
      socket.emit({ id: 1, type: "customer_message", text: "How long do refunds take?" });
      socket.emit({ id: 2, type: "tool", name: "search_knowledge_base", phase: "start", summary: "search", ok: true });
      socket.emit({ id: 3, type: "tool", name: "search_knowledge_base", phase: "end", summary: "search", ok: true });
      socket.emit({
        id: 4,
        type: "done",
        conversation_id: "c1",
        reply: "Refunds take 5-7 days.",
        waiting_for_human: false,
        handoff_status: "none",
        sources: [{ article_id: "refund-timing", title: "Refund timing" }],
      });
      socket.emit({ id: 5, type: "customer_message", text: "human please" });
      socket.emit({ id: 6, type: "handoff", payload: handoffPayload() });
      socket.emit({ id: 7, type: "done", conversation_id: "c1", reply: "", waiting_for_human: true, handoff_status: "waiting" });
      socket.emit({ id: 8, type: "agent_message", agent: "Alice", text: "Hi, Alice here." });
    });
    expect(screen.getByText("Searched the help centre")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Refund timing/ })).toHaveAttribute("href", "/help/refund-timing");
    expect(screen.getAllByText("A person will join shortly.").length).toBeGreaterThan(0);
    expect(screen.getAllByText("Alice joined the conversation.").length).toBeGreaterThan(0);
    expect(screen.getByRole("heading", { name: "Alice · Support" })).toBeInTheDocument();
    expect(calls.some((call) => call.url.includes("/sources"))).toBe(false);
    expect(container.querySelectorAll(".messages > li").length).toBeGreaterThan(4);
  });

  it("asks for an answer's sources once, however many events arrive while it waits", async () => {
    signedIn("chat", {});
    localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
    // The sources stay on their way until the test lets them through.
    let release: () => void = () => undefined;
    const sources = [{ article_id: "refund-timing", title: "Refund timing", url: "/help/refund-timing" }];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        release = () => {
          controller.enqueue(new TextEncoder().encode(JSON.stringify(sources)));
          controller.close();
        };
      },
    });
    const calls = routeFetch({
      "GET /v1/conversations/c1": { ...CONVERSATION, last_event_id: 0 },
      "GET /v1/conversations/c1/sources": () => new Response(body, { headers: { "Content-Type": "application/json" } }),
    });
    render(<ChatApp />);
    await screen.findByText("Online");
    const socket = FakeSocket.last!;
    act(() => {
      socket.emit({ id: 1, type: "customer_message", text: "How long do refunds take?" });
      socket.emit({ id: 2, type: "tool", name: "search_knowledge_base", phase: "end", summary: "search", ok: true });
      socket.emit({ id: 3, type: "done", conversation_id: "c1", reply: "Refunds take 5-7 days.", waiting_for_human: false, handoff_status: "none" });
    });
    act(() => {
      socket.emit({ id: 4, type: "customer_message", text: "And exchanges?" });
      socket.emit({ id: 5, type: "token", text: "Exchanges " });
      socket.emit({ id: 6, type: "token", text: "are free." });
    });
    const asked = () => calls.filter((call) => call.url.endsWith("/v1/conversations/c1/sources"));
    expect(asked()).toHaveLength(1);
    await act(async () => release());
    expect(await screen.findByRole("link", { name: /Refund timing/ })).toHaveAttribute("href", "/help/refund-timing");
    expect(asked()).toHaveLength(1);
  });
});

describe("shownText", () => {
  it("names the sources once: the closing Source line goes when links are shown", async () => {
    const { shownText } = await import("../chat/MessageList");
    const text = "From our help centre (“Refund timing”): Refunds take 5-7 days.\n\nSource: Refund timing";
    const base = { kind: "message" as const, key: "k", role: "bot" as const, text };
    expect(shownText({ ...base, sources: [{ article_id: "refund-timing", title: "Refund timing", url: "/help/refund-timing" }] })).toBe(
      "From our help centre (“Refund timing”): Refunds take 5-7 days.",
    );
    expect(shownText({ ...base, sources: [] })).toBe(text);
    expect(shownText(base)).toBe(text);
  });
});
