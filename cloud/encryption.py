"""Encryption at rest (SSE-KMS) for the DynamoDB tables and the S3 bucket Tandem creates.

With no key named, DynamoDB tables keep the AWS owned key (DynamoDB's default) and the
bucket uses SSE-KMS with the AWS managed key `aws/s3`. With a key (id, ARN or alias),
every table and the bucket are encrypted with that customer managed key: tables are
created with it, and an existing table encrypted otherwise is switched to it.
"""

from __future__ import annotations

from typing import Any


def table_sse(kms_key_id: str | None) -> dict[str, Any]:
    """The `SSESpecification` a new table gets (empty: the AWS owned key)."""
    if not kms_key_id:
        return {}
    return {"SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key_id}}


def _same_key(found: str, wanted: str) -> bool:
    """Whether the key a table reports is the key named (each an ARN or a bare key id)."""
    return found == wanted or found.endswith(f"/{wanted}") or wanted.endswith(f"/{found}")


def ensure_table_encryption(client: Any, table: str, kms_key_id: str | None) -> None:
    """Switch an existing table to the named key if it is encrypted with another.

    No key named: the table is left as it is. An alias cannot be compared with the key ARN
    DynamoDB reports, so a table is switched whenever its key's ARN differs from the one
    named (harmless: DynamoDB re-encrypts with the same key).
    """
    if not kms_key_id:
        return
    described = client.describe_table(TableName=table)["Table"].get("SSEDescription", {})
    found = described.get("KMSMasterKeyArn", "")
    if described.get("Status") in ("ENABLED", "UPDATING") and _same_key(found, kms_key_id):
        return
    client.update_table(TableName=table, **table_sse(kms_key_id))


def ensure_bucket_encryption(client: Any, bucket: str, kms_key_id: str | None) -> None:
    """Make SSE-KMS (with the named key, or `aws/s3`) the bucket's default encryption."""
    default: dict[str, str] = {"SSEAlgorithm": "aws:kms"}
    if kms_key_id:
        default["KMSMasterKeyID"] = kms_key_id
    client.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]
        },
    )
