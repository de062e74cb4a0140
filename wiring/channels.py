"""Channel configuration from the settings, as plain values the channel adapters take.

Only this package reads `Settings`; a channel's factory asks the `Root` for its
configuration (`Root.email_channel()`) and builds its adapter from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings
from conversations.channel_store import ChannelStore


@dataclass(frozen=True)
class ChannelRuntime:
    """What the shared inbox and the inbound queues need."""

    sender_messages_per_hour: int
    queue_max_attempts: int = 5
    """Tries of a message on the in-process queue before it is dead-lettered."""
    queue_retry_seconds: float = 5.0
    """First delay before a failed queued message is tried again."""
    sqs_queue_url: str | None = None
    """The SQS queue the Lambda webhooks fill, consumed when set."""
    sqs_wait_seconds: int = 10
    """Long-poll wait of one SQS receive."""
    region: str = "us-east-1"
    sqs_endpoint_url: str | None = None


@dataclass(frozen=True)
class EmailChannel:
    """The email channel's configuration."""

    address: str
    display_name: str
    smtp_host: str
    smtp_port: int | None
    smtp_trust_senders: bool
    outbound: str
    relay_host: str
    relay_port: int
    relay_starttls: bool
    relay_username: str | None
    relay_password: str | None
    attachments_dir: Path
    attachment_bucket: str | None
    region: str
    s3_endpoint_url: str | None
    ses_endpoint_url: str | None
    sns_topic_arns: tuple[str, ...]
    sns_certificate_prefix: str | None


def channel_runtime(settings: Settings) -> ChannelRuntime:
    """The shared inbox's configuration."""
    return ChannelRuntime(
        sender_messages_per_hour=settings.channel_sender_messages_per_hour,
        queue_max_attempts=settings.inbound_queue_max_attempts,
        queue_retry_seconds=settings.inbound_queue_retry_seconds,
        sqs_queue_url=settings.inbound_queue_url,
        sqs_wait_seconds=settings.inbound_queue_wait_seconds,
        region=settings.aws_region,
        sqs_endpoint_url=settings.sqs_endpoint_url,
    )


def email_channel(settings: Settings) -> EmailChannel | None:
    """The email channel's configuration, or None when it is off."""
    if not settings.email_enabled:
        return None
    return EmailChannel(
        address=settings.email_address,
        display_name=settings.email_display_name,
        smtp_host=settings.email_smtp_host,
        smtp_port=settings.email_smtp_port,
        smtp_trust_senders=settings.email_smtp_trust_senders,
        outbound=settings.email_outbound,
        relay_host=settings.email_relay_host,
        relay_port=settings.email_relay_port,
        relay_starttls=settings.email_relay_starttls,
        relay_username=settings.email_relay_username,
        relay_password=settings.email_relay_password,
        attachments_dir=settings.attachments_dir,
        attachment_bucket=settings.email_attachment_bucket,
        region=settings.aws_region,
        s3_endpoint_url=settings.s3_endpoint_url,
        ses_endpoint_url=settings.ses_endpoint_url,
        sns_topic_arns=tuple(settings.email_sns_topic_arns),
        sns_certificate_prefix=settings.email_sns_certificate_prefix,
    )


def open_channel_store(settings: Settings) -> ChannelStore:
    """The channel records beside the server store (SQLite file, or DynamoDB table)."""
    if settings.server_store_backend == "dynamodb":
        from cloud.aws import aws_client
        from conversations.channel_store_dynamodb import DynamoDBChannelStore

        client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
        return DynamoDBChannelStore(client, settings.server_table)
    from conversations.channel_store_sqlite import SqliteChannelStore

    return SqliteChannelStore(settings.channels_db)
