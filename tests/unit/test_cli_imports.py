"""`tandem` starts without importing the heavy libraries; every command is still there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

ROOT = Path(__file__).resolve().parents[2]

HEAVY = (
    "sklearn",
    "scipy",
    "numpy",
    "langgraph",
    "langchain_core",
    "fastapi",
    "boto3",
    "botocore",
    "opensearchpy",
    "uvicorn",
    "graphs",
    "server",
    "evals",
    "conversations",
    "wiring",
)

GROUPS = ("chat", "serve", "auth", "eval", "agent", "kb", "aws", "audit", "privacy", "analytics")


def test_importing_the_cli_imports_no_heavy_module() -> None:
    code = (
        "import cli.main, json, sys; "
        f"heavy = set({list(HEAVY)!r}); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_help_lists_every_command_group() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line]
    assert listed == list(GROUPS)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["chat", "--help"], "--conversation"),
        (["agent", "--help"], "reply"),
        (["agent", "reply", "--help"], "--return-to-bot"),
    ],
)
def test_chat_and_agent_commands_answer_their_help(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_benchmark_names_in_the_help_match_the_benchmarks() -> None:
    from evals.benchmarks import BENCHMARKS

    result = CliRunner().invoke(app, ["eval", "benchmarks", "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for name in BENCHMARKS:
        assert name in result.output
