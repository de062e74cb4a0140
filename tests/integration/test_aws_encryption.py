"""Encryption at rest: `tandem aws bootstrap` makes every table and the bucket SSE-KMS
encrypted with the configured key (moto_server), and switches an existing table to it."""

from __future__ import annotations

from typing import Any

import pytest

from cloud.aws import aws_client
from memory.dynamodb_tables import TableSpec, ensure_table
from tests.integration.conftest import MOTO_REGION
from tests.integration.test_aws_bootstrap import _invoke, aws_env, names  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

TABLES = ("checkpoint", "memory", "server", "lease", "orders")


def _key(endpoint: str) -> dict[str, str]:
    kms = aws_client("kms", MOTO_REGION, endpoint)
    return dict(kms.create_key(Description="tandem at rest")["KeyMetadata"])


def _sse(dynamodb: Any, table: str) -> dict[str, Any]:
    return dict(dynamodb.describe_table(TableName=table)["Table"].get("SSEDescription", {}))


def test_bootstrap_encrypts_every_table_and_the_bucket_with_the_key(
    aws_env: dict[str, str],  # noqa: F811
    names: dict[str, str],  # noqa: F811
    moto_endpoint: str,
) -> None:
    key = _key(moto_endpoint)
    env = {**aws_env, "TANDEM_KMS_KEY_ID": key["Arn"]}
    result = _invoke(["aws", "bootstrap"], env)
    assert result.exit_code == 0, result.output

    dynamodb = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    for table in TABLES:
        sse = _sse(dynamodb, names[table])
        assert sse.get("Status") == "ENABLED", (table, sse)
        assert sse.get("SSEType") == "KMS", (table, sse)
        assert sse.get("KMSMasterKeyArn") == key["Arn"], (table, sse)

    s3 = aws_client("s3", MOTO_REGION, moto_endpoint)
    rules = s3.get_bucket_encryption(Bucket=names["bucket"])["ServerSideEncryptionConfiguration"]
    default = rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert default == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}


def test_without_a_key_tables_keep_the_aws_owned_key_and_the_bucket_uses_aws_s3(
    aws_env: dict[str, str],  # noqa: F811
    names: dict[str, str],  # noqa: F811
    moto_endpoint: str,
) -> None:
    result = _invoke(["aws", "bootstrap"], aws_env)
    assert result.exit_code == 0, result.output
    dynamodb = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    assert "KMSMasterKeyArn" not in _sse(dynamodb, names["checkpoint"])
    s3 = aws_client("s3", MOTO_REGION, moto_endpoint)
    rules = s3.get_bucket_encryption(Bucket=names["bucket"])["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms"}


def test_an_existing_table_is_switched_to_the_key(
    names: dict[str, str],  # noqa: F811
    moto_endpoint: str,
) -> None:
    dynamodb = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    # moto answers UpdateTable but does not apply an SSESpecification: check the request.
    sent: list[dict[str, Any]] = []
    dynamodb.meta.events.register(
        "before-parameter-build.dynamodb.UpdateTable", lambda params, **_: sent.append(params)
    )
    spec = TableSpec(names["memory"])
    assert ensure_table(dynamodb, spec) is True
    assert "KMSMasterKeyArn" not in _sse(dynamodb, spec.name)
    key = _key(moto_endpoint)
    assert ensure_table(dynamodb, spec, kms_key_id=key["KeyId"]) is False
    assert [call["SSESpecification"] for call in sent] == [
        {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["KeyId"]}
    ]


def test_a_table_already_on_the_key_is_left_as_it_is(
    names: dict[str, str],  # noqa: F811
    moto_endpoint: str,
) -> None:
    dynamodb = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    sent: list[dict[str, Any]] = []
    dynamodb.meta.events.register(
        "before-parameter-build.dynamodb.UpdateTable", lambda params, **_: sent.append(params)
    )
    key = _key(moto_endpoint)
    spec = TableSpec(names["server"])
    assert ensure_table(dynamodb, spec, kms_key_id=key["KeyId"]) is True
    assert ensure_table(dynamodb, spec, kms_key_id=key["KeyId"]) is False
    assert ensure_table(dynamodb, spec, kms_key_id=key["Arn"]) is False
    assert sent == []
