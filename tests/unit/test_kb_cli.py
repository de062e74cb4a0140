"""`tandem kb` sub-commands, driven through typer's CliRunner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.kb import kb_app

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def help_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "help"
    folder.mkdir()
    (folder / "returns.md").write_text("# Returns\n\nReturn items within 30 days of delivery.\n")
    (folder / "shipping.html").write_text("<title>Shipping</title><p>Parcels ship in 3 days.</p>")
    (folder / "broken.txt").write_bytes(b"\x00\x01binary")
    return folder


def test_ingest_folder_then_search(runner: CliRunner, help_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "kb.sqlite"
    args = ["ingest", str(help_folder), "--db", str(db), "--tenant", "acme"]
    result = runner.invoke(kb_app, args, env=ENV)
    assert result.exit_code == 0, result.output
    assert "added" in result.output and "unchanged" in result.output
    assert "2 document(s) indexed for tenant acme" in result.output
    assert "broken.txt" in result.output
    assert db.is_file()

    again = runner.invoke(kb_app, args, env=ENV)
    assert again.exit_code == 0, again.output
    row = next(line for line in again.output.splitlines() if line.count("│") >= 5)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == ["0", "0", "2", "0", "1"]

    found = runner.invoke(
        kb_app, ["search", "how long do I have to return?", "--db", str(db), "-t", "acme"], env=ENV
    )
    assert found.exit_code == 0, found.output
    assert "Returns" in found.output and "returns" in found.output

    other = runner.invoke(kb_app, ["search", "returns", "--db", str(db), "-t", "x"], env=ENV)
    assert other.exit_code == 0
    assert "No results" in other.output


def test_search_limit_and_answer(runner: CliRunner, help_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "kb.sqlite"
    runner.invoke(kb_app, ["ingest", str(help_folder), "--db", str(db), "-t", "acme"], env=ENV)
    result = runner.invoke(
        kb_app, ["search", "return ship", "-k", "1", "--db", str(db), "-t", "acme", "-a"], env=ENV
    )
    assert result.exit_code == 0, result.output
    assert sum(title in result.output for title in ("Returns", "Shipping")) == 1
    assert "•" in result.output


def test_ingest_missing_path_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "does-not-exist"
    result = runner.invoke(kb_app, ["ingest", str(missing), "--db", str(tmp_path / "kb.sqlite")])
    assert result.exit_code != 0
    assert "path not found" in result.output
    assert "does-not-exist" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, FileNotFoundError)


def test_search_without_index_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(kb_app, ["search", "returns", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code != 0
    assert "no knowledge base" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["kb", "search", "hello"], ["kb", "migrate"]])
def test_an_unreachable_opensearch_is_one_clear_error_without_tracebacks(
    tmp_path: Path, command: list[str]
) -> None:
    env = {
        **os.environ,
        **ENV,
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_KB_BACKEND": "opensearch",
        "TANDEM_OPENSEARCH_URL": "http://127.0.0.1:9",
    }
    tandem = Path(sys.executable).parent / "tandem"
    result = subprocess.run(
        [str(tandem), *command], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Error:" in result.stderr + result.stdout and "127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr, "the client library's retries were logged"
