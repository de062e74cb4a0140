"""Drive the compiled support graph turn by turn, as a channel would."""

from __future__ import annotations

from typing import Any

from langgraph.types import Command

from graphs.context import Context
from graphs.turns import customer_input, stream_turn, turn_config

DEMO_CUSTOMER = "alex_morgan_1001"
OTHER_CUSTOMER = "sam_lee_2002"


class Conversation:
    """One conversation on a compiled graph, with the events of the latest turn."""

    def __init__(self, graph: Any, thread_id: str = "t1", customer: str | None = DEMO_CUSTOMER):
        self.graph = graph
        self.thread_id = thread_id
        self.context = Context(customer_id=customer, model="")
        self.events: list[dict[str, Any]] = []

    def say(self, text: str) -> str:
        """Send a customer message; return the bot's reply for this turn."""
        self.events = list(
            stream_turn(self.graph, self.thread_id, customer_input(text, "test"), self.context)
        )
        return self.done["reply"]

    def agent(self, action: str, message: str = "", agent: str = "Dana") -> dict[str, Any]:
        """Answer the pending handoff as a human agent."""
        resume = Command(resume={"action": action, "message": message, "agent": agent})
        self.events = list(stream_turn(self.graph, self.thread_id, resume, self.context))
        return self.done

    @property
    def done(self) -> dict[str, Any]:
        return self.events[-1]

    @property
    def state(self) -> dict[str, Any]:
        return dict(self.graph.get_state(turn_config(self.thread_id)).values)

    @property
    def interrupts(self) -> tuple[Any, ...]:
        return tuple(self.graph.get_state(turn_config(self.thread_id)).interrupts)

    def streamed_text(self) -> str:
        return "".join(e["text"] for e in self.events if e["type"] == "token")

    def tools_called(self) -> list[str]:
        return [e["name"] for e in self.events if e["type"] == "tool" and e["phase"] == "start"]
