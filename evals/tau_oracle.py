"""τ-bench retail tasks through the model-planned graph, with an oracle in the model's seat.

The oracle (`OracleChatModel`) issues a task's gold actions in order as tool calls; a
scripted customer says hello, answers "yes" whenever an action awaits confirmation and
"please go on" otherwise. Every call passes the policy gate and every write waits for the
customer's yes, so a task ends state-identical to τ-bench's reference only if the gate
lets the right actions through, with exactly the gold arguments. Every write is checked by
`evals.tau_writes.WriteAudit`; one the customer did not confirm counts as unauthorised.

Identification: `auth` signs the task's user in through the context; `email` leaves the
customer anonymous: they give their email in their first message and the oracle first
looks them up by it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from evals.tau_play import Script, TaskOutcome, play
from evals.tau_writes import owners_of
from graphs.services import Services
from tools.orders.sqlite_store import SqliteOrderStore

__all__ = ["OracleChatModel", "TaskOutcome", "load_split", "run_split", "summary_line"]

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


class OracleCustomer:
    """The oracle's customer: hello (with their email when anonymous), then yes and go on.

    They say "yes" to every pending action and "please go on" while the oracle has gold
    actions left.
    """

    def __init__(self, model: OracleChatModel, greeting: str) -> None:
        self.model = model
        self.greeting = greeting

    def first(self) -> str:
        """The opening message."""
        return self.greeting

    def answer(self, values: Mapping[str, Any], reply: str) -> str | None:
        """Confirm what is pending; otherwise let the oracle go on until it is done."""
        if values.get("pending_action"):
            return CONFIRM
        return GO_ON if self.model.remaining > 0 else None


def run_task(
    template: SqliteOrderStore,
    base: Services,
    task: dict[str, Any],
    expected_digest: str,
    owners: Mapping[str, str],
    identify: str = "auth",
) -> TaskOutcome:
    """Play one task through a fresh copy of `template`; compare the final hash."""
    actions = [{"name": a["name"], "kwargs": a["kwargs"]} for a in task["actions"]]
    greeting = GREETING
    if identify == "email":
        email = template.get_user_details(task["user_id"])["email"]
        actions.insert(0, {"name": "find_user_id_by_email", "kwargs": {"email": email}})
        greeting = f"{GREETING} My email is {email}."
    model = OracleChatModel(actions=actions)
    script = Script(
        model=model,
        customer=OracleCustomer(model, greeting),
        signed_in=task["user_id"] if identify == "auth" else None,
        max_turns=2 * len(actions) + 4,
    )
    index = int(task.get("task_index", 0))
    turns, digest, audit = play(template, base, script, task["user_id"], owners, f"tau-{index}")
    return TaskOutcome(
        task_index=index,
        identical=digest == expected_digest,
        unauthorised_writes=audit.unauthorised,
        authorised_writes=audit.authorised,
        turns=turns,
        actions_left=model.remaining,
        digest=digest,
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
    owners = owners_of(template)
    for task, digest in cases:
        yield run_task(template, base, task, digest, owners, identify=identify)


def summary_line(outcomes: list[TaskOutcome]) -> str:
    """`N/M tasks state-identical, U unauthorised writes`."""
    identical = sum(o.identical for o in outcomes)
    writes = sum(o.unauthorised_writes for o in outcomes)
    return f"{identical}/{len(outcomes)} tasks state-identical, {writes} unauthorised writes"
