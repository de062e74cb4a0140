"""Per-conversation facts behind the dashboard: what happened to each conversation in a range.

Built from the store's event log (customer messages, turn ends, handoffs, agent messages,
identity look-ups) and its queue entries, so every store that keeps those answers the same
way. The dashboard's totals are counts over these facts, and the drill-down and the CSV
export list them, so a figure and the conversations behind it always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

FACT_EVENT_TYPES = ("customer_message", "done", "error", "handoff", "agent_message", "tool")
"""The event types the facts are built from."""

IDENTITY_TOOLS = frozenset({"find_user_id_by_email", "find_user_id_by_name_zip"})
"""Tools whose successful call identifies the customer in the chat."""

FALLBACK_INTENTS = frozenset({"out_of_scope"})
"""Intents meaning the bot could not map the request to anything it handles."""

OUTCOMES = ("contained", "handed_off", "abandoned")
"""Every conversation has exactly one outcome (see `ConversationFacts.outcome`)."""


@dataclass
class ConversationFacts:
    """What one conversation did in the range."""

    conversation_id: str
    customer_id: str | None
    started_at: float
    messages: int = 0
    identified: bool = False
    handed_off: bool = False
    handoffs: int = 0
    last_answered: bool = False
    resolved_by_person: bool = False
    returned_to_bot: bool = False
    reopened: bool = False
    bot_turns: int = 0
    fallback_turns: int = 0
    intents: list[str] = field(default_factory=list)
    agent: str | None = None
    csat: int | None = None

    @property
    def outcome(self) -> str:
        """`handed_off`, `contained` or `abandoned`.

        `handed_off` if a person was asked for; else `contained` when the bot answered the
        customer's last message and the customer was identified; else `abandoned` (the
        customer left unanswered or unidentified).
        """
        if self.handed_off:
            return "handed_off"
        if self.last_answered and self.identified:
            return "contained"
        return "abandoned"

    @property
    def resolved(self) -> bool:
        """Contained by the bot, or resolved by a person."""
        return self.outcome == "contained" or self.resolved_by_person

    @property
    def first_contact_resolved(self) -> bool:
        """Resolved with one contact: at most one handoff and never reopened."""
        return self.resolved and self.handoffs <= 1 and not self.reopened

    def row(self) -> dict[str, Any]:
        """The facts as a flat record (the drill-down and CSV columns)."""
        values = asdict(self)
        values["intents"] = " ".join(dict.fromkeys(self.intents))
        values["outcome"] = self.outcome
        values["first_contact_resolved"] = self.first_contact_resolved
        return values


class _Builder:
    """Walks one conversation's events in order and fills its facts."""

    def __init__(self, facts: ConversationFacts) -> None:
        self.facts = facts
        self.pending_message = False
        self.closed_by_person = False

    def feed(self, kind: str, event: dict[str, Any]) -> None:
        facts = self.facts
        if kind == "customer_message":
            facts.messages += 1
            facts.last_answered = False
            self.pending_message = True
            if self.closed_by_person:
                facts.reopened = True
        elif kind == "tool":
            if event.get("name") in IDENTITY_TOOLS and event.get("ok") is True:
                facts.identified = True
        elif kind == "handoff":
            if (event.get("payload") or {}).get("type", "handoff") == "handoff":
                facts.handed_off = True
                facts.handoffs += 1
        elif kind == "agent_message":
            facts.last_answered = True
        elif kind == "done":
            self._done(event)
        elif kind == "error":
            self.pending_message = False

    def _done(self, event: dict[str, Any]) -> None:
        facts = self.facts
        status = event.get("handoff_status")
        if self.pending_message:
            self.pending_message = False
            if event.get("reply") or event.get("waiting_for_human"):
                facts.last_answered = True
            if status in ("none", "returned") and event.get("reply"):
                facts.bot_turns += 1
                intent = event.get("intent")
                if intent:
                    facts.intents.append(str(intent))
                if intent in FALLBACK_INTENTS or event.get("planner") == "fallback":
                    facts.fallback_turns += 1
        elif status == "resolved":  # an agent's action closing the case
            facts.resolved_by_person = True
            self.closed_by_person = True
            facts.last_answered = True
        elif status == "returned":
            facts.returned_to_bot = True


def conversation_facts(
    events: list[dict[str, Any]],
    handoffs: list[dict[str, Any]],
    csat: list[dict[str, Any]],
) -> list[ConversationFacts]:
    """Facts of every conversation with a customer message among `events`, oldest first.

    `events` are the store's `events_between` rows (ordered by conversation and number),
    `handoffs` its queue entries opened in the range, `csat` the answers in the range.
    """
    by_conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in events:
        by_conversation[row["conversation_id"]].append(row)
    entries = {entry["conversation_id"]: entry for entry in handoffs}
    scores = {answer["conversation_id"]: int(answer["score"]) for answer in csat}
    found: list[ConversationFacts] = []
    for conversation_id, rows in by_conversation.items():
        started = [r["created_at"] for r in rows if r["type"] == "customer_message"]
        if not started:
            continue
        customer = rows[0]["customer_id"]
        builder = _Builder(
            ConversationFacts(conversation_id, customer, min(started), identified=bool(customer))
        )
        for row in rows:
            builder.feed(row["type"], row["event"])
        facts = builder.facts
        entry = entries.get(conversation_id)
        if entry is not None:
            facts.handed_off = True
            facts.handoffs = max(facts.handoffs, 1)
            facts.agent = entry.get("claimed_by")
            facts.resolved_by_person = facts.resolved_by_person or entry["status"] == "resolved"
            facts.returned_to_bot = facts.returned_to_bot or entry["status"] == "returned"
        facts.csat = scores.get(conversation_id)
        found.append(facts)
    return sorted(found, key=lambda facts: facts.started_at)
