"""`tandem privacy`: the command group for personal data (redaction, export and erasure).

The group is one `typer.Typer`; each privacy command lives in a module of its own that
adds itself with ``@privacy_app.command(...)``. `privacy_commands` imports those modules
(at start-up they import only typer and rich) and returns the group with every command.
"""

from __future__ import annotations

import typer

privacy_app = typer.Typer(
    name="privacy",
    help="Personal data: redact text as the assistant stores it; export or erase everything "
    "held about a customer.",
    no_args_is_help=True,
    add_completion=False,
)

COMMAND_MODULES = ("cli.privacy_redact", "cli.privacy_rights")
"""Modules that register commands on `privacy_app`."""


def privacy_commands() -> typer.Typer:
    """The `privacy` group with the commands of every module in `COMMAND_MODULES`."""
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module)
    return privacy_app
