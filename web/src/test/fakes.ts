/** Test doubles for the browser's network: a routed fetch and a scripted WebSocket. */
import { vi } from "vitest";
import type { Session } from "../api/auth";
import type { HandoffPayload, StreamEvent } from "@tandem/client";

type Handler = (init: RequestInit | undefined, url: string) => unknown;

/** Replace fetch with JSON answers per "METHOD path" (longest matching prefix wins). */
export function routeFetch(routes: Record<string, Handler | unknown>) {
  const calls: Array<{ method: string; url: string; body: unknown }> = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    // JSON bodies are parsed for the assertions; others (a multipart FormData) are kept as sent
    const sent = typeof init?.body === "string" ? JSON.parse(init.body) : (init?.body ?? undefined);
    calls.push({ method, url, body: sent });
    const key = Object.keys(routes)
      .filter((route) => `${method} ${url}`.startsWith(route))
      .sort((a, b) => b.length - a.length)[0];
    if (!key) return new Response(JSON.stringify({ detail: `no route for ${method} ${url}` }), { status: 404 });
    const value = routes[key];
    const body = typeof value === "function" ? (value as Handler)(init, url) : value;
    if (body instanceof Response) return body;
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  });
  vi.stubGlobal("fetch", fetchMock);
  return calls;
}

/** A WebSocket the test drives: `emit` delivers server frames, `sent` holds client frames. */
export class FakeSocket {
  static last: FakeSocket | null = null;
  static OPEN = 1;
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: ((close: { code: number }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
    }, 0);
  }

  send(data: string) {
    this.sent.push(JSON.parse(data));
  }

  emit(event: StreamEvent) {
    this.onmessage?.({ data: JSON.stringify(event) });
  }

  close() {
    this.readyState = 3;
    this.onclose?.({ code: 1000 });
  }
}

export function fakeToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");
  return `${encode({ alg: "RS256" })}.${encode({ exp: Date.now() / 1000 + 3600, ...claims })}.sig`;
}

export function signedIn(app: "chat" | "agent" | "dashboard", session: Partial<Session>): Session {
  const full: Session = {
    token: "token",
    sub: "alex_morgan_1001",
    role: "customer",
    name: "alex_morgan_1001",
    customerId: "alex_morgan_1001",
    expiresAt: Date.now() + 3_600_000,
    ...session,
  };
  localStorage.setItem(`tandem.session.${app}`, JSON.stringify(full));
  return full;
}

/** A complete handoff payload, as the handoff node sends it. */
export function handoffPayload(type: HandoffPayload["type"] = "handoff"): HandoffPayload {
  return {
    type,
    reason: "explicit_request",
    summary: "customer Alex Morgan (alex_morgan_1001); intent human_agent; last message: 'I want a human'",
    intent: "human_agent",
    sentiment: { score: -0.2, label: "negative", frustration: false, cues: [], history: [-0.2], trend: 0 },
    customer: { user_id: "alex_morgan_1001", name: "Alex Morgan", verified_by: "auth" },
    order_id: null,
    channel: "web",
    last_message: "I want a human",
    suggested_reply: "Hi Alex, thanks for your patience — I'm taking over from here.",
  };
}

/** The customer's open web conversation, as `GET /v1/conversations/c1` describes it. */
export const CONVERSATION = {
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
