/** The manager dashboard: volume, containment, handoffs, sentiment, SLAs and latency over a range. */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { ChartConfiguration } from "chart.js";
import type { Session } from "../api/auth";
import { loadSession, saveSession } from "../api/auth";
import { api } from "@tandem/client";
import { SignIn } from "../ui/SignIn";
import { duration, humanize, percent } from "../ui/format";
import { Chart } from "./Chart";
import { bucketLabel, presetRange, rangeQuery, type DashboardMetrics, type Preset } from "./metrics";

const COLORS = { indigo: "#4f46e5", teal: "#0d9488", amber: "#d97706", rose: "#e11d48", slate: "#64748b" };

export default function DashboardApp() {
  const [session, setSession] = useState<Session | null>(() => loadSession("dashboard"));
  const signIn = useCallback((value: Session) => {
    saveSession("dashboard", value);
    setSession(value);
  }, []);
  if (!session) {
    return (
      <SignIn
        app="dashboard"
        title="Support dashboard"
        intro="Sign in to see how the team and the assistant are doing."
        roles={["admin", "agent"]}
        defaultSub="morgan"
        defaultName="Morgan"
        onSignedIn={signIn}
      />
    );
  }
  return (
    <Dashboard
      session={session}
      onSignOut={() => {
        saveSession("dashboard", null);
        setSession(null);
      }}
    />
  );
}

function Tile({ label, value, detail, tone }: { label: string; value: string; detail?: string; tone?: "good" | "bad" }) {
  return (
    <div className={`tile${tone ? ` ${tone}` : ""}`}>
      <span className="tile-label">{label}</span>
      <span className="tile-value">{value}</span>
      {detail && <span className="tile-detail">{detail}</span>}
    </div>
  );
}

function Dashboard({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [preset, setPreset] = useState<Preset>("7d");
  const [[from, to], setRange] = useState<[string, string]>(() => presetRange("7d"));
  const [data, setData] = useState<DashboardMetrics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!from || !to || from > to) return;
    const controller = new AbortController();
    setLoading(true);
    api<DashboardMetrics>(`/v1/metrics/dashboard?${rangeQuery(from, to)}`, session.token, { signal: controller.signal })
      .then((value) => {
        setData(value);
        setError(null);
      })
      .catch((reason: Error) => reason.name !== "AbortError" && setError(reason.message))
      .finally(() => setLoading(false));
    return () => controller.abort();
  }, [from, to, session.token]);

  const choose = (value: Preset) => {
    setPreset(value);
    if (value !== "custom") setRange(presetRange(value));
  };

  const charts = useMemo(() => (data ? buildCharts(data) : null), [data]);
  const t = data?.totals;

  return (
    <div className="dashboard">
      <a className="skip-link" href="#main">
        Skip to dashboard
      </a>
      <header className="topbar">
        <span className="brand">
          <img src="/icon.svg" alt="" width={24} height={24} /> Tandem <span className="muted">Dashboard</span>
        </span>
        <nav aria-label="Apps">
          <a href="/agent">Queue</a>
          <a href="/dashboard" aria-current="page">
            Dashboard
          </a>
        </nav>
        <span className="whoami">
          {session.name} <span className="muted">({session.role})</span>
        </span>
        <button className="ghost small" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" className="dashboard-body" aria-busy={loading}>
        <div className="dashboard-heading">
          <h1>Support performance</h1>
          <form className="range" aria-label="Date range" onSubmit={(event) => event.preventDefault()}>
            <div className="segmented" role="group" aria-label="Preset ranges">
              {(["today", "7d", "30d"] as const).map((value) => (
                <button key={value} type="button" aria-pressed={preset === value} onClick={() => choose(value)}>
                  {value === "today" ? "Today" : value === "7d" ? "7 days" : "30 days"}
                </button>
              ))}
            </div>
            <label>
              From
              <input type="date" value={from} max={to} onChange={(event) => { setPreset("custom"); setRange([event.target.value, to]); }} />
            </label>
            <label>
              To
              <input type="date" value={to} min={from} onChange={(event) => { setPreset("custom"); setRange([from, event.target.value]); }} />
            </label>
          </form>
        </div>
        {error && (
          <p className="banner error" role="alert">
            {error}
          </p>
        )}
        {data && t && charts && (
          <>
            <section className="tiles" aria-label="Key figures">
              <Tile label="Conversations" value={String(t.conversations)} detail={`${t.messages} customer messages`} />
              <Tile label="Containment rate" value={percent(t.containment_rate)} detail={`${t.contained} resolved without a person`} />
              <Tile label="Handoff rate" value={percent(t.handoff_rate)} detail={`${t.handed_off} handed off · ${t.waiting_now} waiting now`} />
              <Tile
                label="First response (median)"
                value={duration(data.first_response.median_seconds)}
                detail={`${percent(data.first_response.within_sla_rate)} within ${duration(data.first_response.sla_seconds)} SLA`}
                tone={data.first_response.within_sla_rate === null ? undefined : data.first_response.within_sla_rate >= 0.9 ? "good" : "bad"}
              />
              <Tile
                label="Resolution (median)"
                value={duration(data.resolution.median_seconds)}
                detail={`${percent(data.resolution.within_sla_rate)} within ${duration(data.resolution.sla_seconds)} SLA`}
                tone={data.resolution.within_sla_rate === null ? undefined : data.resolution.within_sla_rate >= 0.9 ? "good" : "bad"}
              />
              <Tile
                label="Turn latency p95"
                value={data.turn_latency.p95_ms === null ? "—" : `${Math.round(data.turn_latency.p95_ms)} ms`}
                detail={`p50 ${data.turn_latency.p50_ms === null ? "—" : `${Math.round(data.turn_latency.p50_ms)} ms`} · ${data.turn_latency.turns} turns`}
              />
            </section>
            <section className="charts">
              <figure className="card wide">
                <figcaption>Volume over time</figcaption>
                <Chart config={charts.volume} label={`Volume: ${t.conversations} conversations and ${t.handed_off} handoffs in the range.`} />
              </figure>
              <figure className="card">
                <figcaption>Handoff reasons</figcaption>
                {data.handoff_reasons.length ? (
                  <Chart config={charts.reasons} label={`Handoff reasons: ${data.handoff_reasons.map((r) => `${humanize(r.reason)} ${r.count}`).join(", ")}.`} />
                ) : (
                  <p className="muted empty-chart">No handoffs in this range.</p>
                )}
              </figure>
              <figure className="card">
                <figcaption>Sentiment trend</figcaption>
                <Chart config={charts.sentiment} label={`Average customer sentiment ${data.sentiment.average ?? "not available"} over ${data.sentiment.scored_messages} messages.`} />
              </figure>
              <figure className="card">
                <figcaption>Response times against SLA</figcaption>
                <Chart config={charts.sla} label={`Median first response ${duration(data.first_response.median_seconds)}, median resolution ${duration(data.resolution.median_seconds)}.`} />
              </figure>
              <figure className="card">
                <figcaption>Turn latency (p95)</figcaption>
                <Chart config={charts.latency} label={`p95 turn latency ${data.turn_latency.p95_ms ?? "not available"} milliseconds.`} />
              </figure>
            </section>
          </>
        )}
      </main>
    </div>
  );
}

function buildCharts(data: DashboardMetrics): Record<"volume" | "reasons" | "sentiment" | "sla" | "latency", ChartConfiguration> {
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
    reasons: {
      type: "bar",
      data: {
        labels: data.handoff_reasons.map((r) => humanize(r.reason)),
        datasets: [{ label: "Handoffs", data: data.handoff_reasons.map((r) => r.count), backgroundColor: COLORS.amber, maxBarThickness: 28 }],
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
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
  } as Record<"volume" | "reasons" | "sentiment" | "sla" | "latency", ChartConfiguration>;
}
