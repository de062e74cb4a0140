"""The `tandem` command line: chat, agent actions, knowledge base, demo data, privacy.

Start-up stays cheap: this module and the sub-command modules import only typer and rich
at module level, and each command imports what it needs (the graph, the server, the
evaluation harness, scikit-learn, boto3, ...) when it runs.
"""

from __future__ import annotations

import logging
import sys

import typer

from cli.agent import agent_app
from cli.analytics import analytics_app
from cli.audit import audit_app
from cli.auth import auth_app
from cli.aws import aws_app
from cli.chat import chat
from cli.eval import eval_app
from cli.kb import kb_app
from cli.privacy import privacy_commands
from cli.serve import serve

app = typer.Typer(
    help="Tandem: customer service where AI and human agents work in tandem.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help here: typer's rich help imports markdown and syntax highlighting, which
    # would double the cost of `tandem --help`. The commands keep their rich help.
    rich_markup_mode=None,
)
app.command("chat")(chat)
app.command("serve")(serve)
app.add_typer(auth_app, name="auth")
app.add_typer(eval_app, name="eval")
app.add_typer(agent_app, name="agent")
app.add_typer(kb_app, name="kb")
app.add_typer(aws_app, name="aws")
app.add_typer(audit_app, name="audit")
app.add_typer(privacy_commands(), name="privacy")
app.add_typer(analytics_app, name="analytics")

QUIET_LIBRARY_LOGGERS = ("opensearch",)
"""Client libraries that log each failed request, traceback included, as a warning: a
command reports a backend it cannot reach in its own error, so these show with -v only."""


BACKEND_ERRORS = {
    ("botocore.exceptions", "BotoCoreError"),
    ("botocore.exceptions", "ClientError"),
    ("opensearchpy.exceptions", "ConnectionError"),
    ("redis.exceptions", "ConnectionError"),
}
"""Errors of a backend the command could not reach or that refused it (module, class),
matched by name so that none of these libraries is imported to check."""


class BriefFormatter(logging.Formatter):
    """One line per log record: an exception's message in place of its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """Format `record`, folding its exception into the message."""
        if record.exc_info and record.exc_info[1] is not None:
            fields = {**record.__dict__, "exc_info": None, "exc_text": None, "args": None}
            fields["msg"] = f"{record.getMessage()}: {record.exc_info[1]}"
            record = logging.makeLogRecord(fields)
        return super().format(record)


def backend_failure(error: BaseException) -> bool:
    """Whether `error` (or a class it derives from) is one of `BACKEND_ERRORS`."""
    return any((cls.__module__, cls.__name__) in BACKEND_ERRORS for cls in type(error).__mro__)


def run() -> None:
    """The `tandem` command: a backend failure is one error line (its traceback with -v)."""
    try:
        app()
    except Exception as error:
        if not backend_failure(error) or {"-v", "--verbose"} & set(sys.argv[1:]):
            raise
        typer.echo(f"Error: {error} (run with -v for the details)", err=True)
        raise SystemExit(1) from None


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log to stderr.")) -> None:
    """Tandem's command line."""
    handler = logging.StreamHandler()
    formatter = logging.Formatter if verbose else BriefFormatter
    handler.setFormatter(formatter(logging.BASIC_FORMAT))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
    if not verbose:
        for name in QUIET_LIBRARY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)


if __name__ == "__main__":
    run()
