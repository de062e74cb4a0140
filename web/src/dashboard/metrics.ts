/** The dashboard's data (GET /v1/metrics/dashboard) and the date range it covers. */

export interface Series<T> {
  t: number;
  [key: string]: number | null | T;
}

export interface Durations {
  sla_seconds: number;
  count: number;
  median_seconds: number | null;
  p90_seconds: number | null;
  within_sla_rate: number | null;
  series: Array<{ t: number; median_seconds: number | null }>;
}

export interface DashboardMetrics {
  start: number;
  end: number;
  bucket_seconds: number;
  volume: Array<{ t: number; conversations: number; messages: number; handoffs: number }>;
  totals: {
    conversations: number;
    messages: number;
    handed_off: number;
    contained: number;
    containment_rate: number | null;
    handoff_rate: number | null;
    waiting_now: number;
  };
  handoff_reasons: Array<{ reason: string; count: number }>;
  sentiment: {
    scored_messages: number;
    average: number | null;
    series: Array<{ t: number; average: number | null; negative_share: number | null; messages: number }>;
  };
  first_response: Durations;
  resolution: Durations;
  turn_latency: {
    turns: number;
    p50_ms: number | null;
    p95_ms: number | null;
    series: Array<{ t: number; p95_ms: number | null; turns: number }>;
  };
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
