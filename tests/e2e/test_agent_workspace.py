"""An agent's day in the console, in Chromium against the real server on the SQLite and the
DynamoDB server store: an admin writes a canned response in the console, then claim
(keyboard) → internal note → macro → reply (Ctrl+Enter) → reassign → the second agent
resolves; the resolved view finds it again; the customer rates the conversation with the
chat's one-tap survey and the dashboard counts the rating. Screenshots and axe on each
screen."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import assert_accessible, local_secret_of, serve_web
from tests.e2e.test_support_flow import sign_in
from tests.integration.test_dynamodb_server_store import aws_settings
from wiring.aws_resources import ensure_dynamodb_resources

pytestmark = [pytest.mark.enable_socket, pytest.mark.integration, pytest.mark.e2e]

MACRO = "Hi {first_name}, I have looked at order {order_id} and will sort it out today."


DYNAMODB_SETTINGS = (
    "aws_region",
    "dynamodb_endpoint_url",
    "s3_endpoint_url",
    "sns_endpoint_url",
    "checkpointer",
    "store_backend",
    "server_store_backend",
    "checkpoint_table",
    "memory_table",
    "server_table",
)


@pytest.fixture(
    params=["sqlite", pytest.param("dynamodb", marks=pytest.mark.integration)], scope="module"
)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    """(store, base URL, local secret) of a server on the SQLite or the DynamoDB store."""
    if request.param == "sqlite":
        web_server, secret = (request.getfixturevalue(f) for f in ("web_server", "local_secret"))
        yield "sqlite", web_server, secret
        return
    data = tmp_path_factory.mktemp("e2e-dynamodb")
    settings = aws_settings(request.getfixturevalue("moto_endpoint"), data)
    ensure_dynamodb_resources(settings)
    env = {f"TANDEM_{name.upper()}": str(getattr(settings, name)) for name in DYNAMODB_SETTINGS}
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    with serve_web(data, **env) as base:
        yield "dynamodb", base, local_secret_of(data / "data")


def _token(base: str, role: str, sub: str) -> dict[str, str]:
    body = {"role": role, "sub": sub}
    response = httpx.post(f"{base}/v1/auth/local-token", json=body, timeout=30)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _say(base: str, conversation: str, text: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    events = []
    with httpx.stream(
        "POST",
        f"{base}/v1/conversations/{conversation}/messages",
        json={"text": text},
        headers=headers,
        timeout=120,
    ) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1]["type"] in ("done", "error"):
                    break
    return events


def _csat_responses(base: str) -> int:
    """How many ratings the dashboard counts now (its default range)."""
    agent = _token(base, "agent", "morgan")
    response = httpx.get(f"{base}/v1/metrics/dashboard", headers=agent, timeout=60)
    response.raise_for_status()
    return int(response.json()["csat"]["responses"])


def _handed_off_customer(base: str) -> str:
    alex = _token(base, "customer", "alex_morgan_1001")
    created = httpx.post(f"{base}/v1/conversations", json={"channel": "web"}, headers=alex)
    conversation = str(created.json()["id"])
    _say(base, conversation, "Where is my order #W1234567?", alex)
    events = _say(base, conversation, "This is the third time, get me a human now", alex)
    assert events[-1]["waiting_for_human"] is True
    return conversation


def test_agent_claims_notes_uses_a_macro_replies_reassigns_and_resolves(
    chromium: Any, site: tuple[str, str, str], screenshots: Path, axe_source: str
) -> None:
    store, web_server, local_secret = site
    contexts: list[Any] = []

    def new_context() -> Any:
        context = chromium.new_context(base_url=web_server, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    try:
        _walk(web_server, local_secret, new_context, screenshots / f"agent-{store}", axe_source)
    finally:
        for context in contexts:
            context.close()


def _walk(
    web_server: str, local_secret: str, new_context: Any, screenshots: Path, axe_source: str
) -> None:
    screenshots.mkdir(exist_ok=True)
    admin = new_context().new_page()
    admin.goto("/agent")
    sign_in(admin, "root", "Root", role="admin", secret=local_secret)
    admin.get_by_role("button", name="Canned responses").click()
    admin.get_by_label("Id (lower case, digits, - and _)").fill("order-follow-up")
    admin.get_by_label("Title").fill("Order follow-up")
    admin.get_by_label("Text").fill(MACRO)
    admin.get_by_role("button", name="Save canned response").click()
    admin.get_by_text("Saved “Order follow-up”.").wait_for()
    admin.screenshot(path=screenshots / "00-admin-canned-responses.png")
    assert_accessible(admin, axe_source, "canned responses")
    conversation = _handed_off_customer(web_server)

    alice = new_context().new_page()
    alice.goto("/agent")
    sign_in(alice, "alice", "Alice")
    queue = alice.get_by_role("list", name="Handed-off conversations")
    queue.get_by_role("button").filter(has_text="alex_morgan_1001").first.click()
    alice.get_by_role("button", name="Claim", exact=True).wait_for()
    alice.keyboard.press("c")  # the claim shortcut
    reply = alice.get_by_label("Reply to the customer")
    reply.wait_for()
    assert "Alex" in reply.input_value(), "the handover's opening line pre-fills the box"
    alice.screenshot(path=screenshots / "01-claimed.png")
    assert_accessible(alice, axe_source, "claimed conversation")

    notes = alice.get_by_role("region", name="Internal notes")
    notes.get_by_label("Add a note").fill("Third contact this week; offer priority shipping.")
    notes.get_by_role("button", name="Add note").click()
    notes.get_by_text("Third contact this week; offer priority shipping.").wait_for()

    alice.get_by_label("Canned response").select_option("order-follow-up")
    expected = "Hi Alex, I have looked at order #W1234567 and will sort it out today."
    alice.wait_for_function(
        "text => document.getElementById('reply-text').value === text", arg=expected
    )
    reply.press("Control+Enter")
    alice.get_by_text("Reply sent.").wait_for()
    alice.get_by_role("list", name="Transcript").get_by_text(expected).wait_for()
    alice.screenshot(path=screenshots / "02-note-macro-reply.png")
    assert_accessible(alice, axe_source, "note, macro and reply")

    alice.get_by_label("Reassign to").fill("bob")
    alice.get_by_role("button", name="Reassign", exact=True).click()
    alice.get_by_text("Reassigned to bob.").wait_for()
    alice.get_by_text("bob is handling this conversation.").wait_for()

    bob = new_context().new_page()
    bob.goto("/agent")
    sign_in(bob, "bob", "Bob")
    bob.get_by_role("button", name="Mine").click()
    bob.get_by_role("list", name="Handed-off conversations").get_by_role("button").filter(
        has_text="Claimed by you"
    ).click()
    bob.get_by_role("region", name="Internal notes").get_by_text("Third contact").wait_for()
    resolve = bob.get_by_role("button", name="Resolve", exact=True)
    bob.wait_for_function(
        "() => [...document.querySelectorAll('button')]"
        ".some(b => b.textContent.trim() === 'Resolve' && !b.disabled)"
    )
    resolve.click()
    bob.get_by_text("This conversation was resolved.").wait_for()
    assert bob.locator(".banner").count() == 1, "one resolution banner"
    bob.screenshot(path=screenshots / "03-resolved.png")
    assert_accessible(bob, axe_source, "resolved conversation")

    bob.get_by_role("button", name="Resolved", exact=True).click()
    bob.get_by_label("Search the queue").fill("W1234567")
    found = bob.get_by_role("list", name="Handed-off conversations").get_by_role("button")
    found.filter(has_text="Resolved").first.wait_for()
    bob.evaluate("() => document.activeElement.blur()")
    bob.keyboard.press("?")
    bob.get_by_role("dialog", name="Keyboard shortcuts").wait_for()
    bob.screenshot(path=screenshots / "04-resolved-view-and-shortcuts.png")
    assert_accessible(bob, axe_source, "resolved view with the shortcut help")

    _customer_rates_and_the_dashboard_counts_it(
        web_server, conversation, new_context, screenshots, axe_source
    )


def _customer_rates_and_the_dashboard_counts_it(
    web_server: str, conversation: str, new_context: Any, screenshots: Path, axe_source: str
) -> None:
    """The customer opens the resolved conversation, taps a rating; the dashboard has it."""
    before = _csat_responses(web_server)
    customer = new_context().new_page()
    customer.set_viewport_size({"width": 420, "height": 720})
    customer.goto("/chat")
    customer.evaluate(
        "id => localStorage.setItem('tandem.chat.conversation.alex_morgan_1001', id)",
        conversation,
    )
    sign_in(customer, "alex_morgan_1001")
    log = customer.get_by_role("log", name="Conversation")
    log.get_by_text("This conversation was resolved.", exact=False).first.wait_for()
    survey = customer.get_by_role("region", name="How did we do?")
    survey.wait_for()
    survey.get_by_role("button", name="4 of 5: Satisfied").click()
    customer.get_by_role("heading", name="Thanks for your feedback!").wait_for()
    customer.screenshot(path=screenshots / "05-customer-rates.png", full_page=True)
    assert_accessible(customer, axe_source, "chat with the satisfaction survey")

    manager = new_context().new_page()
    manager.goto("/dashboard")
    sign_in(manager, "morgan", "Morgan", role="agent")
    tile = manager.locator('[data-metric="csat"]')
    tile.locator(".tile-value").wait_for()
    assert tile.locator(".tile-detail").inner_text().endswith(f"· {before + 1} ratings")
    agents = manager.get_by_role("region", name="Agents")
    row = agents.locator('tr[data-agent="bob"]')
    assert row.locator("td").last.inner_text() == "4 (1)", "bob resolved it: his CSAT is 4"
    manager.screenshot(path=screenshots / "06-dashboard-csat.png", full_page=True)
    assert_accessible(manager, axe_source, "dashboard with the rating")
