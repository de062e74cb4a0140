"""The domain event log as Parquet, for DuckDB, pandas, Athena or Redshift.

`export_parquet` reads the append-only JSON-lines log (`conversations.domain_events`) with
DuckDB and writes the events stamped at or after a time to one Parquet file, with columns
`id`, `type`, `at` (a UTC timestamp; quote it, `"at"`, in DuckDB SQL), `conversation_id`
and `data` (the event's figures as JSON text, e.g. `json_extract_string(data, '$.reason')`).
DuckDB is the `analytics` extra.
"""

from __future__ import annotations

from pathlib import Path

COLUMNS = (
    "{'id': 'VARCHAR', 'type': 'VARCHAR', 'at': 'DOUBLE', 'conversation_id': 'VARCHAR',"
    " 'data': 'JSON'}"
)
"""The event log's columns as DuckDB's `read_json` takes them."""


def _literal(path: Path) -> str:
    """`path` as a SQL string literal (COPY takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def export_parquet(log: Path, since: float, output: Path) -> int:
    """Write the events of `log` stamped at or after `since` to `output`; return how many."""
    import duckdb

    output.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as db:
        db.execute(
            'CREATE TEMP TABLE events (id VARCHAR, type VARCHAR, "at" TIMESTAMPTZ,'
            " conversation_id VARCHAR, data JSON)"
        )
        if log.exists() and log.stat().st_size:
            db.execute(
                'INSERT INTO events SELECT id, type, to_timestamp("at"), conversation_id,'
                f" data FROM read_json(?, format = 'newline_delimited',"
                f' columns = {COLUMNS}) WHERE "at" >= ? ORDER BY "at"',
                [str(log), since],
            )
        db.execute("SET TimeZone = 'UTC'")
        db.execute(f"COPY events TO {_literal(output)} (FORMAT parquet)")
        row = db.execute("SELECT count(*) FROM events").fetchone()
    return int(row[0]) if row else 0
