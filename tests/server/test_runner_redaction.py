"""The echoed customer message is masked by the deployment's redactor, the one the guard uses.

A redactor that also finds names (as Comprehend does) must mask the echo stored in the
event log exactly as the guard masks the message the checkpoint keeps, and be asked once
per message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conversations.hub import EventHub, QueueFeed
from conversations.runner import TurnRunner
from conversations.store_sqlite import SqliteServerStore
from graphs.context import Context
from graphs.turns import turn_config
from tools.pii import CachingRedactor, redact

MESSAGE = "Hi, I'm Jane Roe, card 4242 4242 4242 4242, where is #W1234567?"


class NamesToo:
    """Masks names as a remote detector would, then the offline patterns; counts calls."""

    def __init__(self) -> None:
        self.calls = 0

    def redact(self, text: str) -> str:
        self.calls += 1
        return redact(text.replace("Jane Roe", "[NAME]"))


async def test_the_echo_and_the_checkpoint_are_masked_alike(
    graph: Any, services: Any, tmp_path: Path
) -> None:
    names = NamesToo()
    services.redactor = CachingRedactor(names)
    store = SqliteServerStore(tmp_path / "queue.sqlite")
    hub = EventHub(store)
    runner = TurnRunner(graph, store, hub, QueueFeed(), redact=services.redactor.redact)
    context = Context(customer_id="alex_morgan_1001", model="")
    cursor = await runner.start_customer_turn("conv", MESSAGE, "web", context)
    events = [event async for _, event in hub.follow("conv", cursor, until_done=True)]
    echo = next(e for e in events if e["type"] == "customer_message")
    assert echo["text"].startswith("Hi, I'm [NAME], card [CARD ••4242]")
    stored = graph.get_state(turn_config("conv")).values["messages"][0].content
    assert stored == echo["text"]
    assert names.calls == 1, "the guard reused the runner's answer"
    await runner.drain()
    store.close()
