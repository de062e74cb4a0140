"""The WhatsApp channel adapter: replies rendered for WhatsApp and sent through the Graph API.

Free-form messages (text, reply buttons) may only be sent within 24 hours of the
customer's last message (Meta's customer-service window). Outside it, the adapter sends
the configured approved template with the reply as its one body parameter, or nothing
when no template is configured. A reply that asks the customer to confirm carries Yes / No
reply buttons; tapping one answers with the button's title.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from channels.base import OutboundReply, Thread
from channels.whatsapp.graph_api import GraphApiClient, ReplyButton
from channels.whatsapp.render import BUTTON_BODY_LIMIT, TEXT_LIMIT, render_text, to_whatsapp

logger = logging.getLogger("tandem.channels.whatsapp")

SERVICE_WINDOW_SECONDS = 24 * 3600
"""How long after the customer's last message free-form messages are allowed."""

TEMPLATE_PARAMETER_LIMIT = 1024
"""Characters in one template body parameter."""

LAST_INBOUND = "last_inbound_at"
"""Thread-state key: when the customer last wrote (epoch seconds)."""


@dataclass(frozen=True)
class Text:
    """A text message."""

    body: str


@dataclass(frozen=True)
class Buttons:
    """A message with reply buttons."""

    body: str
    buttons: tuple[ReplyButton, ...]


@dataclass(frozen=True)
class Template:
    """An approved template message with body parameters."""

    name: str
    language: str
    parameters: tuple[str, ...]


Payload = Text | Buttons | Template


def _button_title(choice: str) -> str:
    return choice[:1].upper() + choice[1:20]


def _template_parameter(text: str) -> str:
    """Template parameters may hold no newlines or tabs and at most 1,024 characters."""
    flat = " ".join(to_whatsapp(text).split())
    if len(flat) > TEMPLATE_PARAMETER_LIMIT:
        flat = flat[: TEMPLATE_PARAMETER_LIMIT - 1].rstrip() + "…"
    return flat


class WhatsAppAdapter:
    """Renders replies as WhatsApp messages and sends them from one business number."""

    name = "whatsapp"

    def __init__(
        self,
        client: GraphApiClient,
        template: str | None = None,
        template_language: str = "en_US",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.template = template
        self.template_language = template_language
        self._clock = clock

    def in_service_window(self, thread: Thread) -> bool:
        """Whether the customer wrote within the last 24 hours."""
        last = float(thread.state.get(LAST_INBOUND) or 0)
        return self._clock() - last < SERVICE_WINDOW_SECONDS

    def render(self, reply: OutboundReply, thread: Thread) -> list[Payload]:
        """The messages for `reply`: texts (the last with buttons), or a template."""
        text = (
            reply.text if reply.author == "bot" else f"**{reply.agent or 'Support'}:** {reply.text}"
        )
        if not self.in_service_window(thread):
            if not self.template:
                logger.warning("reply not sent: outside the 24-hour window and no template is set")
                return []
            parameter = _template_parameter(text)
            return [Template(self.template, self.template_language, (parameter,))]
        bodies = render_text(text, TEXT_LIMIT)
        if not reply.choices or not bodies:
            return [Text(body) for body in bodies]
        buttons = tuple(
            ReplyButton(id=choice.lower(), title=_button_title(choice))
            for choice in reply.choices[:3]
        )
        if len(bodies[-1]) <= BUTTON_BODY_LIMIT:  # the question itself carries the buttons
            return [*(Text(body) for body in bodies[:-1]), Buttons(bodies[-1], buttons)]
        return [*(Text(body) for body in bodies), Buttons("Please confirm:", buttons)]

    async def send(self, thread: Thread, payload: Payload) -> str | None:
        """Send one message to the thread's number; return its WhatsApp message id."""
        to = thread.address.lstrip("+")
        if isinstance(payload, Text):
            return await self.client.send_text(to, payload.body)
        if isinstance(payload, Buttons):
            return await self.client.send_buttons(to, payload.body, list(payload.buttons))
        return await self.client.send_template(
            to, payload.name, payload.language, list(payload.parameters)
        )
