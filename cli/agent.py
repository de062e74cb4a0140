"""`tandem agent`: act as the human agent on a handed-off conversation from the terminal.

The action goes through the same turn runner as the agent console's: it claims the queue
entry (unless another agent holds it), takes the conversation's lease, resolves or updates
the queue entry, and the customer's open stream receives the message live. The claim and
the action (done, failed or refused) are appended to the audit log, by the `--as` name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console

if TYPE_CHECKING:
    from wiring.root import Root

agent_app = typer.Typer(
    help="Answer handed-off conversations as a human agent.", no_args_is_help=True
)
console = Console(highlight=False)


class AgentActionRefused(Exception):
    """The conversation cannot take this agent action now (the message says why)."""


class AgentActionFailed(AgentActionRefused):
    """The action ran but the turn ended in an error (the message says why)."""


async def act_as_agent(conversation: str, action: str, message: str, name: str) -> str:
    """Run the agent's action through the turn runner; return the resulting handoff status."""
    from cli.runtime import cli_root
    from graphs.audit import AuditEntry

    root = cli_root()

    def audit(what: str, outcome: Literal["ok", "failed", "refused"], **detail: Any) -> None:
        root.audit_log.append(
            AuditEntry(name, "agent", f"queue.{what}", conversation, outcome, detail)
        )

    try:
        status = await _act(root, conversation, action, message, name, audit)
        audit(action, "ok", chars=len(message))
        return status
    except AgentActionFailed as failed:
        audit(action, "failed", reason=str(failed))
        raise
    except AgentActionRefused as refused:
        audit(action, "refused", reason=str(refused))
        raise
    finally:
        root.close_audit_log()


async def _act(
    root: Root,
    conversation: str,
    action: str,
    message: str,
    name: str,
    audit: Callable[..., None],
) -> str:
    """`act_as_agent` without its audit of the action itself (claims are audited here)."""
    from conversations.runner import ConversationBusy
    from graphs.context import Context
    from graphs.turns import turn_config
    from wiring.turns import open_turns

    async with open_turns(root) as turns:
        state = await turns.graph.aget_state(turn_config(conversation))
        if not state.values:
            raise AgentActionRefused(f"No conversation {conversation}.")
        if not state.interrupts:
            raise AgentActionRefused(f"Conversation {conversation} is not waiting for a person.")
        entry = turns.store.get_handoff(conversation)
        if entry is not None and entry.get("claimed_by") not in (None, name):
            raise AgentActionRefused(
                f"Conversation {conversation} is claimed by {entry['claimed_by']}."
            )
        if entry is not None and entry.get("claimed_by") is None:
            if not turns.store.claim(conversation, name):
                audit("claim", "refused", code="already_claimed")
                raise AgentActionRefused(f"Conversation {conversation} was just claimed.")
            audit("claim", "ok")
            turns.feed.publish(
                {"type": "queue_update", "entry": turns.store.get_handoff(conversation)}
            )
        record = turns.store.get_conversation(conversation) or {}
        context = Context(customer_id=record.get("customer_id"))
        try:
            done = await turns.runner.resume_with_agent(
                conversation, action, message, name, context
            )
        except ConversationBusy:
            raise AgentActionRefused(
                f"A turn is running on {conversation}; try again in a moment."
            ) from None
        if done.get("type") != "done":
            raise AgentActionFailed(str(done.get("detail") or "The action failed."))
        return str(done.get("handoff_status", "none"))


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
    try:
        status = asyncio.run(act_as_agent(conversation, action, message, name))
    except AgentActionRefused as refused:
        console.print(f"[red]{refused}[/]")
        raise typer.Exit(1) from None
    console.print(f"[green]Sent ({action}); handoff status: {status}.[/]")
