"""`tandem privacy export` and `erase`: a customer's rights of access and erasure.

Both work on the stores the settings select (SQLite files in the data folder, or the AWS
tables and bucket); see `conversations.customer_data` for what is covered and what
erasure keeps (orders, with their personal fields blanked).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cli.privacy import privacy_app

CustomerArg = Annotated[str, typer.Argument(help="The customer's id (as in the order store).")]
TenantOption = Annotated[
    str | None, typer.Option("--tenant", help="Tenant of the long-term memory (default: settings).")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[bold red]Error:[/] {escape(message)}")
    return typer.Exit(code=code)


def _check(customer_id: str) -> str:
    customer_id = customer_id.strip()
    if not customer_id:
        raise _fail("the customer id is empty", code=2)
    if "." in customer_id or "\x00" in customer_id:
        raise _fail("a customer id has no periods (the long-term memory cannot hold one)", 2)
    return customer_id


@privacy_app.command("export")
def export(
    customer_id: CustomerArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the JSON here (default: stdout).")
    ] = None,
    tenant: TenantOption = None,
) -> None:
    """Print everything held about a customer as JSON (conversations, memory, orders)."""
    from config.settings import get_settings
    from wiring.privacy import open_customer_data

    customer_id = _check(customer_id)
    with open_customer_data(get_settings(), tenant=tenant) as data:
        document = data.export(customer_id)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    output.chmod(0o600)
    Console(stderr=True).print(f"Wrote {output} ({len(document['conversations'])} conversations)")


@privacy_app.command("erase")
def erase(
    customer_id: CustomerArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    tenant: TenantOption = None,
) -> None:
    """Erase everything held about a customer; their orders stay, personal fields blanked."""
    from config.settings import get_settings
    from wiring.privacy import open_customer_data

    customer_id = _check(customer_id)
    if not yes and not typer.confirm(
        f"Erase every conversation, memory and personal order detail of {customer_id!r}? "
        "This cannot be undone",
        default=False,
    ):
        raise _fail("nothing erased", code=1)
    with open_customer_data(get_settings(), tenant=tenant) as data:
        counts = data.erase(customer_id)
    summary = ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in counts.items())
    typer.echo(f"Erased {customer_id}: {summary}")
