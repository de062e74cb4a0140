"""The manager dashboard's figures, computed from real conversations through the API."""

from __future__ import annotations

import time

import pytest

from server.metrics import Window, median, percentile


def _dashboard(api, headers, **params):
    response = api.client.get("/v1/metrics/dashboard", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_dashboard_counts_containment_handoffs_sla_and_latency(api):
    alex = api.customer()
    contained = api.new_conversation(alex)
    api.say(contained, "Where is my order #W1234567?", alex)
    api.say(contained, "How long do refunds take?", alex)
    handed = api.new_conversation(alex)
    api.say(handed, "I am furious, get me a human now", alex)
    dana = api.agent("dana")
    assert api.client.post(f"/v1/queue/{handed}/claim", headers=dana).status_code == 200
    reply = api.client.post(f"/v1/queue/{handed}/reply", json={"text": "On it."}, headers=dana)
    assert reply.status_code == 200
    api.say(handed, "thanks, that solves it", alex)
    api.client.post(f"/v1/queue/{handed}/resolve", json={"text": ""}, headers=dana)
    api.new_conversation(alex)  # opened but never used: not counted

    data = _dashboard(api, api.agent())
    totals = data["totals"]
    assert totals["conversations"] == 2
    assert totals["messages"] == 4
    assert totals["handed_off"] == 1 and totals["contained"] == 1
    assert totals["containment_rate"] == 0.5 and totals["handoff_rate"] == 0.5
    assert data["handoff_reasons"] == [{"reason": "explicit_request", "count": 1}]
    assert data["bucket_seconds"] == 86400
    assert sum(point["conversations"] for point in data["volume"]) == 2
    assert sum(point["handoffs"] for point in data["volume"]) == 1
    assert data["first_response"]["count"] == 1
    assert data["first_response"]["within_sla_rate"] == 1.0
    assert data["resolution"]["count"] == 1
    assert data["turn_latency"]["turns"] == 4
    assert data["turn_latency"]["p95_ms"] >= data["turn_latency"]["p50_ms"] > 0
    assert data["sentiment"]["scored_messages"] == 4
    assert data["sentiment"]["average"] < 0.5


def test_a_range_before_any_activity_is_empty_and_hourly(api):
    alex = api.customer()
    api.say(api.new_conversation(alex), "hello", alex)
    data = _dashboard(api, api.agent(), start="2020-01-01T00:00:00Z", end="2020-01-02T00:00:00Z")
    assert data["totals"]["conversations"] == 0
    assert data["totals"]["containment_rate"] is None
    assert data["bucket_seconds"] == 3600 and len(data["volume"]) == 24


def test_a_reversed_range_is_a_clear_422_and_long_ones_are_bounded(api):
    agent = api.agent()
    params = {"start": "2024-02-01T00:00:00Z", "end": "2024-01-01T00:00:00Z"}
    for path in ("/v1/metrics/dashboard", "/v1/metrics/conversations"):
        response = api.client.get(path, params=params, headers=agent)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "reversed_range"
        assert "before its end" in response.json()["detail"]
    long = _dashboard(api, agent, start="2000-01-01T00:00:00Z", end="2024-01-01T00:00:00Z")
    assert long["end"] - long["start"] == 366 * 86400


@pytest.mark.parametrize(
    "params", [{"start": "yesterday"}, {"end": "null"}, {"start": "2024-13-01"}]
)
def test_malformed_dates_get_a_clear_422(api, params):
    response = api.client.get("/v1/metrics/dashboard", params=params, headers=api.agent())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_customers_cannot_see_the_dashboard(api):
    response = api.client.get("/v1/metrics/dashboard", headers=api.customer())
    assert response.status_code == 403


def test_the_median_interpolates_an_even_count():
    assert median([]) is None
    assert median([158.0, 44.6]) == 101.3
    assert median([3.0, 1.0, 2.0]) == 2.0


def test_percentile_is_nearest_rank():
    assert percentile([], 0.95) is None
    assert percentile([5.0], 0.95) == 5.0
    assert percentile([float(n) for n in range(1, 101)], 0.95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0


def test_window_buckets_cover_the_range():
    now = time.time()
    assert Window(now - 3600 * 5, now).bucket == 3600
    days = Window(now - 86400 * 7, now)
    assert days.bucket == 86400 and 7 <= len(days.buckets()) <= 8
    assert all(b <= now for b in days.buckets())
