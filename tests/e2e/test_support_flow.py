"""A customer is handed off to a person and back, in real browsers against the real server.

The customer asks about an order (order card, tool status line), asks a help-centre
question (source links), gets angry and is handed off. An agent claims the conversation,
replies while the customer's connection is down, and resolves it; the customer sees the
reply exactly once after reconnecting, and again after a reload. A second agent sees who
has the conversation. Every screen is screenshotted and checked with axe-core.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible
from tests.loopback import serving

pytestmark = [pytest.mark.enable_socket, pytest.mark.integration, pytest.mark.e2e]

PHONE = {"width": 390, "height": 844}
AGENT_REPLY = "Hi Alex, this is Alice. I have checked order #W1234567 and I am on it."


def sign_in(
    page: Any, sub: str, name: str | None = None, role: str | None = None, secret: str = ""
) -> None:
    if role:
        page.get_by_label("Role").select_option(role)
    page.get_by_label(re.compile("User ID|Customer ID")).fill(sub)
    if name:
        page.get_by_label("Display name").fill(name)
    if secret:
        page.get_by_label("Local secret").fill(secret)
    page.get_by_role("button", name="Continue").click()


def send(page: Any, text: str) -> None:
    page.get_by_placeholder("Write a message…").wait_for()
    box = page.get_by_label("Message")
    box.fill(text)
    from playwright.sync_api import expect

    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
    box.press("Enter")


def test_customer_is_handed_off_and_agent_replies_and_resolves(
    new_context: Any, screenshots: Path, axe_source: str
) -> None:
    # Customer on a phone-sized screen.
    customer = new_context(viewport=PHONE, has_touch=True).new_page()
    drop = {"blocked": False, "sockets": []}

    def route_socket(ws: Any) -> None:
        if drop["blocked"]:
            ws.close(code=4000, reason="network down")
            return
        ws.connect_to_server()
        drop["sockets"].append(ws)

    log = customer.get_by_role("log", name="Conversation")
    customer.route_web_socket(re.compile(r".*/ws\?.*"), route_socket)
    customer.goto("/chat")
    customer.get_by_role("heading", name="Chat with support").wait_for()
    customer.screenshot(path=screenshots / "01-chat-sign-in.png")
    assert_accessible(customer, axe_source, "chat sign-in")

    sign_in(customer, "alex_morgan_1001")
    customer.get_by_role("status").filter(has_text="Online").wait_for()
    assert_accessible(customer, axe_source, "empty chat")

    send(customer, "Where is my order #W1234567?")
    card = customer.get_by_role("article", name="Order #W1234567")
    card.wait_for()
    assert log.get_by_text("Looked up order #W1234567").is_visible()
    send(customer, "How long do refunds take?")
    source = customer.get_by_role("navigation", name="Sources").last.get_by_role("link").first
    source.wait_for()
    assert source.get_attribute("href").startswith("/help/")
    customer.screenshot(path=screenshots / "02-chat-order-and-sources.png")
    assert_accessible(customer, axe_source, "chat with order card and sources")

    send(customer, "This is ridiculous, I am furious! I want to talk to a human now!")
    log.get_by_text("A person will join shortly.").wait_for()
    customer.get_by_text("Waiting for a person to join").wait_for()
    customer.screenshot(path=screenshots / "03-chat-handed-off.png")
    assert_accessible(customer, axe_source, "chat waiting for a person")

    # Agent Alice claims it from the live queue.
    agent = new_context().new_page()
    agent.goto("/agent")
    agent.get_by_role("heading", name="Agent console").wait_for()
    assert_accessible(agent, axe_source, "agent sign-in")
    sign_in(agent, "alice", "Alice")
    entry = (
        agent.get_by_role("list", name="Handed-off conversations")
        .get_by_role("button")
        .filter(has_text="alex_morgan_1001")
    )
    entry.wait_for()
    assert "Explicit request" in entry.inner_text()
    agent.screenshot(path=screenshots / "04-agent-queue.png")
    assert_accessible(agent, axe_source, "agent queue")
    entry.click()
    agent.get_by_role("button", name="Claim", exact=True).click()
    reply = agent.get_by_label("Reply to the customer")
    reply.wait_for()
    assert "Alex" in reply.input_value(), "the AI's suggested reply pre-fills the box"
    agent.get_by_role("article", name="Order #W1234567").wait_for()
    agent.get_by_text("get_order_details").first.wait_for()

    # A second agent sees who has it and cannot work it.
    other = new_context().new_page()
    other.goto("/agent")
    sign_in(other, "bob", "Bob")
    other.get_by_role("button").filter(has_text="Claimed by alice").click()
    other.get_by_text("alice is handling this conversation.").wait_for()
    assert other.get_by_role("button", name="Claim", exact=True).count() == 0
    assert other.get_by_label("Reply to the customer").count() == 0
    other.screenshot(path=screenshots / "05-agent-claimed-by-other.png")
    assert_accessible(other, axe_source, "conversation claimed by another agent")

    # While the agent writes, the customer sees it.
    reply.press_sequentially(" ")
    customer.get_by_text("Alice is typing…").wait_for()

    # The customer's network drops; the agent replies meanwhile.
    drop["blocked"] = True
    for ws in drop["sockets"]:
        ws.close(code=4000, reason="network down")
    customer.get_by_role("status").filter(has_text=re.compile("Reconnecting|Offline")).wait_for()
    reply.fill(AGENT_REPLY)
    agent.get_by_role("button", name="Send reply").click()
    agent.get_by_text("Reply sent.").wait_for()
    # The agent keeps the conversation and can act again without waiting for the customer.
    resolve = agent.get_by_role("button", name="Resolve", exact=True)
    resolve.wait_for()
    agent.wait_for_function(
        "() => [...document.querySelectorAll('button')]"
        ".some(b => b.textContent.trim() === 'Resolve' && !b.disabled)"
    )
    agent.screenshot(path=screenshots / "06-agent-replied.png")
    assert_accessible(agent, axe_source, "agent conversation")

    drop["blocked"] = False
    log.get_by_text(AGENT_REPLY).wait_for()
    log.get_by_text("Alice joined the conversation.").wait_for()
    assert log.get_by_text(AGENT_REPLY).count() == 1, "the reply arrives exactly once"
    assert customer.get_by_text("Alice is typing…").count() == 0, "the message ends it"
    customer.get_by_role("status").filter(has_text="Online").wait_for()
    customer.screenshot(path=screenshots / "07-chat-agent-reply.png")
    assert_accessible(customer, axe_source, "chat with the agent")

    # The customer answers; the agent sees it live and resolves.
    send(customer, "Thank you, that helps!")
    agent.get_by_role("list", name="Transcript").get_by_text("Thank you, that helps!").wait_for()
    agent.get_by_role("button", name="Resolve", exact=True).click()
    agent.get_by_text("This conversation was resolved.").wait_for()
    agent.screenshot(path=screenshots / "08-agent-resolved.png")
    log.get_by_text(re.compile("This conversation was resolved")).wait_for()

    # Reload: the conversation is still there, once.
    customer.reload()
    log.get_by_text(AGENT_REPLY).wait_for()
    assert log.get_by_text(AGENT_REPLY).count() == 1
    assert log.get_by_text("Where is my order #W1234567?").count() == 1
    customer.screenshot(path=screenshots / "09-chat-after-reload.png", full_page=True)

    # The source link opens the help-centre article.
    help_page = customer.context.new_page()
    help_page.goto(source_href(customer))
    help_page.get_by_role("heading", level=1).wait_for()
    help_page.screenshot(path=screenshots / "10-help-article.png")
    assert_accessible(help_page, axe_source, "help article")


@contextlib.contextmanager
def host_site(html: str) -> Iterator[str]:
    """Another site on loopback (its own origin) serving one page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Page) as url:
        yield f"{url}/"


def source_href(page: Any) -> str:
    """A help-centre link (history has none after a reload, so use a known article)."""
    links = page.get_by_role("navigation", name="Sources").get_by_role("link")
    return str(links.first.get_attribute("href")) if links.count() else "/help/refund-timing"


def test_dashboard_shows_charts_for_a_date_range(
    new_context: Any, screenshots: Path, axe_source: str, web_server: str, local_secret: str
) -> None:
    page = new_context().new_page()
    page.goto("/dashboard")
    page.get_by_role("heading", name="Support dashboard").wait_for()
    assert_accessible(page, axe_source, "dashboard sign-in")
    sign_in(page, "morgan", "Morgan", role="admin", secret=local_secret)
    page.get_by_role("heading", name="Support performance").wait_for()
    tiles = page.get_by_role("region", name="Key figures")
    tiles.wait_for()
    assert page.locator("canvas[role=img]").count() >= 4
    conversations = int(tiles.locator(".tile").first.locator(".tile-value").inner_text())
    assert conversations >= 1, "the flow test's conversation is counted"
    page.get_by_role("button", name="30 days").click()
    assert page.get_by_role("button", name="30 days").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Today").click()
    page.wait_for_function("() => !document.querySelector('main[aria-busy=true]')")
    page.screenshot(path=screenshots / "11-dashboard.png", full_page=True)
    assert_accessible(page, axe_source, "dashboard")


def test_widget_embeds_the_chat_with_one_script_tag(
    new_context: Any, screenshots: Path, axe_source: str, web_server: str
) -> None:
    page = new_context(viewport={"width": 1100, "height": 760}).new_page()
    host = (
        "<!doctype html><html lang='en'><head><title>Acme store</title></head><body>"
        "<main><h1>Acme store</h1><p>Welcome to our shop.</p></main>"
        f"<script src='{web_server}/widget.js' async></script></body></html>"
    )
    with host_site(host) as url:
        page.goto(url)
        use_widget(page, screenshots, axe_source)


def use_widget(page: Any, screenshots: Path, axe_source: str) -> None:
    launcher = page.get_by_role("button", name="Chat with us")
    launcher.click()
    frame = page.frame_locator("iframe[title='Support chat']")
    frame.get_by_role("button", name="Continue").click()
    frame.get_by_role("status").filter(has_text="Online").wait_for()
    frame.get_by_label("Message").fill("How long do refunds take?")
    frame.get_by_label("Message").press("Enter")
    frame.get_by_role("log").get_by_text("Searched the help centre").wait_for()
    page.screenshot(path=screenshots / "12-widget.png")
    assert_accessible(page, axe_source, "host page with the widget")
    frame.get_by_role("button", name="Close chat").click()
    # The close button asks the host page (postMessage) to hide the frame: wait for it.
    page.locator("iframe[title='Support chat']").wait_for(state="hidden")
