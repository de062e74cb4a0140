"""A turn's `done` event is built from the state the run streamed, without reading it back,
and says what the saved state says: reply, handoff, intent, identity, pending action."""

from __future__ import annotations

from typing import Any

from langgraph.types import Command

from graphs.context import Context
from graphs.turns import _Turn, customer_input, stream_turn, turn_config


class _CountingReads:
    """The compiled graph, counting reads of the saved state."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.reads = 0

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        return self.graph.stream(*args, **kwargs)

    def get_state(self, config: Any) -> Any:
        self.reads += 1
        return self.graph.get_state(config)


def _turn(graph: Any, thread: str, graph_input: Any) -> dict[str, Any]:
    context = Context(customer_id="alex_morgan_1001")
    counting = _CountingReads(graph)
    done = list(stream_turn(counting, thread, graph_input, context))[-1]
    assert counting.reads == 0, "the done event reads nothing back"
    return done


def test_done_says_what_the_saved_state_says(graph):
    thread = "done-event"
    turns = [
        customer_input("please cancel order #W1234567, I ordered it by mistake", "test"),
        customer_input("yes", "test"),
        customer_input("this is useless, get me a human", "test"),
        Command(resume={"action": "reply", "message": "Hi, Dana here.", "agent": "Dana"}),
    ]
    seen = []
    for graph_input in turns:
        done = _turn(graph, thread, graph_input)
        snapshot = graph.get_state(turn_config(thread))
        assert done == _Turn().done(thread, snapshot)
        seen.append(done)
    assert seen[0]["awaiting_confirmation"] and seen[0]["customer_id"] == "alex_morgan_1001"
    assert not seen[1]["awaiting_confirmation"]
    assert seen[2]["waiting_for_human"] and seen[2]["handoff_status"] != "none"
    assert seen[2]["reply"], "the bot's hand-off message is the reply"
