"""`tandem eval`: run evaluation suites, compare runs, run the public benchmarks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from config.settings import Settings
    from evals.benchmarks import BenchmarkResult
    from evals.records import RunResult

eval_app = typer.Typer(
    name="eval",
    help="Evaluate Tandem: suites with expectations, run comparison, public benchmarks.",
    no_args_is_help=True,
    add_completion=False,
)

console = Console(highlight=False)

RunsDir = Annotated[
    Path | None,
    typer.Option("--runs-dir", help="Where runs are saved (default: DATA_DIR/evals/runs)."),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[bold red]Error:[/] {escape(message)}")
    return typer.Exit(code=code)


def get_settings() -> Settings:
    """The process-wide settings (imported on first use: pydantic is slow to import)."""
    from config.settings import get_settings as settings

    return settings()


def _runs_dir(runs_dir: Path | None, settings: Settings | None = None) -> Path:
    from evals.store import default_runs_dir

    return (runs_dir or default_runs_dir((settings or get_settings()).data_dir)).expanduser()


class _Bar:
    """A rich progress bar fed by the runner's `(stage, done, total)` callback."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done)


@eval_app.command("list")
def list_command(
    runs: Annotated[bool, typer.Option("--runs", help="List saved runs instead.")] = False,
    runs_dir: RunsDir = None,
) -> None:
    """List the evaluation suites (or, with --runs, the saved runs)."""
    from evals.loader import SuiteError, load_suite, suite_paths
    from evals.records import RunResult
    from evals.store import list_runs

    if runs:
        folder = _runs_dir(runs_dir)
        table = Table(title=f"Saved runs · {escape(str(folder))}")
        for column in ("run", "suite", "cases", "passed", "model"):
            table.add_column(column)
        for path in list_runs(folder):
            run = RunResult.load(path / "results.json")
            passed = sum(1 for c in run.cases if c.passed)
            model = run.metadata.get("models", {}).get("agent") or "offline"
            table.add_row(
                run.run_id, str(run.suite.get("name")), str(len(run.cases)), str(passed), model
            )
        console.print(table)
        return
    table = Table(title="Evaluation suites")
    for column in ("suite", "version", "mode", "cases", "tasks", "description"):
        table.add_column(column)
    for name, path in suite_paths().items():
        try:
            suite = load_suite(path).suite
        except SuiteError as error:
            table.add_row(name, "—", "invalid", "—", "—", escape(str(error).splitlines()[0]))
            continue
        table.add_row(
            name, str(suite.version), suite.mode, str(len(suite.cases)), str(len(suite.tasks)),
            escape(suite.description.strip().splitlines()[0] if suite.description else ""),
        )  # fmt: skip
    console.print(table)


def _summary_table(run: RunResult) -> Table:
    from evals.metrics import METRICS, format_value

    table = Table(title=f"{escape(str(run.suite.get('name')))} · {run.run_id}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, info in METRICS.items():
        table.add_row(info.label, format_value(name, run.metrics.get(name)))
    for name, value in run.metrics.items():
        if name.startswith("pass^"):
            table.add_row(f"simulated customers {name}", format_value("pass_rate", value))
    return table


@eval_app.command("run")
def run_command(
    suite: Annotated[str, typer.Argument(help="Suite name (see `tandem eval list`) or file.")],
    prompts: Annotated[
        str | None,
        typer.Option(
            "--prompts", help="Prompt version: N (each template's newest ≤ N) or NAME=N,..."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", help="Chat model id (Bedrock id or provider:model); default: settings."
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Ignore any configured model.")
    ] = False,
    judge_model: Annotated[
        str | None, typer.Option("--judge-model", help="Judge model id.")
    ] = None,
    user_model: Annotated[
        str | None, typer.Option("--user-model", help="Simulated-customer model id.")
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-j", min=1, max=64)] = 1,
    trials: Annotated[
        int, typer.Option("--trials", "-k", min=1, max=32, help="pass^k trials.")
    ] = 3,
    no_judge: Annotated[bool, typer.Option("--no-judge", help="Skip the LLM judge.")] = False,
    no_simulate: Annotated[
        bool, typer.Option("--no-simulate", help="Skip simulated customers.")
    ] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Only cases with this id or tag.")
    ] = None,
    catalogue: Annotated[
        Path | None, typer.Option("--catalogue", help="Evaluate with this intent catalogue file.")
    ] = None,
    gate: Annotated[
        bool,
        typer.Option("--gate", help="Exit 1 when a threshold of evals/thresholds.yaml is missed."),
    ] = False,
    no_latency: Annotated[
        bool,
        typer.Option(
            "--no-latency",
            help="Skip latency budgets and latency thresholds (a shared or loaded machine).",
        ),
    ] = False,
    runs_dir: RunsDir = None,
) -> None:
    """Run a suite through the real support graph; save results.json, report.md and report.html."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from evals.backends import build_backends
    from evals.gate import check_gate, gate_report, load_thresholds, without_latency
    from evals.loader import SuiteError, load_suite
    from evals.metadata import parse_prompt_versions
    from evals.runner import RunOptions, run_suite
    from evals.store import save_run

    try:
        loaded = load_suite(suite)
        pinned = parse_prompt_versions(prompts)
    except (SuiteError, ValueError) as error:
        raise _fail(str(error)) from None
    if catalogue is not None and not catalogue.expanduser().is_file():
        raise _fail(f"catalogue file not found: {catalogue}")
    base = get_settings()
    chosen = "" if offline else (model if model is not None else base.model)
    settings = base.model_copy(update={"model": chosen, "checkpointer": "memory"})
    options = RunOptions(
        model=chosen, judge_model=judge_model, user_model=user_model, prompt_versions=pinned,
        concurrency=concurrency, trials=trials, judge=not no_judge, simulate=not no_simulate,
        only=list(only or []), check_latency=not no_latency,
    )  # fmt: skip
    try:
        backends = build_backends(settings, catalogue.expanduser() if catalogue else None)
    except (OSError, ValueError) as error:
        raise _fail(f"could not prepare the evaluation backends: {error}") from None
    columns = (
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(),
    )  # fmt: skip
    with Progress(*columns, console=console, transient=False) as progress:
        run = run_suite(loaded, backends, options, progress=_Bar(progress))
    if not run.cases and not run.tasks:
        raise _fail(f"no case of suite {loaded.suite.name} matches --only {options.only}")
    folder = save_run(run, _runs_dir(runs_dir, settings))
    console.print(_summary_table(run))
    failed = [c for c in run.cases if not c.passed]
    for case in failed[:15]:
        names = ", ".join(sorted({c.name for c in case.failed_checks}))
        console.print(f"  [red]✗[/] {escape(case.id)} [dim]({escape(names)})[/]")
    if len(failed) > 15:
        console.print(f"  … and {len(failed) - 15} more")
    console.print(f"[dim]judge: {run.judge.status} {escape(run.judge.reason)}[/]")
    console.print(f"[dim]simulation: {run.simulation.status} {escape(run.simulation.reason)}[/]")
    console.print(f"Saved run [bold]{run.run_id}[/] to {escape(str(folder))}")
    console.print(f"  report: {escape(str(folder / 'report.html'))}")
    if gate:
        thresholds = load_thresholds(loaded.suite.name)
        if no_latency:
            thresholds = without_latency(thresholds)
        failures = check_gate(run, thresholds, allow_missing=bool(options.only))
        if failures:
            console.print(escape(gate_report(run, failures)))
            raise typer.Exit(code=1)
        console.print("[green]Quality gate passed.[/]")


@eval_app.command("compare")
def compare_command(
    run_a: Annotated[
        str, typer.Argument(help="Baseline run: id, prefix, folder, file or latest~N.")
    ],
    run_b: Annotated[str, typer.Argument(help="Candidate run.")],
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the comparison as Markdown.")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every case, not only flips.")
    ] = False,
    runs_dir: RunsDir = None,
) -> None:
    """Compare two runs per metric and per case, with significance tests."""
    from evals.compare import compare_runs, format_delta, render_comparison_markdown
    from evals.metrics import format_value
    from evals.store import RunNotFound, load_run

    folder = _runs_dir(runs_dir)
    try:
        a, b = load_run(run_a, folder), load_run(run_b, folder)
    except RunNotFound as error:
        raise _fail(str(error)) from None
    result = compare_runs(a, b)
    for warning in result.warnings:
        console.print(f"[yellow]⚠ {escape(warning)}[/]")
    changed = Table(title="What differs between the runs")
    for column in ("", "A", "B"):
        changed.add_column(column)
    for key, left, right in result.context:
        style = "bold yellow" if left != right else "dim"
        changed.add_row(key, escape(str(left)), escape(str(right)), style=style)
    console.print(changed)
    table = Table(
        title=f"A {escape(a.run_id)} → B {escape(b.run_id)} ({result.paired} paired cases)"
    )
    for column in ("metric", "A", "B", "Δ [95% CI]", "p", "verdict"):
        table.add_column(column, justify="right" if column in ("A", "B", "p") else "left")
    colours = {"better": "green", "worse": "red"}
    for m in result.metrics:
        colour = colours.get(m.verdict, "white")
        table.add_row(
            m.label, format_value(m.name, m.a), format_value(m.name, m.b), format_delta(m),
            f"{m.p_value:.3f}" if m.p_value is not None else "",
            f"[{colour}]{m.verdict}[/]",
        )  # fmt: skip
    console.print(table)
    cases = Table(title="Cases")
    for column in ("case", "A", "B", "change", "failing checks in B"):
        cases.add_column(column)
    marks = {True: "[green]pass[/]", False: "[red]fail[/]", None: "—"}
    for case in result.cases:
        if case.flip == "same" and not show_all:
            continue
        cases.add_row(
            escape(case.id), marks[case.a_passed], marks[case.b_passed], case.flip,
            escape(", ".join(case.b_failed)),
        )  # fmt: skip
    if cases.row_count:
        console.print(cases)
    broke, fixed = len(result.flipped("broke")), len(result.flipped("fixed"))
    console.print(f"{fixed} fixed, {broke} broke.")
    if markdown:
        markdown.write_text(render_comparison_markdown(result), encoding="utf-8")
        console.print(f"Wrote {escape(str(markdown))}")


def _benchmark_rows(results: list[BenchmarkResult]) -> Table:
    table = Table(title="Public benchmarks")
    table.add_column("benchmark", no_wrap=True)
    table.add_column("metric", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("reference", overflow="fold")
    table.add_column("time", justify="right", no_wrap=True)
    for result in results:
        if result.status != "ok":
            table.add_row(
                result.name, result.status, "", escape(result.reason), f"{result.seconds:.1f} s"
            )
            continue
        for i, (metric, value) in enumerate(result.metrics.items()):
            shown = (
                f"{value:.0f}"
                if metric == "tasks"
                else f"{value:.4f}"
                if abs(value) < 10
                else f"{value:.1f}"
            )
            reference = result.reference.get(metric, "")
            table.add_row(
                result.name if i == 0 else "", metric, shown, escape(reference),
                f"{result.seconds:.1f} s" if i == 0 else "",
            )  # fmt: skip
        table.add_section()
    return table


@eval_app.command("benchmarks")
def benchmarks_command(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only these: banking77, banking77_fewshot, clinc150, bitext, tau_replay, "
            "kb_retrieval.",
        ),
    ] = None,
    datasets: Annotated[
        Path | None,
        typer.Option(
            "--datasets",
            help="Folder holding the public datasets (default: ../shared/datasets beside the "
            "repository).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Save JSON under DATA_DIR.")
    ] = True,
) -> None:
    """Run the public benchmarks (intent, τ-bench replay, KB retrieval) and print a table."""
    from evals.benchmarks import BENCHMARKS, DEFAULT_DATASETS, run_benchmarks

    unknown = [name for name in only or [] if name not in BENCHMARKS]
    if unknown:
        raise _fail(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    with console.status("Running benchmarks…") as status:
        results = run_benchmarks(
            only,
            (datasets or DEFAULT_DATASETS).expanduser(),
            progress=lambda name: status.update(f"Running {name}…"),
            settings=get_settings(),
        )
    payload: list[dict[str, Any]] = [r.model_dump() for r in results]
    if as_json:
        console.print_json(json.dumps(payload))
    else:
        console.print(_benchmark_rows(results))
    if save:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = get_settings().data_dir / "evals" / "benchmarks" / f"{stamp}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        console.print(f"[dim]Saved {escape(str(target))}[/]")
    if any(r.status == "error" for r in results):
        raise typer.Exit(code=1)


from cli.eval_tau import tau_command  # noqa: E402 (registered after the other commands)

eval_app.command("tau")(tau_command)
