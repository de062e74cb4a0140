"""WhatsApp and SMS configuration from the settings, as plain values their factories take.

A channel is on when its credentials are set: WhatsApp needs the app secret, the verify
token, the Graph API token and the phone number id; SMS the Twilio account SID, auth token
and sending number.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings
from conversations.opt_outs import OptOuts, SqliteOptOuts


@dataclass(frozen=True)
class WhatsAppChannel:
    """The WhatsApp channel's configuration."""

    app_secret: str
    verify_token: str
    token: str
    phone_number_id: str
    api_base: str
    api_version: str
    template: str | None
    template_language: str


@dataclass(frozen=True)
class SmsChannel:
    """The SMS channel's configuration."""

    account_sid: str
    auth_token: str
    from_number: str
    api_base: str
    webhook_url: str | None
    max_segments: int
    help_text: str


def whatsapp_channel(settings: Settings) -> WhatsAppChannel | None:
    """The WhatsApp channel's configuration, or None when its credentials are not all set."""
    secrets = (
        settings.whatsapp_app_secret,
        settings.whatsapp_verify_token,
        settings.whatsapp_token,
    )
    if not settings.whatsapp_phone_number_id or any(s is None for s in secrets):
        return None
    app_secret, verify_token, token = (s.get_secret_value() for s in secrets if s is not None)
    return WhatsAppChannel(
        app_secret=app_secret,
        verify_token=verify_token,
        token=token,
        phone_number_id=settings.whatsapp_phone_number_id,
        api_base=settings.whatsapp_api_base,
        api_version=settings.whatsapp_api_version,
        template=settings.whatsapp_template,
        template_language=settings.whatsapp_template_language,
    )


def sms_channel(settings: Settings) -> SmsChannel | None:
    """The SMS channel's configuration, or None when its credentials are not all set."""
    token = settings.twilio_auth_token
    if not settings.twilio_account_sid or not settings.twilio_from or token is None:
        return None
    return SmsChannel(
        account_sid=settings.twilio_account_sid,
        auth_token=token.get_secret_value(),
        from_number=settings.twilio_from,
        api_base=settings.twilio_api_base,
        webhook_url=settings.twilio_webhook_url,
        max_segments=settings.sms_max_segments,
        help_text=settings.sms_help_text,
    )


def open_opt_outs(settings: Settings) -> OptOuts:
    """SMS opt-outs beside the server store (SQLite file, or the DynamoDB server table)."""
    if settings.server_store_backend == "dynamodb":
        from cloud.aws import aws_client
        from conversations.opt_outs_dynamodb import DynamoDBOptOuts

        client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
        return DynamoDBOptOuts(client, settings.server_table)
    return SqliteOptOuts(settings.data_dir / "sms.sqlite")
