"""Replay τ-bench retail gold actions through SqliteOrderStore and compare with τ-bench.

For every task of expected_train.json and expected_dev.json: each action's observation
must equal τ-bench's (both JSON-parsed; errors as "Error: <message>"), the records that
changed must equal τ-bench's, and the final database must hash to τ-bench's sha256.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.orders import (
    SqliteOrderStore,
    StateHasher,
    changed_records,
    invoke_tool,
    load_tau_dir,
    state_sha256,
)

pytestmark = pytest.mark.datasets

DATASET = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "tau_retail"
SPLITS = ("train", "dev")


def _expected(split: str) -> dict[str, Any]:
    with (DATASET / f"expected_{split}.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _cases() -> list[Any]:
    if not DATASET.is_dir():
        reason = f"τ-bench retail dataset not found at {DATASET}"
        return [pytest.param(None, None, id="dataset-missing", marks=pytest.mark.skip(reason))]
    return [
        pytest.param(split, task, id=f"{split}-{task['task_index']}")
        for split in SPLITS
        for task in _expected(split)["tasks"]
    ]


@pytest.fixture(scope="module")
def tau_db() -> dict[str, Any]:
    if not DATASET.is_dir():
        pytest.skip(f"τ-bench retail dataset not found at {DATASET}")
    return load_tau_dir(DATASET)


@pytest.fixture(scope="module")
def template(tau_db: dict[str, Any]) -> Iterator[SqliteOrderStore]:
    store = SqliteOrderStore()
    store.load_tau(tau_db["users"], tau_db["orders"], tau_db["products"])
    yield store
    store.close()


@pytest.fixture(scope="module")
def initial_documents(template: SqliteOrderStore) -> dict[str, dict[str, str]]:
    return template.export_documents()


@pytest.fixture(scope="module")
def hasher() -> StateHasher:
    return StateHasher()


def _parsed(observation: str) -> Any:
    try:
        return json.loads(observation)
    except json.JSONDecodeError:
        return observation


def _first_difference(got: str, expected: str, context: int = 80) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
        min(len(got), len(expected)),
    )
    start = max(at - context, 0)
    return (
        f"  first difference at character {at}:\n"
        f"  got      ...{got[start : at + context]}...\n"
        f"  expected ...{expected[start : at + context]}..."
    )


def test_initial_state_hash(
    tau_db: dict[str, Any],
    template: SqliteOrderStore,
    initial_documents: dict[str, dict[str, str]],
    hasher: StateHasher,
) -> None:
    expected = {_expected(split)["initial_state_sha256"] for split in SPLITS}
    assert len(expected) == 1
    assert state_sha256(tau_db) in expected
    assert state_sha256(template.export_tau()) in expected
    assert hasher.digest(initial_documents) in expected
    assert json.dumps(template.export_tau()) == json.dumps(
        {name: tau_db[name] for name in ("users", "orders", "products")}
    )


def test_read_tools_match_reference_scan(
    tau_db: dict[str, Any], template: SqliteOrderStore
) -> None:
    users, products = tau_db["users"], tau_db["products"]
    for user_id, user in users.items():
        by_email = next(u for u, p in users.items() if p["email"].lower() == user["email"].lower())
        assert template.find_user_id_by_email(user["email"].upper()) == by_email
        name, zip_code = user["name"], user["address"]["zip"]
        by_name = next(
            u
            for u, p in users.items()
            if p["name"]["first_name"].lower() == name["first_name"].lower()
            and p["name"]["last_name"].lower() == name["last_name"].lower()
            and p["address"]["zip"] == zip_code
        )
        assert template.find_user_id_by_name_zip(
            name["first_name"], name["last_name"].lower(), zip_code
        ) == (by_name)
        assert template.get_user_details(user_id) == user
    types = dict(sorted({p["name"]: p["product_id"] for p in products.values()}.items()))
    assert json.dumps(template.list_all_product_types()) == json.dumps(types)


@pytest.mark.parametrize(("split", "task"), _cases())
def test_replay_task(
    split: str,
    task: dict[str, Any],
    template: SqliteOrderStore,
    initial_documents: dict[str, dict[str, str]],
    hasher: StateHasher,
) -> None:
    store = template.clone()
    try:
        problems = []
        for number, action in enumerate(task["actions"]):
            observation = invoke_tool(store, action["name"], action["kwargs"])
            if observation != action["output"]:
                same_json = _parsed(observation) == _parsed(action["output"])
                kind = "matches as JSON but not as text" if same_json else "differs"
                problems.append(
                    f"action {number} {action['name']}({action['kwargs']}) {kind}:\n"
                    + _first_difference(observation, action["output"])
                )
        final = store.export_documents()
    finally:
        store.close()
    changed = changed_records(initial_documents, final)
    expected_changes = task["changed_records"]
    for table in sorted(set(changed) | set(expected_changes)):
        got, want = changed.get(table, {}), expected_changes.get(table, {})
        differing = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        if differing:
            problems.append(f"changed {table} records differ: {differing}")
    digest = hasher.digest(final)
    if digest != task["final_state_sha256"]:
        problems.append(f"final sha256 {digest} != {task['final_state_sha256']}")
    assert not problems, f"{split}-{task['task_index']}:\n" + "\n".join(problems)
