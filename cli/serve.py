"""`tandem serve`: run the HTTP server (FastAPI + uvicorn) on the configured backends."""

from __future__ import annotations

import ipaddress
import json
import logging
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
logger = logging.getLogger("tandem.serve")

PUBLIC_BIND_WARNING = (
    "local auth mode on the non-loopback address {host}: anyone who reaches it can sign in "
    "as any customer or agent (TANDEM_INSECURE_LOCAL_AUTH_ON_PUBLIC_ADDRESS is on)"
)


def is_loopback(host: str) -> bool:
    """Whether `host` is `localhost` or a loopback IP address (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings, host: str) -> bool:
    """Refuse (exit 2) a non-loopback `host` in local auth mode unless explicitly allowed.

    Returns True when the bind is allowed only by the insecure setting (warn on start).
    """
    if settings.auth_mode != "local" or is_loopback(host):
        return False
    if settings.insecure_local_auth_on_public_address:
        return True
    Console(stderr=True, highlight=False).print(
        f"[bold red]Error:[/] refusing to serve on {escape(host)}: auth_mode is 'local', whose "
        "development sign-in lets anyone who reaches the server act as any customer or agent. "
        "Bind 127.0.0.1, or use Cognito (TANDEM_AUTH_MODE=cognito), or set "
        "TANDEM_INSECURE_LOCAL_AUTH_ON_PUBLIC_ADDRESS=true if you really mean it.",
        soft_wrap=True,
    )
    raise typer.Exit(code=2)


def _tandem_executable() -> str:
    """The `tandem` script beside this interpreter (an absolute path), else `tandem`."""
    script = Path(sys.executable).with_name("tandem")
    return str(script) if script.is_file() else "tandem"


def token_command(settings: Settings, role: str = "customer", sub: str = "alex_morgan_1001") -> str:
    """The shell command that signs a token this server accepts, from any working directory.

    Settings the token depends on (the data folder holding the signing key, the issuer and
    the client id) are prefixed as environment variables when they are not the defaults.
    """
    return auth_command(settings, "token", "--role", role, "--sub", sub)


def auth_command(settings: Settings, *words: str) -> str:
    """The shell command `tandem auth WORDS...` for this server's data folder and issuer."""
    from config.settings import DEFAULT_DATA_DIR, Settings, resolve_data_dir

    fields = Settings.model_fields
    env: list[str] = []
    if settings.data_dir != resolve_data_dir(DEFAULT_DATA_DIR):
        env.append(f"TANDEM_DATA_DIR={shlex.quote(str(settings.data_dir))}")
    if settings.auth_issuer != fields["auth_issuer"].get_default(call_default_factory=True):
        env.append(f"TANDEM_AUTH_ISSUER={shlex.quote(settings.auth_issuer)}")
    if settings.auth_client_ids != fields["auth_client_ids"].get_default(call_default_factory=True):
        env.append(f"TANDEM_AUTH_CLIENT_IDS={shlex.quote(json.dumps(settings.auth_client_ids))}")
    command = [shlex.quote(_tandem_executable()), "auth", *map(shlex.quote, words)]
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
        secret = auth_command(settings, "secret")
        out.print(
            "[dim]Admin sign-in in the web apps asks for the local secret:[/]", soft_wrap=True
        )
        out.print(f"  {escape(secret)}", soft_wrap=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, help="Worker processes sharing the data folder (default: one per CPU core)."
        ),
    ] = None,
) -> None:
    """Serve the chat API, the handoff queue and the health probes."""
    import uvicorn

    from config.settings import get_settings
    from server.app import create_app
    from server.logs import configure_json_logging
    from server.serving import run_workers, server_options, worker_count, workers_unsupported

    settings = get_settings()
    processes = worker_count(settings, workers)
    if processes > 1 and workers_unsupported(settings):
        Console(stderr=True, highlight=False).print(
            f"[bold red]Error:[/] {processes} workers cannot share state: "
            f"{workers_unsupported(settings)}. Use --workers 1.",
            soft_wrap=True,
        )
        raise typer.Exit(code=2)
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    insecure = check_bind(settings, bind_host)
    url = f"http://{bind_host}:{bind_port}"
    print_banner(settings, url)
    configure_json_logging()
    if insecure:
        logger.warning(PUBLIC_BIND_WARNING.format(host=bind_host))
    if processes > 1:
        run_workers(settings, bind_host, bind_port, processes)
        return
    uvicorn.run(
        create_app(settings), log_config=None, **server_options(settings, bind_host, bind_port)
    )
