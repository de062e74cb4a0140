"""Where inbound email attachments are kept: a local folder (embedded) or an S3 bucket (AWS).

Each file goes under a digest of its message's id and a digest of its bytes, with a sanitised
name, so a customer-chosen file name can never escape the folder or overwrite another file.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path
from typing import Any, Protocol

from channels.base import Attachment
from channels.email.parse import RawAttachment

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""Larger attachments are not stored (the transcript lists them as skipped)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(filename: str) -> str:
    """A file name without path separators or unusual characters (at most 100 characters)."""
    name = _UNSAFE.sub("_", Path(filename).name).strip("._") or "attachment"
    return name[-100:]


def object_key(message_id: str, raw: RawAttachment) -> str:
    """The relative key of an attachment: `<message digest>/<content digest>-<name>`."""
    folder = hashlib.sha256(message_id.encode()).hexdigest()[:16]
    digest = hashlib.sha256(raw.data).hexdigest()[:16]
    return f"{folder}/{digest}-{safe_name(raw.filename)}"


class AttachmentStore(Protocol):
    """Keeps attachment bytes and says where they are."""

    async def put(self, message_id: str, raw: RawAttachment) -> Attachment:
        """Store one attachment of the message `message_id`; return its record."""
        ...


def _skipped(raw: RawAttachment) -> Attachment:
    return Attachment(raw.filename, raw.content_type, len(raw.data), "not stored (too large)")


class LocalAttachments:
    """Attachments in a local folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _write(self, key: str, data: bytes) -> Path:
        path = self.folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    async def put(self, message_id: str, raw: RawAttachment) -> Attachment:
        """Write the file under the folder."""
        if len(raw.data) > MAX_ATTACHMENT_BYTES:
            return _skipped(raw)
        path = await asyncio.to_thread(self._write, object_key(message_id, raw), raw.data)
        return Attachment(raw.filename, raw.content_type, len(raw.data), str(path))


class S3Attachments:
    """Attachments in an S3 bucket (a boto3 S3 client)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "attachments/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    async def put(self, message_id: str, raw: RawAttachment) -> Attachment:
        """Upload the file to the bucket."""
        if len(raw.data) > MAX_ATTACHMENT_BYTES:
            return _skipped(raw)
        key = self.prefix + object_key(message_id, raw)
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=raw.data,
            ContentType=raw.content_type,
        )
        return Attachment(
            raw.filename, raw.content_type, len(raw.data), f"s3://{self.bucket}/{key}"
        )
