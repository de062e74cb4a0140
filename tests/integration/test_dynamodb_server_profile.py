"""The HTTP server on the AWS profile (moto_server): DynamoDB checkpoints, the DynamoDB
server store and SNS queue events, through a customer's chat, a handoff and an agent's
reply; then a restarted server picks the conversation up where it was."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cloud.aws import aws_client
from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from tests.integration.conftest import MOTO_REGION
from tests.integration.test_dynamodb_server_store import _drain, _subscribed_queue, aws_settings
from tests.server.conftest import Api
from wiring.aws_resources import ensure_dynamodb_resources

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


@pytest.fixture
def aws_profile(moto_endpoint: str, tmp_path: Path) -> Settings:
    topic = aws_client("sns", MOTO_REGION, moto_endpoint).create_topic(
        Name=f"queue-{uuid.uuid4().hex[:8]}"
    )["TopicArn"]
    settings = aws_settings(
        moto_endpoint, tmp_path, sns_topic_arn=topic, model="", rate_limit_per_minute=1000
    )
    ensure_dynamodb_resources(settings)
    return settings


def test_chat_handoff_and_agent_reply_on_the_aws_profile(
    aws_profile: Settings, services: Services, moto_endpoint: str
) -> None:
    queue_url = _subscribed_queue(moto_endpoint, str(aws_profile.sns_topic_arn))
    with TestClient(create_app(aws_profile, services)) as client:
        api = Api(client, aws_profile)
        alex, dana = api.customer(), api.agent("dana")
        conversation = api.new_conversation(alex)
        events = api.say(conversation, "where is my order #W1234567?", alex)
        assert "pending" in events[-1]["reply"]
        events = api.say(conversation, "I want to talk to a real person", alex)
        assert events[-1]["waiting_for_human"] is True
        queue = client.get("/v1/queue", headers=dana).json()
        assert conversation in [entry["conversation_id"] for entry in queue]
        assert client.post(f"/v1/queue/{conversation}/claim", headers=dana).status_code == 200
        eli = client.post(f"/v1/queue/{conversation}/claim", headers=api.agent("eli"))
        assert eli.status_code == 409
        reply = client.post(
            f"/v1/queue/{conversation}/reply", json={"text": "Dana here."}, headers=dana
        )
        assert reply.status_code == 200 and reply.json()["first_response_at"] is not None

    with TestClient(create_app(aws_profile, services)) as restarted:
        api = Api(restarted, aws_profile)
        messages = restarted.get(
            f"/v1/conversations/{conversation}/messages", headers=api.customer()
        ).json()
        texts = [m["text"] for m in messages["items"]]
        assert texts[0] == "where is my order #W1234567?" and texts[-1] == "Dana here."
        events = api.say(conversation, "thanks Dana, it is order #W1234567", api.customer())
        assert events[-1]["waiting_for_human"] is True, "the agent keeps the conversation"
        done = restarted.post(
            f"/v1/queue/{conversation}/resolve", json={"text": "All sorted."}, headers=dana
        )
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "resolved"

    kinds = [event["type"] for event in _drain(moto_endpoint, queue_url, 5)]
    assert kinds == [
        "handoff.opened",
        "handoff.claimed",
        "handoff.responded",
        "handoff.updated",
        "handoff.resolved",
    ]
