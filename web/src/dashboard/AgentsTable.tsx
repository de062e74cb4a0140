/** Per-agent performance over the range. */
import { Info } from "./Tile";
import { preciseDuration, type AgentRow } from "./metrics";

export function AgentsTable({ rows, definition }: { rows: AgentRow[]; definition?: string }) {
  return (
    <section className="card agents" aria-labelledby="agents-title">
      <div className="drill-heading">
        <h2 id="agents-title">Agents</h2>
        <Info id="def-agents" label="agent performance" text={definition} />
      </div>
      {rows.length === 0 ? (
        <p className="muted">No handoffs were claimed in this range.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Claimed</th>
                <th scope="col">Handled</th>
                <th scope="col">Resolved</th>
                <th scope="col">First response (median)</th>
                <th scope="col">Handle time (median)</th>
                <th scope="col">CSAT</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.agent} data-agent={row.agent}>
                  <th scope="row">{row.agent}</th>
                  <td>{row.claimed}</td>
                  <td>{row.handled}</td>
                  <td>{row.resolved}</td>
                  <td>{preciseDuration(row.first_response_seconds)}</td>
                  <td>{preciseDuration(row.handle_seconds)}</td>
                  <td>{row.csat === null ? "—" : `${row.csat} (${row.csat_responses})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
