"""Help-centre sources for the chat: which articles a reply used, and the articles themselves.

A knowledge-base answer names its sources; the chat shows them as links to `/help/ID`,
which the web app renders from `GET /v1/help/articles/{article_id}`. Articles are public
help-centre content, so reading one needs no token.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from server.deps import Caller, RuntimeDep, conversation_for
from server.openapi_docs import problem_responses
from server.problems import ApiError
from server.routes.conversations import ERRORS
from server.transcript import conversation_state

router = APIRouter(tags=["help centre"])

ArticleId = Annotated[str, Path(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._-]+$")]


class Source(BaseModel):
    """A help-centre article a reply was grounded on."""

    article_id: str
    title: str
    url: str


class Article(BaseModel):
    """A help-centre article."""

    article_id: str
    title: str
    text: str


def article_url(article_id: str) -> str:
    """Where the web app shows an article."""
    return f"/help/{article_id}"


@router.get("/v1/conversations/{conversation_id}/sources", responses=ERRORS)
async def latest_sources(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> list[Source]:
    """The articles the latest turn retrieved (empty when it used none), best first."""
    conversation_for(runtime, conversation_id, caller)
    values, _ = await conversation_state(runtime, conversation_id)
    seen: set[str] = set()
    sources: list[Source] = []
    for passage in values.get("passages") or []:
        article_id = str(passage.get("article_id", ""))
        if article_id and article_id not in seen:
            seen.add(article_id)
            title = str(passage.get("title") or article_id)
            sources.append(Source(article_id=article_id, title=title, url=article_url(article_id)))
    return sources


@router.get("/v1/help/articles/{article_id}", responses=problem_responses(404, 422))
async def help_article(article_id: ArticleId, runtime: RuntimeDep) -> Article:
    """One help-centre article of the server's tenant."""
    kb = runtime.services.kb
    get = getattr(kb, "get", None)
    passage = None
    if get is not None:
        passage = await asyncio.to_thread(get, article_id, runtime.settings.tenant)
    if passage is None:
        raise ApiError(404, "article_not_found", f"No help article {article_id}.")
    return Article(article_id=passage.article_id, title=passage.title, text=passage.text)
