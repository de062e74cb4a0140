"""What the server holds for its lifetime: graph, stores, live hubs, limiter, verifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langgraph.store.base import BaseStore

from channels.registry import Channels
from channels.uploads import Uploads
from config.settings import Settings
from conversations.audit_log import AuditLog
from conversations.hub import EventHub, QueueFeed
from conversations.runner import TurnRunner
from conversations.store import ServerStore
from graphs.context import Context
from graphs.services import Services
from server.ratelimit import TokenBucketLimiter
from wiring.push import Devices


@dataclass
class ServerRuntime:
    """Long-lived server state, created by the app's lifespan."""

    settings: Settings
    services: Services
    graph: Any
    store: ServerStore
    hub: EventHub
    feed: QueueFeed
    runner: TurnRunner
    limiter: TokenBucketLimiter
    audit: AuditLog
    memory: BaseStore | None = None
    """The long-term customer memory the graph writes (None: nothing is remembered)."""
    channels: Channels | None = None
    """The running channels (email, messaging): their inbox, delivery and adapters."""
    devices: Devices | None = None
    """Registered phones, accepted client message ids and the push notifier."""
    uploads: Uploads | None = None
    """Files customers attach (None: attachments are refused)."""

    def context_for(self, customer_id: str | None) -> Context:
        """The graph context of a conversation belonging to `customer_id`."""
        return Context(customer_id=customer_id)
