/** The manager dashboard: outcomes, SLAs, CSAT, FCR, agents, intents and latency over a range, with drill-down. */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Session } from "../api/auth";
import { loadSession, saveSession } from "../api/auth";
import { api } from "@tandem/client";
import { SignIn } from "../ui/SignIn";
import { humanize } from "../ui/format";
import { AgentsTable } from "./AgentsTable";
import { Chart } from "./Chart";
import { buildCharts } from "./charts";
import { DrillDown, downloadCsv } from "./DrillDown";
import { KeyFigures } from "./KeyFigures";
import { bucketLabel, presetRange, rangeProblem, rangeQuery, type DashboardMetrics, type DrillFilter, type Preset } from "./metrics";
import { Info } from "./Tile";

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

function Dashboard({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [preset, setPreset] = useState<Preset>("7d");
  const [[from, to], setRange] = useState<[string, string]>(() => presetRange("7d"));
  const [data, setData] = useState<DashboardMetrics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [drill, setDrill] = useState<DrillFilter | null>(null);
  const problem = rangeProblem(from, to);
  const range = problem ? null : rangeQuery(from, to);

  useEffect(() => {
    if (!range) return;
    const controller = new AbortController();
    setLoading(true);
    api<DashboardMetrics>(`/v1/metrics/dashboard?${range}`, session.token, { signal: controller.signal })
      .then((value) => {
        setData(value);
        setError(null);
      })
      .catch((reason: Error) => reason.name !== "AbortError" && setError(reason.message))
      .finally(() => setLoading(false));
    return () => controller.abort();
  }, [range, session.token]);

  const choose = (value: Preset) => {
    setPreset(value);
    setDrill(null);
    if (value !== "custom") setRange(presetRange(value));
  };
  const pickBucket = useCallback(
    (index: number) => {
      const point = data?.volume[index];
      if (!point || !data) return;
      setDrill({ title: `Conversations started ${bucketLabel(point.t, data.bucket_seconds, data.end - data.start > 86400)}`, bucket: point.t });
    },
    [data],
  );
  const exportCsv = () => range && downloadCsv(range, session.token).catch((reason: Error) => setError(reason.message));

  const charts = useMemo(() => (data ? buildCharts(data) : null), [data]);
  const t = data?.totals;
  const defs = data?.definitions ?? {};

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
              <input type="date" value={from} aria-invalid={Boolean(problem)} aria-describedby={problem ? "range-problem" : undefined} onChange={(event) => { setPreset("custom"); setDrill(null); setRange([event.target.value, to]); }} />
            </label>
            <label>
              To
              <input type="date" value={to} aria-invalid={Boolean(problem)} aria-describedby={problem ? "range-problem" : undefined} onChange={(event) => { setPreset("custom"); setDrill(null); setRange([from, event.target.value]); }} />
            </label>
            <button type="button" className="ghost small" onClick={exportCsv} disabled={!range}>
              Export CSV
            </button>
          </form>
        </div>
        {problem && (
          <p className="banner error" role="alert" id="range-problem">
            {problem}
          </p>
        )}
        {error && !problem && (
          <p className="banner error" role="alert">
            {error}
          </p>
        )}
        {data && t && charts && !problem && (
          <>
            <KeyFigures data={data} onDrill={setDrill} />
            {drill && range && <DrillDown range={range} filter={drill} token={session.token} onClose={() => setDrill(null)} />}
            <section className="charts">
              <figure className="card wide">
                <figcaption>
                  Volume over time <span className="muted">(select a point to list its conversations)</span>
                </figcaption>
                <Chart config={charts.volume} onPick={pickBucket} label={`Volume: ${t.conversations} conversations and ${t.handoffs} handoffs in the range.`} />
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
                <figcaption>
                  Intents of bot replies <Info id="def-intents" label="intents" text={defs.intents} />
                </figcaption>
                {data.intents.length ? (
                  <Chart config={charts.intents} label={`Intents: ${data.intents.map((r) => `${humanize(r.intent)} ${r.count}`).join(", ")}.`} />
                ) : (
                  <p className="muted empty-chart">No bot replies in this range.</p>
                )}
              </figure>
              <figure className="card">
                <figcaption>
                  CSAT ratings <Info id="def-csat-chart" label="CSAT" text={defs.csat} />
                </figcaption>
                <Chart config={charts.csat} label={`CSAT ratings 1 to 5: ${data.csat.distribution.map((r) => r.count).join(", ")}.`} />
              </figure>
              <figure className="card">
                <figcaption>Sentiment trend</figcaption>
                <Chart config={charts.sentiment} label={`Average customer sentiment ${data.sentiment.average ?? "not available"} over ${data.sentiment.scored_messages} messages.`} />
              </figure>
              <figure className="card">
                <figcaption>Response times against SLA</figcaption>
                <Chart config={charts.sla} label={`Median first response ${data.first_response.median_seconds ?? "not available"} seconds, median resolution ${data.resolution.median_seconds ?? "not available"} seconds.`} />
              </figure>
              <figure className="card">
                <figcaption>
                  Turn latency (p95) <Info id="def-latency" label="turn latency" text={defs.turn_latency} />
                </figcaption>
                <Chart config={charts.latency} label={`p95 turn latency ${data.turn_latency.p95_ms ?? "not available"} milliseconds.`} />
              </figure>
            </section>
            <AgentsTable rows={data.agents} definition={defs.agents} />
          </>
        )}
      </main>
    </div>
  );
}
