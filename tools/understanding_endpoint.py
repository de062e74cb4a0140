"""The intent and sentiment engines behind an Amazon SageMaker endpoint, and its JSON contract.

The serving container (`server.sagemaker`) answers `POST /invocations` with
``{"text": "..."}`` in and ``{"intent": {...}, "sentiment": {...}}`` out, using the same
engines the graph builds in process. `EndpointUnderstanding` calls the endpoint through the
`sagemaker-runtime` client's `InvokeEndpoint` and is both the graph's intent classifier and
its sentiment analyzer: one call per message answers both. Any error, timeout or malformed
answer is logged and the in-process engines answer instead, so a turn never fails on it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from tools.intent import IntentPrediction
from tools.sentiment import Sentiment, SentimentAnalyzer

logger = logging.getLogger("tandem.tools.understanding_endpoint")

CONTENT_TYPE = "application/json"
CACHE_SIZE = 256
"""Messages whose answers (the endpoint's, or the in-process fallback's) are kept: the graph
asks for intent and sentiment separately."""


class ContractError(ValueError):
    """A body that does not follow the endpoint's JSON contract."""


class IntentEngine(Protocol):
    """What predicts a message's intent (the in-process `IntentClassifier`)."""

    @property
    def rejection_threshold(self) -> float | None:
        """The confidence below which its intent is out of scope (fitted out of fold)."""
        ...

    def predict(self, text: str) -> IntentPrediction:
        """The intent of `text`."""
        ...


def understanding_json(prediction: IntentPrediction, sentiment: Sentiment) -> dict[str, Any]:
    """The endpoint's answer for one message."""
    return {
        "intent": {
            "intent": prediction.intent,
            "confidence": prediction.confidence,
            "ranking": [[name, score] for name, score in prediction.ranking],
        },
        "sentiment": {
            "score": sentiment.score,
            "label": sentiment.label,
            "frustration": sentiment.frustration,
            "cues": list(sentiment.cues),
        },
    }


def parse_understanding(data: Any) -> tuple[IntentPrediction, Sentiment]:
    """The intent and sentiment in an endpoint answer; `ContractError` when malformed."""
    try:
        intent, sentiment = data["intent"], data["sentiment"]
        prediction = IntentPrediction(
            intent=str(intent["intent"]),
            confidence=float(intent["confidence"]),
            ranking=[(str(name), float(score)) for name, score in intent["ranking"]],
        )
        return prediction, Sentiment(
            score=float(sentiment["score"]),
            label=sentiment["label"],
            frustration=bool(sentiment["frustration"]),
            cues=[str(cue) for cue in sentiment["cues"]],
        )
    except (KeyError, TypeError, ValueError):
        raise ContractError("not an understanding answer") from None


def request_text(body: bytes) -> str:
    """The message in an `/invocations` request body; `ContractError` when there is none."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ContractError("the body is not JSON") from None
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise ContractError('expected {"text": "<message>"}')
    return text


class EndpointUnderstanding:
    """Intent and sentiment from a SageMaker endpoint, the in-process engines as fallback."""

    def __init__(
        self,
        client: Any,
        endpoint_name: str,
        classifier: IntentEngine,
        sentiment: SentimentAnalyzer,
    ) -> None:
        """`client` is a `sagemaker-runtime` client whose timeouts bound each call."""
        self.client = client
        self.endpoint_name = endpoint_name
        self.classifier = classifier
        self.sentiment = sentiment
        self.fallbacks = 0
        """Messages the in-process engines answered because the endpoint did not."""
        self._answers: OrderedDict[str, tuple[IntentPrediction, Sentiment]] = OrderedDict()
        self._lock = threading.Lock()

    def _invoke(self, text: str) -> tuple[IntentPrediction, Sentiment]:
        response = self.client.invoke_endpoint(
            EndpointName=self.endpoint_name,
            ContentType=CONTENT_TYPE,
            Accept=CONTENT_TYPE,
            Body=json.dumps({"text": text}).encode(),
        )
        try:
            data = json.loads(response["Body"].read())
        except ValueError:
            raise ContractError("the answer is not JSON") from None
        return parse_understanding(data)

    def understand(self, text: str) -> tuple[IntentPrediction, Sentiment]:
        """The endpoint's intent and sentiment of `text` (the in-process ones on failure)."""
        with self._lock:
            cached = self._answers.get(text)
        if cached is not None:
            return cached
        try:
            answer = self._invoke(text)
        except (BotoCoreError, ClientError, ContractError) as error:
            logger.warning(
                "understanding endpoint %s failed (%s); the in-process engines answer",
                self.endpoint_name,
                type(error).__name__,
            )
            self.fallbacks += 1
            # Kept like an answer, so the sentiment asked next does not wait for it again.
            answer = self.classifier.predict(text), self.sentiment.analyze(text)
        with self._lock:
            self._answers[text] = answer
            while len(self._answers) > CACHE_SIZE:
                self._answers.popitem(last=False)
        return answer

    @property
    def rejection_threshold(self) -> float | None:
        """The in-process classifier's fitted threshold: the endpoint serves the same model."""
        return self.classifier.rejection_threshold

    def predict(self, text: str) -> IntentPrediction:
        """The intent of `text` (the `IntentClassifier` interface)."""
        return self.understand(text)[0]

    def analyze(self, text: str) -> Sentiment:
        """The sentiment of `text` (the `SentimentAnalyzer` interface)."""
        return self.understand(text)[1]
