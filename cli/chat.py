"""`tandem chat`: talk to the support graph in the terminal, streaming each reply."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from langchain_core.messages import AIMessage, HumanMessage
from rich.console import Console

from cli.runtime import open_graph
from graphs.context import Context
from graphs.messages import message_text
from graphs.turns import customer_input, new_conversation_id, stream_turn, turn_config

console = Console(highlight=False)

HELP = "Commands: /new starts a new conversation, /id shows its id, /quit leaves."


def _print_history(graph: Any, conversation_id: str) -> int:
    messages = graph.get_state(turn_config(conversation_id)).values.get("messages", [])
    for message in messages:
        _print_message(message)
    return len(messages)


def _print_message(message: Any) -> None:
    text = message_text(message)
    if isinstance(message, HumanMessage):
        console.print(f"[bold cyan]you[/] › {text}")
    elif (
        isinstance(message, AIMessage) and message.additional_kwargs.get("author") == "human_agent"
    ):
        console.print(f"[bold magenta]{message.name or 'agent'} (agent)[/] › {text}")
    elif isinstance(message, AIMessage) and text:
        console.print(f"[bold green]tandem[/] › {text}")


def _render(event: dict[str, Any], started: list[bool]) -> None:
    kind = event["type"]
    if kind == "token":
        if not started[0]:
            console.print("[bold green]tandem[/] › ", end="")
            started[0] = True
        console.print(event["text"], end="", markup=False, soft_wrap=True)
    elif kind == "tool" and event.get("phase") == "start":
        console.print(f"[dim]  ⚙ {event['summary']}…[/]")
    elif kind == "tool" and not event.get("ok", True):
        console.print(f"[dim]  ⚠ {event['summary']}[/]")
    elif kind == "status":
        console.print(f"[dim]  {event['text']}[/]")
    elif kind == "agent_message":
        console.print(
            f"\n[bold magenta]{event.get('agent') or 'agent'} (agent)[/] › {event['text']}"
        )
    elif kind == "handoff" and event["payload"].get("type") != "awaiting_agent":
        if started[0]:
            console.print()
            started[0] = False
        reason = event["payload"].get("reason", "")
        console.print(f"[yellow]  ⏸ Waiting for a person (reason: {reason}).[/]")


def chat(
    conversation: Annotated[
        str | None, typer.Option("--conversation", "-c", help="Resume this conversation id.")
    ] = None,
    customer: Annotated[
        str | None,
        typer.Option("--customer", help="Chat as this signed-in customer (user id)."),
    ] = None,
    message: Annotated[
        list[str] | None,
        typer.Option("--message", "-m", help="Send these messages and exit (scriptable)."),
    ] = None,
) -> None:
    """Chat with Tandem in the terminal; the conversation is saved and can be resumed."""
    conversation_id = conversation or new_conversation_id()
    context = Context(customer_id=customer)
    with open_graph() as graph:
        shown = _print_history(graph, conversation_id) if conversation else 0
        if conversation and shown == 0:
            console.print(f"[yellow]No saved conversation {conversation}; starting it now.[/]")
        console.print(f"[dim]Conversation {conversation_id}. {HELP}[/]")
        if customer:
            console.print(f"[dim]Signed in as {customer}.[/]")
        scripted = list(message or [])
        while True:
            if scripted:
                text = scripted.pop(0)
                console.print(f"[bold cyan]you[/] › {text}")
            elif message:
                break
            else:
                try:
                    text = console.input("[bold cyan]you[/] › ")
                except (EOFError, KeyboardInterrupt):
                    console.print()
                    break
            command = text.strip().lower()
            if command in ("/quit", "/exit"):
                break
            if command == "/id":
                console.print(f"[dim]{conversation_id}[/]")
                continue
            if command == "/new":
                conversation_id = new_conversation_id()
                console.print(f"[dim]New conversation {conversation_id}.[/]")
                continue
            started = [False]
            for event in stream_turn(graph, conversation_id, customer_input(text, "cli"), context):
                _render(event, started)
            if started[0]:
                console.print()
    console.print(f"[dim]Saved. Resume with: tandem chat --conversation {conversation_id}[/]")
