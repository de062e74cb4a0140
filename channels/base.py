"""The channel abstraction: normalised inbound messages, outbound replies, the adapter protocol."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable


@dataclass(frozen=True)
class Attachment:
    """A file that came with an inbound message, already stored by the channel."""

    filename: str
    content_type: str
    size: int
    location: str
    """Where the stored copy is: a local path or an `s3://bucket/key` URL."""


@dataclass(frozen=True)
class InboundMessage:
    """One customer message from any channel, in the shape the shared inbox handles."""

    channel: str
    """The adapter's name (`email`, `whatsapp`, `sms`, ...)."""
    provider_message_id: str
    """The provider's id of the message: a second delivery of it is ignored."""
    sender: str
    """The sender's address on the channel: an email address, an E.164 phone number."""
    text: str
    """What the customer wrote, cleaned by the adapter (quoted history, signatures removed)."""
    verified: bool = False
    """Whether the channel proved the sender controls `sender` (e.g. SPF/DKIM passed)."""
    thread_keys: tuple[str, ...] = ()
    """Provider ids naming the thread this message continues (e.g. In-Reply-To, References)."""
    own_keys: tuple[str, ...] = ()
    """Ids a later message may use to refer to this one (e.g. its own Message-ID)."""
    attachments: tuple[Attachment, ...] = ()
    received_at: float = field(default_factory=time.time)
    reply_state: dict[str, Any] = field(default_factory=dict)
    """What the adapter needs to answer in the same thread (subject, message ids, ...)."""
    display_name: str | None = None


@dataclass(frozen=True)
class OutboundReply:
    """A reply to send on a conversation's channel."""

    text: str
    """The reply as Markdown-light text (what the graph and agents write)."""
    author: Literal["bot", "agent"] = "bot"
    agent: str | None = None
    """The human agent's display name, for agent replies."""
    choices: tuple[str, ...] = ()
    """Quick answers the customer may pick, e.g. ("yes", "no") for a confirmation."""
    sources: tuple[dict[str, Any], ...] = ()
    """Help-centre passages the reply is grounded in (title, url)."""


@dataclass
class Thread:
    """A conversation's place on a channel: who to answer and how to stay in the thread."""

    conversation_id: str
    channel: str
    address: str
    state: dict[str, Any] = field(default_factory=dict)
    """Adapter-specific threading state (subject, last message id, references, ...)."""


@runtime_checkable
class ChannelAdapter(Protocol):
    """One channel's outbound side; inbound routes build `InboundMessage`s themselves."""

    name: str

    def render(self, reply: OutboundReply, thread: Thread) -> list[Any]:
        """The provider payloads for `reply` (several when a channel splits long replies)."""
        ...

    async def send(self, thread: Thread, payload: Any) -> str | None:
        """Send one payload to the thread's address; return the provider's message id."""
        ...
