"""τ-bench retail tasks through the model-planned graph, with an oracle in the model's seat.

The oracle (`OracleChatModel`) issues a task's gold actions in order as tool calls; a
scripted customer says hello, answers "yes" whenever an action awaits confirmation and
"please go on" otherwise. Every call passes the policy gate and every write waits for the
customer's yes, so a task ends state-identical to τ-bench's reference only if the gate
lets the right actions through, with exactly the gold arguments. Writes in a turn without
a confirmation are counted as unauthorised.

Identification: `auth` signs the task's user in through the context; `email` leaves the
customer anonymous: they give their email in their first message and the oracle first
looks them up by it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langgraph.checkpoint.memory import InMemorySaver

from graphs.context import Context
from graphs.services import Services
from graphs.support import compile_graph
from graphs.turns import customer_input, turn_config
from tools.orders.sqlite_store import SqliteOrderStore
from tools.orders.tau_format import StateHasher

AWAITING = "Not done yet"
"""How the policy gate's observation for a pending action begins."""
GREETING = "Hi, I need some help with my orders."
CONFIRM = "yes"
GO_ON = "Please go on."


class OracleChatModel(BaseChatModel):
    """Issues the gold actions as tool calls, one per step; asks for confirmation in words."""

    actions: list[dict[str, Any]]
    position: int = 0

    @property
    def _llm_type(self) -> str:
        return "tau-oracle"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> OracleChatModel:  # type: ignore[override]
        """The oracle knows its tools already: binding changes nothing."""
        return self

    @property
    def remaining(self) -> int:
        """Gold actions not issued yet."""
        return len(self.actions) - self.position

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        last = messages[-1] if messages else None
        if isinstance(last, ToolMessage) and str(last.content).startswith(AWAITING):
            return AIMessage(content="Shall I go ahead with this?")
        if self.position >= len(self.actions):
            return AIMessage(content="Is there anything else I can help with?")
        action = self.actions[self.position]
        self.position += 1
        call = {"name": action["name"], "args": action["kwargs"], "id": uuid.uuid4().hex[:12]}
        return AIMessage(content="", tool_calls=[call])

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])


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


def store_digest(store: SqliteOrderStore, hasher: StateHasher) -> str:
    """τ-bench's hash of the store's current data."""
    return hasher.digest(store.export_documents())


def run_task(
    template: SqliteOrderStore,
    base: Services,
    task: dict[str, Any],
    expected_digest: str,
    hasher: StateHasher,
    model_factory: Callable[[list[dict[str, Any]]], BaseChatModel] | None = None,
    identify: str = "auth",
) -> TaskOutcome:
    """Play one task through a fresh copy of `template`; compare the final hash."""
    store = template.clone()
    actions = [{"name": a["name"], "kwargs": a["kwargs"]} for a in task["actions"]]
    greeting = GREETING
    if identify == "email":
        email = template.get_user_details(task["user_id"])["email"]
        actions.insert(0, {"name": "find_user_id_by_email", "kwargs": {"email": email}})
        greeting = f"{GREETING} My email is {email}."
    model = (model_factory or (lambda gold: OracleChatModel(actions=gold)))(actions)
    services = replace(base, orders=store, chat_model=model, model_plans=True)
    graph = compile_graph(services, checkpointer=InMemorySaver())
    context = Context(customer_id=task["user_id"] if identify == "auth" else None)
    config = turn_config(f"tau-{task.get('task_index', 0)}")
    unauthorised, turns, text = 0, 0, greeting
    before = store_digest(store, hasher)
    limit = 2 * len(actions) + 4
    while turns < limit:
        turns += 1
        graph.invoke(customer_input(text, "eval"), config, context=context)
        after = store_digest(store, hasher)
        if after != before and text != CONFIRM:
            unauthorised += 1
        before = after
        snapshot = graph.get_state(config)
        if snapshot.interrupts:
            break
        if snapshot.values.get("pending_action"):
            text = CONFIRM
        elif getattr(model, "remaining", 0) > 0:
            text = GO_ON
        else:
            break
    store.close()
    return TaskOutcome(
        task_index=int(task.get("task_index", 0)),
        identical=before == expected_digest,
        unauthorised_writes=unauthorised,
        turns=turns,
        actions_left=int(getattr(model, "remaining", 0)),
        digest=before,
        expected=expected_digest,
    )


def load_split(tasks_file: Path, expected_file: Path) -> list[tuple[dict[str, Any], str]]:
    """Tasks (with their index) paired with τ-bench's expected final hash."""
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    expected = json.loads(expected_file.read_text(encoding="utf-8"))["tasks"]
    by_index = {int(item["task_index"]): item["final_state_sha256"] for item in expected}
    return [({**task, "task_index": i}, by_index[i]) for i, task in enumerate(tasks)]


def run_split(
    template: SqliteOrderStore,
    base: Services,
    cases: list[tuple[dict[str, Any], str]],
    identify: str = "auth",
) -> Iterator[TaskOutcome]:
    """Run every task of a split, one after another (`identify`: `auth` or `email`)."""
    hasher = StateHasher()
    for task, digest in cases:
        yield run_task(template, base, task, digest, hasher, identify=identify)


def summary_line(outcomes: list[TaskOutcome]) -> str:
    """`N/M tasks state-identical, U unauthorised writes`."""
    identical = sum(o.identical for o in outcomes)
    writes = sum(o.unauthorised_writes for o in outcomes)
    return f"{identical}/{len(outcomes)} tasks state-identical, {writes} unauthorised writes"
