import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import DashboardApp from "../dashboard/DashboardApp";
import { DrillDown } from "../dashboard/DrillDown";
import { drillQuery, preciseDuration, rangeProblem, type DashboardMetrics } from "../dashboard/metrics";
import { routeFetch, signedIn } from "./fakes";

// Chart.js needs a real canvas; the charts' data is covered by the Playwright walk-through.
vi.mock("../dashboard/Chart", () => ({ Chart: ({ label }: { label: string }) => <p>{label}</p> }));

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

const durations = (median: number | null, rate: number | null) => ({
  sla_seconds: 300,
  count: 2,
  open: 2,
  open_past_sla: 1,
  median_seconds: median,
  p90_seconds: 158,
  within_sla_rate: rate,
  series: [],
});

const figures: DashboardMetrics = {
  start: 0,
  end: 86400,
  bucket_seconds: 3600,
  definitions: {
    containment_rate: "Contained conversations divided by all conversations.",
    abandoned: "Neither handed off nor contained.",
  },
  volume: [],
  totals: {
    conversations: 9,
    messages: 12,
    contained: 2,
    handed_off: 5,
    abandoned: 2,
    containment_rate: 0.2222,
    handoff_rate: 0.5556,
    handoffs: 5,
    resolved_by_person: 2,
    returned_to_bot: 1,
    waiting_now: 2,
    unclaimed_now: 1,
    claimed_unanswered_now: 1,
    fcr_rate: 0.75,
    reopen_rate: 0.5,
    bot_replies: 6,
    fallback_rate: 0.1667,
  },
  handoff_reasons: [],
  intents: [],
  sentiment: { scored_messages: 0, average: null, series: [] },
  first_response: durations(101.3, 0.6667),
  resolution: durations(249, 0.3333),
  csat: { responses: 3, average: 3.67, satisfied_rate: 0.6667, distribution: [] },
  agents: [
    { agent: "dana", claimed: 2, handled: 2, resolved: 1, first_response_seconds: 15.6, handle_seconds: 130, csat: 2, csat_responses: 1 },
  ],
  turn_latency: { turns: 12, p50_ms: 1000, p95_ms: 30000, series: [] },
};

const tile = (metric: string) => within(document.querySelector(`[data-metric="${metric}"]`) as HTMLElement);

describe("dashboard helpers", () => {
  it("shows durations to the second and tenths under a minute", () => {
    expect(preciseDuration(101.3)).toBe("1 min 41 s");
    expect(preciseDuration(44.6)).toBe("44.6 s");
    expect(preciseDuration(null)).toBe("—");
    expect(preciseDuration(7500)).toBe("2 h 05 min");
  });

  it("refuses a reversed or incomplete range", () => {
    expect(rangeProblem("2026-03-02", "2026-03-01")).toMatch(/start date must be on or before/);
    expect(rangeProblem("", "2026-03-01")).toMatch(/both/);
    expect(rangeProblem("2026-03-01", "2026-03-01")).toBeNull();
  });

  it("builds drill-down queries over the range", () => {
    expect(drillQuery("start=a&end=b", { title: "x", outcome: "abandoned" })).toBe("start=a&end=b&outcome=abandoned");
    expect(drillQuery("start=a&end=b", { title: "x", bucket: 3600 })).toBe("start=a&end=b&bucket=3600");
  });
});

describe("DashboardApp", () => {
  it("shows every figure with its definition and drills into the conversations behind one", async () => {
    signedIn("dashboard", { sub: "morgan", role: "admin", name: "Morgan", customerId: null });
    const calls = routeFetch({
      "GET /v1/metrics/dashboard": figures,
      "GET /v1/metrics/conversations": {
        items: [
          { conversation_id: "c2", customer_id: null, started_at: 100, outcome: "abandoned", messages: 1, agent: null, reopened: false, csat: null },
        ],
      },
    });
    render(<DashboardApp />);
    expect(await screen.findByText("22.2%")).toBeInTheDocument();
    expect(tile("first_response").getByText("1 min 41 s")).toBeInTheDocument();
    expect(tile("first_response").getByText(/66.7% within 5 min SLA · 1 unanswered past it/)).toBeInTheDocument();
    expect(tile("waiting_now").getByText("1 unclaimed · 1 claimed, unanswered")).toBeInTheDocument();
    expect(tile("csat").getByText("3.67 / 5")).toBeInTheDocument();
    expect(tile("fcr_rate").getByText("75%")).toBeInTheDocument();
    const help = screen.getByRole("button", { name: "What is Containment rate?" });
    expect(help).toHaveAccessibleDescription("Contained conversations divided by all conversations.");
    expect(screen.getByRole("row", { name: /dana 2 2 1 15.6 s 2 min 10 s 2 \(1\)/ })).toBeInTheDocument();

    await userEvent.click(tile("abandoned").getByRole("button", { name: "Show conversations" }));
    const table = await screen.findByRole("table", { name: /Abandoned conversations: 1 conversations/ });
    expect(within(table).getByText("unidentified")).toBeInTheDocument();
    expect(calls.some((call) => call.url.includes("/v1/metrics/conversations?") && call.url.includes("outcome=abandoned"))).toBe(true);
  });

  it("drops a failed drill-down's error when another one is asked for", async () => {
    let fail = true;
    routeFetch({
      "GET /v1/metrics/conversations": () => (fail ? new Response(JSON.stringify({ detail: "Try again later." }), { status: 503 }) : { items: [] }),
    });
    const { rerender } = render(<DrillDown range="start=1&end=2" filter={{ title: "Abandoned conversations", outcome: "abandoned" }} token="t" onClose={() => undefined} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Try again later.");
    fail = false;
    rerender(<DrillDown range="start=1&end=2" filter={{ title: "All conversations" }} token="t" onClose={() => undefined} />);
    expect(await screen.findByText("No conversations.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says why a reversed custom range is not asked for", async () => {
    signedIn("dashboard", { sub: "morgan", role: "admin", name: "Morgan", customerId: null });
    const calls = routeFetch({ "GET /v1/metrics/dashboard": figures });
    render(<DashboardApp />);
    await screen.findByText("22.2%");
    const before = calls.length;
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2030-01-10" } });
    expect(await screen.findByRole("alert")).toHaveTextContent("The start date must be on or before the end date.");
    expect(screen.getByLabelText("From")).toHaveAttribute("aria-invalid", "true");
    expect(calls.length).toBe(before);
  });
});
