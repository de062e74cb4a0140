"""τ-bench retail gold-action replay through Tandem's order store.

For every task in `expected_train.json` and `expected_dev.json`, the gold actions run
through `tools.orders.replay_tools.invoke_tool` on a fresh copy of τ-bench's initial data;
a task matches when every observation equals τ-bench's (as JSON) and the final database
hashes to τ-bench's sha256. τ-bench scores agents by exactly this hash.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.result import BenchmarkResult, missing, skipped
from config.settings import Settings
from tools.orders import SqliteOrderStore, StateHasher, invoke_tool, load_tau_dir

SPLITS = ("train", "dev")
FILES = ("users.json", "orders.json", "products.json")


def _same(observation: str, expected: str) -> bool:
    if observation == expected:
        return True
    try:
        return bool(json.loads(observation) == json.loads(expected))
    except json.JSONDecodeError:
        return False


def tau_replay(datasets: Path, settings: Settings | None = None) -> BenchmarkResult:
    """Replay every task's gold actions; report observation and final-hash agreement.

    `settings` is accepted like every benchmark's and not needed here.
    """
    folder = datasets / "tau_retail"
    reason = missing(folder, [*FILES, *(f"expected_{split}.json" for split in SPLITS)])
    if reason:
        return skipped("tau_replay", reason)
    data = load_tau_dir(folder)
    template = SqliteOrderStore()
    template.load_tau(data["users"], data["orders"], data["products"])
    hasher = StateHasher()
    tasks = actions = actions_ok = hashes_ok = 0
    mismatches: list[str] = []
    per_split: dict[str, Any] = {}
    try:
        for split in SPLITS:
            expected = json.loads((folder / f"expected_{split}.json").read_text(encoding="utf-8"))
            split_ok = 0
            for task in expected["tasks"]:
                store = template.clone()
                try:
                    for action in task["actions"]:
                        observation = invoke_tool(store, action["name"], action["kwargs"])
                        actions += 1
                        actions_ok += _same(observation, action["output"])
                    digest = hasher.digest(store.export_documents())
                finally:
                    store.close()
                tasks += 1
                if digest == task["final_state_sha256"]:
                    hashes_ok += 1
                    split_ok += 1
                elif len(mismatches) < 20:
                    mismatches.append(f"{split}-{task['task_index']}")
            per_split[split] = {"tasks": len(expected["tasks"]), "final_hash_match": split_ok}
    finally:
        template.close()
    return BenchmarkResult(
        name="tau_replay",
        dataset=f"tau_retail: {tasks} tasks, {actions} gold actions",
        metrics={
            "final_hash_match": hashes_ok / tasks if tasks else 0.0,
            "observation_match": actions_ok / actions if actions else 0.0,
            "tasks": float(tasks),
        },
        reference={"final_hash_match": "1.000: same semantics as τ-bench"},
        details={"splits": per_split, "mismatched_tasks": mismatches},
    )
