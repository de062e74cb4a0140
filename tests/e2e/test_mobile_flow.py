"""The mobile app's web build (`expo export --platform web`) against the real server.

The customer signs in, asks where an order is (order card), asks to cancel it and confirms
with the yes button, asks for a person, and sees the agent typing, then their reply arrive
live; the agent side goes through the real queue API. Then the phone loses its network: a
message typed meanwhile waits, and is sent once, and only once, when the network is back. The agent
resolves the conversation: the app offers the one-tap survey, the rating reaches the server,
and the app, started again, shows the rating given. The build's
files are served to the browser from `mobile/dist` on the server's own origin (as a reverse
proxy would), so every API call, the SSE stream included, reaches the real server. Screens
are checked with axe-core. The customer is not the one the web app's browser test uses:
the two tests share one server.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import REPO, assert_accessible, missing

pytestmark = [pytest.mark.enable_socket, pytest.mark.integration, pytest.mark.e2e]

MOBILE_DIST = REPO / "mobile" / "dist"
PHONE = {"width": 390, "height": 844}
AGENT_REPLY = "Hi Sam, Dana here: I am looking at your order now."
OFFLINE_MESSAGE = "Thanks Dana, typed on the train"


def serve_dist(context: Any, base: str) -> None:
    """Answer the app's page and its bundle from mobile/dist; everything else goes through."""

    def fulfil(route: Any) -> None:
        path = route.request.url[len(base) :].split("?")[0]
        file = MOBILE_DIST / path.lstrip("/") if path.startswith("/_expo/") else None
        if file is None or not file.is_file():
            file = MOBILE_DIST / "index.html"
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=file.read_bytes(), content_type=kind)

    context.route(re.compile(rf"^{re.escape(base)}/(mobile-app|_expo/).*"), fulfil)


def local_token(base: str, role: str, sub: str) -> str:
    """A token from the local development issuer."""
    response = httpx.post(f"{base}/v1/auth/local-token", json={"role": role, "sub": sub})
    response.raise_for_status()
    return str(response.json()["access_token"])


def agent_token(base: str) -> str:
    """An agent's token from the local development issuer."""
    return local_token(base, "agent", "dana")


def send(page: Any, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()


def test_order_status_cancel_with_confirmation_handoff_and_agent_reply(
    new_context: Any, web_server: str, axe_source: str, screenshots: Path
) -> None:
    if not (MOBILE_DIST / "index.html").is_file():
        missing("mobile/dist is not built (run `cd mobile && npm ci && npm run export:web`)")
    context = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    serve_dist(context, web_server)
    page = context.new_page()
    page.goto("/mobile-app")

    page.get_by_label("Customer ID").fill("sam_lee_2002")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Online").wait_for()
    assert_accessible(page, axe_source, "mobile chat")

    order_requests: list[str] = []
    page.on("request", lambda r: order_requests.append(r.url) if "/v1/orders/" in r.url else None)
    send(page, "where is my order #W7654321?")
    page.get_by_label(re.compile(r"^Order #W7654321, pending")).first.wait_for()
    assert order_requests == [], "the card shows the order the reply's tool event carried"
    page.screenshot(path=str(screenshots / "mobile-order.png"))

    send(page, "please cancel order #W7654321, I ordered it by mistake")
    page.get_by_role("button", name="Yes, go ahead").click()
    page.get_by_label(re.compile(r"^Assistant: .*cancelled", re.I)).last.wait_for()
    page.get_by_role("button", name="Yes, go ahead").wait_for(state="detached")

    send(page, "this is the third time I ask, get me a human")
    page.get_by_text("Waiting for a person to join").wait_for()
    assert_accessible(page, axe_source, "mobile handoff")

    agent = {"Authorization": f"Bearer {agent_token(web_server)}"}
    queue = httpx.get(f"{web_server}/v1/queue", headers=agent).json()
    conversation = next(e for e in queue if e["customer_id"] == "sam_lee_2002")
    claimed = httpx.post(
        f"{web_server}/v1/queue/{conversation['conversation_id']}/claim", headers=agent
    )
    assert claimed.status_code == 200, claimed.text
    typing = httpx.post(
        f"{web_server}/v1/queue/{conversation['conversation_id']}/typing", headers=agent
    )
    assert typing.status_code == 204, typing.text
    page.get_by_text("dana is typing…").wait_for()
    reply = httpx.post(
        f"{web_server}/v1/queue/{conversation['conversation_id']}/reply",
        json={"text": AGENT_REPLY},
        headers=agent,
    )
    assert reply.status_code == 200, reply.text

    page.get_by_label(f"dana (agent): {AGENT_REPLY}").wait_for()
    assert page.get_by_label(f"dana (agent): {AGENT_REPLY}").count() == 1
    assert page.get_by_text("dana is typing…").count() == 0, "the message ends it"
    page.get_by_text("You're chatting with a person").wait_for()
    page.screenshot(path=str(screenshots / "mobile-agent-reply.png"))

    context.set_offline(True)
    send(page, OFFLINE_MESSAGE)
    page.get_by_label(f"Waiting to send: {OFFLINE_MESSAGE}").wait_for()
    page.screenshot(path=str(screenshots / "mobile-offline.png"))
    context.set_offline(False)
    page.get_by_label(f"You: {OFFLINE_MESSAGE}").wait_for()
    assert page.get_by_label(f"Waiting to send: {OFFLINE_MESSAGE}").count() == 0
    transcript = httpx.get(
        f"{web_server}/v1/queue/{conversation['conversation_id']}/transcript", headers=agent
    ).json()
    sent = [m for m in transcript["messages"] if m["text"] == OFFLINE_MESSAGE]
    assert len(sent) == 1, transcript["messages"]

    resolved = httpx.post(
        f"{web_server}/v1/queue/{conversation['conversation_id']}/resolve",
        json={"text": "Glad I could help, Sam."},
        headers=agent,
    )
    assert resolved.status_code == 200, resolved.text
    page.get_by_text("How did we do?").wait_for()
    assert_accessible(page, axe_source, "mobile survey")
    page.get_by_role("radio", name="5 of 5: Very satisfied").click()
    given = "You rated this conversation 5 of 5 (very satisfied)."
    page.get_by_text(given).wait_for()
    customer = {"Authorization": f"Bearer {local_token(web_server, 'customer', 'sam_lee_2002')}"}
    rating = httpx.get(
        f"{web_server}/v1/conversations/{conversation['conversation_id']}/csat", headers=customer
    ).json()
    assert rating["score"] == 5
    page.screenshot(path=str(screenshots / "mobile-survey.png"))

    page.reload()
    page.get_by_text(given).wait_for()
    assert page.get_by_role("radio", name="5 of 5: Very satisfied").is_checked()
