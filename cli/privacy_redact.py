"""`tandem privacy redact`: print each line of standard input with its personal data masked.

The same redactor as the assistant's guard node (``TANDEM_PII_BACKEND``: the offline
detector, or Amazon Comprehend with the detector after it), or the one ``--backend``
names. Runs without a server; for compliance reviews and scripts.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape

from cli.privacy import privacy_app

if TYPE_CHECKING:
    from tools.pii import PiiRedactor


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[bold red]Error:[/] {escape(message)}")
    return typer.Exit(code=1)


@privacy_app.command("redact")
def redact(
    backend: Annotated[
        str | None,
        typer.Option(
            "--backend",
            help="regex (offline detector) or comprehend; default: TANDEM_PII_BACKEND.",
        ),
    ] = None,
) -> None:
    """Read text lines on standard input; print each with typed placeholders for its PII."""
    if backend not in (None, "regex", "comprehend"):
        raise _fail(f"unknown backend {backend!r}: use regex or comprehend")
    if sys.stdin is None or sys.stdin.isatty():
        raise _fail("pipe the text to redact on standard input, e.g. tandem privacy redact < FILE")
    redactor = _redactor(backend)  # type: ignore[arg-type]
    stdin = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    lines = stdin if stdin is not None else (line.encode() for line in sys.stdin)
    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail(f"line {number} is not UTF-8 text") from None
        ending = "\n" if line.endswith("\n") else ""
        sys.stdout.write(redactor.redact(line.removesuffix("\n").removesuffix("\r")) + ending)
        sys.stdout.flush()


def _redactor(backend: Literal["regex", "comprehend"] | None) -> PiiRedactor:
    """The configured redactor, with `backend` overriding the setting."""
    from pydantic import ValidationError

    from config.settings import Settings
    from wiring.backends import build_pii_redactor

    try:
        settings = Settings()
    except ValidationError as error:
        raise _fail(f"invalid settings: {error.errors()[0]['msg']}") from None
    if backend is not None:
        settings.pii_backend = backend
    try:
        return build_pii_redactor(settings)
    except Exception as error:  # boto3 cannot build a client (no region, bad endpoint)
        raise _fail(f"cannot start the {settings.pii_backend} redactor: {error}") from None
