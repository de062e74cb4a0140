"""Crash benchmark: kill -9 a server at many points of a turn that cancels an order.

Prepares a conversation on the embedded profile in which the demo customer has asked to
cancel a pending order and the assistant asks them to confirm. Then, for each crash point,
on a fresh copy of that data folder: a `tandem serve` process set to SIGKILL itself just
before or just after its Nth published event (`TANDEM_FAULT_KILL_AT`) takes the customer's
"yes" and dies mid-turn; a second process starts on the same folder, and the client, as a
browser would, resumes the stream with the Last-Event-ID it last saw. Checked per point:

- the order was cancelled exactly once (one refund in its payment history) or, when the
  crash came before the write, not at all and the customer was told nothing changed;
- the resumed stream repeats no id the client saw, skips no persisted event after it, and
  ends with the turn's `done` or `error`;
- when it ends with `done`, the order is cancelled and the reply says so.

    .venv/bin/python -m bench.crash_points [--points 40] [--keep-data]

Prints one line per point and the counts at the end (points, crashes, resumed `done`,
`error` closings, exactly-once violations, id violations, turns left open).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.crash_setup import (
    CONFIRM,
    Event,
    Prepared,
    Server,
    customer_headers,
    open_turns,
    persisted_ids,
    prepare,
    refunds,
    reset_order,
    resume,
    say,
)


@dataclass
class Outcome:
    """What one crash point came to."""

    point: str
    crashed: bool
    seen: list[int]
    resumed: list[Event]
    status: str = ""
    refunds: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def end(self) -> str:
        """The type of the turn's last event (seen before the crash or resumed after it)."""
        return self.resumed[-1]["type"] if self.resumed else "-"


def crash_points(events: int, wanted: int) -> list[str]:
    """`before:N` and `after:N` over the turn's events, spread to `wanted` points."""
    every = [f"{when}:{n}" for n in range(1, events + 1) for when in ("before", "after")]
    if len(every) <= wanted:
        return every
    step = len(every) / wanted
    return [every[int(i * step)] for i in range(wanted)]


@dataclass
class Crash:
    """A "yes" turn cut short at `point`: what its client saw."""

    point: str
    conversation: str
    seen: list[Event]
    last_id: int
    crashed: bool


def crash(prepared: Prepared, server: Server, point: str, conversation: str) -> Crash:
    """Send "yes" to a server set to die at `point`; wait for it to die."""
    headers = customer_headers(prepared.folder)
    before = max(persisted_ids(prepared.folder, conversation))
    reset_order(prepared.folder, prepared.originals)
    try:
        seen = say(server, headers, conversation, CONFIRM)
        code = server.wait_exit()
    finally:
        server.kill()
    last = max((int(e["id"]) for e in seen if "id" in e), default=before)
    return Crash(point, conversation, seen, last, code == -signal.SIGKILL)


def recover(prepared: Prepared, server: Server, cut: Crash) -> Outcome:
    """On the restarted `server`, resume the client's stream and check every invariant."""
    headers = customer_headers(prepared.folder)
    ended = bool(cut.seen) and cut.seen[-1]["type"] in ("done", "error")
    resumed = cut.seen[-1:] if ended else resume(server, headers, cut.conversation, cut.last_id)
    seen_ids = [int(e["id"]) for e in cut.seen if "id" in e]
    outcome = Outcome(cut.point, cut.crashed, seen_ids, resumed)
    outcome.status, outcome.refunds = refunds(prepared.folder)
    _check(outcome, cut, prepared.folder, ended)
    deadline = time.monotonic() + 5
    while open_turns(prepared.folder, cut.conversation) and time.monotonic() < deadline:
        time.sleep(0.05)
    if open_turns(prepared.folder, cut.conversation):
        outcome.problems.append("the turn is still recorded as running")
    return outcome


def _check(outcome: Outcome, cut: Crash, folder: Path, ended: bool) -> None:
    problems = outcome.problems
    resumed_ids = [] if ended else [int(e["id"]) for e in outcome.resumed]
    if set(resumed_ids) & set(outcome.seen):
        problems.append("an event id was delivered twice")
    if resumed_ids != sorted(set(resumed_ids)) or any(i <= cut.last_id for i in resumed_ids):
        problems.append("resumed ids are not strictly after Last-Event-ID")
    end = outcome.resumed[-1] if outcome.resumed else {}
    if end.get("type") not in ("done", "error"):
        problems.append("the turn has no done/error")
    final = int(end.get("id", 0))
    persisted = persisted_ids(folder, cut.conversation)
    missing = [i for i in persisted if cut.last_id < i <= final and i not in resumed_ids]
    if missing and not ended:
        problems.append(f"persisted events skipped: {missing}")
    if outcome.refunds > 1 or (outcome.status == "cancelled") != (outcome.refunds == 1):
        problems.append(f"order {outcome.status} with {outcome.refunds} refunds")
    if end.get("type") == "done" and outcome.status != "cancelled":
        problems.append("done, but the order was not cancelled")
    if end.get("type") == "done" and "cancel" not in str(end.get("reply", "")).lower():
        problems.append("done, but the reply does not confirm the cancellation")
    detail = str(end.get("detail", ""))
    if end.get("type") == "error" and outcome.status == "cancelled" and "cancelled" not in detail:
        problems.append("error does not say the order was cancelled")


def run(folder: Path, wanted: int, points: list[str] | None = None) -> list[Outcome]:
    """Prepare `folder` and crash a turn at each point (spread over the turn by default).

    Each restarted server both recovers the previous point's turn and is set to die at the
    next point, so every point costs one server start.
    """
    prepared = prepare(folder, wanted if points is None else len(points))
    points = points or crash_points(prepared.events_of_confirm, wanted)
    print(f"uninterrupted turn: {prepared.events_of_confirm} events; {len(points)} points")
    outcomes: list[Outcome] = []
    cut: Crash | None = None
    for index, point in enumerate([*points, ""]):
        log = folder / f"server-{index:02d}.log"
        server = Server(folder, log, {"TANDEM_FAULT_KILL_AT": point}).wait_ready()
        try:
            if cut is not None:
                outcome = recover(prepared, server, cut)
                outcomes.append(outcome)
                print(
                    f"{outcome.point:>10}  crashed={outcome.crashed!s:5}  "
                    f"seen={len(outcome.seen):3}  end={outcome.end:6} "
                    f"order={outcome.status:9} refunds={outcome.refunds}  "
                    f"{'; '.join(outcome.problems) or 'ok'}",
                    flush=True,
                )
            if point:
                cut = crash(prepared, server, point, prepared.conversations[index])
        finally:
            server.stop()
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print per-point outcomes and totals."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--points", type=int, default=40, help="crash points to run")
    parser.add_argument("--keep-data", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="tandem-crash-"))
    started = time.perf_counter()
    try:
        outcomes = run(work / "data", args.points)
    finally:
        if args.keep_data:
            print(f"data kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    totals = {
        "points": len(outcomes),
        "crashed": sum(o.crashed for o in outcomes),
        "ended_done": sum(o.end == "done" for o in outcomes),
        "ended_error": sum(o.end == "error" for o in outcomes),
        "cancelled_once": sum(o.status == "cancelled" and o.refunds == 1 for o in outcomes),
        "not_cancelled": sum(o.status != "cancelled" for o in outcomes),
        "double_refunds": sum(o.refunds > 1 for o in outcomes),
        "points_with_problems": sum(bool(o.problems) for o in outcomes),
    }
    print(" ".join(f"{key}={value}" for key, value in totals.items()))
    print(f"seconds={time.perf_counter() - started:.1f}")
    return 1 if totals["points_with_problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
