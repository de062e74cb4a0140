"""`tandem audit export`: write the audit log (order and agent actions) as JSON lines or CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

audit_app = typer.Typer(
    name="audit",
    help="The append-only audit log of order and agent actions.",
    no_args_is_help=True,
    add_completion=False,
)


@audit_app.command("export")
def export(
    format: Annotated[
        Literal["jsonl", "csv"], typer.Option("--format", help="jsonl (default) or csv.")
    ] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    conversation: Annotated[str | None, typer.Option(help="Only this conversation.")] = None,
    since: Annotated[float | None, typer.Option(help="From this Unix time.")] = None,
    until: Annotated[float | None, typer.Option(help="Before this Unix time.")] = None,
) -> None:
    """Export every matching audit entry, oldest first."""
    from cli.runtime import cli_root
    from conversations.audit_log import AuditQuery, all_entries, to_csv, to_jsonl

    root = cli_root()
    query = AuditQuery(
        actor=actor, action=action, conversation_id=conversation, since=since, until=until
    )
    try:
        entries = all_entries(root.audit_log, query)
        lines = to_csv(entries) if format == "csv" else to_jsonl(entries)
        if output is None:
            sys.stdout.writelines(lines)
        else:
            with output.open("w", encoding="utf-8", newline="") as file:
                file.writelines(lines)
    finally:
        root.close_audit_log()
