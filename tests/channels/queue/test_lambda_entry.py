"""The Lambda entry point builds the webhooks from the TANDEM_* environment, once."""

from __future__ import annotations

import json

import boto3
import pytest

from channels.aws_lambda import handler as entry
from channels.aws_lambda.setup import webhooks_from_settings
from config.settings import Settings, get_settings
from tests.channels.messaging.http_api import http_api_event


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name, value in {
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_INBOUND_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/in.fifo",
        "TANDEM_AWS_REGION": "eu-west-1",
        "TANDEM_WHATSAPP_APP_SECRET": "secret",
        "TANDEM_WHATSAPP_VERIFY_TOKEN": "verify",
        "TANDEM_WHATSAPP_TOKEN": "token",
        "TANDEM_WHATSAPP_PHONE_NUMBER_ID": "1065",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    entry._webhooks.cache_clear()
    yield
    get_settings.cache_clear()
    entry._webhooks.cache_clear()


def test_the_handler_answers_from_the_environments_configuration(environment):
    query = "hub.mode=subscribe&hub.verify_token=verify&hub.challenge=42"
    answer = entry.handler(http_api_event("GET", entry.WHATSAPP_PATH, query=query), None)
    assert (answer["statusCode"], answer["body"]) == (200, "42")
    unsigned = http_api_event(
        "POST", entry.WHATSAPP_PATH, b"{}", {"content-type": "application/json"}
    )
    refused = entry.handler(unsigned, None)
    assert refused["statusCode"] == 401
    assert json.loads(refused["body"])["code"] == "bad_signature"
    sms = entry.handler(http_api_event("POST", entry.SMS_PATH, b"Body=hi"), None)
    assert (sms["statusCode"], json.loads(sms["body"])["code"]) == (404, "channel_not_configured")
    assert entry._webhooks.cache_info().currsize == 1


def test_without_a_queue_the_function_refuses_to_start(environment, monkeypatch):
    monkeypatch.delenv("TANDEM_INBOUND_QUEUE_URL")
    get_settings.cache_clear()
    with pytest.raises(RuntimeError, match="TANDEM_INBOUND_QUEUE_URL"):
        entry.handler(http_api_event("GET", entry.WHATSAPP_PATH), None)


@pytest.mark.integration
@pytest.mark.enable_socket
def test_channel_credentials_come_from_the_webhook_secret(tmp_path, moto_endpoint):
    secrets = boto3.client("secretsmanager", region_name="eu-west-1", endpoint_url=moto_endpoint)
    arn = secrets.create_secret(
        Name=f"tandem-webhooks-{tmp_path.name}",
        SecretString=json.dumps(
            {
                "TANDEM_TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
                "TANDEM_TWILIO_AUTH_TOKEN": "from-the-secret",
                "TANDEM_TWILIO_FROM": "+15005550006",
            }
        ),
    )["ARN"]
    settings = Settings(
        data_dir=tmp_path,
        aws_region="eu-west-1",
        inbound_queue_url="https://sqs.eu-west-1.amazonaws.com/123456789012/in.fifo",
        webhook_secrets_arn=arn,
        secretsmanager_endpoint_url=moto_endpoint,
    )
    webhooks = webhooks_from_settings(settings)
    assert webhooks.sms is not None and webhooks.sms.auth_token == "from-the-secret"
    assert webhooks.whatsapp is None
    webhooks.sms.opt_outs.close()
    secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({"TANDEM_NO_SUCH": "x"}))
    with pytest.raises(RuntimeError, match="no_such"):
        webhooks_from_settings(settings)
