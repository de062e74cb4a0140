"""`tandem serve`: run the HTTP server (FastAPI + uvicorn) on the configured backends."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console(highlight=False)


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
    console.print(f"[bold green]Tandem[/] serving at [bold]{url}[/]  (API docs: {url}/docs)")
    if settings.auth_mode == "local":
        console.print(
            "[dim]Development tokens: .venv/bin/tandem auth token --role customer "
            "--sub alex_morgan_1001   (or --role agent --sub dana)[/]"
        )
    configure_json_logging()
    uvicorn.run(
        create_app(settings),
        host=bind_host,
        port=bind_port,
        log_config=None,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
