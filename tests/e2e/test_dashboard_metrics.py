"""A manager reads every dashboard figure against a hand-computed day, and a customer rates a
resolved conversation, in headless Chromium against real servers.

The manager's server runs on the SQLite and on the DynamoDB server store (moto_server); the
day of tests/metrics_fixture.py is written into its store just before the page loads, so
"now" on the server is the fixture's NOW give or take the seconds the test takes.
"""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from config.settings import Settings
from tests import metrics_fixture as fx
from tests.e2e.conftest import assert_accessible, serve_web
from tests.e2e.test_support_flow import host_site, send, sign_in
from tests.integration.conftest import MOTO_REGION
from wiring.aws_resources import ensure_dynamodb_resources
from wiring.persistence import open_server_store

pytestmark = [pytest.mark.enable_socket, pytest.mark.integration, pytest.mark.e2e]

SLA_ENV = {
    "TANDEM_SLA_FIRST_RESPONSE_SECONDS": str(fx.FIRST_RESPONSE_SLA),
    "TANDEM_SLA_RESOLUTION_SECONDS": str(fx.RESOLUTION_SLA),
}
DUMMY_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": MOTO_REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(params=["sqlite", "dynamodb"])
def manager_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Settings]]:
    """A fresh server (base URL) and the settings that open its server store."""
    folder = tmp_path_factory.mktemp(f"dashboard-{request.param}")
    if request.param == "sqlite":
        settings = Settings(data_dir=folder / "data")
        extra: dict[str, str] = {}
    else:
        endpoint = request.getfixturevalue("moto_endpoint")
        table = f"srv-{uuid.uuid4().hex[:8]}"
        settings = Settings(
            data_dir=folder / "data",
            aws_region=MOTO_REGION,
            dynamodb_endpoint_url=endpoint,
            server_store_backend="dynamodb",
            server_table=table,
        )
        ensure_dynamodb_resources(settings)
        extra = {
            **DUMMY_AWS,
            "TANDEM_AWS_REGION": MOTO_REGION,
            "TANDEM_DYNAMODB_ENDPOINT_URL": endpoint,
            "TANDEM_SERVER_STORE_BACKEND": "dynamodb",
            "TANDEM_SERVER_TABLE": table,
        }
    with serve_web(folder, **SLA_ENV, **extra) as base:
        yield base, settings


def _tile(page: Any, metric: str) -> Any:
    return page.locator(f'[data-metric="{metric}"]')


def _expect_tile(page: Any, metric: str, value: str, detail: str | None = None) -> None:
    tile = _tile(page, metric)
    assert tile.locator(".tile-value").inner_text() == value, metric
    if detail is not None:
        assert tile.locator(".tile-detail").inner_text() == detail, metric


def test_a_manager_reads_every_figure_of_the_hand_computed_day(
    manager_server: tuple[str, Settings], chromium: Any, screenshots: Path, axe_source: str
) -> None:
    base, settings = manager_server
    store = open_server_store(settings)
    try:
        fx.seed(store, time.time() - fx.NOW_OFFSET)
    finally:
        store.close()
    context = chromium.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto("/dashboard")
        sign_in(page, "morgan", "Morgan", role="agent")
        page.get_by_role("region", name="Key figures").wait_for()
        _expect_tile(page, "conversations", "9", "12 customer messages")
        _expect_tile(page, "containment_rate", "22.2%", "2 contained by the bot")
        _expect_tile(page, "abandoned", "2")
        _expect_tile(page, "handoff_rate", "55.6%", "5 handed off · 2 resolved · 1 returned to bot")
        _expect_tile(page, "waiting_now", "2", "1 unclaimed · 1 claimed, unanswered")
        _expect_tile(
            page,
            "first_response",
            "1 min 41 s",
            "66.7% within 5 min SLA · 1 unanswered past it",
        )
        _expect_tile(page, "resolution", "4 min 9 s", "33.3% within 4 min SLA · 1 open past it")
        _expect_tile(page, "csat", "3.67 / 5", "66.7% satisfied · 3 ratings")
        _expect_tile(page, "fcr_rate", "75%")
        _expect_tile(page, "reopen_rate", "50%")
        _expect_tile(page, "fallback_rate", "16.7%", "of 6 bot replies")

        # Every figure explains itself on hover.
        _tile(page, "containment_rate").get_by_role("button", name=re.compile("What is")).hover()
        tip = page.locator("[role=tooltip]").filter(has_text="Contained conversations divided")
        tip.wait_for(state="visible")

        agents = page.get_by_role("region", name="Agents")
        assert agents.locator('tr[data-agent="dana"]').inner_text().split("\t") == [
            "dana",
            "2",
            "2",
            "1",
            "15.6 s",
            "2 min 10 s",
            "2 (1)",
        ]
        assert agents.locator('tr[data-agent="lee"]').inner_text().split("\t") == [
            "lee",
            "2",
            "1",
            "1",
            "2 min 29 s",
            "4 min 50 s",
            "4 (1)",
        ]
        page.screenshot(
            path=screenshots / f"20-dashboard-{settings.server_store_backend}.png", full_page=True
        )
        assert_accessible(page, axe_source, "dashboard with the hand-computed day")

        # Drill down from a figure to the conversations behind it.
        _tile(page, "abandoned").get_by_role("button", name="Show conversations").click()
        table = page.get_by_role("table", name=re.compile("Abandoned conversations"))
        table.wait_for()
        assert table.locator("tbody tr").count() == 2
        assert table.get_by_text("unidentified").count() == 1
        page.screenshot(
            path=screenshots / f"21-dashboard-drill-down-{settings.server_store_backend}.png"
        )
        assert_accessible(page, axe_source, "dashboard drill-down")

        # The CSV export holds every conversation of the range with its outcome.
        with page.expect_download() as download:
            page.get_by_role("button", name="Export CSV").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
        outcomes = [row["outcome"] for row in rows]
        assert len(rows) == 9
        assert (outcomes.count("contained"), outcomes.count("abandoned")) == (2, 2)

        # A reversed custom range says why nothing is shown.
        page.get_by_role("textbox", name="From").fill("2099-01-02")
        page.get_by_role("alert").filter(has_text="start date must be on or before").wait_for()
        assert_accessible(page, axe_source, "dashboard with a reversed range")
    finally:
        context.close()


def agent_act(
    web_server: str, customer: str, agent: str, action: str, text: str
) -> tuple[dict[str, str], str]:
    """As `agent`, claim `customer`'s waiting conversation and `reply` or `resolve` it.

    Returns the agent's headers and the conversation id.
    """
    token = httpx.post(
        f"{web_server}/v1/auth/local-token", json={"role": "agent", "sub": agent, "name": agent}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    waiting = httpx.get(f"{web_server}/v1/queue", params={"status": "waiting"}, headers=headers)
    conversation = [e["conversation_id"] for e in waiting.json() if e["customer_id"] == customer][
        -1
    ]
    assert httpx.post(f"{web_server}/v1/queue/{conversation}/claim", headers=headers).is_success
    done = httpx.post(
        f"{web_server}/v1/queue/{conversation}/{action}",
        json={"text": text},
        headers=headers,
        timeout=60,
    )
    assert done.is_success, done.text
    return headers, conversation


def test_a_customer_rates_the_conversation_a_person_resolved(
    new_context: Any, screenshots: Path, axe_source: str, web_server: str
) -> None:
    customer = new_context(viewport={"width": 420, "height": 640}).new_page()
    customer.goto("/chat")
    sign_in(customer, "sofia_rossi_8776")
    log = customer.get_by_role("log", name="Conversation")
    send(customer, "How long do refunds take?")
    log.get_by_role("navigation", name="Sources").get_by_role("link").first.wait_for()
    send(customer, "I want to talk to a person")
    log.get_by_text("A person will join shortly.").first.wait_for()
    agent, conversation = agent_act(
        web_server, "sofia_rossi_8776", "rita", "resolve", "All sorted, Sofia."
    )

    survey = customer.get_by_role("region", name="How did we do?")
    survey.wait_for()
    assert_accessible(customer, axe_source, "chat with the satisfaction survey")
    survey.get_by_role("button", name="5 of 5: Very satisfied").click()
    customer.get_by_role("heading", name="Thanks for your feedback!").wait_for()
    customer.screenshot(path=screenshots / "22-chat-csat.png", full_page=True)
    stored = httpx.get(
        f"{web_server}/v1/metrics/conversations",
        params={"outcome": "handed_off"},
        headers=agent,
    ).json()["items"]
    assert next(r for r in stored if r["conversation_id"] == conversation)["csat"] == 5

    seen = log.inner_text()

    # A reload shows exactly what was seen, scrolled to the newest message.
    customer.reload()
    customer.get_by_role("heading", name="Thanks for your feedback!").wait_for()
    pressed = customer.get_by_role("button", name="5 of 5: Very satisfied")
    assert pressed.get_attribute("aria-pressed") == "true"  # the stored rating, read back
    log.get_by_text("All sorted, Sofia.").wait_for()
    assert log.get_by_text("Searched the help centre").count() == 1
    assert log.get_by_role("navigation", name="Sources").count() == 1
    assert log.inner_text() == seen
    customer.wait_for_function(  # the end of the conversation (after the survey) is in view
        "() => { const body = document.querySelector('.chat-body').getBoundingClientRect();"
        " const end = document.querySelector('.chat-body .end').getBoundingClientRect();"
        " return end.bottom <= body.bottom + 1 && end.top >= body.top; }"
    )
    customer.screenshot(path=screenshots / "24-chat-after-reload.png", full_page=True)


def test_escape_in_the_widget_closes_it_and_the_launcher_counts_unread_replies(
    new_context: Any, screenshots: Path, axe_source: str, web_server: str
) -> None:
    page = new_context(viewport={"width": 1100, "height": 760}).new_page()
    host = (
        "<!doctype html><html lang='en'><head><title>Acme store</title></head><body>"
        "<main><h1>Acme store</h1></main>"
        f"<script src='{web_server}/widget.js' async></script></body></html>"
    )
    customer = "mia_widget_4242"
    with host_site(host) as url:
        page.goto(url)
        page.get_by_role("button", name="Chat with us").click()
        frame = page.frame_locator("iframe[title='Support chat']")
        sign_in(frame, customer)
        send(frame, "I want to talk to a person")
        frame.get_by_role("log").get_by_text("A person will join shortly.").wait_for()

        frame.get_by_label("Message").press("Escape")
        page.locator("iframe[title='Support chat']").wait_for(state="hidden")
        assert page.evaluate("() => document.activeElement.getAttribute('aria-controls')") == (
            "tandem-chat-frame"
        )

        agent_act(web_server, customer, "omar", "reply", "Hi Mia, Omar here.")
        launcher = page.get_by_role("button", name="Chat with us 1 unread message")
        launcher.wait_for()
        page.screenshot(path=screenshots / "23-widget-unread.png")
        assert_accessible(page, axe_source, "host page with an unread reply")
        launcher.click()
        frame.get_by_role("log").get_by_text("Hi Mia, Omar here.").wait_for()
        assert page.locator("[data-tandem-unread]").count() == 0
