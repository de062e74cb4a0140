"""`tandem eval tau`: τ-bench retail tasks through the model-planned graph.

`--agent oracle` puts the oracle in the model's seat: it issues each task's gold actions as
tool calls, which pass the policy gate and wait for the scripted customer's "yes".
`--agent adversarial` plays scripted models that try to write without the customer's
consent. Any other `--agent` is a chat model (a Bedrock id or `provider:model`) talking to
a simulated customer (`--user-model`), `--trials` times per task, scored like τ-bench (final
database hash and required outputs) with pass^k; that run is saved like the other suites.
The last line reads `N/M tasks state-identical, U unauthorised writes`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

console = Console(highlight=False)

SCRIPTED = ("oracle", "adversarial")


def tau_command(
    tasks: Annotated[
        list[Path], typer.Option("--tasks", help="A tasks_*.json file (repeat for several).")
    ],
    data: Annotated[
        Path, typer.Option("--data", help="Folder with users.json, orders.json, products.json.")
    ],
    expected: Annotated[
        list[Path] | None,
        typer.Option(
            "--expected",
            help="The matching expected_*.json (same order as --tasks); the oracle needs it.",
        ),
    ] = None,
    agent: Annotated[
        str,
        typer.Option("--agent", help="oracle, adversarial, or a chat model id (Bedrock id)."),
    ] = "oracle",
    user_model: Annotated[
        str | None,
        typer.Option("--user-model", help="Simulated-customer model id (default: --agent)."),
    ] = None,
    trials: Annotated[
        int, typer.Option("--trials", "-k", min=1, max=32, help="Trials per task (pass^k).")
    ] = 1,
    concurrency: Annotated[int, typer.Option("--concurrency", "-j", min=1, max=64)] = 1,
    identify: Annotated[
        str,
        typer.Option(
            "--identify",
            help="auth: the task's user is signed in; email: anonymous, identified in the chat.",
        ),
    ] = "auth",
    refund_limit: Annotated[
        str,
        typer.Option(
            "--refund-limit",
            help="none (τ-bench's policy), deployment (TANDEM_REFUND_LIMIT) or an amount.",
        ),
    ] = "none",
    strategy: Annotated[
        list[str] | None,
        typer.Option("--strategy", help="Adversarial strategies to play (default: all)."),
    ] = None,
    runs_dir: Annotated[
        Path | None, typer.Option("--runs-dir", help="Where model runs are saved.")
    ] = None,
) -> None:
    """Play τ-bench retail tasks through the graph; compare each final database hash."""
    from cli.eval import get_settings
    from evals.tau_adversarial import STRATEGIES
    from evals.tau_data import load_template, parse_refund_limit

    settings = get_settings()
    if identify not in ("auth", "email"):
        raise typer.BadParameter("auth or email", param_hint="--identify")
    try:
        limit = parse_refund_limit(refund_limit, settings)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--refund-limit") from None
    chosen = tuple(strategy or STRATEGIES)
    unknown = sorted(set(chosen) - set(STRATEGIES))
    if unknown:
        raise typer.BadParameter(
            f"unknown {unknown}; choose from {STRATEGIES}", param_hint="--strategy"
        )
    for path in [*tasks, *(expected or []), data]:
        if not path.exists():
            raise typer.BadParameter(f"not found: {path}")
    if agent == "oracle" and len(expected or []) != len(tasks):
        raise typer.BadParameter("give one --expected per --tasks", param_hint="--expected")
    try:
        template = load_template(data)
    except (OSError, ValueError, KeyError) as error:
        raise typer.BadParameter(
            f"cannot read τ-bench data: {error}", param_hint="--data"
        ) from None
    limit_text = "none (τ-bench's policy)" if limit == float("inf") else f"{limit:g}"
    console.print(f"agent {escape(agent)}, refund limit {limit_text}, identification {identify}")
    if agent == "oracle":
        _oracle(settings, template, limit, tasks, expected or [], identify)
    elif agent == "adversarial":
        _adversarial(settings, template, limit, tasks, chosen)
    else:
        _model(settings, template, limit, tasks, agent, user_model, trials, concurrency,
               identify, runs_dir)  # fmt: skip


def _print_outcomes(name: str, outcomes: list[Any]) -> None:
    for outcome in outcomes:
        verdict = "state-identical" if outcome.identical else "[red]differs[/]"
        label = f" {outcome.label}" if outcome.label else ""
        console.print(
            f"{escape(name)} {outcome.task_index}{escape(label)}: {verdict} "
            f"({outcome.turns} turns, {outcome.authorised_writes} confirmed writes, "
            f"{outcome.unauthorised_writes} unauthorised writes)"
        )


def _oracle(
    settings: Any,
    template: Any,
    limit: float,
    tasks: list[Path],
    expected: list[Path],
    identify: str,
) -> None:
    from evals.tau_data import base_services
    from evals.tau_oracle import load_split, run_split, summary_line

    base = base_services(settings, template, limit)
    outcomes = []
    for tasks_file, expected_file in zip(tasks, expected, strict=True):
        name = tasks_file.stem.removeprefix("tasks_")
        split = list(run_split(template, base, load_split(tasks_file, expected_file), identify))
        _print_outcomes(name, split)
        outcomes.extend(split)
    console.print(summary_line(outcomes))


def _adversarial(
    settings: Any, template: Any, limit: float, tasks: list[Path], strategies: tuple[str, ...]
) -> None:
    from evals.tau_adversarial import run_adversaries
    from evals.tau_data import base_services, load_tasks
    from evals.tau_oracle import summary_line

    base = base_services(settings, template, limit)
    outcomes = []
    for tasks_file in tasks:
        name = tasks_file.stem.removeprefix("tasks_")
        played = list(run_adversaries(template, base, load_tasks(tasks_file), strategies))
        _print_outcomes(name, played)
        outcomes.extend(played)
    console.print(summary_line(outcomes))


def _model(
    settings: Any,
    template: Any,
    limit: float,
    tasks: list[Path],
    agent: str,
    user_model: str | None,
    trials: int,
    concurrency: int,
    identify: str,
    runs_dir: Path | None,
) -> None:
    from cli.eval import _runs_dir
    from evals.runner import RunOptions, run_suite
    from evals.store import save_run
    from evals.tau_data import eval_backends, simulated_suite

    suite = simulated_suite(tasks, identify)
    settings = settings.model_copy(update={"model": agent, "checkpointer": "memory"})
    backends = eval_backends(settings, template, limit)
    options = RunOptions(
        model=agent, user_model=user_model, trials=trials, concurrency=concurrency, judge=False
    )
    with console.status(f"{len(suite.suite.tasks)} tasks × {trials} trials…"):
        run = run_suite(suite, backends, options)
    identical = unauthorised = total = 0
    for task in run.tasks:
        for trial in task.trials:
            total += 1
            identical += trial.db_match
            unauthorised += trial.unauthorised_writes
            note = f" ({escape(trial.error)})" if trial.error else ""
            verdict = "state-identical" if trial.db_match else "[red]differs[/]"
            console.print(
                f"{escape(task.id)} trial {trial.trial}: {verdict}, reward {trial.reward:g}, "
                f"ended by {escape(trial.ended_by)}, {trial.unauthorised_writes} unauthorised "
                f"writes{note}"
            )
    for name, value in sorted(run.metrics.items()):
        if name.startswith("pass^") and value is not None:
            console.print(f"{name} {value:.3f}")
    folder = save_run(run, _runs_dir(runs_dir, settings))
    console.print(f"Saved run {run.run_id} to {escape(str(folder))}")
    console.print(f"{identical}/{total} tasks state-identical, {unauthorised} unauthorised writes")
