"""Create (or verify) every AWS resource the selected backends need, idempotently.

Each `ensure_*` function creates one resource if it is missing and checks it if it is
there (tables and the bucket encrypted with `kms_key_id`, see `cloud.encryption`);
`ensure_dynamodb_resources` runs those the settings select (a backend left on its
embedded default needs nothing) and returns what it created or verified, as
`dynamodb:<table>`, `s3:<bucket>` and `sns:<topic arn>`.
"""

from __future__ import annotations

from cloud.aws import aws_client
from config.settings import Settings
from conversations.report_days import ensure_report_days
from conversations.server_table import server_table_spec
from memory.dynamodb import create_checkpoint_table, create_offload_bucket
from memory.dynamodb_tables import TableSpec, ensure_table
from server.metrics_facts import FACT_EVENT_TYPES

MEMORY_TTL_ATTRIBUTE = "expires_at"
"""The attribute `DynamoDBStore` writes item expiry times to."""


def ensure_checkpoint_table(settings: Settings) -> str:
    """The checkpoint table (string PK/SK, TTL on `ttl`)."""
    create_checkpoint_table(
        settings.checkpoint_table,
        settings.aws_region,
        settings.dynamodb_endpoint_url,
        kms_key_id=settings.kms_key_id,
    )
    return f"dynamodb:{settings.checkpoint_table}"


def ensure_offload_bucket(settings: Settings) -> str:
    """The S3 bucket for checkpoint payloads over 350 KB."""
    if not settings.offload_bucket:
        raise ValueError("TANDEM_OFFLOAD_BUCKET is not set")
    create_offload_bucket(
        settings.offload_bucket,
        settings.aws_region,
        settings.s3_endpoint_url,
        kms_key_id=settings.kms_key_id,
    )
    return f"s3:{settings.offload_bucket}"


def ensure_memory_table(settings: Settings) -> str:
    """The long-term memory table (`DynamoDBStore`'s layout, TTL on `expires_at`)."""
    client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
    spec = TableSpec(settings.memory_table, ttl_attribute=MEMORY_TTL_ATTRIBUTE)
    ensure_table(client, spec, kms_key_id=settings.kms_key_id)
    return f"dynamodb:{settings.memory_table}"


def ensure_server_table(settings: Settings) -> str:
    """The server table: conversations, events and the handoff queue, with its indexes.

    Once per table, the report items written before the `by_day` index get their
    `report_day` (`conversations.report_days.ensure_report_days`).
    """
    client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
    ensure_table(client, server_table_spec(settings.server_table), kms_key_id=settings.kms_key_id)
    ensure_report_days(client, settings.server_table, FACT_EVENT_TYPES)
    return f"dynamodb:{settings.server_table}"


def ensure_sns_topic(settings: Settings) -> str:
    """The SNS topic of queue events (CreateTopic returns the existing one unchanged)."""
    if not settings.sns_topic_arn:
        raise ValueError("TANDEM_SNS_TOPIC_ARN is not set")
    client = aws_client("sns", settings.aws_region, settings.sns_endpoint_url)
    name = settings.sns_topic_arn.rsplit(":", 1)[-1]
    arn = str(client.create_topic(Name=name)["TopicArn"])
    if arn != settings.sns_topic_arn:
        raise ValueError(
            f"topic {name!r} has ARN {arn} in this account and region, "
            f"not TANDEM_SNS_TOPIC_ARN={settings.sns_topic_arn}"
        )
    return f"sns:{arn}"


def ensure_dynamodb_resources(settings: Settings) -> list[str]:
    """Create or verify the resources the settings' AWS backends use; return their names."""
    done: list[str] = []
    if settings.checkpointer == "dynamodb":
        done.append(ensure_checkpoint_table(settings))
        if settings.offload_bucket:
            done.append(ensure_offload_bucket(settings))
    if settings.store_backend == "dynamodb":
        done.append(ensure_memory_table(settings))
    if settings.server_store_backend == "dynamodb":
        done.append(ensure_server_table(settings))
    if settings.sns_topic_arn:
        done.append(ensure_sns_topic(settings))
    return done
