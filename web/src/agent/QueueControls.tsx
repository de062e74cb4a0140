/** Queue views (mine, unassigned, all open, resolved), search, reason filter and sort. */
import type { QueueView } from "@tandem/client";
import type { QueueQuery } from "./useQueue";

const VIEWS: { value: QueueView; label: string }[] = [
  { value: "open", label: "All open" },
  { value: "mine", label: "Mine" },
  { value: "unassigned", label: "Unassigned" },
  { value: "resolved", label: "Resolved" },
];

const REASONS = ["explicit_request", "complaint", "negative_sentiment", "worsening_sentiment", "repeated_failure", "out_of_scope", "attachment_only"];

interface Props {
  query: QueueQuery;
  onChange: (query: QueueQuery) => void;
}

export function QueueControls({ query, onChange }: Props) {
  return (
    <div className="queue-controls">
      <div className="views" role="group" aria-label="Queue view">
        {VIEWS.map((view) => (
          <button
            key={view.value}
            type="button"
            className="ghost small"
            aria-pressed={query.view === view.value}
            onClick={() => onChange({ ...query, view: view.value })}
          >
            {view.label}
          </button>
        ))}
      </div>
      <label className="visually-hidden" htmlFor="queue-search">
        Search the queue
      </label>
      <input
        id="queue-search"
        type="search"
        placeholder="Search customer, order id or text"
        value={query.q}
        maxLength={200}
        onChange={(event) => onChange({ ...query, q: event.target.value })}
      />
      <div className="row">
        <label>
          Reason{" "}
          <select value={query.reason} onChange={(event) => onChange({ ...query, reason: event.target.value })}>
            <option value="">Any</option>
            {REASONS.map((reason) => (
              <option key={reason} value={reason}>
                {reason.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort{" "}
          <select value={query.sort} onChange={(event) => onChange({ ...query, sort: event.target.value as QueueQuery["sort"] })}>
            <option value="waiting_time">Longest waiting</option>
            <option value="sentiment">Most upset</option>
          </select>
        </label>
      </div>
    </div>
  );
}
