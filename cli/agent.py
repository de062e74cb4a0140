"""`tandem agent`: act as the human agent on a handed-off conversation from the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from langgraph.types import Command
from rich.console import Console

from cli.runtime import open_graph
from graphs.context import Context
from graphs.turns import stream_turn, turn_config

agent_app = typer.Typer(
    help="Answer handed-off conversations as a human agent.", no_args_is_help=True
)
console = Console(highlight=False)


@agent_app.command("reply")
def reply(
    conversation: Annotated[str, typer.Argument(help="The conversation id.")],
    message: Annotated[str, typer.Argument(help="Your message to the customer.")] = "",
    name: Annotated[str, typer.Option("--as", help="Your display name.")] = "agent",
    resolve: Annotated[bool, typer.Option("--resolve", help="Close the case.")] = False,
    to_bot: Annotated[
        bool, typer.Option("--return-to-bot", help="Give the conversation back to the bot.")
    ] = False,
) -> None:
    """Reply to a conversation waiting for a person, then keep it, resolve it or return it."""
    if resolve and to_bot:
        console.print("[red]Choose either --resolve or --return-to-bot, not both.[/]")
        raise typer.Exit(2)
    action = "resolve" if resolve else "return_to_bot" if to_bot else "reply"
    if action == "reply" and not message.strip():
        console.print("[red]A reply needs a message (or use --resolve / --return-to-bot).[/]")
        raise typer.Exit(2)
    with open_graph() as graph:
        state = graph.get_state(turn_config(conversation))
        if not state.values:
            console.print(f"[red]No conversation {conversation}.[/]")
            raise typer.Exit(1)
        if not state.interrupts:
            console.print(f"[red]Conversation {conversation} is not waiting for a person.[/]")
            raise typer.Exit(1)
        resume: Command[None] = Command(
            resume={"action": action, "message": message, "agent": name}
        )
        for event in stream_turn(graph, conversation, resume, Context()):
            if event["type"] == "done":
                console.print(
                    f"[green]Sent ({action}); handoff status: {event['handoff_status']}.[/]"
                )
