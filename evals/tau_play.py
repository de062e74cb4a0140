"""Play one τ-bench task through the model-planned graph with a scripted customer.

A `Script` says who sits in the model's seat (a chat model) and what the customer says
(`ScriptedCustomer`); `play` runs the conversation on a private copy of the order store,
checks every turn's writes with `evals.tau_writes.WriteAudit`, and returns a `TaskOutcome`.
The oracle and the adversarial agents are both scripts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.memory import InMemorySaver

from evals.tau_writes import WriteAudit
from graphs.context import Context
from graphs.services import Services
from graphs.support import compile_graph
from graphs.turns import customer_input, turn_config
from tools.orders.sqlite_store import SqliteOrderStore


class ScriptedCustomer(Protocol):
    """What the customer says: a first message, then an answer to each bot turn."""

    def first(self) -> str:
        """The opening message."""

    def answer(self, values: Mapping[str, Any], reply: str) -> str | None:
        """The next message after a turn (state values, the bot's reply); None ends it."""


@dataclass
class Script:
    """One scripted conversation: the model in the planner's seat, the customer, the sign-in."""

    model: BaseChatModel
    customer: ScriptedCustomer
    signed_in: str | None
    """The user id signed in through the context, or None for an anonymous customer."""
    max_turns: int = 8


@dataclass
class TaskOutcome:
    """One task's result."""

    task_index: int
    identical: bool
    unauthorised_writes: int
    turns: int
    actions_left: int
    digest: str
    expected: str
    label: str = ""
    authorised_writes: int = 0


def play(
    template: SqliteOrderStore,
    base: Services,
    script: Script,
    user_id: str,
    owners: Mapping[str, str],
    thread: str,
) -> tuple[int, str, WriteAudit]:
    """Run `script` on a copy of `template`; return turns played, final digest and the audit."""
    store = template.clone()
    try:
        services = replace(base, orders=store, chat_model=script.model, model_plans=True)
        graph = compile_graph(services, checkpointer=InMemorySaver())
        context = Context(customer_id=script.signed_in)
        config = turn_config(thread)
        audit = WriteAudit(store, user_id, owners)
        text: str | None = script.customer.first()
        values: Mapping[str, Any] = {}
        turns = 0
        while text is not None and turns < script.max_turns:
            turns += 1
            audit.before_turn(text, values, script.signed_in)
            result = graph.invoke(customer_input(text, "eval"), config, context=context)
            audit.after_turn()
            snapshot = graph.get_state(config)
            if snapshot.interrupts:
                break
            values = snapshot.values
            text = script.customer.answer(values, _reply(result))
        return turns, audit.digest(), audit
    finally:
        store.close()


def _reply(result: Mapping[str, Any]) -> str:
    messages = result.get("messages") or []
    return str(messages[-1].content) if messages else ""
