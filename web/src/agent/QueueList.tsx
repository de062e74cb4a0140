/** The queue: who waits, why, how they feel, for how long (coloured by SLA state). */
import { useEffect, useState } from "react";
import type { QueueEntry, QueueView } from "@tandem/client";
import { duration, humanize } from "../ui/format";

const SLA_TEXT = { ok: "Within SLA", at_risk: "SLA at risk", breached: "SLA breached", met: "SLA met" } as const;

function waited(entry: QueueEntry, now: number): number {
  const end = entry.first_response_at ?? now / 1000;
  return end - entry.created_at;
}

export function sentimentClass(score: number | null): string {
  if (score === null) return "neutral";
  if (score <= -0.5) return "very-negative";
  if (score < -0.05) return "negative";
  if (score > 0.05) return "positive";
  return "neutral";
}

interface Props {
  entries: QueueEntry[];
  selected: string | null;
  me: string;
  onSelect: (id: string) => void;
  view?: QueueView;
}

const EMPTY: Record<QueueView, string> = {
  open: "No one is waiting. New handoffs appear here instantly.",
  mine: "You hold no conversations.",
  unassigned: "Nothing unassigned.",
  resolved: "No resolved or returned conversations match.",
  all: "No conversations match.",
};

export function QueueList({ entries, selected, me, onSelect, view = "open" }: Props) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  if (!entries.length) {
    return <p className="empty">{EMPTY[view]}</p>;
  }
  return (
    <ul className="queue" aria-label="Handed-off conversations">
      {entries.map((entry) => {
        const mine = entry.claimed_by === me;
        return (
          <li key={entry.conversation_id}>
            <button
              className={`queue-item sla-${entry.sla_state}${selected === entry.conversation_id ? " selected" : ""}`}
              aria-current={selected === entry.conversation_id ? "true" : undefined}
              onClick={() => onSelect(entry.conversation_id)}
            >
              <span className="row">
                <strong className="customer">{entry.customer_id ?? "Guest"}</strong>
                <span className={`wait sla-${entry.sla_state}`} title={SLA_TEXT[entry.sla_state]}>
                  <span className="visually-hidden">{SLA_TEXT[entry.sla_state]}, waiting </span>
                  {duration(waited(entry, now))}
                </span>
              </span>
              <span className="row tags">
                <span className="tag reason">{humanize(entry.reason)}</span>
                {entry.intent && <span className="tag">{humanize(entry.intent)}</span>}
                <span className={`tag sentiment ${sentimentClass(entry.sentiment_score)}`}>
                  {humanize(entry.sentiment_label ?? "neutral")}
                  {entry.sentiment_score !== null && ` ${entry.sentiment_score.toFixed(2)}`}
                </span>
                <span className="tag channel">{entry.channel ?? "web"}</span>
                {entry.priority && entry.priority !== "normal" && <span className={`tag priority ${entry.priority}`}>{entry.priority}</span>}
                {(entry.tags ?? []).map((tag) => (
                  <span key={tag} className="tag label">
                    #{tag}
                  </span>
                ))}
              </span>
              {entry.last_message && <span className="preview">“{entry.last_message}”</span>}
              <span className="row status">
                {entry.status === "claimed"
                  ? mine
                    ? "Claimed by you"
                    : `Claimed by ${entry.claimed_by}`
                  : entry.status === "waiting"
                    ? "Waiting"
                    : entry.status === "resolved"
                      ? "Resolved"
                      : "Returned to the bot"}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
