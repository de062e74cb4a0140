"""τ-bench retail tasks through the model-planned graph with the oracle in the model's seat.

Every gold action passes the policy gate and every write waits for the scripted
customer's "yes"; the final database must hash to τ-bench's expected state. With the
deployment's refund limit, exactly the tasks whose gold return refunds more than the
limit differ (the gate refuses those returns, as policy requires).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from evals.tau_oracle import load_split, run_split, summary_line
from graphs.services import Services
from tools.orders import SqliteOrderStore, load_tau_dir

pytestmark = pytest.mark.datasets

DATASET = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "tau_retail"
TRAIN_EVERY = 17
"""The train sample: every 17th task (30 of 500)."""


@pytest.fixture(scope="module")
def template() -> Iterator[SqliteOrderStore]:
    if not DATASET.is_dir():
        pytest.skip(f"τ-bench retail dataset not found at {DATASET}")
    data = load_tau_dir(DATASET)
    store = SqliteOrderStore()
    store.load_tau(data["users"], data["orders"], data["products"])
    yield store
    store.close()


def _cases(split: str) -> list[tuple[dict[str, Any], str]]:
    cases = load_split(DATASET / f"tasks_{split}.json", DATASET / f"expected_{split}.json")
    return cases if split == "dev" else cases[::TRAIN_EVERY]


def _refund_over(task: dict[str, Any], data: SqliteOrderStore, limit: float) -> bool:
    for action in task["actions"]:
        if action["name"] != "return_delivered_order_items":
            continue
        order = data.get_order_details(action["kwargs"]["order_id"])
        prices = {item["item_id"]: item["price"] for item in order["items"]}
        if sum(prices.get(i, 0.0) for i in action["kwargs"]["item_ids"]) > limit:
            return True
    return False


@pytest.mark.parametrize(
    ("split", "identify"), [("dev", "auth"), ("dev", "email"), ("train", "auth")]
)
def test_oracle_reaches_the_expected_state(
    split: str, identify: str, template: SqliteOrderStore, services: Services
) -> None:
    base = replace(services, limits=replace(services.limits, refund_limit=float("inf")))
    outcomes = list(run_split(template, base, _cases(split), identify))
    assert [o.task_index for o in outcomes if not o.identical] == [], summary_line(outcomes)
    assert all(o.unauthorised_writes == 0 and o.actions_left == 0 for o in outcomes)


def test_the_refund_limit_is_the_only_difference(
    template: SqliteOrderStore, services: Services
) -> None:
    cases = _cases("dev")
    limit = services.limits.refund_limit
    outcomes = list(run_split(template, services, cases))
    differing = [o.task_index for o in outcomes if not o.identical]
    over = [task["task_index"] for task, _ in cases if _refund_over(task, template, limit)]
    assert differing == over
    assert sum(o.unauthorised_writes for o in outcomes) == 0


def test_cli_prints_each_task_and_the_count(
    monkeypatch: pytest.MonkeyPatch, eval_settings: Any, template: SqliteOrderStore, tmp_path: Path
) -> None:
    import json

    from typer.testing import CliRunner

    import cli.eval as eval_cli

    monkeypatch.setattr(eval_cli, "get_settings", lambda: eval_settings)
    tasks = json.loads((DATASET / "tasks_dev.json").read_text(encoding="utf-8"))[:9]
    (tmp_path / "tasks_dev.json").write_text(json.dumps(tasks), encoding="utf-8")
    args = ["tau", "--agent", "oracle", "--tasks", str(tmp_path / "tasks_dev.json")]
    args += ["--expected", str(DATASET / "expected_dev.json"), "--data", str(DATASET)]
    env = {"COLUMNS": "200", "NO_COLOR": "1"}
    result = CliRunner().invoke(eval_cli.eval_app, args, env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "agent oracle, refund limit none (τ-bench's policy), identification auth"
    assert lines[1].startswith("dev 0: state-identical")
    assert lines[-1] == "9/9 tasks state-identical, 0 unauthorised writes"
    deployment = [*args, "--refund-limit", "deployment"]
    limited = CliRunner().invoke(eval_cli.eval_app, deployment, env=env)
    assert limited.output.strip().splitlines()[-1].startswith("8/9 tasks state-identical")
