"""Domain events for analytics, published as they happen.

`RecordingServerStore` wraps any `ServerStore` and turns what passes through it into
domain events: a conversation started, a customer message, a tool executed, a handoff
opened or claimed, an agent's reply, a turn completed (with the model's tokens and cost),
a conversation resolved or returned to the bot. Every persisted conversation event goes
through the store, so each is seen once, whichever process or entry point ran the turn.

Events carry ids, names and numbers, never message text (`text`, summaries and the
customer's words stay in the transcript) and never the customer's id: conversation ids are
random, so once a customer's data is erased nothing in the log leads back to them. Each
is a flat JSON object: `{"id", "type", "at", "conversation_id", "data"}` with `at` in
epoch seconds. Sinks: `JsonlEventLog`, an append-only JSON-lines file (the embedded profile),
and `conversations.eventbridge.EventBridgeSink` (the AWS profile). A sink never raises
into a turn: a failed publish is logged and counted.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from config.private_files import private_file
from conversations import instruments
from conversations.store import ServerStore

logger = logging.getLogger("tandem.events")

CONVERSATION_STARTED = "conversation.started"
MESSAGE_RECEIVED = "message.received"
TOOL_EXECUTED = "tool.executed"
HANDOFF_OPENED = "handoff.opened"
HANDOFF_CLAIMED = "handoff.claimed"
AGENT_REPLIED = "agent.replied"
TURN_COMPLETED = "turn.completed"
TURN_FAILED = "turn.failed"
CONVERSATION_RESOLVED = "conversation.resolved"
RETURNED_TO_BOT = "conversation.returned_to_bot"
CSAT_RECORDED = "csat.recorded"

EVENT_TYPES = (
    CONVERSATION_STARTED,
    MESSAGE_RECEIVED,
    TOOL_EXECUTED,
    HANDOFF_OPENED,
    HANDOFF_CLAIMED,
    AGENT_REPLIED,
    TURN_COMPLETED,
    TURN_FAILED,
    CONVERSATION_RESOLVED,
    RETURNED_TO_BOT,
    CSAT_RECORDED,
)
"""Every domain event type, in the order a conversation usually meets them."""


class EventSink(Protocol):
    """Where domain events go."""

    def publish(self, event: dict[str, Any]) -> None:
        """Record or send one event; never raises."""

    def close(self) -> None:
        """Flush what is pending and release resources."""


def domain_event(event_type: str, conversation_id: str, **data: Any) -> dict[str, Any]:
    """A new domain event of `event_type`, stamped now."""
    return {
        "id": uuid.uuid4().hex,
        "type": event_type,
        "at": time.time(),
        "conversation_id": conversation_id,
        "data": data,
    }


class JsonlEventLog:
    """An append-only JSON-lines file of domain events (one object per line).

    Each event is one `write` on a file opened with `O_APPEND`, so several processes can
    append to the same log without interleaving lines.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.failed = 0
        self._fd = os.open(private_file(self.path), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        self._lock = threading.Lock()

    def publish(self, event: dict[str, Any]) -> None:
        """Append one event."""
        line = (json.dumps(event, separators=(",", ":"), default=str) + "\n").encode()
        try:
            with self._lock:
                os.write(self._fd, line)
        except OSError as error:
            self.failed += 1
            logger.warning("domain event %s not logged: %s", event["type"], error)

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def read_event_log(path: Path, since: float = 0.0) -> Iterator[dict[str, Any]]:
    """The events of a JSON-lines log stamped at or after `since`, in file order."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            event = json.loads(line)
            if float(event["at"]) >= since:
                yield event


def _turn_event(event: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The domain event type and data of a persisted conversation event, if it is one."""
    kind = event.get("type")
    if kind == "customer_message":
        return MESSAGE_RECEIVED, {"chars": len(str(event.get("text") or ""))}
    if kind == "tool" and event.get("phase") == "end":
        return TOOL_EXECUTED, {"tool": event.get("name"), "ok": bool(event.get("ok"))}
    if kind == "agent_message":
        return AGENT_REPLIED, {"agent": event.get("agent")}
    if kind == "done":
        usage = event.get("usage") or {}
        return TURN_COMPLETED, {
            "planner": event.get("planner"),
            "handoff_status": event.get("handoff_status"),
            "model": usage.get("model"),
            "input_tokens": usage.get("input_tokens", 0),
            "output_tokens": usage.get("output_tokens", 0),
            "cost_usd": usage.get("cost_usd"),
        }
    if kind == "error":
        return TURN_FAILED, {"error": event.get("error")}
    return None


class RecordingServerStore:
    """A `ServerStore` that publishes a domain event for each change it makes.

    It also times claims (`tandem_handoff_wait_seconds`), whatever the sink.
    """

    def __init__(self, store: ServerStore, sink: EventSink) -> None:
        self.store = store
        self.sink = sink

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def _emit(self, event_type: str, conversation_id: str, **data: Any) -> None:
        try:
            self.sink.publish(domain_event(event_type, conversation_id, **data))
        except Exception:  # analytics never breaks a conversation
            logger.warning("domain event %s not published", event_type, exc_info=True)

    def create_conversation(
        self, conversation_id: str, customer_id: str | None, channel: str
    ) -> dict[str, Any]:
        """Record the conversation; publish `conversation.started`."""
        record = self.store.create_conversation(conversation_id, customer_id, channel)
        self._emit(CONVERSATION_STARTED, conversation_id, channel=channel)
        return record

    def append_event(self, conversation_id: str, seq: int, event: dict[str, Any]) -> None:
        """Persist the event; publish the domain event it stands for, if any."""
        self.store.append_event(conversation_id, seq, event)
        mapped = _turn_event(event)
        if mapped is not None:
            self._emit(mapped[0], conversation_id, **mapped[1])

    def upsert_handoff(
        self, conversation_id: str, payload: dict[str, Any], customer_id: str | None
    ) -> dict[str, Any]:
        """Open or refresh the queue entry; publish `handoff.opened` when it is new."""
        before = self.store.get_handoff(conversation_id)
        entry = self.store.upsert_handoff(conversation_id, payload, customer_id)
        if before is None or before["created_at"] != entry["created_at"]:
            self._emit(
                HANDOFF_OPENED,
                conversation_id,
                reason=entry.get("reason"),
                intent=entry.get("intent"),
                channel=payload.get("channel"),
            )
        return entry

    def claim(self, conversation_id: str, agent: str) -> bool:
        """Claim; publish `handoff.claimed` with the wait when this agent won."""
        won = self.store.claim(conversation_id, agent)
        if won:
            entry = self.store.get_handoff(conversation_id) or {}
            waited = (entry.get("claimed_at") or time.time()) - entry.get("created_at", 0)
            instruments.HANDOFF_WAIT_SECONDS.observe(max(0.0, waited))
            self._emit(HANDOFF_CLAIMED, conversation_id, agent=agent, wait_seconds=waited)
        return won

    def close_handoff(self, conversation_id: str, status: str) -> None:
        """Close the entry; publish `conversation.resolved` or `.returned_to_bot`."""
        self.store.close_handoff(conversation_id, status)
        kind = CONVERSATION_RESOLVED if status == "resolved" else RETURNED_TO_BOT
        self._emit(kind, conversation_id)

    def record_csat(self, conversation_id: str, score: int, customer_id: str | None) -> None:
        """Store the customer's rating; publish `csat.recorded` with the score."""
        self.store.record_csat(conversation_id, score, customer_id)
        self._emit(CSAT_RECORDED, conversation_id, score=score)

    def close(self) -> None:
        """Close the store (the sink belongs to whoever built it)."""
        self.store.close()
