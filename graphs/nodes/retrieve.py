"""Retrieve: find the knowledge-base passages that answer the customer's question."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.events import emit_tool
from graphs.messages import customer_words, last_customer_message
from graphs.services import Services
from graphs.state import Passage, State

TOP_K = 4


def retrieve(state: State, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    """Search the tenant's knowledge base with the customer's latest message."""
    message = last_customer_message(state.get("messages", []))
    query = customer_words(message) if message else ""
    emit_tool("search_knowledge_base", "start", "Searching the help centre")
    hits = services.kb.search(query, k=TOP_K, tenant=services.tenant(runtime.context))
    passages: list[Passage] = [
        {
            "article_id": hit.article_id,
            "title": hit.title,
            "source": hit.source,
            "text": hit.text,
            "score": round(float(hit.score), 4),
        }
        for hit in hits
    ]
    titles = ", ".join(p["title"] for p in passages[:2]) or "no matching article"
    emit_tool("search_knowledge_base", "end", f"Found: {titles}")
    return {"passages": passages, "notice": None if passages else "no_passages"}
