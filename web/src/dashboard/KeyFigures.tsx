/** The dashboard's key figures, each with its definition and, where it has one, a drill-down. */
import { duration, percent } from "../ui/format";
import { Tile } from "./Tile";
import { preciseDuration, type DashboardMetrics, type DrillFilter, type Durations } from "./metrics";

type Tone = "good" | "bad" | undefined;

function slaTone(rate: number | null): Tone {
  return rate === null ? undefined : rate >= 0.9 ? "good" : "bad";
}

function SlaTile({ id, label, figures, definition, late }: { id: string; label: string; figures: Durations; definition?: string; late: string }) {
  return (
    <Tile
      id={id}
      label={label}
      value={preciseDuration(figures.median_seconds)}
      definition={definition}
      detail={`${percent(figures.within_sla_rate)} within ${duration(figures.sla_seconds)} SLA · ${figures.open_past_sla} ${late}`}
      tone={slaTone(figures.within_sla_rate)}
    />
  );
}

export function KeyFigures({ data, onDrill }: { data: DashboardMetrics; onDrill: (filter: DrillFilter) => void }) {
  const t = data.totals;
  const d = data.definitions;
  const fr = data.first_response;
  const res = data.resolution;
  const latency = (ms: number | null) => (ms === null ? "—" : `${Math.round(ms)} ms`);
  return (
    <section className="tiles" aria-label="Key figures">
      <Tile id="conversations" label="Conversations" value={String(t.conversations)} definition={d.conversations} detail={`${t.messages} customer messages`} onOpen={() => onDrill({ title: "All conversations" })} />
      <Tile
        id="containment_rate"
        label="Containment rate"
        value={percent(t.containment_rate)}
        definition={d.containment_rate}
        detail={`${t.contained} contained by the bot`}
        onOpen={() => onDrill({ title: "Contained conversations", outcome: "contained" })}
      />
      <Tile
        id="abandoned"
        label="Abandoned"
        value={String(t.abandoned)}
        definition={d.abandoned}
        detail="left unanswered or unidentified"
        onOpen={() => onDrill({ title: "Abandoned conversations", outcome: "abandoned" })}
      />
      <Tile
        id="handoff_rate"
        label="Handoff rate"
        value={percent(t.handoff_rate)}
        definition={d.handoff_rate}
        detail={`${t.handed_off} handed off · ${t.resolved_by_person} resolved · ${t.returned_to_bot} returned to bot`}
        onOpen={() => onDrill({ title: "Handed-off conversations", outcome: "handed_off" })}
      />
      <Tile
        id="waiting_now"
        label="Waiting now"
        value={String(t.waiting_now)}
        definition={d.waiting_now}
        detail={`${t.unclaimed_now} unclaimed · ${t.claimed_unanswered_now} claimed, unanswered`}
        tone={t.waiting_now ? "bad" : undefined}
      />
      <SlaTile id="first_response" label="First response (median)" figures={fr} definition={d.first_response} late="unanswered past it" />
      <SlaTile id="resolution" label="Resolution (median)" figures={res} definition={d.resolution} late="open past it" />
      <Tile
        id="csat"
        label="CSAT"
        value={data.csat.average === null ? "—" : `${data.csat.average} / 5`}
        definition={d.csat}
        detail={`${percent(data.csat.satisfied_rate)} satisfied · ${data.csat.responses} ratings`}
      />
      <Tile id="fcr_rate" label="First-contact resolution" value={percent(t.fcr_rate)} definition={d.fcr_rate} />
      <Tile id="reopen_rate" label="Reopen rate" value={percent(t.reopen_rate)} definition={d.reopen_rate} />
      <Tile id="fallback_rate" label="Bot fallback rate" value={percent(t.fallback_rate)} definition={d.fallback_rate} detail={`of ${t.bot_replies} bot replies`} />
      <Tile
        id="turn_latency"
        label="Turn latency p95"
        value={latency(data.turn_latency.p95_ms)}
        definition={d.turn_latency}
        detail={`p50 ${latency(data.turn_latency.p50_ms)} · ${data.turn_latency.turns} turns`}
      />
    </section>
  );
}
