"""Every dashboard figure on SQLite and on DynamoDB (moto_server), against a day of support
whose numbers are worked out by hand in tests/metrics_fixture.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.store import ServerStore
from server.metrics import Window, dashboard_metrics, drill_down
from tests import metrics_fixture as fx
from tests.integration.test_dynamodb_server_store import (  # noqa: F401 (fixture)
    aws_settings,
    store,
)
from wiring.aws_resources import ensure_dynamodb_resources
from wiring.persistence import open_server_store

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

T0 = 1_772_442_000.0  # 2026-03-02 09:00 UTC
NOW = T0 + fx.NOW_OFFSET
DAY_WINDOW = Window(T0 - 9 * 3600, T0 + 15 * 3600)


@pytest.fixture
def seeded(store: ServerStore) -> ServerStore:  # noqa: F811 (the imported fixture)
    """The parametrised store (SQLite, DynamoDB) holding the hand-computed day."""
    fx.seed(store, T0)
    return store


def _figures(source: ServerStore, window: Window = DAY_WINDOW) -> dict:
    return dashboard_metrics(
        source, window, fx.FIRST_RESPONSE_SLA, fx.RESOLUTION_SLA, lambda text: 0.0, NOW
    )


def _subset(values: dict, expected: dict) -> dict:
    return {key: values[key] for key in expected}


def test_every_figure_matches_the_hand_computed_day(seeded: ServerStore) -> None:
    data = _figures(seeded)
    assert _subset(data["totals"], fx.EXPECTED_TOTALS) == fx.EXPECTED_TOTALS
    assert _subset(data["first_response"], fx.EXPECTED_FIRST_RESPONSE) == (
        fx.EXPECTED_FIRST_RESPONSE
    )
    assert _subset(data["resolution"], fx.EXPECTED_RESOLUTION) == fx.EXPECTED_RESOLUTION
    assert _subset(data["csat"], fx.EXPECTED_CSAT) == fx.EXPECTED_CSAT
    assert [row["count"] for row in data["csat"]["distribution"]] == [0, 1, 0, 1, 1]
    assert data["agents"] == fx.EXPECTED_AGENTS
    assert data["handoff_reasons"] == fx.EXPECTED_REASONS
    assert {row["intent"]: row["count"] for row in data["intents"]} == {
        "track_order": 1,
        "thanks": 1,
        "cancel_order": 1,
        "out_of_scope": 1,
        "delivery_problem": 1,
        "track_refund": 1,
    }
    assert data["turn_latency"]["turns"] == 12
    assert set(data["definitions"]) >= {"containment_rate", "fcr_rate", "csat", "waiting_now"}


def test_the_day_falls_in_one_hourly_bucket(seeded: ServerStore) -> None:
    data = _figures(seeded)
    assert data["bucket_seconds"] == 3600 and len(data["volume"]) == 24
    busy = [point for point in data["volume"] if point["conversations"]]
    # T0 is 09:00 on the hour and the last conversation starts at 09:31.
    assert [(p["t"], p["conversations"], p["messages"], p["handoffs"]) for p in busy] == [
        (T0, 9, 12, 5)
    ]


def test_drill_down_lists_the_conversations_behind_each_outcome(seeded: ServerStore) -> None:
    rows = drill_down(seeded, DAY_WINDOW, None, None)
    assert {row["conversation_id"]: row["outcome"] for row in rows} == fx.EXPECTED_OUTCOMES
    abandoned = drill_down(seeded, DAY_WINDOW, "abandoned", None)
    assert [row["conversation_id"] for row in abandoned] == ["c2", "c3"]
    c5 = next(row for row in rows if row["conversation_id"] == "c5")
    assert c5["reopened"] and c5["csat"] == 2 and not c5["first_contact_resolved"]
    assert drill_down(seeded, DAY_WINDOW, None, T0 + 3600) == []


def test_a_range_after_the_day_is_empty_but_the_open_queue_still_shows(
    seeded: ServerStore,
) -> None:
    data = _figures(seeded, Window(T0 + 86400, T0 + 2 * 86400))
    assert data["totals"]["conversations"] == 0
    assert data["totals"]["containment_rate"] is None
    assert data["totals"]["waiting_now"] == 2
    assert data["first_response"]["within_sla_rate"] is None


def test_csat_is_replaced_not_added(seeded: ServerStore) -> None:
    with fx.store_clock(T0 + 80):
        seeded.record_csat("c1", 3, "customer_1")
    assert seeded.get_csat("c1")["score"] == 3
    assert seeded.get_csat("c2") is None
    assert _figures(seeded)["csat"]["responses"] == 3


def test_erasing_a_conversation_erases_its_rating(seeded: ServerStore) -> None:
    seeded.delete_conversation("c1")
    assert seeded.get_csat("c1") is None
    assert _figures(seeded)["csat"]["responses"] == 2


def test_the_dashboard_api_answers_on_the_dynamodb_store(
    moto_endpoint: str, tmp_path: Path, services
) -> None:
    from fastapi.testclient import TestClient

    from server.app import create_app
    from server.auth.local_issuer import issuer_from_settings

    settings = aws_settings(moto_endpoint, tmp_path, model="", checkpointer="memory")
    settings.rate_limit_per_minute = 1000
    ensure_dynamodb_resources(settings)
    seeding = open_server_store(settings)
    fx.seed(seeding, T0)
    seeding.close()
    token = issuer_from_settings(settings).issue("morgan", "agent")
    with TestClient(create_app(settings, services)) as client:
        response = client.get(
            "/v1/metrics/dashboard",
            params={"start": "2026-03-02T00:00:00Z", "end": "2026-03-03T00:00:00Z"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    totals = response.json()["totals"]
    assert (totals["conversations"], totals["contained"], totals["handed_off"]) == (9, 2, 5)
    assert response.json()["csat"]["responses"] == 3
