"""DynamoDB checkpointer (`langgraph-checkpoint-aws`'s `DynamoDBSaver`) and its table.

`DynamoDBSaver` keeps everything in one table with a string partition key `PK` and a
string sort key `SK`: a metadata item per checkpoint (`CHECKPOINT_<thread>`,
`<ns>#<checkpoint id>`), a metadata item per pending write (`WRITES_<thread>#<ns>#<id>`,
`<task>#<idx>`) and, for each of them, a payload item (`CHUNK_...`, `CHUNK`) holding the
serialized bytes. With `ttl_seconds` every item carries an epoch-seconds `ttl` attribute,
which the table's Time to Live setting uses to expire old conversations. Payloads over
350 KB go to S3 instead when an offload bucket is configured (otherwise a put that large
fails against DynamoDB's 400 KB item limit).

Every client takes an explicit endpoint, so the same code runs against AWS or a local
emulator such as moto_server.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from langgraph_checkpoint_aws import DynamoDBSaver
from langgraph_checkpoint_aws.checkpoint.dynamodb.saver import S3OffloadConfigDict

from cloud.aws import aws_client
from cloud.encryption import ensure_bucket_encryption, ensure_table_encryption, table_sse

PARTITION_KEY = "PK"
SORT_KEY = "SK"
TTL_ATTRIBUTE = "ttl"
KEY_SCHEMA = [
    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
]
ATTRIBUTE_DEFINITIONS = [
    {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
    {"AttributeName": SORT_KEY, "AttributeType": "S"},
]


def dynamodb_saver(
    table_name: str,
    region: str,
    endpoint_url: str | None = None,
    ttl_seconds: int | None = None,
    *,
    session: boto3.Session | None = None,
    boto_config: Config | None = None,
    compress: bool = False,
    s3_bucket: str | None = None,
    s3_endpoint_url: str | None = None,
    s3_key_prefix: str | None = None,
) -> DynamoDBSaver:
    """A `DynamoDBSaver` on `table_name` (create it first with `create_checkpoint_table`).

    `endpoint_url` overrides the DynamoDB endpoint; `s3_bucket` turns on offloading of
    payloads over 350 KB to that bucket, reached at `s3_endpoint_url` (by default the same
    `endpoint_url`, which suits an emulator serving both APIs) under `s3_key_prefix`.
    `ttl_seconds` stamps every item with an expiry time; `compress` gzips payloads over
    1 KB when that saves at least 10 %.
    """
    offload: S3OffloadConfigDict | None = None
    if s3_bucket:
        offload = {
            "bucket_name": s3_bucket,
            "endpoint_url": s3_endpoint_url or endpoint_url,
            "key_prefix": s3_key_prefix,
        }
    return DynamoDBSaver(
        table_name=table_name,
        session=session,
        region_name=region,
        endpoint_url=endpoint_url,
        boto_config=boto_config,
        ttl_seconds=ttl_seconds,
        enable_checkpoint_compression=compress,
        s3_offload_config=offload,
    )


def _check_key_schema(table_name: str, description: dict[str, Any]) -> None:
    keys = {(k["AttributeName"], k["KeyType"]) for k in description["KeySchema"]}
    types = {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]}
    expected = {(k["AttributeName"], k["KeyType"]) for k in KEY_SCHEMA}
    if keys != expected or types.get(PARTITION_KEY) != "S" or types.get(SORT_KEY) != "S":
        raise ValueError(
            f"table {table_name!r} exists with key schema {sorted(keys)}; the checkpointer "
            f"needs string keys {PARTITION_KEY} (HASH) and {SORT_KEY} (RANGE)"
        )


def _enable_ttl(client: Any, table_name: str) -> None:
    current = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    status = current.get("TimeToLiveStatus", "DISABLED")
    attribute = current.get("AttributeName")
    if status in ("ENABLED", "ENABLING"):
        if attribute != TTL_ATTRIBUTE:
            raise ValueError(
                f"table {table_name!r} expires items on {attribute!r}; the checkpointer "
                f"writes its expiry time to {TTL_ATTRIBUTE!r}"
            )
        return
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


def create_checkpoint_table(
    table_name: str,
    region: str,
    endpoint_url: str | None = None,
    *,
    session: boto3.Session | None = None,
    enable_ttl: bool = True,
    wait_seconds: int = 120,
    kms_key_id: str | None = None,
) -> bool:
    """Create the checkpoint table (on-demand billing) and enable TTL on `ttl`.

    With `kms_key_id`, the table is encrypted with that KMS key (`cloud.encryption`).

    Safe to run again, or from several processes at once: an existing table is checked
    for the right key schema and left as it is, and TTL is only switched on if it is off.
    Returns True when this call created the table.
    """
    client = aws_client("dynamodb", region, endpoint_url, session=session)
    created = True
    try:
        client.create_table(
            TableName=table_name,
            KeySchema=KEY_SCHEMA,
            AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
            BillingMode="PAY_PER_REQUEST",
            **table_sse(kms_key_id),
        )
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceInUseException":
            raise
        created = False
    attempts = max(1, wait_seconds)
    client.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": attempts}
    )
    _check_key_schema(table_name, client.describe_table(TableName=table_name)["Table"])
    if not created:
        ensure_table_encryption(client, table_name, kms_key_id)
    if enable_ttl:
        _enable_ttl(client, table_name)
    return created


def create_offload_bucket(
    bucket: str,
    region: str,
    endpoint_url: str | None = None,
    *,
    session: boto3.Session | None = None,
    kms_key_id: str | None = None,
) -> bool:
    """Create the S3 bucket for offloaded payloads; returns False if this account has it.

    Either way its default encryption is set to SSE-KMS with `kms_key_id` (or `aws/s3`).
    """
    client = aws_client("s3", region, endpoint_url, session=session)
    params: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": region}
    created = True
    try:
        client.create_bucket(**params)
    except ClientError as err:
        if err.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
            raise
        created = False
    ensure_bucket_encryption(client, bucket, kms_key_id)
    return created
