"""Items a dashboard report reads on DynamoDB: the `by_day` index against a filtered Scan.

Starts its own moto_server, writes `--days` days of conversations (each with dashboard events,
streamed-token events and a CSAT answer) at chosen times, then, for a 1-day and a 7-day
report ending at the last day, counts the items each way reads (DynamoDB bills reads by
them) and times `events_between` + `csat_between` (min / median / max over `--runs`). The
Scan is what the store did before the index, once for the events and once for CSAT:
every item of the table is read twice. Times
against moto_server measure the emulator (whose index Query walks every item), not DynamoDB.

    .venv/bin/python -m bench.dashboard_dynamodb [--days 30] [--per-day 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import conversations.store_dynamodb as store_module
import conversations.store_dynamodb_analytics as analytics_module
from bench.checkpoints import moto_server
from cloud.aws import aws_client, aws_session
from conversations.server_table import server_table_spec
from conversations.store_dynamodb import DynamoDBServerStore
from memory.dynamodb_tables import ensure_table
from server.metrics_facts import FACT_EVENT_TYPES

REGION = "eu-west-1"
TABLE = "bench-server"
DAY = 86_400.0
EVENTS_PER_CONVERSATION = 8


class ReadCounter:
    """Items read by the Scans and Queries of one client (ScannedCount of every page)."""

    def __init__(self, client: Any) -> None:
        self.items = 0
        self.calls: dict[str, int] = {}
        client.meta.events.register("before-call.dynamodb.*", self._call)
        client.meta.events.register("after-call.dynamodb.*", self._read)

    def _call(self, model: Any, **_: Any) -> None:
        self.calls[model.name] = self.calls.get(model.name, 0) + 1

    def _read(self, parsed: dict[str, Any], **_: Any) -> None:
        self.items += int(parsed.get("ScannedCount", 0))
        self.items += sum(len(found) for found in parsed.get("Responses", {}).values())


def seed(store: DynamoDBServerStore, first_day: float, days: int, per_day: int) -> None:
    """`per_day` conversations a day, each with half dashboard events, half token events."""
    clock = [first_day]
    fake = types.SimpleNamespace(time=lambda: clock[0])
    saved = store_module.time, analytics_module.time
    store_module.time = analytics_module.time = fake  # type: ignore[assignment]
    try:
        for day in range(days):
            for n in range(per_day):
                clock[0] = first_day + day * DAY + n * 600
                conversation_id = f"d{day}c{n}"
                store.create_conversation(conversation_id, f"customer-{n}", "web")
                for seq in range(1, EVENTS_PER_CONVERSATION + 1):
                    kind = FACT_EVENT_TYPES[seq % 4] if seq % 2 else "token"
                    store.append_event(conversation_id, seq, {"type": kind, "text": "hi"})
                store.record_csat(conversation_id, 4, None)
    finally:
        store_module.time, analytics_module.time = saved


def scan_report(client: Any, start: float, end: float) -> int:
    """One filtered Scan as reports ran it before the index; the items it returned."""
    returned = 0
    pages = client.get_paginator("scan").paginate(
        TableName=TABLE,
        FilterExpression="SK = :meta OR SK = :csat OR (begins_with(SK, :evt)"
        " AND created_at >= :start AND created_at < :end)",
        ExpressionAttributeValues={
            ":meta": {"S": "META"},
            ":csat": {"S": "CSAT"},
            ":evt": {"S": "EVT#"},
            ":start": {"N": repr(start)},
            ":end": {"N": repr(end)},
        },
    )
    for page in pages:
        returned += len(page.get("Items", []))
    return returned


def timed(run: Any, runs: int) -> str:
    """The min / median / max milliseconds of `runs` calls of `run`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return f"{min(times):.0f} / {statistics.median(times):.0f} / {max(times):.0f} ms"


def main() -> None:
    """Seed moto_server, then print items read and times per report range and method."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=10, help="conversations a day")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    session = aws_session(REGION, access_key_id="testing", secret_access_key="testing")
    with tempfile.TemporaryDirectory() as folder, moto_server(Path(folder) / "moto.log") as url:
        client = aws_client("dynamodb", REGION, url, session=session)
        ensure_table(client, server_table_spec(TABLE))
        store = DynamoDBServerStore(client, TABLE)
        end = 1_772_409_600.0
        seed(store, end - args.days * DAY, args.days, args.per_day)
        counter = ReadCounter(client)
        print(f"{args.days} days x {args.per_day} conversations; runs={args.runs}")
        for days in (1, 7):
            start = end - days * DAY
            for name, report in (
                ("scan", lambda s=start: [scan_report(client, s, end) for _ in "ec"]),
                (
                    "by_day",
                    lambda s=start: (
                        store.events_between(s, end, FACT_EVENT_TYPES),
                        store.csat_between(s, end),
                    ),
                ),
            ):
                counter.items, counter.calls = 0, {}
                report()
                reads, calls = counter.items, dict(counter.calls)
                print(
                    f"{days}-day report, {name:6}: {reads:6d} items read, calls {calls},"
                    f" time min/median/max {timed(report, args.runs)}"
                )


if __name__ == "__main__":
    main()
