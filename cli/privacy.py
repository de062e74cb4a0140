"""`tandem privacy`: data-protection commands (a customer's data: export, erase)."""

from __future__ import annotations

import typer

privacy_app = typer.Typer(
    name="privacy",
    help="Data protection: export or erase everything held about a customer.",
    no_args_is_help=True,
    add_completion=False,
)
