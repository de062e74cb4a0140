import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StreamEvent } from "@tandem/client";
import { chatReducer, initialChat, type ChatState } from "@tandem/client";
import { CsatSurvey } from "../chat/CsatSurvey";
import { routeFetch } from "./fakes";

afterEach(() => vi.unstubAllGlobals());

const play = (events: StreamEvent[], state: ChatState = initialChat) =>
  events.reduce((current, event, index) => chatReducer(current, { type: "event", event: { id: index + 1, ...event } }), state);

const done = (status: string, intent: string | null, waiting = false) =>
  ({ type: "done", conversation_id: "c1", reply: "ok", waiting_for_human: waiting, handoff_status: status, intent }) as StreamEvent;

describe("the satisfaction survey", () => {
  it("is offered when a person resolves the conversation or the customer closes it", () => {
    expect(play([{ type: "customer_message", text: "where is it" }, done("none", "track_order")]).survey).toBe(false);
    expect(play([{ type: "customer_message", text: "thanks!" }, done("none", "thanks")]).survey).toBe(true);
    expect(play([{ type: "customer_message", text: "bye" }, done("human", "goodbye", true)]).survey).toBe(false);
    expect(play([done("resolved", null)]).survey).toBe(true);
    const reloaded = chatReducer(initialChat, { type: "hydrate", messages: [], lastEventId: 4, handoff: "resolved", turnRunning: false });
    expect(reloaded.survey).toBe(true);
  });

  it("records one tap and shows the choice", async () => {
    let stored: number | null = null;
    const calls = routeFetch({
      "GET /v1/conversations/c1/csat": () => ({ conversation_id: "c1", score: stored }),
      "PUT /v1/conversations/c1/csat": (init?: RequestInit) => {
        stored = JSON.parse(String(init?.body)).score;
        return { conversation_id: "c1", score: stored };
      },
    });
    render(<CsatSurvey conversationId="c1" token="t" />);
    expect(await screen.findByRole("heading", { name: "How did we do?" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "4 of 5: Satisfied" }));
    expect(await screen.findByRole("heading", { name: "Thanks for your feedback!" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "4 of 5: Satisfied" })).toHaveAttribute("aria-pressed", "true");
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({ score: 4 });
  });
});
