/** The conversations behind a figure, and the CSV export of the range. */
import { useEffect, useState } from "react";
import { api, problemOf } from "@tandem/client";
import { humanize } from "../ui/format";
import { drillQuery, type ConversationRow, type DrillFilter } from "./metrics";

/** Download the range's conversations as CSV (the request carries the bearer token). */
export async function downloadCsv(range: string, token: string): Promise<void> {
  const params = new URLSearchParams(range);
  params.set("format", "csv");
  const response = await fetch(`/v1/metrics/conversations?${params}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw await problemOf(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = "conversations.csv";
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

interface Props {
  range: string;
  filter: DrillFilter;
  token: string;
  onClose: () => void;
}

export function DrillDown({ range, filter, token, onClose }: Props) {
  const [rows, setRows] = useState<ConversationRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    setRows(null);
    setError(null);
    api<{ items: ConversationRow[] }>(`/v1/metrics/conversations?${drillQuery(range, filter)}`, token, { signal: controller.signal })
      .then((value) => setRows(value.items))
      .catch((reason: Error) => reason.name !== "AbortError" && setError(reason.message));
    return () => controller.abort();
  }, [range, filter, token]);
  return (
    <section className="card drill" aria-labelledby="drill-title">
      <div className="drill-heading">
        <h2 id="drill-title">{filter.title}</h2>
        <button type="button" className="ghost small" onClick={onClose}>
          Close
        </button>
      </div>
      {error && <p role="alert" className="banner error">{error}</p>}
      {rows === null && !error && <p className="muted">Loading…</p>}
      {rows && rows.length === 0 && <p className="muted">No conversations.</p>}
      {rows && rows.length > 0 && (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{filter.title}: {rows.length} conversations</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Conversation</th>
                <th scope="col">Customer</th>
                <th scope="col">Outcome</th>
                <th scope="col">Messages</th>
                <th scope="col">Agent</th>
                <th scope="col">Reopened</th>
                <th scope="col">CSAT</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.conversation_id}>
                  <td>{new Date(row.started_at * 1000).toLocaleString()}</td>
                  <td>
                    <code>{row.conversation_id}</code>
                  </td>
                  <td>{row.customer_id ?? <span className="muted">unidentified</span>}</td>
                  <td>{humanize(row.outcome)}</td>
                  <td>{row.messages}</td>
                  <td>{row.agent ?? "—"}</td>
                  <td>{row.reopened ? "yes" : "no"}</td>
                  <td>{row.csat ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
