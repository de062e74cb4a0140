/** The dashboard's data (GET /v1/metrics/dashboard) and the date range it covers. */

export interface Series<T> {
  t: number;
  [key: string]: number | null | T;
}

export interface Durations {
  sla_seconds: number;
  count: number;
  open: number;
  open_past_sla: number;
  median_seconds: number | null;
  p90_seconds: number | null;
  within_sla_rate: number | null;
  series: Array<{ t: number; median_seconds: number | null }>;
}

export interface AgentRow {
  agent: string;
  claimed: number;
  handled: number;
  resolved: number;
  first_response_seconds: number | null;
  handle_seconds: number | null;
  csat: number | null;
  csat_responses: number;
}

export type Outcome = "contained" | "handed_off" | "abandoned";

export interface DashboardMetrics {
  start: number;
  end: number;
  bucket_seconds: number;
  definitions: Record<string, string>;
  volume: Array<{ t: number; end: number; conversations: number; messages: number; handoffs: number }>;
  totals: {
    conversations: number;
    messages: number;
    contained: number;
    handed_off: number;
    abandoned: number;
    containment_rate: number | null;
    handoff_rate: number | null;
    handoffs: number;
    resolved_by_person: number;
    returned_to_bot: number;
    waiting_now: number;
    unclaimed_now: number;
    claimed_unanswered_now: number;
    fcr_rate: number | null;
    reopen_rate: number | null;
    bot_replies: number;
    fallback_rate: number | null;
  };
  handoff_reasons: Array<{ reason: string; count: number }>;
  intents: Array<{ intent: string; count: number }>;
  sentiment: {
    scored_messages: number;
    average: number | null;
    series: Array<{ t: number; average: number | null; negative_share: number | null; messages: number }>;
  };
  first_response: Durations;
  resolution: Durations;
  csat: {
    responses: number;
    average: number | null;
    satisfied_rate: number | null;
    distribution: Array<{ score: number; count: number }>;
  };
  agents: AgentRow[];
  turn_latency: {
    turns: number;
    p50_ms: number | null;
    p95_ms: number | null;
    series: Array<{ t: number; p95_ms: number | null; turns: number }>;
  };
}

/** One conversation behind the figures (GET /v1/metrics/conversations). */
export interface ConversationRow {
  conversation_id: string;
  customer_id: string | null;
  started_at: number;
  outcome: Outcome;
  messages: number;
  identified: boolean;
  handoffs: number;
  agent: string | null;
  resolved_by_person: boolean;
  returned_to_bot: boolean;
  reopened: boolean;
  first_contact_resolved: boolean;
  intents: string;
  csat: number | null;
}

/** What a drill-down lists: one outcome, or the conversations started in one bucket. */
export interface DrillFilter {
  title: string;
  outcome?: Outcome;
  bucket?: number;
}

/** The query string of a drill-down over the range. */
export function drillQuery(range: string, filter: DrillFilter): string {
  const params = new URLSearchParams(range);
  if (filter.outcome) params.set("outcome", filter.outcome);
  if (filter.bucket !== undefined) params.set("bucket", String(filter.bucket));
  return params.toString();
}

/** A duration to the second, tenths under a minute: "44.6 s", "1 min 41 s", "2 h 05 min". */
export function preciseDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")} min`;
}

/** Why a custom range cannot be asked for, or null when it can. */
export function rangeProblem(from: string, to: string): string | null {
  if (!from || !to) return "Choose both a start and an end date.";
  if (from > to) return "The start date must be on or before the end date.";
  return null;
}

export type Preset = "today" | "7d" | "30d" | "custom";

/** A yyyy-mm-dd string for a local date. */
export function isoDay(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The [from, to] local days of a preset, ending today. */
export function presetRange(preset: Exclude<Preset, "custom">, today = new Date()): [string, string] {
  const days = preset === "today" ? 0 : preset === "7d" ? 6 : 29;
  const from = new Date(today);
  from.setDate(from.getDate() - days);
  return [isoDay(from), isoDay(today)];
}

/** Query string for local days [from, to] inclusive, as UTC instants. */
export function rangeQuery(from: string, to: string): string {
  const start = new Date(`${from}T00:00:00`);
  const end = new Date(`${to}T00:00:00`);
  end.setDate(end.getDate() + 1);
  return new URLSearchParams({ start: start.toISOString(), end: end.toISOString() }).toString();
}

/** A bucket's axis label: the hour for hourly buckets (with the day when the range spans
 * more than one), the date for daily ones. */
export function bucketLabel(t: number, bucketSeconds: number, spansDays = false): string {
  const date = new Date(t * 1000);
  if (bucketSeconds >= 86400) return date.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return spansDays ? `${date.toLocaleDateString(undefined, { weekday: "short" })} ${time}` : time;
}
