"""`tandem eval tau`: τ-bench retail tasks through the model-planned graph.

`--agent oracle` puts the oracle in the model's seat: it issues each task's gold actions
as tool calls, which pass the policy gate and wait for the scripted customer's "yes". The
last line reads `N/M tasks state-identical, U unauthorised writes`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

console = Console(highlight=False)


def tau_command(
    tasks: Annotated[
        list[Path], typer.Option("--tasks", help="A tasks_*.json file (repeat for several).")
    ],
    expected: Annotated[
        list[Path],
        typer.Option("--expected", help="The matching expected_*.json (same order as --tasks)."),
    ],
    data: Annotated[
        Path, typer.Option("--data", help="Folder with users.json, orders.json, products.json.")
    ],
    agent: Annotated[str, typer.Option("--agent", help="Who plans the turns: oracle.")] = "oracle",
    identify: Annotated[
        str,
        typer.Option(
            "--identify",
            help="auth: the task's user is signed in; email: anonymous, looked up by email "
            "through the policy gate first.",
        ),
    ] = "auth",
    refund_limit: Annotated[
        float | None,
        typer.Option("--refund-limit", help="Override the deployment's refund limit."),
    ] = None,
) -> None:
    """Play τ-bench retail tasks through the graph; compare each final database hash."""
    from dataclasses import replace

    from cli.eval import get_settings
    from evals.tau_oracle import load_split, run_split, summary_line
    from graphs.services import Services
    from prompts.catalogue import load_catalogue
    from tools.knowledge.demo import ensure_demo_kb
    from tools.orders import SqliteOrderStore, load_tau_dir
    from tools.sentiment import VaderSentimentAnalyzer
    from wiring.backends import load_intent_classifier, turn_limits

    if agent != "oracle":
        raise typer.BadParameter("only the oracle agent is available", param_hint="--agent")
    if identify not in ("auth", "email"):
        raise typer.BadParameter("auth or email", param_hint="--identify")
    if len(tasks) != len(expected):
        raise typer.BadParameter("give one --expected per --tasks", param_hint="--expected")
    settings = get_settings()
    catalogue = load_catalogue()
    limits = turn_limits(settings)
    if refund_limit is not None:
        limits = replace(limits, refund_limit=refund_limit)
    template = SqliteOrderStore()
    tau = load_tau_dir(data)
    template.load_tau(tau["users"], tau["orders"], tau["products"])
    base = Services(
        orders=template,
        kb=ensure_demo_kb(":memory:", settings.tenant),
        sentiment=VaderSentimentAnalyzer(),
        classifier=load_intent_classifier(settings, catalogue),
        catalogue=catalogue,
        limits=limits,
        default_tenant=settings.tenant,
    )
    outcomes = []
    for tasks_file, expected_file in zip(tasks, expected, strict=True):
        name = tasks_file.stem.removeprefix("tasks_")
        for outcome in run_split(template, base, load_split(tasks_file, expected_file), identify):
            outcomes.append(outcome)
            verdict = "state-identical" if outcome.identical else "[red]differs[/]"
            console.print(
                f"{escape(name)} {outcome.task_index}: {verdict} ({outcome.turns} turns, "
                f"{outcome.unauthorised_writes} unauthorised writes, "
                f"{outcome.actions_left} actions not issued)"
            )
    console.print(f"refund limit {limits.refund_limit:g}, identification {identify}")
    console.print(summary_line(outcomes))
