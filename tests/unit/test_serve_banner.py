"""`tandem serve`'s start-up banner: the token command is exact and printed on one line."""

from __future__ import annotations

import io
import shlex
from pathlib import Path

from rich.console import Console

from cli.serve import print_banner, token_command
from config.settings import DEFAULT_DATA_DIR, Settings, resolve_data_dir


def _banner(settings: Settings, width: int = 40) -> str:
    out = io.StringIO()
    print_banner(settings, "http://127.0.0.1:8000", Console(file=out, width=width))
    return out.getvalue()


def test_token_command_is_printed_on_one_line_on_a_narrow_console(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "a folder" / "data", auth_mode="local")
    command = token_command(settings)
    assert len(command) > 40
    assert any(line.strip() == command for line in _banner(settings).splitlines())


def test_token_command_names_a_data_folder_that_is_not_the_default(tmp_path: Path) -> None:
    words = shlex.split(token_command(Settings(data_dir=tmp_path / "data", auth_mode="local")))
    assert words[0] == f"TANDEM_DATA_DIR={tmp_path / 'data'}"
    assert words[-6:] == ["auth", "token", "--role", "customer", "--sub", "alex_morgan_1001"]


def test_token_command_has_no_environment_on_the_defaults() -> None:
    settings = Settings(data_dir=DEFAULT_DATA_DIR, auth_mode="local")
    assert settings.data_dir == resolve_data_dir(DEFAULT_DATA_DIR)
    assert "=" not in shlex.split(token_command(settings))[0]


def test_token_command_carries_the_issuer_and_client_ids_when_changed(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, auth_mode="local", auth_issuer="dev", auth_client_ids=["a", "b"]
    )
    words = shlex.split(token_command(settings))
    assert "TANDEM_AUTH_ISSUER=dev" in words
    assert 'TANDEM_AUTH_CLIENT_IDS=["a", "b"]' in words


def test_no_token_command_with_cognito(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, auth_mode="cognito")
    assert "auth token" not in _banner(settings, width=200)


def test_banner_says_where_mail_goes_only_when_the_smtp_server_runs(tmp_path: Path) -> None:
    quiet = Settings(data_dir=tmp_path / "data", email_smtp_port=None)
    assert "Email:" not in _banner(quiet, width=200)
    on = Settings(
        data_dir=tmp_path / "data", email_smtp_port=2525, email_address="help@shop.example"
    )
    line = next(x for x in _banner(on, width=200).splitlines() if x.startswith("Email:"))
    assert "help@shop.example via SMTP 127.0.0.1:2525" in line


def test_the_banner_says_how_to_read_the_local_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", auth_mode="local")
    out = io.StringIO()
    print_banner(settings, "http://127.0.0.1:8000", Console(file=out, width=60))
    words = shlex.split(out.getvalue().splitlines()[-1])
    assert words[0] == f"TANDEM_DATA_DIR={tmp_path / 'data'}"
    assert words[-2:] == ["auth", "secret"]
