"""Turns survive kill -9: a real `tandem serve` process dies at chosen points of a turn that
cancels an order, a new one starts on the same data, and the client resumes its stream.

Each point is checked by `bench.crash_points` (the benchmark runs 30+ points spread over the
turn; this runs three): the order is cancelled exactly once, or not at all with an error
telling the customer nothing changed; the resumed stream repeats no event id and skips no
persisted event; the turn ends with `done` or `error`, and no turn is left recorded open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.crash_points import run
from tools.intent import IntentClassifier

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket, pytest.mark.timeout(900)]

POINTS = ["before:1", "after:3", "after:12"]
"""Before the customer's echo; just after the cancellation's tool event; mid-reply."""


def test_a_turn_killed_at_any_point_ends_once_with_its_effect_applied_once(
    tmp_path: Path, shared_backends: dict[str, Any]
) -> None:
    folder = tmp_path / "data"
    classifier: IntentClassifier = shared_backends["classifier"]
    classifier.save(IntentClassifier.cache_path(shared_backends["catalogue"], folder / "cache"))

    outcomes = run(folder, len(POINTS), POINTS)

    assert [o.point for o in outcomes] == POINTS
    assert all(o.crashed for o in outcomes), "every server died at its point"
    assert {o.point: o.problems for o in outcomes} == {p: [] for p in POINTS}
    by_point = {o.point: o for o in outcomes}
    assert by_point["before:1"].end == "error" and by_point["before:1"].status == "pending"
    for point in ("after:3", "after:12"):
        assert by_point[point].end == "done", "a turn cut after its write is resumed"
        assert (by_point[point].status, by_point[point].refunds) == ("cancelled", 1)
