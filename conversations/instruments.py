"""Prometheus instruments: what a running Tandem counts and times.

Module-level metrics of the default registry, as `prometheus_client` expects. With
`PROMETHEUS_MULTIPROC_DIR` set before the process starts (several server workers), each
process writes its values to files there and `/metrics` adds them up; gauges of a
process's own state are summed over the live processes.

- `tandem_turns_total{kind,outcome,planner}` and `tandem_turn_duration_seconds{kind}`:
  turns and their latency, from the message taken to the turn's `done` or `error`.
- `tandem_first_event_seconds`: the server's share of the wait for a turn's first event
  (its message's response start).
- `tandem_admission_wait_seconds`, `tandem_admission_running`, `tandem_admission_waiting`:
  the admission gate.
- `tandem_handoffs_total{reason}` and `tandem_handoff_wait_seconds` (queued to claimed).
- `tandem_model_tokens_total{model,direction}` and `tandem_model_cost_usd_total{model}`.
- `tandem_errors_total{code}`: problem responses by their code.

The handoff queue's depth is read from the server store at scrape time (`QueueCollector`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from conversations.store import QUEUE_OPEN

TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120)
FAST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
WAIT_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600)

TURNS = Counter("tandem_turns", "Turns run.", ["kind", "outcome", "planner"])
TURN_SECONDS = Histogram(
    "tandem_turn_duration_seconds", "Turn latency: message taken to done.", ["kind"],
    buckets=TURN_BUCKETS,
)  # fmt: skip
FIRST_EVENT_SECONDS = Histogram(
    "tandem_first_event_seconds", "Server time to a message's first event.",
    buckets=FAST_BUCKETS,
)  # fmt: skip
ADMISSION_WAIT_SECONDS = Histogram(
    "tandem_admission_wait_seconds", "Time customer turns waited for admission.",
    buckets=FAST_BUCKETS,
)  # fmt: skip
ADMISSION_RUNNING = Gauge(
    "tandem_admission_running", "Customer turns running.", multiprocess_mode="livesum"
)
ADMISSION_WAITING = Gauge(
    "tandem_admission_waiting", "Customer turns waiting for admission.", multiprocess_mode="livesum"
)
HANDOFFS = Counter("tandem_handoffs", "Conversations handed to a person.", ["reason"])
HANDOFF_WAIT_SECONDS = Histogram(
    "tandem_handoff_wait_seconds", "Handoff queued to claimed by an agent.",
    buckets=WAIT_BUCKETS,
)  # fmt: skip
MODEL_TOKENS = Counter("tandem_model_tokens", "Chat model tokens.", ["model", "direction"])
MODEL_COST = Counter("tandem_model_cost_usd", "Estimated chat model cost (USD).", ["model"])
ERRORS = Counter("tandem_errors", "Problem responses, by code.", ["code"])


def record_usage(usage: dict[str, Any] | None) -> None:
    """Add a turn's model usage (the `done` event's `usage`) to the token and cost totals."""
    if not usage:
        return
    model = str(usage.get("model") or "unknown")
    MODEL_TOKENS.labels(model, "input").inc(int(usage.get("input_tokens") or 0))
    MODEL_TOKENS.labels(model, "output").inc(int(usage.get("output_tokens") or 0))
    if usage.get("cost_usd"):
        MODEL_COST.labels(model).inc(float(usage["cost_usd"]))


def record_gate(stats: dict[str, Any]) -> None:
    """Set the admission gauges from the gate's `stats()`."""
    ADMISSION_RUNNING.set(stats.get("running", 0))
    ADMISSION_WAITING.set(stats.get("waiting", 0))


class QueueCollector(Collector):
    """The handoff queue's depth and oldest wait, read when `/metrics` is scraped."""

    def __init__(self, list_handoffs: Callable[[tuple[str, ...]], list[dict[str, Any]]]) -> None:
        self.list_handoffs = list_handoffs

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the queue gauges."""
        import time

        depth = GaugeMetricFamily(
            "tandem_handoff_queue_depth", "Handed-off conversations, by status.", labels=["status"]
        )
        oldest = GaugeMetricFamily(
            "tandem_handoff_queue_oldest_wait_seconds", "Longest wait of a waiting handoff."
        )
        entries = self.list_handoffs(QUEUE_OPEN)
        waiting = [entry["created_at"] for entry in entries if entry["status"] == "waiting"]
        depth.add_metric(["waiting"], len(waiting))
        depth.add_metric(["claimed"], len(entries) - len(waiting))
        now = time.time()
        oldest.add_metric([], max((now - created for created in waiting), default=0.0))
        yield depth
        yield oldest
