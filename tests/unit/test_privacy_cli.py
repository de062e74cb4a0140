"""`tandem privacy redact`: lines in, the same lines with typed placeholders out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

ROOT = Path(__file__).resolve().parents[2]


def test_each_line_is_redacted_and_identifiers_kept() -> None:
    text = (
        "card 4242 4242 4242 4242 for order #W2378156\n"
        "ssn 123-45-6789, call (415) 555-2671, item 1008292230, $12.50\n"
        "\n"
        "no personal data"
    )
    result = CliRunner().invoke(app, ["privacy", "redact"], input=text)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "card [CARD ••4242] for order #W2378156\n"
        "ssn [SSN], call [PHONE], item 1008292230, $12.50\n"
        "\n"
        "no personal data"
    )


def test_works_as_a_real_pipe_without_a_server(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "privacy", "redact"],
        input=b"mail jo@example.org\n",
        capture_output=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "TANDEM_DATA_DIR": str(tmp_path / "data")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"mail [EMAIL]\n"


def test_bad_input_gets_a_clear_error() -> None:
    runner = CliRunner()
    bad_backend = runner.invoke(app, ["privacy", "redact", "--backend", "magic"], input="x")
    assert bad_backend.exit_code == 1 and "unknown backend 'magic'" in bad_backend.stderr
    not_utf8 = runner.invoke(app, ["privacy", "redact"], input=b"ok\n\xff\xfe\n")
    assert not_utf8.exit_code == 1 and "line 2 is not UTF-8" in not_utf8.stderr
    assert not_utf8.stdout == "ok\n"
    assert "Traceback" not in not_utf8.output
