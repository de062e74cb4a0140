"""τ-bench retail data for the harness: the order store, the services and the task suite.

`--data DIR` holds τ-bench's `users.json`, `orders.json` and `products.json`; a tasks file is
a list in the shape of `tasks_dev.json` (user id, instruction, gold actions, outputs).
The refund limit is τ-bench's policy by default (none); `deployment` uses the deployment's.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from config.settings import Settings
from evals.backends import EvalBackends
from evals.loader import LoadedSuite
from evals.schema import SimTask, Suite, ToolExpect
from graphs.services import Services
from prompts.catalogue import load_catalogue
from tools.knowledge.demo import ensure_demo_kb
from tools.orders import SqliteOrderStore, load_tau_dir
from tools.sentiment import VaderSentimentAnalyzer
from wiring.backends import load_intent_classifier, turn_limits

TAU_MAX_TURNS = 20
"""Customer messages per simulated conversation (τ-bench allows 30 steps of both sides)."""


def parse_refund_limit(value: str, settings: Settings) -> float:
    """`none` (τ-bench's policy: no limit), `deployment` (the setting) or an amount."""
    if value == "none":
        return math.inf
    if value == "deployment":
        return settings.refund_limit
    try:
        amount = float(value)
    except ValueError:
        raise ValueError("none, deployment or an amount") from None
    if not amount >= 0:
        raise ValueError("an amount of 0 or more")
    return amount


def load_template(data: Path) -> SqliteOrderStore:
    """An in-memory order store holding τ-bench's data from `data`."""
    tau = load_tau_dir(data)
    store = SqliteOrderStore()
    store.load_tau(tau["users"], tau["orders"], tau["products"])
    return store


def base_services(settings: Settings, template: SqliteOrderStore, refund_limit: float) -> Services:
    """The services every task's conversation starts from (each gets its own store copy)."""
    catalogue = load_catalogue()
    return Services(
        orders=template,
        kb=ensure_demo_kb(":memory:", settings.tenant),
        sentiment=VaderSentimentAnalyzer(),
        classifier=load_intent_classifier(settings, catalogue),
        catalogue=catalogue,
        limits=replace(turn_limits(settings), refund_limit=refund_limit),
        default_tenant=settings.tenant,
    )


def eval_backends(
    settings: Settings, template: SqliteOrderStore, refund_limit: float
) -> EvalBackends:
    """The evaluation runner's backends on τ-bench's data (for simulated customers)."""
    base = base_services(settings, template, refund_limit)
    return EvalBackends(
        orders=template,
        kb=base.kb,
        classifier=base.classifier,
        catalogue=base.catalogue,
        settings=settings.model_copy(update={"refund_limit": refund_limit}),
    )


def load_tasks(tasks_file: Path) -> list[dict[str, Any]]:
    """A τ-bench task list, each task with its `task_index`."""
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    if not isinstance(tasks, list):
        raise ValueError(f"{tasks_file}: expected a JSON list of tasks")
    return [{**task, "task_index": i} for i, task in enumerate(tasks)]


def simulated_suite(
    tasks_files: list[Path], identify: str, max_turns: int = TAU_MAX_TURNS
) -> LoadedSuite:
    """The tasks as a simulated-customer suite (the customer is signed in with `auth`)."""
    digest = hashlib.sha256()
    tasks: list[SimTask] = []
    for tasks_file in tasks_files:
        digest.update(tasks_file.read_bytes())
        split = tasks_file.stem.removeprefix("tasks_")
        for task in load_tasks(tasks_file):
            tasks.append(
                SimTask(
                    id=f"{split}-{task['task_index']}",
                    customer=task["user_id"] if identify == "auth" else None,
                    user=task["user_id"],
                    instruction=task["instruction"],
                    actions=[ToolExpect(name=a["name"], args=a["kwargs"]) for a in task["actions"]],
                    outputs=list(task.get("outputs") or []),
                    max_turns=max_turns,
                )
            )
    suite = Suite(
        name="tau-retail",
        version=1,
        description="τ-bench retail tasks with a simulated customer.",
        mode="model",
        tasks=tasks,
    )
    return LoadedSuite(suite=suite, path=tasks_files[0], sha256=digest.hexdigest())
