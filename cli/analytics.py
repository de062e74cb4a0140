"""`tandem analytics export`: the domain event log as a Parquet file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

analytics_app = typer.Typer(
    name="analytics",
    help="Analytics from the domain event log.",
    no_args_is_help=True,
    add_completion=False,
)


def _since(value: str) -> float:
    """Epoch seconds of an ISO 8601 date or time (UTC when it has no zone)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 date or time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@analytics_app.command("export")
def export(
    since: Annotated[
        str, typer.Option(help="From this date or time (ISO 8601, e.g. 2026-12-01; UTC).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Parquet file to write.")] = Path(
        "events.parquet"
    ),
) -> None:
    """Write the domain events since a date to a Parquet file (needs the `analytics` extra)."""
    from config.settings import get_settings
    from conversations.analytics_export import export_parquet

    start = _since(since)
    try:
        count = export_parquet(get_settings().event_log, start, output)
    except ModuleNotFoundError as error:
        typer.echo(f"{error}: install the analytics extra (uv pip install -e '.[analytics]')")
        raise typer.Exit(1) from None
    typer.echo(f"{count} events since {since} written to {output}")
