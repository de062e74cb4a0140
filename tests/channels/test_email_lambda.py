"""SES mail through the Lambda webhook: a signed SNS notification → the parsed mail on SQS."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import boto3
import pytest

from channels.aws_lambda.handler import EMAIL_PATH
from channels.aws_lambda.setup import webhooks_from_settings
from channels.queue.envelope import decode
from tests.channels import test_email_ses_sns as ses
from tests.channels.conftest import customer_mail
from tests.channels.messaging.http_api import http_api_event
from tests.channels.test_email_ses_sns import BUCKET, TOPIC, receipt, signed

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

# The SNS signing certificate server, its key and the mail bucket, as the SES tests have them.
cert_server, signing_key, s3 = ses.cert_server, ses.signing_key, ses.s3


@pytest.fixture
def lambda_settings(email_settings, cert_server, moto_endpoint):
    email_settings.email_smtp_port = None
    email_settings.s3_endpoint_url = moto_endpoint
    email_settings.sqs_endpoint_url = moto_endpoint
    email_settings.email_sns_certificate_prefix = cert_server.base
    email_settings.email_sns_topic_arns = [TOPIC]
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto_endpoint)
    email_settings.inbound_queue_url = sqs.create_queue(QueueName=f"mail-{uuid.uuid4().hex[:8]}")[
        "QueueUrl"
    ]
    return email_settings


def sns_event(message: dict[str, str]) -> dict[str, Any]:
    headers = {"content-type": "text/plain", "x-amz-sns-message-type": message["Type"]}
    return http_api_event("POST", EMAIL_PATH, json.dumps(message).encode(), headers)


def test_a_signed_notification_queues_the_parsed_mail(
    lambda_settings, s3, signing_key, cert_server, alex_email
):
    mail = customer_mail(alex_email, "Where is my order #W1234567?")
    key = f"inbound/{uuid.uuid4().hex}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=mail.as_bytes())
    cert_url = cert_server.base + "SimpleNotificationService-test.pem"
    fields = {"Type": "Notification", "Message": receipt(key, sender=alex_email)}
    webhooks = webhooks_from_settings(lambda_settings)
    answer = asyncio.run(webhooks.handle(sns_event(signed(signing_key, cert_url, fields))))
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"])["outcome"] == "queued"
    sqs = webhooks.sink.client
    [queued] = sqs.receive_message(QueueUrl=lambda_settings.inbound_queue_url)["Messages"]
    message = decode(queued["Body"])
    assert (message.channel, message.sender, message.verified) == ("email", alex_email, True)
    assert message.provider_message_id == mail["Message-ID"]
    assert message.text.startswith("Where is my order #W1234567?")

    forged = signed(signing_key, cert_url, fields)
    forged["Message"] = receipt(f"inbound/{uuid.uuid4().hex}", sender=alex_email)
    refused = asyncio.run(webhooks.handle(sns_event(forged)))
    assert (refused["statusCode"], json.loads(refused["body"])["code"]) == (
        403,
        "invalid_signature",
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=lambda_settings.inbound_queue_url)
