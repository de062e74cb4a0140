"""`tandem chat`: talk to the support graph in the terminal, streaming each reply.

Turns run through the same turn runner as the web chat's (`wiring.turns`): the terminal
follows the conversation's live events, so an agent's reply posted from the agent console
or another terminal appears the moment it is sent.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, RenderableType
from rich.live import Live
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from conversations.transcript import TranscriptLine
    from wiring.turns import Turns

console = Console(highlight=False)

HELP = "Commands: /new starts a new conversation, /id shows its id, /quit leaves."
PROMPT = "[bold cyan]you[/] › "


def said(who: str, style: str, text: str) -> RenderableType:
    """`who ›` followed by `text` rendered as Markdown, wrapped at word boundaries beside it."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(f"{who} ›", style=style), Markdown(text))
    return grid


def _print_line(line: TranscriptLine) -> None:
    if line.role == "customer":
        files = ", ".join(str(item.get("filename", "file")) for item in line.attachments)
        console.print(said("you", "bold cyan", line.text + (f" 📎 {files}" if files else "")))
    elif line.role == "agent":
        console.print(said(f"{line.author or 'agent'} (agent)", "bold magenta", line.text))
    else:
        console.print(said("tandem", "bold green", line.text))


class Renderer:
    """Prints a conversation's live events and tells the input loop when a turn ends."""

    def __init__(self) -> None:
        self.streaming = False
        self.reply = ""
        """The streamed reply so far, re-rendered as Markdown as it grows."""
        self.live: Live | None = None
        self.prompting = False
        """The input prompt is on screen: a message arriving now starts a line of its own."""
        self.turn_over = asyncio.Event()

    def _end_line(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
        elif self.reply:  # not a terminal: the reply is printed once, whole
            console.print(said("tandem", "bold green", self.reply))
        self.streaming = False
        self.reply = ""

    def render(self, event: dict[str, Any]) -> None:
        """Print one event the way the web chat shows it."""
        kind = event["type"]
        if kind == "token":
            self.reply += event["text"]
            self.streaming = True
            if console.is_terminal and self.live is None:
                self.live = Live(console=console, auto_refresh=False, vertical_overflow="visible")
                self.live.start()
            if self.live is not None:
                self.live.update(said("tandem", "bold green", self.reply), refresh=True)
        elif kind == "tool" and event.get("phase") == "start":
            console.print(f"[dim]  ⚙ {event['summary']}…[/]")
        elif kind == "tool" and not event.get("ok", True):
            console.print(f"[dim]  ⚠ {event['summary']}[/]")
        elif kind == "status":
            console.print(f"[dim]  {event['text']}[/]")
        elif kind == "agent_message":
            self._end_line()
            agent = event.get("agent") or "agent"
            lead = self.prompting
            if lead:
                console.print()
            console.print(said(f"{agent} (agent)", "bold magenta", event["text"]))
            if self.prompting:
                console.print(PROMPT, end="")
        elif kind == "handoff" and event["payload"].get("type") == "customer_message":
            console.print("[dim]  ✓ Passed on to the person handling your conversation.[/]")
        elif kind == "handoff" and event["payload"].get("type") != "awaiting_agent":
            self._end_line()
            reason = event["payload"].get("reason", "")
            console.print(f"[yellow]  ⏸ Waiting for a person (reason: {reason}).[/]")
        elif kind in ("done", "error"):
            self._end_line()
            if kind == "error":
                console.print(f"[red]  {event.get('detail', 'The turn failed.')}[/]")
            self.turn_over.set()


async def _follow(turns: Turns, conversation_id: str, renderer: Renderer) -> None:
    cursor = turns.hub.cursor(conversation_id)
    async for _, event in turns.hub.follow(conversation_id, cursor, until_done=False):
        renderer.render(event)


async def _open(turns: Turns, conversation_id: str, customer: str | None, resume: bool) -> None:
    """Create the conversation's record, or print its history when resuming."""
    from conversations.transcript import read_transcript

    if turns.store.get_conversation(conversation_id) is None:
        if resume:
            console.print(f"[yellow]No saved conversation {conversation_id}; starting it now.[/]")
        turns.store.create_conversation(conversation_id, customer, "cli")
        return
    for line in await asyncio.to_thread(read_transcript, turns.store, conversation_id):
        _print_line(line)


async def _read(scripted: list[str], interactive: bool, renderer: Renderer) -> str | None:
    if scripted:
        text = scripted.pop(0)
        console.print(f"{PROMPT}{text}")
        return text
    if not interactive:
        return None
    renderer.prompting = True
    try:
        return await asyncio.to_thread(console.input, PROMPT)
    except (EOFError, KeyboardInterrupt):
        console.print()
        return None
    finally:
        renderer.prompting = False


async def _session(
    conversation_id: str, customer: str | None, resume: bool, scripted: list[str]
) -> str:
    from cli.runtime import cli_root
    from conversations.runner import ConversationBusy
    from graphs.context import Context
    from graphs.turns import new_conversation_id
    from wiring.turns import open_turns

    interactive = not scripted
    context = Context(customer_id=customer)
    async with open_turns(cli_root()) as turns:
        await _open(turns, conversation_id, customer, resume)
        console.print(f"[dim]Conversation {conversation_id}. {HELP}[/]")
        if customer:
            console.print(f"[dim]Signed in as {customer}.[/]")
        renderer = Renderer()
        follower = asyncio.create_task(_follow(turns, conversation_id, renderer))
        try:
            while (text := await _read(scripted, interactive, renderer)) is not None:
                command = text.strip().lower()
                if command in ("/quit", "/exit"):
                    break
                if command == "/id":
                    console.print(f"[dim]{conversation_id}[/]")
                    continue
                if command == "/new":
                    follower.cancel()
                    conversation_id = new_conversation_id()
                    await _open(turns, conversation_id, customer, False)
                    follower = asyncio.create_task(_follow(turns, conversation_id, renderer))
                    console.print(f"[dim]New conversation {conversation_id}.[/]")
                    continue
                if not text.strip():
                    continue
                renderer.turn_over.clear()
                try:
                    await turns.runner.start_customer_turn(conversation_id, text, "cli", context)
                except ConversationBusy:
                    console.print("[yellow]  The previous message is still being answered.[/]")
                    continue
                await renderer.turn_over.wait()
        finally:
            follower.cancel()
    return conversation_id


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
    from graphs.turns import new_conversation_id

    conversation_id = conversation or new_conversation_id()
    scripted = list(message or [])
    conversation_id = asyncio.run(
        _session(conversation_id, customer, conversation is not None, scripted)
    )
    console.print(f"[dim]Saved. Resume with: tandem chat --conversation {conversation_id}[/]")
