"""SageMaker's inference contract over the intent and sentiment engines.

`GET /ping` answers 200 once the engines are loaded (SageMaker's health check);
`POST /invocations` takes ``{"text": "..."}`` (application/json) and answers the intent
(top class, calibrated confidence, ranking) and the sentiment (score, label, frustration
cues) the graph would compute in process. Bad requests get an `application/problem+json`
4xx answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from server.problems import problem
from tools.sentiment import SentimentAnalyzer
from tools.understanding_endpoint import (
    CONTENT_TYPE,
    ContractError,
    IntentEngine,
    request_text,
    understanding_json,
)

MAX_BODY_BYTES = 64 * 1024
"""Largest request accepted (a message is bounded far below this)."""


def create_serving_app(classifier: IntentEngine, sentiment: SentimentAnalyzer) -> FastAPI:
    """The serving app over ready engines."""
    app = FastAPI(title="Tandem understanding", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/ping")
    async def ping() -> Response:
        """SageMaker's health check: the engines are loaded."""
        return Response(status_code=200)

    @app.post("/invocations")
    async def invocations(request: Request) -> Any:
        """Intent and sentiment of one message."""
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != CONTENT_TYPE:
            return problem(415, f"Send {CONTENT_TYPE}.", "unsupported_media_type")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return problem(413, "The request is too large.", "too_large")
        try:
            text = request_text(body)
        except ContractError as error:
            return problem(400, str(error), "invalid_request")
        prediction, mood = await asyncio.to_thread(
            lambda: (classifier.predict(text), sentiment.analyze(text))
        )
        return JSONResponse(understanding_json(prediction, mood))

    return app
