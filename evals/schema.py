"""The evaluation suite format: conversations with expectations, validated with pydantic.

A suite is a YAML file (or JSONL, one case per line) under `evals/suites/`. Each case is a
scripted conversation: the customer's messages in order, each with what the bot must do
on that turn (intent, entities, tool calls, handoff, wording, grounded facts, latency),
plus conversation-level expectations (the consequential actions in order, a handoff and
its reason, the final state of orders). A suite may also hold simulated-customer tasks
(τ-bench style), which run only when a model is configured.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CONSEQUENTIAL_TOOLS: tuple[str, ...] = (
    "cancel_pending_order",
    "modify_pending_order_address",
    "modify_pending_order_items",
    "modify_pending_order_payment",
    "modify_user_address",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
)
"""Order tools that change data: each needs the customer's explicit confirmation first."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolExpect(_Strict):
    """A tool call that must happen: its name and a subset of its arguments."""

    name: str = Field(min_length=1, description="Tool name, e.g. get_order_details.")
    args: dict[str, Any] = Field(
        default_factory=dict, description="Arguments that must be present with these values."
    )


class TurnExpect(_Strict):
    """What the bot must do on one turn; every field is optional (unset: not checked)."""

    intent: str | None = Field(default=None, description="Intent the turn is classified as.")
    route: str | None = Field(default=None, description="Route the router picks.")
    entities: dict[str, Any] = Field(
        default_factory=dict,
        description="Entities known after the turn (lists: these items at least).",
    )
    tools: list[ToolExpect] | None = Field(
        default=None, description="Tool calls of this turn; [] means no tool may be called."
    )
    forbid_tools: list[str] = Field(default_factory=list, description="Tools that must not run.")
    handoff: bool | None = Field(
        default=None, description="Whether the turn ends waiting for a human."
    )
    handoff_reason: str | None = Field(default=None, description="The handoff's reason.")
    pending_action: str | None = Field(
        default=None,
        description="Tool of the action awaiting confirmation after the turn ('none': none).",
    )
    contains: list[str] = Field(
        default_factory=list, description="Phrases the reply must contain (case-insensitive)."
    )
    contains_any: list[str] = Field(
        default_factory=list, description="At least one of these phrases must be in the reply."
    )
    not_contains: list[str] = Field(
        default_factory=list, description="Phrases the reply must not contain."
    )
    grounded_facts: list[str] = Field(
        default_factory=list,
        description="Facts the reply must state that must also be in tool results or passages.",
    )
    sources: list[str] = Field(
        default_factory=list, description="Help-centre article titles that must be retrieved."
    )
    latency_ms: float | None = Field(default=None, gt=0, description="Budget for this turn.")


class Turn(_Strict):
    """One customer message and the expectations on the bot's answer."""

    say: str = Field(description="The customer's message.")
    expect: TurnExpect = Field(default_factory=TurnExpect)


class CaseExpect(_Strict):
    """Expectations on the whole conversation."""

    actions: list[ToolExpect] | None = Field(
        default=None,
        description="Consequential actions executed, in this order; [] means none at all.",
    )
    handoff: bool | None = Field(
        default=None, description="Whether the conversation is handed to a human."
    )
    handoff_reason: str | None = Field(default=None, description="Why it is handed over.")
    final_orders: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Order id → fields the order must have at the end."
    )


class Case(_Strict):
    """A scripted conversation with expectations."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$", description="Stable id, unique in the suite.")
    description: str = Field(default="", description="What the case checks.")
    tags: list[str] = Field(default_factory=list, description="Groups for the report.")
    customer: str | None = Field(
        default=None, description="Signed-in customer id; null: the customer must identify."
    )
    turns: list[Turn] = Field(min_length=1)
    expect: CaseExpect = Field(default_factory=CaseExpect)


class SimTask(_Strict):
    """A simulated-customer task: an instruction for the LLM customer and the gold outcome.

    The expected final database is the initial one with `actions` applied (τ-bench's
    scoring); `outputs` must appear in the bot's replies; `handoff` says whether the
    conversation should end with a human.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$")
    customer: str | None = Field(default=None, description="Signed-in customer id, or null.")
    user: str | None = Field(
        default=None,
        description="The task's user in the order data, whose writes are audited "
        "(default: `customer`).",
    )
    instruction: str = Field(min_length=1, description="Who the customer is and what they want.")
    actions: list[ToolExpect] = Field(default_factory=list, description="Gold actions.")
    outputs: list[str] = Field(default_factory=list, description="Facts the bot must say.")
    handoff: bool = Field(default=False, description="Whether a human should take over.")
    max_turns: int = Field(default=10, ge=1, le=40, description="Customer messages at most.")


class Defaults(_Strict):
    """Suite-wide defaults applied to every case."""

    customer: str | None = Field(default="alex_morgan_1001", description="Signed-in customer.")
    latency_ms: float = Field(default=1500, gt=0, description="Per-turn budget, offline.")
    model_latency_ms: float = Field(
        default=20000, gt=0, description="Per-turn budget when a chat model drafts."
    )
    channel: str = Field(default="eval", description="Channel recorded on every message.")


class Suite(_Strict):
    """A versioned evaluation suite."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: int = Field(ge=1, description="Bumped whenever cases or expectations change.")
    description: str = Field(default="")
    mode: Literal["offline", "model"] = Field(
        default="offline",
        description="offline: meaningful without a model (runs in CI); model: needs one.",
    )
    defaults: Defaults = Field(default_factory=Defaults)
    cases: list[Case] = Field(default_factory=list)
    tasks: list[SimTask] = Field(default_factory=list)

    @field_validator("cases")
    @classmethod
    def _unique_cases(cls, cases: list[Case]) -> list[Case]:
        seen: set[str] = set()
        for case in cases:
            if case.id in seen:
                raise ValueError(f"duplicate case id: {case.id!r}")
            seen.add(case.id)
        return cases

    @model_validator(mode="after")
    def _not_empty(self) -> Suite:
        if not self.cases and not self.tasks:
            raise ValueError("a suite needs at least one case or task")
        ids = [task.id for task in self.tasks]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate task id")
        return self

    def customer_of(self, case: Case) -> str | None:
        """The case's customer, or the suite default when the case does not set one."""
        return case.customer if "customer" in case.model_fields_set else self.defaults.customer
