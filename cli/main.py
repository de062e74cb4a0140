"""The `tandem` command line: chat, agent actions, knowledge base, demo data.

Start-up stays cheap: this module and the sub-command modules import only typer and rich
at module level, and each command imports what it needs (the graph, the server, the
evaluation harness, scikit-learn, boto3, ...) when it runs. `chat` and `agent` import the
graph at module level, so they are registered as deferred commands: the top-level help
lists them from their help text here, and their module is imported only when one of them
is invoked (or its own `--help` is asked for).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from cli.auth import auth_app
from cli.aws import aws_app
from cli.eval import eval_app
from cli.kb import kb_app
from cli.serve import serve

COMMAND_ORDER = ("chat", "serve", "auth", "eval", "agent", "kb", "aws")
"""The order of the commands in `tandem --help`."""

DEFERRED: dict[str, tuple[str, str, str]] = {
    "chat": (
        "cli.chat",
        "chat",
        "Chat with Tandem in the terminal; the conversation is saved and can be resumed.",
    ),
    "agent": ("cli.agent", "agent_app", "Answer handed-off conversations as a human agent."),
}
"""Commands imported on use: name → (module, attribute: a function or a Typer, help)."""


class DeferredCommand(TyperCommand):
    """Stands in for a command in the listing until the command is invoked."""

    def __init__(self, name: str, module: str, attribute: str, help_text: str) -> None:
        super().__init__(name, help=help_text, add_help_option=False)
        self.module = module
        self.attribute = attribute

    def load(self) -> Any:
        """Import the real command and return it as a click command."""
        target: Any = getattr(importlib.import_module(self.module), self.attribute)
        holder = typer.Typer(rich_markup_mode=None)  # plain help, like the other commands
        holder.callback()(lambda: None)  # a group, so a one-command Typer stays a group
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=self.name)
        else:
            holder.command(self.name)(target)
        group = typer.main.get_command(holder)
        assert isinstance(group, TyperGroup)
        command = group.commands[str(self.name)]
        command.name = self.name
        return command


class TandemGroup(TyperGroup):
    """The top-level group: deferred commands, listed in `COMMAND_ORDER`."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        commands: dict[str, Any] = dict(self.commands)
        for name, (module, attribute, help_text) in DEFERRED.items():
            commands.setdefault(name, DeferredCommand(name, module, attribute, help_text))
        ordered = {name: commands.pop(name) for name in COMMAND_ORDER if name in commands}
        self.commands = {**ordered, **commands}

    def load(self, name: str) -> Any:
        """Return command `name`, importing it first when it is deferred."""
        command = self.commands.get(name)
        if isinstance(command, DeferredCommand):
            command = self.commands[name] = command.load()
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        """Resolve the command as typer does, importing a deferred one first."""
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(command, DeferredCommand):
            command = self.load(name)
        return name, command, rest


app = typer.Typer(
    cls=TandemGroup,
    help="Tandem: customer service where AI and human agents work in tandem.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help here: typer's rich help imports markdown and syntax highlighting, which
    # would double the cost of `tandem --help`. The commands keep their rich help.
    rich_markup_mode=None,
)
app.command("serve")(serve)
app.add_typer(auth_app, name="auth")
app.add_typer(eval_app, name="eval")
app.add_typer(kb_app, name="kb")
app.add_typer(aws_app, name="aws")


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log to stderr.")) -> None:
    """Tandem's command line."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)


if __name__ == "__main__":
    app()
