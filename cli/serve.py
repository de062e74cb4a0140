"""`tandem serve`: run the HTTP server (FastAPI + uvicorn) on the configured backends."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from config.settings import Settings

console = Console(highlight=False)


def _tandem_executable() -> str:
    """The `tandem` script beside this interpreter (an absolute path), else `tandem`."""
    script = Path(sys.executable).with_name("tandem")
    return str(script) if script.is_file() else "tandem"


def token_command(settings: Settings, role: str = "customer", sub: str = "alex_morgan_1001") -> str:
    """The shell command that signs a token this server accepts, from any working directory.

    Settings the token depends on (the data folder holding the signing key, the issuer and
    the client id) are prefixed as environment variables when they are not the defaults.
    """
    from config.settings import DEFAULT_DATA_DIR, Settings, resolve_data_dir

    fields = Settings.model_fields
    env: list[str] = []
    if settings.data_dir != resolve_data_dir(DEFAULT_DATA_DIR):
        env.append(f"TANDEM_DATA_DIR={shlex.quote(str(settings.data_dir))}")
    if settings.auth_issuer != fields["auth_issuer"].get_default(call_default_factory=True):
        env.append(f"TANDEM_AUTH_ISSUER={shlex.quote(settings.auth_issuer)}")
    if settings.auth_client_ids != fields["auth_client_ids"].get_default(call_default_factory=True):
        env.append(f"TANDEM_AUTH_CLIENT_IDS={shlex.quote(json.dumps(settings.auth_client_ids))}")
    command = [shlex.quote(_tandem_executable()), "auth", "token", "--role", role, "--sub", sub]
    return " ".join([*env, *command])


def print_banner(settings: Settings, url: str, out: Console | None = None) -> None:
    """Print where the server listens and, with the local issuer, how to get a token.

    Commands are printed whole on one line (no wrapping at the console width), so they
    can be copied even from a log or a narrow terminal.
    """
    out = out or console
    out.print(
        f"[bold green]Tandem[/] serving at [bold]{url}[/]  (API docs: {url}/docs)", soft_wrap=True
    )
    if settings.email_enabled and settings.email_smtp_port:
        out.print(
            f"[dim]Email:[/] send to {escape(settings.email_address)} via SMTP "
            f"{settings.email_smtp_host}:{settings.email_smtp_port}; replies go to the relay "
            f"{settings.email_relay_host}:{settings.email_relay_port}",
            soft_wrap=True,
        )
    if settings.auth_mode == "local":
        out.print("[dim]Development tokens (or --role agent --sub dana):[/]", soft_wrap=True)
        out.print(f"  {escape(token_command(settings))}", soft_wrap=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the chat API, the handoff queue and the health probes."""
    import uvicorn

    from config.settings import get_settings
    from server.app import create_app
    from server.logs import configure_json_logging

    settings = get_settings()
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    url = f"http://{bind_host}:{bind_port}"
    print_banner(settings, url)
    configure_json_logging()
    uvicorn.run(
        create_app(settings),
        host=bind_host,
        port=bind_port,
        log_config=None,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
