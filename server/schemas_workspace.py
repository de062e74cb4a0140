"""Request and response bodies of the agent workspace: notes, labels, assignment, macros."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from server.schemas import Strict

AGENT_ID = r"^[A-Za-z0-9_.@+-]{1,120}$"
Tag = Annotated[str, StringConstraints(pattern=r"^[\w .:/+-]{1,40}$")]


class NoteIn(Strict):
    """An internal note: seen by agents only, never sent to the customer or the model."""

    text: str = Field(min_length=1, max_length=4000)


class Note(BaseModel):
    """An internal note on a conversation."""

    id: str
    conversation_id: str
    author: str
    text: str
    created_at: float


class Labels(Strict):
    """Tags and priority of a queue entry; a field left out is kept."""

    tags: list[Tag] | None = Field(default=None, max_length=20)
    priority: Literal["low", "normal", "high", "urgent"] | None = None

    def clean_tags(self) -> list[str] | None:
        """Tags trimmed, lower-cased and deduplicated in order (None when not given)."""
        if self.tags is None:
            return None
        return list(dict.fromkeys(tag.strip().lower() for tag in self.tags if tag.strip()))


class Reassign(Strict):
    """Whom to hand a claimed conversation to."""

    agent: str = Field(pattern=AGENT_ID, description="The receiving agent's subject.")


class MacroIn(Strict):
    """A canned response; `{customer_name}`, `{first_name}` and `{order_id}` are filled in."""

    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=8000)


class Macro(BaseModel):
    """A canned response as stored."""

    id: str
    title: str
    body: str
    updated_by: str | None
    updated_at: float | None


class RenderedMacro(BaseModel):
    """A canned response with the conversation's values filled in, ready to edit and send."""

    macro_id: str
    text: str
    missing: list[str] = Field(description="Variables this conversation has no value for.")


class Handover(BaseModel):
    """The note an agent reads first and an opening reply they may send."""

    summary: str
    suggested_reply: str
    source: Literal["model", "facts"] = Field(
        description="model: written by the configured chat model from the transcript; "
        "facts: built offline from the conversation's facts (no model, or its answer was "
        "not usable)."
    )
