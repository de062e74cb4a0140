import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConversationPanel } from "../agent/ConversationPanel";
import { MacroAdmin } from "../agent/MacroAdmin";
import { QueueControls } from "../agent/QueueControls";
import { ShortcutHelp } from "../agent/ShortcutHelp";
import { arrivals } from "../agent/useAttention";
import { DEFAULT_QUERY, needsAttention, queuePath } from "../agent/useQueue";
import { groupTools, LabelsCard } from "../agent/Workspace";
import type { QueueEntry, Transcript } from "@tandem/client";
import { routeFetch, signedIn } from "./fakes";

const now = Date.now() / 1000;

function entry(overrides: Partial<QueueEntry> = {}): QueueEntry {
  return {
    conversation_id: "c1",
    status: "claimed",
    reason: "explicit_request",
    intent: "human_agent",
    sentiment_label: "negative",
    sentiment_score: -0.4,
    summary: "Alex Morgan asked for a person after 3 messages. Just done: cancelled order #W1.",
    suggested_reply: "Hi Alex, I can see we've cancelled order #W1.",
    customer_id: "alex_morgan_1001",
    channel: "web",
    last_message: "get me a human",
    created_at: now - 60,
    waiting_seconds: 60,
    sla_state: "ok",
    claimed_by: "alice",
    claimed_at: now - 30,
    first_response_at: null,
    resolved_at: null,
    tags: ["refund"],
    priority: "high",
    order_id: "#W1",
    ...overrides,
  };
}

const tool = (seq: number) => ({ seq, type: "tool" as const, data: { type: "tool", name: "get_order_details", phase: "end", summary: "order #W1", ok: true } });

function transcript(queue: QueueEntry): Transcript {
  return {
    conversation_id: "c1",
    messages: [{ index: 0, role: "customer", author: null, text: "get me a human" }],
    events: [tool(1), tool(2), tool(3)] as unknown as Transcript["events"],
    passages: [],
    queue,
    customer: null,
  };
}

const never = () => new Response(new ReadableStream(), { status: 200, headers: { "Content-Type": "text/event-stream" } });

afterEach(() => vi.unstubAllGlobals());

function panelRoutes(current: () => QueueEntry, extra: Record<string, unknown> = {}) {
  return routeFetch({
    "GET /v1/queue/c1/transcript": () => transcript(current()),
    "GET /v1/queue/c1/notes": [{ id: "n1", conversation_id: "c1", author: "bob", text: "Third contact", created_at: now }],
    "GET /v1/macros": [{ id: "sorry", title: "Apology", body: "Sorry {first_name}", updated_by: "root", updated_at: now }],
    "GET /v1/conversations/c1/events": never,
    "GET /v1/conversations/c1": { waiting_for_human: true },
    "GET /v1/customers/alex_morgan_1001/orders": [],
    ...extra,
  });
}

describe("the agent workspace panel", () => {
  it("adds a note, inserts a macro and sends with Ctrl+Enter", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    const calls = panelRoutes(() => entry(), {
      "POST /v1/queue/c1/notes": { id: "n2", conversation_id: "c1", author: "alice", text: "Refund approved", created_at: now },
      "POST /v1/queue/c1/macros/sorry": { macro_id: "sorry", text: "Sorry Alex, about {eta}", missing: ["eta"] },
      "POST /v1/queue/c1/reply": () => entry(),
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    const user = userEvent.setup();
    const notes = (await screen.findByRole("heading", { name: "Internal notes" })).closest("section") as HTMLElement;
    expect(await within(notes).findByText(/Third contact/)).toBeInTheDocument();
    await user.type(within(notes).getByLabelText("Add a note"), "Refund approved");
    await user.click(within(notes).getByRole("button", { name: "Add note" }));
    expect(calls.find((call) => call.method === "POST" && call.url.endsWith("/notes"))?.body).toEqual({ text: "Refund approved" });

    await user.selectOptions(await screen.findByLabelText("Canned response"), "sorry");
    const box = screen.getByLabelText("Reply to the customer");
    await vi.waitFor(() => expect(box).toHaveValue("Sorry Alex, about {eta}"));
    expect(screen.getByText(/Fill in: \{eta\}/)).toBeInTheDocument();
    await user.type(box, "{Control>}{Enter}{/Control}");
    await vi.waitFor(() => expect(calls.find((call) => call.url === "/v1/queue/c1/reply")?.body).toEqual({ text: "Sorry Alex, about {eta}" }));
  });

  it("keeps the tags being typed when the entry reloads with the same tags", async () => {
    const { rerender } = render(<LabelsCard entry={entry()} token="t" onChanged={() => undefined} />);
    const input = screen.getByLabelText("Tags (comma separated)");
    await userEvent.setup().type(input, ", vip");
    expect(input).toHaveValue("refund, vip");
    rerender(<LabelsCard entry={entry({ tags: ["refund"] })} token="t" onChanged={() => undefined} />);
    expect(input).toHaveValue("refund, vip");
    rerender(<LabelsCard entry={entry({ tags: ["refund", "late"] })} token="t" onChanged={() => undefined} />);
    expect(input).toHaveValue("refund, late");
  });

  it("shows a tool called three times once, with a count", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    panelRoutes(() => entry());
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    const context = await screen.findByRole("complementary", { name: "Context" });
    expect(await within(context).findAllByText("get_order_details")).toHaveLength(1);
    expect(within(context).getByText("×3")).toBeInTheDocument();
  });

  it("shows one banner when the conversation is resolved", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    let current = entry();
    panelRoutes(() => current, {
      "POST /v1/queue/c1/resolve": () => {
        current = entry({ status: "resolved", resolved_at: now });
        return current;
      },
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    await userEvent.setup().click(await screen.findByRole("button", { name: "Resolve" }));
    expect(await screen.findByText("This conversation was resolved.")).toBeInTheDocument();
    expect(screen.queryByText("Resolved.")).toBeNull();
  });

  it("reassigns to another agent and offers admins a take-over", async () => {
    const admin = signedIn("agent", { sub: "root", role: "admin", name: "Root", customerId: null });
    const calls = panelRoutes(() => entry(), {
      "POST /v1/queue/c1/reassign": () => entry({ claimed_by: "eli" }),
      "POST /v1/queue/c1/takeover": () => entry({ claimed_by: "root" }),
    });
    render(<ConversationPanel conversationId="c1" session={admin} onChanged={() => undefined} />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Reassign to"), "eli");
    await user.click(screen.getByRole("button", { name: "Reassign" }));
    expect(await screen.findByText("Reassigned to eli.")).toBeInTheDocument();
    expect(calls.find((call) => call.url.endsWith("/reassign"))?.body).toEqual({ agent: "eli" });
    await user.click(screen.getByRole("button", { name: "Take over" }));
    expect(calls.some((call) => call.url.endsWith("/takeover"))).toBe(true);
  });

  it("claims with the c shortcut", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    const calls = panelRoutes(() => entry({ status: "waiting", claimed_by: null }), { "POST /v1/queue/c1/claim": () => entry() });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    await screen.findByRole("button", { name: "Claim" });
    await userEvent.setup().keyboard("c");
    await vi.waitFor(() => expect(calls.some((call) => call.url === "/v1/queue/c1/claim")).toBe(true));
  });
});

describe("queue controls and alerts", () => {
  it("switches views and searches", async () => {
    const onChange = vi.fn();
    render(<QueueControls query={DEFAULT_QUERY} onChange={onChange} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Resolved" }));
    expect(onChange).toHaveBeenCalledWith({ ...DEFAULT_QUERY, view: "resolved" });
    expect(queuePath({ ...DEFAULT_QUERY, view: "mine", q: " #W1 " })).toBe("/v1/queue?view=mine&sort=waiting_time&q=%23W1");
  });

  it("counts unanswered breached claims and announces arrivals", () => {
    expect(needsAttention(entry({ sla_state: "breached" }))).toBe(true);
    expect(needsAttention(entry({ sla_state: "breached", first_response_at: now }))).toBe(false);
    const before = [entry()];
    const after = [entry({ last_message: "hello?" }), entry({ conversation_id: "c2", status: "waiting", customer_id: "sam" })];
    expect(arrivals(before, after, "alice")).toEqual(["alex_morgan_1001: hello?", "New handoff: sam"]);
  });

  it("groups tool calls by name and outcome", () => {
    const lines = groupTools([
      { seq: 1, name: "a", summary: "s", ok: true },
      { seq: 2, name: "a", summary: "s", ok: true },
      { seq: 3, name: "a", summary: "s", ok: false },
    ]);
    expect(lines.map((line) => line.count)).toEqual([2, 1]);
  });

  it("lists the shortcuts in a dialog", async () => {
    const onClose = vi.fn();
    render(<ShortcutHelp onClose={onClose} />);
    expect(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).toHaveTextContent("Claim the open conversation");
    await act(async () => screen.getByRole("button", { name: "Close" }).click());
    expect(onClose).toHaveBeenCalled();
  });
});

describe("the model's handover", () => {
  it("asks for it and puts its reply in the box", async () => {
    const session = signedIn("agent", { sub: "alice", role: "agent", name: "Alice", customerId: null });
    panelRoutes(() => entry(), {
      "POST /v1/queue/c1/handover": { summary: "Alex wants order #W1 checked.", suggested_reply: "Hi Alex, checking #W1 now.", source: "model" },
    });
    render(<ConversationPanel conversationId="c1" session={session} onChanged={() => undefined} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Ask the AI for a handover" }));
    expect(await screen.findByText("Written by the AI from the transcript")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Use this reply" }));
    expect(screen.getByLabelText("Reply to the customer")).toHaveValue("Hi Alex, checking #W1 now.");
  });
});

describe("canned responses for admins", () => {
  it("creates and deletes one", async () => {
    let stored = [{ id: "sorry", title: "Apology", body: "Sorry {first_name}", updated_by: "root", updated_at: now }];
    const calls = routeFetch({
      "GET /v1/macros": () => stored,
      "PUT /v1/macros/thanks": () => {
        stored = [...stored, { id: "thanks", title: "Thanks", body: "Thank you {first_name}", updated_by: "root", updated_at: now }];
        return stored[1];
      },
      "DELETE /v1/macros/sorry": () => {
        stored = stored.filter((macro) => macro.id !== "sorry");
        return new Response(null, { status: 204 });
      },
    });
    render(<MacroAdmin token="t" onClose={() => undefined} />);
    const user = userEvent.setup();
    await screen.findByText("Apology");
    await user.type(screen.getByLabelText(/^Id/), "thanks");
    await user.type(screen.getByLabelText("Title"), "Thanks");
    await user.type(screen.getByLabelText("Text"), "Thank you {{first_name}");
    await user.click(screen.getByRole("button", { name: "Save canned response" }));
    expect(await screen.findByText("Saved “Thanks”.")).toBeInTheDocument();
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({ title: "Thanks", body: "Thank you {first_name}" });
    await user.click(screen.getByRole("button", { name: "Delete Apology" }));
    expect(await screen.findByText("Deleted “Apology”.")).toBeInTheDocument();
    await vi.waitFor(() => expect(screen.queryByRole("button", { name: "Delete Apology" })).toBeNull());
  });
});
