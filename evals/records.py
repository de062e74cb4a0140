"""What an evaluation run records: per turn, per case, per simulated task, and the run.

Everything is a pydantic model so a run round-trips through `results.json` exactly, and
`tandem eval compare` can work from two saved files alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field


class Usage(BaseModel):
    """Token usage of chat-model calls."""

    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0
    models: list[str] = Field(default_factory=list)

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def add(self, other: Usage) -> Usage:
        """The sum of this usage and `other`."""
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            calls=self.calls + other.calls,
            models=sorted(set(self.models) | set(other.models)),
        )


class ToolCall(BaseModel):
    """A tool called during a turn: by the graph's nodes, or by the drafting model."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    source: Literal["graph", "model"] = "graph"
    amount: float | None = None
    """For refunds and cancellations: the amount the action moves back to the customer."""


class Claim(BaseModel):
    """A checkable fact stated in a reply (amount, id, duration, ...).

    `grounded` says whether the conversation's tool results, passages or the help centre
    support it.
    """

    kind: str
    text: str
    grounded: bool


class CheckResult(BaseModel):
    """One expectation or policy check and its outcome."""

    name: str
    passed: bool
    turn: int | None = None
    expected: Any = None
    actual: Any = None
    detail: str = ""
    policy: bool = False


class TurnRecord(BaseModel):
    """What happened on one turn."""

    index: int
    say: str
    reply: str = ""
    intent: str | None = None
    intent_confidence: float = 0.0
    intent_source: str | None = None
    route: str | None = None
    customer_id: str | None = None
    """The customer the conversation is identified as after the turn."""
    entities: dict[str, Any] = Field(default_factory=dict)
    tool_calls: list[ToolCall] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    pending_action: dict[str, Any] | None = None
    handoff: bool = False
    handoff_reason: str | None = None
    handoff_status: str = "none"
    latency_ms: float = 0.0
    usage: Usage = Field(default_factory=Usage)
    claims: list[Claim] = Field(default_factory=list)
    error: str | None = None


class JudgeScore(BaseModel):
    """The LLM judge's scores (1–5) for one conversation."""

    helpfulness: float | None = None
    tone: float | None = None
    policy_adherence: float | None = None
    rationale: str = ""
    error: str | None = None
    usage: Usage = Field(default_factory=Usage)


class CaseStatsRecord(BaseModel):
    """Per-case counts the run's metrics are computed from (so runs can be compared)."""

    intent_pairs: list[tuple[str, str]] = Field(default_factory=list)
    tool_tp: int = 0
    tool_fp: int = 0
    tool_fn: int = 0
    handoff_expected: bool | None = None
    handoff_actual: bool = False
    handoff_reason_ok: bool | None = None
    claims: int = 0
    grounded_claims: int = 0
    violations: int = 0


class CaseResult(BaseModel):
    """The outcome of one scripted conversation."""

    id: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    customer: str | None = None
    passed: bool = False
    checks: list[CheckResult] = Field(default_factory=list)
    turns: list[TurnRecord] = Field(default_factory=list)
    stats: CaseStatsRecord = Field(default_factory=CaseStatsRecord)
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None
    judge: JudgeScore | None = None
    error: str | None = None

    @property
    def failed_checks(self) -> list[CheckResult]:
        """The checks that did not pass."""
        return [check for check in self.checks if not check.passed]

    @property
    def violations(self) -> list[CheckResult]:
        """Failed policy checks."""
        return [check for check in self.checks if check.policy and not check.passed]


class TrialResult(BaseModel):
    """One simulated-customer conversation for a task."""

    trial: int
    reward: float = 0.0
    db_match: bool = False
    outputs_ok: bool = True
    handoff_ok: bool = True
    unauthorised_writes: int = 0
    """Writes the customer did not confirm (see `evals.tau_writes`); counted when the task
    names its user."""
    ended_by: str = ""
    transcript: list[dict[str, str]] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    user_usage: Usage = Field(default_factory=Usage)
    error: str | None = None


class TaskResult(BaseModel):
    """Every trial of one simulated-customer task."""

    id: str
    trials: list[TrialResult] = Field(default_factory=list)

    @property
    def successes(self) -> int:
        """Trials with full reward."""
        return sum(1 for trial in self.trials if trial.reward >= 1.0)


class StageStatus(BaseModel):
    """Whether an optional stage (judge, simulation) ran, and why not if it did not."""

    status: Literal["ran", "skipped", "failed"] = "skipped"
    reason: str = ""
    model: str | None = None


class RunResult(BaseModel):
    """A whole evaluation run: what produced it, every case, and the metrics."""

    run_id: str
    suite: dict[str, Any]
    metadata: dict[str, Any] = Field(default_factory=dict)
    started_at: str = ""
    duration_s: float = 0.0
    cases: list[CaseResult] = Field(default_factory=list)
    tasks: list[TaskResult] = Field(default_factory=list)
    metrics: dict[str, float | None] = Field(default_factory=dict)
    judge: StageStatus = Field(default_factory=StageStatus)
    simulation: StageStatus = Field(default_factory=StageStatus)

    def save(self, path: Path) -> Path:
        """Write the run as JSON to `path`; return the path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> RunResult:
        """Read a run written by :meth:`save`."""
        return cls.model_validate_json(path.read_text(encoding="utf-8"))

    def case(self, case_id: str) -> CaseResult | None:
        """The case called `case_id`, if the run has it."""
        return next((case for case in self.cases if case.id == case_id), None)
