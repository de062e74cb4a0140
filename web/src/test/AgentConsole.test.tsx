import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConversationPanel } from "../agent/ConversationPanel";
import { QueueList } from "../agent/QueueList";
import type { QueueEntry, Transcript } from "@tandem/client";
import { routeFetch, signedIn } from "./fakes";

const now = Date.now() / 1000;

function entry(overrides: Partial<QueueEntry> = {}): QueueEntry {
  return {
    conversation_id: "c1",
    status: "waiting",
    reason: "explicit_request",
    intent: "human_agent",
    sentiment_label: "negative",
    sentiment_score: -0.9,
    summary: "Alex is upset about order #W1234567.",
    suggested_reply: "Hi Alex, I'm taking over from here.",
    customer_id: "alex_morgan_1001",
    channel: "web",
    last_message: "I want a human",
    created_at: now - 400,
    waiting_seconds: 400,
    sla_state: "breached",
    claimed_by: null,
    claimed_at: null,
    first_response_at: null,
    resolved_at: null,
    tags: [],
    priority: "normal",
    order_id: null,
    ...overrides,
  };
}

afterEach(() => vi.unstubAllGlobals());

describe("QueueList", () => {
  it("shows reason, intent, sentiment, channel, waiting time and SLA state", async () => {
    const onSelect = vi.fn();
    render(
      <QueueList
        entries={[entry(), entry({ conversation_id: "c2", customer_id: "sam", sla_state: "ok", created_at: now - 30, status: "claimed", claimed_by: "bob" })]}
        selected={null}
        me="alice"
        onSelect={onSelect}
      />,
    );
    const [first, second] = screen.getAllByRole("button");
    expect(first).toHaveClass("sla-breached");
    expect(first).toHaveTextContent("Explicit request");
    expect(first).toHaveTextContent("Human agent");
    expect(first).toHaveTextContent("Negative -0.90");
    expect(first).toHaveTextContent("web");
    expect(first).toHaveTextContent(/SLA breached, waiting 6 min/);
    expect(second).toHaveTextContent("Claimed by bob");
    await userEvent.setup().click(second);
    expect(onSelect).toHaveBeenCalledWith("c2");
  });

  it("says so when nobody waits", () => {
    render(<QueueList entries={[]} selected={null} me="alice" onSelect={() => undefined} />);
    expect(screen.getByText(/No one is waiting/)).toBeInTheDocument();
  });
});

function transcriptWith(queue: QueueEntry, customer: Transcript["customer"] = null): Transcript {
  return {
    conversation_id: "c1",
    messages: [
      { index: 0, role: "customer", author: null, text: "Where is my order #W1234567?" },
      { index: 1, role: "bot", author: "tandem", text: "It is pending." },
    ],
    events: [{ seq: 2, type: "tool", data: { type: "tool", name: "get_order_details", phase: "end", summary: "get order details #W1234567", ok: true } }],
    passages: [{ article_id: "refund-timing", title: "When will I get my refund?" }],
    queue,
    customer,
  };
}

const never = () => new Response(new ReadableStream(), { status: 200, headers: { "Content-Type": "text/event-stream" } });

describe("ConversationPanel", () => {
  it("shows the files the customer attached in the transcript", async () => {
    const session = signedIn("agent", { sub: "bob", role: "agent", name: "Bob", customerId: null });
    const photo = { id: `att_${"c".repeat(32)}`, filename: "broken.jpg", content_type: "image/jpeg", size: 122_880 };
    const transcript = transcriptWith(entry());
    transcript.messages[0] = { ...transcript.messages[0], attachments: [photo] };
    routeFetch({
      "GET /v1/queue/c1/notes": [],
      "GET /v1/macros": [],
      "GET /v1/queue/c1/transcript": transcript,
      "GET /v1/conversations/c1/events": never,
      "GET /v1/conversations/c1": { waiting_for_human: true },
      "GET /v1/customers/alex_morgan_1001/orders": [],
      "GET /v1/attachments/": () => new Response(new Uint8Array([255, 216, 255]), { headers: { "Content-Type": "image/jpeg" } }),
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    const transcriptList = await screen.findByRole("list", { name: "Transcript" });
    expect(await within(transcriptList).findByRole("button", { name: /^broken\.jpg 120 KB ?\(image\/jpeg\), open$/ })).toBeInTheDocument();
  });

  it("shows who has the conversation and offers no reply to a second agent", async () => {
    const session = signedIn("agent", { sub: "bob", role: "agent", name: "Bob", customerId: null });
    routeFetch({
      "GET /v1/queue/c1/notes": [],
      "GET /v1/macros": [],
      "GET /v1/queue/c1/transcript": transcriptWith(entry({ status: "claimed", claimed_by: "alice" })),
      "GET /v1/conversations/c1/events": never,
      "GET /v1/conversations/c1": { waiting_for_human: true },
      "GET /v1/customers/alex_morgan_1001/orders": [],
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    expect(await screen.findByText("alice is handling this conversation.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Claim" })).toBeNull();
    expect(screen.queryByLabelText("Reply to the customer")).toBeNull();
  });

  it("claims, pre-fills the suggested reply, and sends the edited reply", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    let current = entry();
    const calls = routeFetch({
      "GET /v1/queue/c1/transcript": () => transcriptWith(current),
      "GET /v1/queue/c1/notes": [],
      "GET /v1/macros": [],
      "GET /v1/conversations/c1/events": never,
      "GET /v1/conversations/c1": { waiting_for_human: true },
      "GET /v1/customers/alex_morgan_1001/orders": [
        { order_id: "#W1234567", user_id: "alex_morgan_1001", status: "pending", items: [{ name: "Office Chair", price: 501.57 }] },
      ],
      "POST /v1/queue/c1/claim": () => {
        current = entry({ status: "claimed", claimed_by: "alice" });
        return current;
      },
      "POST /v1/queue/c1/reply": () => current,
    });
    const onChanged = vi.fn();
    render(<ConversationPanel conversationId="c1" session={session} onChanged={onChanged} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Claim" }));
    const box = await screen.findByLabelText("Reply to the customer");
    expect(box).toHaveValue("Hi Alex, I'm taking over from here.");
    expect(screen.getByRole("article", { name: "Order #W1234567" })).toBeInTheDocument();
    const context = screen.getByRole("complementary", { name: "Context" });
    expect(within(context).getByText("get_order_details")).toBeInTheDocument();
    expect(within(context).getByRole("link", { name: "When will I get my refund?" })).toHaveAttribute("href", "/help/refund-timing");

    await user.clear(box);
    await user.type(box, "Hi Alex, Alice here.");
    await user.click(screen.getByRole("button", { name: "Send reply" }));
    expect(await screen.findByText("Reply sent.")).toBeInTheDocument();
    expect(calls.find((call) => call.url === "/v1/queue/c1/reply")?.body).toEqual({ text: "Hi Alex, Alice here." });
    expect(onChanged).toHaveBeenCalled();
  });

  it("tells the customer it is typing at most once every three seconds", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    const calls = routeFetch({
      "GET /v1/queue/c1/transcript": transcriptWith(entry({ status: "claimed", claimed_by: "alice" })),
      "GET /v1/queue/c1/notes": [],
      "GET /v1/macros": [],
      "GET /v1/conversations/c1/events": never,
      "GET /v1/conversations/c1": { waiting_for_human: true },
      "GET /v1/customers/alex_morgan_1001/orders": [],
      "POST /v1/queue/c1/typing": () => new Response(null, { status: 204 }),
    });
    let clock = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => clock);
    render(<ConversationPanel conversationId="c1" session={session} onChanged={vi.fn()} />);
    const user = userEvent.setup();
    const box = await screen.findByLabelText("Reply to the customer");
    const typings = () => calls.filter((call) => call.url === "/v1/queue/c1/typing" && call.method === "POST").length;
    await user.type(box, " one");
    expect(typings()).toBe(1);
    clock += 2900;
    await user.type(box, " two");
    expect(typings()).toBe(1);
    clock += 200;
    await user.type(box, "!");
    expect(typings()).toBe(2);
    vi.mocked(Date.now).mockRestore();
  });

  it("shows the customer's profile and earlier conversations from the long-term memory", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    routeFetch({
      "GET /v1/queue/c1/notes": [],
      "GET /v1/macros": [],
      "GET /v1/queue/c1/transcript": transcriptWith(entry(), {
        user_id: "alex_morgan_1001",
        profile: { name: "Alex Morgan", email: "alex.morgan@example.com", verified_by: "auth", last_seen: now - 60 },
        earlier_conversations: [
          { conversation_id: "c0", summary: "cancelled order #W1234567", when: now - 86400, outcome: "action_done", intent: "cancel_order" },
          { conversation_id: "c-1", summary: "resolved by Dana: complaint", when: now - 172800, outcome: "resolved", intent: "complaint" },
        ],
      }),
      "GET /v1/conversations/c1/events": never,
      "GET /v1/conversations/c1": { waiting_for_human: true },
      "GET /v1/customers/alex_morgan_1001/orders": [],
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    const card = (await screen.findByRole("heading", { name: "Customer" })).closest("section");
    expect(card).not.toBeNull();
    const customer = within(card as HTMLElement);
    expect(customer.getByText("Alex Morgan")).toBeInTheDocument();
    expect(customer.getByRole("link", { name: "alex.morgan@example.com" })).toHaveAttribute("href", "mailto:alex.morgan@example.com");
    expect(customer.getByText(/Verified by Auth/)).toBeInTheDocument();
    const items = within(customer.getByRole("list", { name: "Earlier conversations" })).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringContaining("cancelled order #W1234567 — Action done"),
      expect.stringContaining("resolved by Dana: complaint — Resolved"),
    ]);
  });

  it("lists the customer's conversations from every channel with the channel marked", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    routeFetch({
      "GET /v1/queue/c1/notes": [],
      "GET /v1/macros": [],
      "GET /v1/queue/c1/transcript": transcriptWith(entry({ channel: "email" }), {
        user_id: "alex_morgan_1001",
        profile: null,
        earlier_conversations: [],
        conversations: [
          { conversation_id: "c1", channel: "email", created_at: now - 60, updated_at: now - 30 },
          { conversation_id: "c7", channel: "whatsapp", created_at: now - 7200, updated_at: now - 3600 },
          { conversation_id: "c3", channel: "web", created_at: now - 86400, updated_at: now - 86000 },
        ],
      }),
      "GET /v1/conversations/c1/events": never,
      "GET /v1/conversations/c1": { waiting_for_human: true },
      "GET /v1/customers/alex_morgan_1001/orders": [],
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    const list = await screen.findByRole("list", { name: "Conversations on every channel" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringMatching(/^email This conversation/),
      expect.stringMatching(/^whatsapp c7/),
      expect.stringMatching(/^web c3/),
    ]);
    expect(items[0]).toHaveAttribute("aria-current", "true");
    expect(items[1]).not.toHaveAttribute("aria-current");
  });

  it("says so when a known customer has no earlier conversations", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    routeFetch({
      "GET /v1/queue/c1/notes": [],
      "GET /v1/macros": [],
      "GET /v1/queue/c1/transcript": transcriptWith(entry(), { user_id: "alex_morgan_1001", profile: null, earlier_conversations: [] }),
      "GET /v1/conversations/c1/events": never,
      "GET /v1/conversations/c1": { waiting_for_human: true },
      "GET /v1/customers/alex_morgan_1001/orders": [],
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    const card = (await screen.findByRole("heading", { name: "Customer" })).closest("section") as HTMLElement;
    expect(within(card).getByText("alex_morgan_1001")).toBeInTheDocument();
    expect(within(card).getByText("None")).toBeInTheDocument();
  });

  it("explains a lost claim race", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    routeFetch({
      "GET /v1/queue/c1/notes": [],
      "GET /v1/macros": [],
      "GET /v1/queue/c1/transcript": transcriptWith(entry()),
      "GET /v1/conversations/c1/events": never,
      "GET /v1/conversations/c1": { waiting_for_human: true },
      "GET /v1/customers/alex_morgan_1001/orders": [],
      "POST /v1/queue/c1/claim": () =>
        new Response(JSON.stringify({ status: 409, code: "already_claimed", detail: "Status is claimed; claimed by bob." }), { status: 409 }),
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    await userEvent.setup().click(await screen.findByRole("button", { name: "Claim" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("claimed by bob");
  });
});
