/** The dashboard's charts as Chart.js configurations. */
import type { ChartConfiguration } from "chart.js";
import { humanize } from "../ui/format";
import { bucketLabel, type DashboardMetrics } from "./metrics";

const COLORS = { indigo: "#4f46e5", teal: "#0d9488", amber: "#d97706", rose: "#e11d48", slate: "#64748b" };

export type ChartName = "volume" | "reasons" | "sentiment" | "sla" | "latency" | "intents" | "csat";

/** Horizontal bars of counts by name (handoff reasons, intents), in the order given. */
function ranking(label: string, rows: Array<[string, number]>, color: string): ChartConfiguration {
  return {
    type: "bar",
    data: {
      labels: rows.map(([name]) => humanize(name)),
      datasets: [{ label, data: rows.map(([, count]) => count), backgroundColor: color, maxBarThickness: 28 }],
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

/** Chart.js configurations of every chart of the dashboard. */
export function buildCharts(data: DashboardMetrics): Record<ChartName, ChartConfiguration> {
  const spansDays = data.end - data.start > 86400;
  const labels = data.volume.map((point) => bucketLabel(point.t, data.bucket_seconds, spansDays));
  const line = (label: string, values: Array<number | null>, color: string, fill = false) => ({
    label,
    data: values,
    borderColor: color,
    backgroundColor: `${color}33`,
    fill,
    tension: 0,
    spanGaps: true,
    pointRadius: values.length > 48 ? 0 : 2,
  });
  const minutes = (seconds: number | null) => (seconds === null ? null : Math.round((seconds / 60) * 10) / 10);
  return {
    volume: {
      type: "line",
      data: {
        labels,
        datasets: [
          line("Conversations", data.volume.map((p) => p.conversations), COLORS.indigo, true),
          line("Handoffs", data.volume.map((p) => p.handoffs), COLORS.rose),
          line("Customer messages", data.volume.map((p) => p.messages), COLORS.slate),
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
    reasons: ranking("Handoffs", data.handoff_reasons.map((r) => [r.reason, r.count]), COLORS.amber),
    sentiment: {
      type: "line",
      data: {
        labels,
        datasets: [line("Average sentiment (−1 to 1)", data.sentiment.series.map((p) => p.average), COLORS.teal, true)],
      },
      options: { scales: { y: { min: -1, max: 1 } } },
    },
    sla: {
      type: "bar",
      data: {
        labels,
        datasets: [
          { type: "bar", label: "First response, median (min)", data: data.first_response.series.map((p) => minutes(p.median_seconds)), backgroundColor: COLORS.indigo, maxBarThickness: 24 },
          { type: "bar", label: "Resolution, median (min)", data: data.resolution.series.map((p) => minutes(p.median_seconds)), backgroundColor: COLORS.teal, maxBarThickness: 24 },
          {
            type: "line",
            label: "First-response SLA (min)",
            data: labels.map(() => minutes(data.first_response.sla_seconds)),
            borderColor: COLORS.rose,
            borderDash: [6, 4],
            pointRadius: 0,
          },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: "minutes" } } } },
    },
    latency: {
      type: "line",
      data: { labels, datasets: [line("p95 turn latency (ms)", data.turn_latency.series.map((p) => p.p95_ms), COLORS.amber, true)] },
      options: { scales: { y: { beginAtZero: true } } },
    },
    intents: ranking("Bot replies", data.intents.map((r) => [r.intent, r.count]), COLORS.indigo),
    csat: {
      type: "bar",
      data: {
        labels: data.csat.distribution.map((r) => `${r.score}`),
        datasets: [{ label: "Ratings", data: data.csat.distribution.map((r) => r.count), backgroundColor: COLORS.teal, maxBarThickness: 36 }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
  } as Record<ChartName, ChartConfiguration>;
}
