"""`tandem eval` through typer's CliRunner: run, list, compare, benchmarks and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli.eval as eval_cli
from cli.eval import eval_app
from config.settings import Settings

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture()
def runner(monkeypatch, eval_settings: Settings) -> CliRunner:
    monkeypatch.setattr(eval_cli, "get_settings", lambda: eval_settings)
    return CliRunner()


def test_list_shows_the_shipped_suites(runner):
    result = runner.invoke(eval_app, ["list"], env=ENV)
    assert result.exit_code == 0, result.output
    for name in ("smoke", "orders", "knowledge"):
        assert name in result.output


def test_run_then_compare(runner, tmp_path: Path):
    runs = tmp_path / "runs"
    args = ["run", "smoke", "--runs-dir", str(runs), "--only", "greeting", "--only", "knowledge"]
    args.append("--no-latency")
    first = runner.invoke(eval_app, args, env=ENV)
    assert first.exit_code == 0, first.output
    assert "cases passed" in first.output and "judge: skipped" in first.output
    folders = sorted(p for p in runs.iterdir())
    assert len(folders) == 1
    assert {p.name for p in folders[0].iterdir()} == {"results.json", "report.md", "report.html"}
    second = runner.invoke(eval_app, [*args, "--prompts", "1", "--gate"], env=ENV)
    assert second.exit_code == 0, second.output
    assert "Quality gate passed" in second.output
    listed = runner.invoke(eval_app, ["list", "--runs", "--runs-dir", str(runs)], env=ENV)
    assert listed.exit_code == 0 and listed.output.count("smoke") >= 2
    compared = runner.invoke(
        eval_app,
        [
            "compare",
            "latest~1",
            "latest",
            "--runs-dir",
            str(runs),
            "--markdown",
            str(tmp_path / "c.md"),
        ],
        env=ENV,
    )
    assert compared.exit_code == 0, compared.output
    assert "cases passed" in compared.output and "same" in compared.output
    assert "0 fixed, 0 broke." in compared.output
    assert (tmp_path / "c.md").read_text().startswith("# Compare")


def test_gate_failure_exits_one_with_the_broken_cases(runner, tmp_path: Path):
    suite = tmp_path / "smoke.yaml"
    suite.write_text(
        "name: smoke\nversion: 1\ncases:\n"
        "  - id: greets-wrongly\n    turns: [{say: hello, expect: {intent: thanks}}]\n"
    )
    result = runner.invoke(
        eval_app, ["run", str(suite), "--runs-dir", str(tmp_path), "--gate"], env=ENV
    )
    assert result.exit_code == 1, result.output
    assert "Quality gate failed" in result.output
    assert "pass_rate: 0.0%, required ≥ 100.0%" in result.output
    assert "intent (turn 1): expected thanks · got greeting" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "no-such-suite"], "unknown suite 'no-such-suite'"),
        (["run", "smoke", "--prompts", "9"], "no prompt template has version 9"),
        (["run", "smoke", "--prompts", "nope=1"], "unknown template 'nope'"),
        (["run", "smoke", "--catalogue", "/nonexistent.yaml"], "catalogue file not found"),
        (["compare", "nope-a", "nope-b"], "no saved run 'nope-a'"),
        (["benchmarks", "--only", "mnist"], "unknown benchmark(s): mnist"),
    ],
)
def test_errors_are_clear_and_exit_non_zero(runner, tmp_path: Path, args, message):
    result = runner.invoke(
        eval_app, [*args, "--runs-dir", str(tmp_path)] if args[0] == "compare" else args, env=ENV
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_benchmarks_skip_cleanly_without_data(runner, tmp_path: Path):
    result = runner.invoke(
        eval_app, ["benchmarks", "--datasets", str(tmp_path / "absent"), "--no-save"], env=ENV
    )
    assert result.exit_code == 0, result.output
    from evals.benchmarks import BENCHMARKS

    assert result.output.count("skipped") == len(BENCHMARKS)
