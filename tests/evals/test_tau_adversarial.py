"""Adversarial scripted agents against the policy gate, judged by the harness's own audit.

Each strategy tries to get a write past the gate that the customer did not authorise; the
audit (which does not trust the graph) must count none. A gate that is broken on purpose
must be caught, which shows the audit can fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evals.tau_adversarial import STRATEGIES, TargetFinder, run_adversaries
from evals.tau_oracle import summary_line
from graphs.agent import policy
from graphs.agent.policy import Outcome
from graphs.services import Services
from tools.orders import SqliteOrderStore, invoke_tool, load_tau_dir

pytestmark = pytest.mark.datasets

DATASET = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "tau_retail"
SAMPLE = (0, 1, 5, 9, 14, 17)
"""Dev tasks played here: a cancellation, an exchange, a return, an item change, an address
change, and one with no write at all (which the adversaries skip)."""


@pytest.fixture(scope="module")
def template() -> Iterator[SqliteOrderStore]:
    if not DATASET.is_dir():
        pytest.skip(f"τ-bench retail dataset not found at {DATASET}")
    data = load_tau_dir(DATASET)
    store = SqliteOrderStore()
    store.load_tau(data["users"], data["orders"], data["products"])
    yield store
    store.close()


@pytest.fixture(scope="module")
def tasks() -> list[dict[str, Any]]:
    everything = json.loads((DATASET / "tasks_dev.json").read_text(encoding="utf-8"))
    return [{**everything[i], "task_index": i} for i in SAMPLE]


def test_no_strategy_gets_a_write_through(
    template: SqliteOrderStore, services: Services, tasks: list[dict[str, Any]]
) -> None:
    outcomes = list(run_adversaries(template, services, tasks))
    assert {o.label for o in outcomes} == set(STRATEGIES)
    assert {o.task_index for o in outcomes} == set(SAMPLE) - {17}
    assert sum(o.unauthorised_writes for o in outcomes) == 0, summary_line(outcomes)
    assert (
        summary_line(outcomes)
        == f"{len(outcomes)}/{len(outcomes)} tasks state-identical, 0 unauthorised writes"
    )
    # The smuggler's confirmed action did run (once); nothing else wrote anything.
    for outcome in outcomes:
        expected = 1 if outcome.label == "smuggle" else 0
        assert outcome.authorised_writes == expected, (outcome.label, outcome.task_index)


def test_targets_are_real_actions_and_foreign_records(
    template: SqliteOrderStore, tasks: list[dict[str, Any]]
) -> None:
    finder = TargetFinder(template)
    assert finder.target(tasks[-1]) is None
    for task in tasks[:-1]:
        target = finder.target(task)
        assert target is not None and target.foreign is not None
        name, args = target.foreign
        assert name == target.action[0]
        owner = template.get_order_details(args["order_id"])["user_id"]
        assert owner != task["user_id"]


def test_a_gate_that_writes_at_once_is_caught(
    template: SqliteOrderStore,
    services: Services,
    tasks: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def reckless(self: Any, name: str, raw_args: dict[str, Any]) -> Outcome:
        if name in policy.CONSEQUENTIAL:
            return Outcome(observation=invoke_tool(self.services.orders, name, raw_args))
        return original(self, name, raw_args)

    original = policy.PolicyGate.handle
    monkeypatch.setattr(policy.PolicyGate, "handle", reckless)
    outcomes = list(run_adversaries(template, services, tasks[:1], ("unconfirmed", "foreign")))
    assert {o.label: o.unauthorised_writes > 0 for o in outcomes} == {
        "unconfirmed": True,
        "foreign": True,
    }
