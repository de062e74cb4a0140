"""The AWS resources Tandem's AWS profile needs, as a list of bootstrap steps.

Each `Step` names one resource, tells whether it exists (without changing anything) and
creates or verifies it (every provider is idempotent: a resource that exists is checked
and left as it is). Providers live beside the code that uses each resource and are
imported lazily, so a step whose provider is not part of this build is reported as
unavailable instead of breaking the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from config.settings import Settings


class ProviderUnavailable(Exception):
    """The function that creates a resource is not part of this build."""


@dataclass(frozen=True)
class Step:
    """One resource: a display name, an existence check and an idempotent ensure."""

    resource: str
    exists: Callable[[], bool]
    ensure: Callable[[], object]
    skipped: str | None = None
    """Why the step does not apply with these settings (None: it applies)."""


def provider(module: str, name: str) -> Callable[..., Any]:
    """Import `module` and return its function `name`, or raise `ProviderUnavailable`."""
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ProviderUnavailable(f"{module}.{name} is not available") from exc
    if not callable(found):
        raise ProviderUnavailable(f"{module}.{name} is not callable")
    return found  # type: ignore[no-any-return]


def _lazy(module: str, name: str, *args: Any) -> Callable[[], object]:
    return lambda: provider(module, name)(*args)


def _dynamodb(settings: Settings) -> Callable[[], Any]:
    """A DynamoDB client made on first use (making one may look up credentials)."""
    made: list[Any] = []

    def client() -> Any:
        if not made:
            from cloud.aws import aws_client

            made.append(aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url))
        return made[0]

    return client


def _table_exists(client: Callable[[], Any], name: str) -> Callable[[], bool]:
    def exists() -> bool:
        dynamodb = client()
        try:
            dynamodb.describe_table(TableName=name)
        except dynamodb.exceptions.ResourceNotFoundException:
            return False
        return True

    return exists


def _with_client(
    client: Callable[[], Any], module: str, name: str, table: str, kms_key_id: str | None
) -> Callable[[], object]:
    return lambda: provider(module, name)(client(), table, kms_key_id=kms_key_id)


def _bucket_exists(settings: Settings, bucket: str) -> Callable[[], bool]:
    def exists() -> bool:
        from cloud.aws import aws_client

        client = aws_client("s3", settings.aws_region, settings.s3_endpoint_url)
        try:
            client.head_bucket(Bucket=bucket)
        except ClientError as err:
            if err.response["Error"]["Code"] in ("404", "NoSuchBucket", "NotFound"):
                return False
            raise
        return True

    return exists


def _topic_exists(settings: Settings, arn: str) -> Callable[[], bool]:
    def exists() -> bool:
        from cloud.aws import aws_client

        client = aws_client("sns", settings.aws_region, settings.sns_endpoint_url)
        try:
            client.get_topic_attributes(TopicArn=arn)
        except ClientError as err:
            if err.response["Error"]["Code"] in ("NotFound", "NotFoundException"):
                return False
            raise
        return True

    return exists


def _opensearch_step(settings: Settings) -> Step:
    resource = f"OpenSearch index {settings.opensearch_index}"
    if settings.kb_backend != "opensearch":
        return Step(resource, lambda: False, lambda: None, skipped="kb_backend is not opensearch")

    def call(action: Callable[[Any], object]) -> object:
        from opensearchpy.exceptions import ConnectionError as Unreachable
        from opensearchpy.exceptions import TransportError

        connect = provider("tools.knowledge.opensearch_client", "connect")
        client = connect(settings.opensearch_url, settings.aws_region)
        try:
            return action(client)
        except Unreachable as exc:
            raise RuntimeError(f"cannot reach OpenSearch at {settings.opensearch_url}") from exc
        except TransportError as exc:
            raise RuntimeError(
                f"OpenSearch at {settings.opensearch_url} answered {exc.status_code} {exc.error}"
            ) from exc
        finally:
            client.close()

    def ensure(client: Any) -> object:
        dimension = provider("wiring.backends", "build_embedder")(settings).dimension
        ensure_index = provider("tools.knowledge.opensearch_schema", "ensure_index")
        return ensure_index(client, settings.opensearch_index, int(dimension))

    return Step(
        resource,
        exists=lambda: bool(call(lambda c: c.indices.exists(index=settings.opensearch_index))),
        ensure=lambda: call(ensure),
    )


def bootstrap_steps(settings: Settings) -> list[Step]:
    """Every resource of the AWS profile, in creation order.

    All DynamoDB tables are created whatever the backend settings say, so switching a
    backend to DynamoDB later needs no new bootstrap; the offload bucket, the SNS topic
    and the OpenSearch index only when the settings name them.
    """
    client = _dynamodb(settings)
    tables = "wiring.aws_resources"
    steps = [
        Step(
            f"DynamoDB table {settings.checkpoint_table} (checkpoints)",
            _table_exists(client, settings.checkpoint_table),
            _lazy(tables, "ensure_checkpoint_table", settings),
        ),
        Step(
            f"DynamoDB table {settings.memory_table} (long-term memory)",
            _table_exists(client, settings.memory_table),
            _lazy(tables, "ensure_memory_table", settings),
        ),
        Step(
            f"DynamoDB table {settings.server_table} (conversations, handoff queue)",
            _table_exists(client, settings.server_table),
            _lazy(tables, "ensure_server_table", settings),
        ),
        Step(
            f"DynamoDB table {settings.lease_table} (conversation leases)",
            _table_exists(client, settings.lease_table),
            _with_client(
                client,
                "conversations.lease",
                "ensure_lease_table",
                settings.lease_table,
                settings.kms_key_id,
            ),
        ),
        Step(
            f"DynamoDB table {settings.orders_table} (customers and orders)",
            _table_exists(client, settings.orders_table),
            _with_client(
                client,
                "tools.orders.dynamodb_schema",
                "create_orders_table",
                settings.orders_table,
                settings.kms_key_id,
            ),
        ),
    ]
    bucket = settings.offload_bucket
    steps.append(
        Step(
            f"S3 bucket {bucket or '(offload)'} (large checkpoints)",
            _bucket_exists(settings, bucket) if bucket else lambda: False,
            _lazy(tables, "ensure_offload_bucket", settings),
            skipped=None if bucket else "offload_bucket is not set",
        )
    )
    topic = settings.sns_topic_arn
    steps.append(
        Step(
            f"SNS topic {topic or '(queue events)'}",
            _topic_exists(settings, topic) if topic else lambda: False,
            _lazy(tables, "ensure_sns_topic", settings),
            skipped=None if topic else "sns_topic_arn is not set",
        )
    )
    steps.append(_opensearch_step(settings))
    return steps
