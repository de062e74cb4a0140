"""Builds the Lambda webhooks from the settings, with the channels' own configuration."""

from __future__ import annotations

import json
from typing import Any

from channels.aws_lambda.handler import ChannelWebhooks
from channels.email.factory import attachment_store
from channels.email.intake import EmailIntake
from channels.email.ses_receipt import SesReceiver
from channels.email.sns import SnsVerifier
from channels.queue.sqs import SqsSink
from channels.sms.webhook import SmsWebhook
from channels.whatsapp.webhook import WhatsAppWebhook
from cloud.aws import aws_client
from config.settings import Settings
from wiring.channels import email_channel
from wiring.messaging import open_opt_outs, sms_channel, whatsapp_channel


def with_secrets(settings: Settings) -> Settings:
    """`settings` with the values of the `webhook_secrets_arn` secret (when one is set).

    The secret is a JSON object of `TANDEM_*` names and values (the channels' credentials),
    so they stay out of the function's configuration.
    """
    if not settings.webhook_secrets_arn:
        return settings
    client = aws_client("secretsmanager", settings.aws_region, settings.secretsmanager_endpoint_url)
    secret = client.get_secret_value(SecretId=settings.webhook_secrets_arn)
    values: dict[str, Any] = json.loads(secret["SecretString"])
    updates = {
        name.removeprefix("TANDEM_").lower(): value
        for name, value in values.items()
        if name.startswith("TANDEM_")
    }
    unknown = sorted(set(updates) - set(Settings.model_fields))
    if unknown:
        raise RuntimeError(f"the webhook secret names unknown settings: {unknown}")
    return Settings.model_validate({**settings.model_dump(), **updates})


def webhooks_from_settings(settings: Settings) -> ChannelWebhooks:
    """The webhooks of every configured channel, queuing on `inbound_queue_url`."""
    settings = with_secrets(settings)
    if not settings.inbound_queue_url:
        raise RuntimeError("TANDEM_INBOUND_QUEUE_URL must name the SQS queue to fill")
    sqs = aws_client("sqs", settings.aws_region, settings.sqs_endpoint_url)
    sink = SqsSink(sqs, settings.inbound_queue_url)
    webhooks = ChannelWebhooks(sink)
    whatsapp = whatsapp_channel(settings)
    if whatsapp is not None:
        webhooks.whatsapp = WhatsAppWebhook(
            whatsapp.app_secret, whatsapp.verify_token, whatsapp.phone_number_id
        )
    sms = sms_channel(settings)
    if sms is not None:
        webhooks.sms = SmsWebhook(
            sms.auth_token,
            sms.account_sid,
            open_opt_outs(settings),
            sms.help_text,
            sms.webhook_url,
        )
    email = email_channel(settings)
    if email is not None:
        intake = EmailIntake(sink, attachment_store(email), email.address)
        webhooks.email = SesReceiver(
            intake,
            SnsVerifier(email.sns_certificate_prefix),
            lambda: aws_client("s3", email.region, email.s3_endpoint_url),
            email.sns_topic_arns,
        )
    return webhooks
