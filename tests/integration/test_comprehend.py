"""Amazon Comprehend sentiment and PII redaction through the real boto3 client.

moto_server implements DetectSentiment and DetectPiiEntities with canned answers (always
NEUTRAL; three fixed entity spans), which proves the protocol, signing and parsing end
to end. Varied verdicts, throttling and failures come from `tests.comprehend_stub`, a
loopback server speaking the same JSON protocol with scripted answers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.comprehend_stub import ComprehendStub, ScriptedError, running_stub
from tests.integration.conftest import MOTO_REGION
from tools import pii
from tools.comprehend import (
    SENTIMENT_MAX_BYTES,
    ComprehendPiiRedactor,
    ComprehendSentimentAnalyzer,
)
from tools.pii import CachingRedactor, PatternPiiRedactor
from tools.sentiment import VaderSentimentAnalyzer
from wiring.backends import build_pii_redactor, build_sentiment_analyzer

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


def _settings(tmp_path: Path, endpoint: str, **overrides: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        aws_region=MOTO_REGION,
        comprehend_endpoint_url=endpoint,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def stub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ComprehendStub]:
    folder = tmp_path_factory.mktemp("comprehend")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "stub-key")
        env.setenv("AWS_SECRET_ACCESS_KEY", "stub-secret")
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("AWS_CONFIG_FILE", str(folder / "no-config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "no-credentials"))
        with running_stub() as stub:
            yield stub


@pytest.fixture
def stub(stub_server: ComprehendStub) -> ComprehendStub:
    stub_server.reset()
    return stub_server


def _sentiment(verdict: str, positive: float, negative: float) -> dict[str, object]:
    neutral = max(0.0, 1.0 - positive - negative)
    return {
        "Sentiment": verdict,
        "SentimentScore": {
            "Positive": positive,
            "Negative": negative,
            "Neutral": neutral,
            "Mixed": 0.0,
        },
    }


# -- against moto_server ---------------------------------------------------------------


def test_sentiment_on_moto(moto_endpoint: str, tmp_path: Path) -> None:
    settings = _settings(tmp_path, moto_endpoint, sentiment_backend="comprehend")
    analyzer = build_sentiment_analyzer(settings)
    assert isinstance(analyzer, ComprehendSentimentAnalyzer)

    calm = analyzer.analyze("Could you tell me where my order is?")
    # moto's canned answer: NEUTRAL, Positive 0.0081, Negative 0.00028.
    assert calm.label == "neutral"
    assert calm.score == pytest.approx(0.0078, abs=1e-4)
    assert not calm.frustration

    angry = analyzer.analyze("This is the third time I ask and I am still waiting!!")
    assert angry.frustration
    assert {"repeated_contact", "still_waiting"} <= set(angry.cues)
    assert angry.score <= -0.5
    assert angry.label == "negative"


def test_pii_on_moto(moto_endpoint: str, tmp_path: Path) -> None:
    redactor = build_pii_redactor(_settings(tmp_path, moto_endpoint, pii_backend="comprehend"))
    assert isinstance(redactor, CachingRedactor)
    assert isinstance(redactor.inner, ComprehendPiiRedactor)
    # moto's canned entities: NAME at 50-58, EMAIL at 230-259, BANK_ACCOUNT_NUMBER at 334-349.
    text = "x" * 50 + "Jane Doe" + " about order #W1234567 " + "y" * 149
    text += "jane.doe.supports@example.com" + " " + "z" * 74 + "123456789012345" + " thanks"
    assert text[50:58] == "Jane Doe"
    assert text[230:259] == "jane.doe.supports@example.com"
    assert text[334:349] == "123456789012345"

    redacted = redactor.redact(text)
    assert "Jane Doe" not in redacted and "[NAME]" in redacted
    assert "example.com" not in redacted and pii.EMAIL_TAG in redacted
    assert "123456789012345" not in redacted and "[BANK_ACCOUNT_NUMBER]" in redacted
    assert "#W1234567" in redacted


# -- against the scripted loopback endpoint -----------------------------------------


def test_sentiment_verdicts_and_signed_requests(stub: ComprehendStub, tmp_path: Path) -> None:
    analyzer = build_sentiment_analyzer(
        _settings(tmp_path, stub.url, sentiment_backend="comprehend")
    )
    stub.script(
        "DetectSentiment",
        _sentiment("NEGATIVE", 0.02, 0.9),
        _sentiment("POSITIVE", 0.95, 0.01),
        _sentiment("MIXED", 0.3, 0.6),
        _sentiment("NEUTRAL", 0.3, 0.1),
    )
    negative = analyzer.analyze("The parcel arrived damaged.")
    assert (negative.label, negative.score) == ("negative", pytest.approx(-0.88))
    positive = analyzer.analyze("Lovely, thanks a lot.")
    assert (positive.label, positive.score) == ("positive", pytest.approx(0.94))
    mixed = analyzer.analyze("Great shoes but the box was crushed.")
    assert (mixed.label, mixed.score) == ("negative", pytest.approx(-0.3))
    neutral = analyzer.analyze("I bought it last week.")
    assert (neutral.label, neutral.score) == ("neutral", pytest.approx(0.2))

    assert [r.operation for r in stub.requests] == ["DetectSentiment"] * 4
    first = stub.requests[0]
    assert first.body == {"Text": "The parcel arrived damaged.", "LanguageCode": "en"}
    authorization = first.headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=stub-key/")
    assert f"/{MOTO_REGION}/comprehend/aws4_request" in authorization


def test_long_text_is_cut_to_the_byte_limit(stub: ComprehendStub) -> None:
    analyzer = ComprehendSentimentAnalyzer(_client(stub))
    stub.script("DetectSentiment", _sentiment("NEUTRAL", 0.1, 0.1))
    analyzer.analyze("é" * SENTIMENT_MAX_BYTES)
    sent = stub.requests[0].body["Text"]
    assert len(sent.encode("utf-8")) <= SENTIMENT_MAX_BYTES
    assert sent == "é" * (SENTIMENT_MAX_BYTES // 2)


def _client(stub: ComprehendStub) -> object:
    from tools.comprehend import comprehend_client

    return comprehend_client(MOTO_REGION, stub.url)


def test_throttled_sentiment_falls_back_to_offline(
    stub: ComprehendStub, caplog: pytest.LogCaptureFixture
) -> None:
    analyzer = ComprehendSentimentAnalyzer(_client(stub), fallback=VaderSentimentAnalyzer())
    throttled = ScriptedError("ThrottlingException", 400, "Rate exceeded")
    stub.script("DetectSentiment", throttled, throttled)
    text = "Still waiting for my refund, this is ridiculous"
    with caplog.at_level(logging.WARNING, logger="tools.comprehend"):
        result = analyzer.analyze(text)
    assert result == VaderSentimentAnalyzer().analyze(text)
    assert len(stub.requests) == 2  # the client retried once before giving up
    assert "ThrottlingException" in caplog.text and "offline" in caplog.text


def test_pii_entities_masked_and_identifiers_kept(stub: ComprehendStub) -> None:
    redactor = ComprehendPiiRedactor(_client(stub))
    text = "I'm Maria Lopez, order #W7654321, reach me at maria@example.org or 415 555 0199."
    name, order = text.index("Maria Lopez"), text.index("#W7654321")
    stub.script(
        "DetectPiiEntities",
        {
            "Entities": [
                {"Type": "NAME", "Score": 0.99, "BeginOffset": name, "EndOffset": name + 11},
                {"Type": "NAME", "Score": 0.2, "BeginOffset": 0, "EndOffset": 3},
                {"Type": "BANK_ACCOUNT_NUMBER", "Score": 0.9, "BeginOffset": order,
                 "EndOffset": order + 9},
            ]
        },
    )  # fmt: skip
    redacted = redactor.redact(text)
    # Comprehend's confident NAME is masked; its low-score span and the order id are kept;
    # the offline patterns still mask the email and phone Comprehend did not report.
    assert redacted == (
        f"I'm [NAME], order #W7654321, reach me at {pii.EMAIL_TAG} or {pii.PHONE_TAG}."
    )
    assert stub.requests[0].body == {"Text": text, "LanguageCode": "en"}


def test_pii_failure_falls_back_to_patterns(
    stub: ComprehendStub, caplog: pytest.LogCaptureFixture
) -> None:
    redactor = ComprehendPiiRedactor(_client(stub))
    failure = ScriptedError("InternalServerException", 500)
    stub.script("DetectPiiEntities", failure, failure)
    text = "Mail me at sam.lee@example.com, card 4242 4242 4242 4242."
    with caplog.at_level(logging.WARNING, logger="tools.comprehend"):
        assert redactor.redact(text) == pii.redact(text)
    assert "InternalServerException" in caplog.text


def test_default_backends_are_offline(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    redactor = build_pii_redactor(settings)
    assert isinstance(redactor, CachingRedactor)
    assert isinstance(redactor.inner, PatternPiiRedactor)
    assert isinstance(build_sentiment_analyzer(settings), VaderSentimentAnalyzer)


def test_guard_logs_messages_through_the_configured_redactor(
    stub: ComprehendStub, graph: Any, services: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.scenarios.helpers import Conversation

    services.redactor = ComprehendPiiRedactor(_client(stub))
    text = "Hi, I am Maria Lopez, where is my order?"
    begin = text.index("Maria Lopez")
    stub.script(
        "DetectPiiEntities",
        {
            "Entities": [
                {"Type": "NAME", "Score": 0.98, "BeginOffset": begin, "EndOffset": begin + 11}
            ]
        },
    )
    with caplog.at_level(logging.DEBUG, logger="tandem.guard"):
        Conversation(graph).say(text)
    logged = [r.getMessage() for r in caplog.records if r.name == "tandem.guard"]
    assert "inbound message: Hi, I am [NAME], where is my order?" in logged
    assert not any("Maria" in line for line in logged)
    assert [r.operation for r in stub.requests] == ["DetectPiiEntities"]


def test_comprehend_profile_guard_stores_comprehend_placeholders(
    stub: ComprehendStub, graph: Any, services: Any, tmp_path: Path
) -> None:
    """pii_backend=comprehend: the guard stores what DetectPiiEntities masked, and more."""
    from langchain_core.messages import HumanMessage

    from tests.scenarios.helpers import Conversation

    services.redactor = build_pii_redactor(_settings(tmp_path, stub.url, pii_backend="comprehend"))
    stub.known_pii.update({"Maria Lopez": "NAME", "4242 4242 4242 4242": "CREDIT_DEBIT_NUMBER"})
    text = "I'm Maria Lopez, card 4242 4242 4242 4242, ssn 123-45-6789, where is #W2378156?"
    chat = Conversation(graph)
    chat.say(text)
    customer = [m.content for m in chat.state["messages"] if isinstance(m, HumanMessage)]
    assert customer == ["I'm [NAME], card [CARD ••4242], ssn [SSN], where is #W2378156?"]
    assert [r.operation for r in stub.requests] == ["DetectPiiEntities"]
    assert stub.requests[0].body["Text"] == text
