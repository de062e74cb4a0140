"""The `tandem` command line: chat, agent actions, knowledge base, demo data, privacy.

Start-up stays cheap: this module and the sub-command modules import only typer and rich
at module level, and each command imports what it needs (the graph, the server, the
evaluation harness, scikit-learn, boto3, ...) when it runs.
"""

from __future__ import annotations

import logging

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


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log to stderr.")) -> None:
    """Tandem's command line."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    if not verbose:
        for name in QUIET_LIBRARY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)


if __name__ == "__main__":
    app()
