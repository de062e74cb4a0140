"""A customer attaches a photo in the web chat; the agent who takes over sees it.

The photo goes through the real upload and download endpoints of the server on loopback:
the customer's bubble shows its thumbnail, and so does the agent console's transcript once
the conversation is handed off. Both screens are screenshotted and checked with axe-core.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_support_flow import PHONE, send, sign_in
from tests.server.test_attachments_api import png_bytes

pytestmark = [pytest.mark.enable_socket, pytest.mark.integration, pytest.mark.e2e]

CUSTOMER = "mia_attach_5005"


def shown_image(page: Any, scope: Any) -> int:
    """The natural width of the first thumbnail in `scope` once it has loaded (0: none)."""
    image = scope.locator("img.attachment-thumb").first
    image.wait_for()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    return int(image.evaluate("(img) => img.naturalWidth"))


def test_attached_photo_reaches_the_agent(
    new_context: Any, screenshots: Path, axe_source: str
) -> None:
    customer = new_context(viewport=PHONE, has_touch=True).new_page()
    customer.goto("/chat")
    sign_in(customer, CUSTOMER)
    customer.get_by_role("status").filter(has_text="Online").wait_for()

    photo = png_bytes(48)
    customer.get_by_label("Attach a photo or PDF").set_input_files(
        {"name": "broken parcel.png", "mimeType": "image/png", "buffer": photo}
    )
    customer.get_by_role("list", name="Files to send").get_by_text("broken_parcel.png").wait_for()
    send(customer, "The parcel arrived broken, I want to talk to a human now!")
    log = customer.get_by_role("log", name="Conversation")
    chip = re.compile(r"^broken_parcel\.png \d+ KB ?\(image\/png\), open$")
    log.get_by_role("button", name=chip).wait_for()
    assert shown_image(customer, log) == 48
    customer.get_by_text("Waiting for a person to join").wait_for()
    customer.screenshot(path=screenshots / "20-chat-attachment.png")
    assert_accessible(customer, axe_source, "chat with an attached photo")

    agent = new_context().new_page()
    agent.goto("/agent")
    sign_in(agent, "alice", "Alice")
    agent.get_by_role("list", name="Handed-off conversations").get_by_role("button").filter(
        has_text=CUSTOMER
    ).click()
    transcript = agent.get_by_role("list", name="Transcript")
    transcript.get_by_role("button", name=re.compile(r"^broken_parcel\.png ")).wait_for()
    assert shown_image(agent, transcript) == 48
    agent.screenshot(path=screenshots / "21-agent-attachment.png")
    assert_accessible(agent, axe_source, "agent transcript with an attached photo")
