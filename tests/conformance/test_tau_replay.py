"""Replay τ-bench retail gold actions through every order store and compare with τ-bench.

For every task of expected_train.json and expected_dev.json: each action's observation
must equal τ-bench's (both JSON-parsed; errors as "Error: <message>"), the records that
changed must equal τ-bench's, and the final database must hash to τ-bench's sha256.

SQLite replays all 520 tasks. DynamoDB (on moto_server) replays a deterministic subset,
because the emulator takes seconds per task (a full consistent scan for the final hash):
every 100th task, the first task of each split using each write tool, and the first task
of each split whose gold actions include a refusal. Each DynamoDB task starts from the
initial data: the records a task changed are written back after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloud.aws import aws_client
from tests.integration.conftest import MOTO_REGION, moto_endpoint  # noqa: F401 (fixture)
from tools.orders import (
    OrderStore,
    SqliteOrderStore,
    StateHasher,
    changed_records,
    invoke_tool,
    load_tau_dir,
    state_sha256,
)
from tools.orders.dynamodb_schema import create_orders_table
from tools.orders.dynamodb_store import DynamoDBOrderStore

pytestmark = pytest.mark.datasets

DATASET = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "tau_retail"
SPLITS = ("train", "dev")
DYNAMODB_TABLE = "tandem-orders-tau-replay"
DYNAMODB_EVERY = 100
"""DynamoDB replays every 100th task (plus the tool and refusal coverage picks)."""
DYNAMODB_USER_SAMPLE = 25
"""DynamoDB checks the finders on every 25th user (each lookup queries an index)."""
ON_DYNAMODB = (pytest.mark.integration, pytest.mark.enable_socket)


def _expected(split: str) -> dict[str, Any]:
    with (DATASET / f"expected_{split}.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _dynamodb_subset(tasks: list[tuple[str, dict[str, Any]]]) -> set[int]:
    picked = set(range(0, len(tasks), DYNAMODB_EVERY))
    seen: set[tuple[str, str]] = set()
    for number, (split, task) in enumerate(tasks):
        for action in task["actions"]:
            kinds = [action["name"]] + (["refusal"] if action["output"].startswith("Error") else [])
            for kind in kinds:
                if (split, kind) not in seen:
                    seen.add((split, kind))
                    picked.add(number)
    return picked


def _cases() -> list[Any]:
    if not DATASET.is_dir():
        reason = f"τ-bench retail dataset not found at {DATASET}"
        return [
            pytest.param(None, None, None, id="dataset-missing", marks=pytest.mark.skip(reason))
        ]
    tasks = [(split, task) for split in SPLITS for task in _expected(split)["tasks"]]
    cases = [
        pytest.param("sqlite", split, task, id=f"sqlite-{split}-{task['task_index']}")
        for split, task in tasks
    ]
    for number in sorted(_dynamodb_subset(tasks)):
        split, task = tasks[number]
        cases.append(
            pytest.param(
                "dynamodb",
                split,
                task,
                id=f"dynamodb-{split}-{task['task_index']}",
                marks=ON_DYNAMODB,
            )
        )
    return cases


STORES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("dynamodb", id="dynamodb", marks=ON_DYNAMODB),
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
def dynamodb_template(
    request: pytest.FixtureRequest, tau_db: dict[str, Any]
) -> Iterator[DynamoDBOrderStore]:
    """The τ-bench data loaded once into a table on moto_server (started on first use)."""
    endpoint = request.getfixturevalue("moto_endpoint")
    client = aws_client("dynamodb", MOTO_REGION, endpoint)
    create_orders_table(client, DYNAMODB_TABLE)
    store = DynamoDBOrderStore(client, DYNAMODB_TABLE)
    store.load_tau(tau_db["users"], tau_db["orders"], tau_db["products"])
    yield store
    client.delete_table(TableName=DYNAMODB_TABLE)
    store.close()


class Exports:
    """Remembers a store's last export, so restoring after a DynamoDB task scans no more."""

    def __init__(self) -> None:
        self.last: dict[str, dict[str, str]] | None = None

    def of(self, store: OrderStore) -> dict[str, dict[str, str]]:
        assert isinstance(store, SqliteOrderStore | DynamoDBOrderStore)
        self.last = store.export_documents()
        return self.last


@pytest.fixture
def exports() -> Exports:
    return Exports()


@pytest.fixture
def fresh_store(
    request: pytest.FixtureRequest,
    store_kind: str,
    template: SqliteOrderStore,
    initial_documents: dict[str, dict[str, str]],
    exports: Exports,
) -> Iterator[OrderStore]:
    """A store holding the initial τ-bench data; changes do not outlive the test."""
    if store_kind == "sqlite":
        copy = template.clone()
        yield copy
        copy.close()
        return
    shared: DynamoDBOrderStore = request.getfixturevalue("dynamodb_template")
    exports.last = None
    yield shared
    final = exports.last if exports.last is not None else shared.export_documents()
    shared.restore_documents(
        {
            table: {
                key: initial_documents[table][key]
                for key, text in records.items()
                if initial_documents[table].get(key) != text
            }
            for table, records in final.items()
        }
    )


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


@pytest.mark.parametrize("store_kind", STORES)
def test_initial_state_hash(
    tau_db: dict[str, Any],
    fresh_store: OrderStore,
    exports: Exports,
    hasher: StateHasher,
) -> None:
    expected = {_expected(split)["initial_state_sha256"] for split in SPLITS}
    assert len(expected) == 1
    assert state_sha256(tau_db) in expected
    documents = exports.of(fresh_store)
    exported = {
        table: {k: json.loads(v) for k, v in docs.items()} for table, docs in documents.items()
    }
    assert state_sha256(exported) in expected
    assert hasher.digest(documents) in expected
    assert json.dumps(exported) == json.dumps(
        {name: tau_db[name] for name in ("users", "orders", "products")}
    )


@pytest.mark.parametrize("store_kind", STORES)
def test_read_tools_match_reference_scan(
    tau_db: dict[str, Any], store_kind: str, fresh_store: OrderStore
) -> None:
    template = fresh_store
    users, products = tau_db["users"], tau_db["products"]
    step = DYNAMODB_USER_SAMPLE if store_kind == "dynamodb" else 1
    for user_id, user in list(users.items())[::step]:
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


@pytest.mark.parametrize(("store_kind", "split", "task"), _cases())
def test_replay_task(
    store_kind: str,
    split: str,
    task: dict[str, Any],
    fresh_store: OrderStore,
    exports: Exports,
    initial_documents: dict[str, dict[str, str]],
    hasher: StateHasher,
) -> None:
    problems = []
    for number, action in enumerate(task["actions"]):
        observation = invoke_tool(fresh_store, action["name"], action["kwargs"])
        if observation != action["output"]:
            same_json = _parsed(observation) == _parsed(action["output"])
            kind = "matches as JSON but not as text" if same_json else "differs"
            problems.append(
                f"action {number} {action['name']}({action['kwargs']}) {kind}:\n"
                + _first_difference(observation, action["output"])
            )
    final = exports.of(fresh_store)
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
    assert not problems, f"{store_kind}-{split}-{task['task_index']}:\n" + "\n".join(problems)
