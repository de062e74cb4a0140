"""Where inbound email attachments are kept: the shared file storage (`channels.attachments`).

Each file goes under a digest of its message's id and a digest of its bytes, with a sanitised
name, so a customer-chosen file name can never escape the folder or overwrite another file.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from channels.attachments import FileStore, LocalFiles, S3Files, safe_name
from channels.base import Attachment
from channels.email.parse import RawAttachment

__all__ = ["AttachmentStore", "LocalAttachments", "S3Attachments", "object_key", "safe_name"]

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""Larger attachments are not stored (the transcript lists them as skipped)."""


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


class _EmailAttachments:
    """Stores an email's attachments through the file store it is mixed into."""

    async def put(self: FileStore, message_id: str, raw: RawAttachment) -> Attachment:
        """Store the file unless it is too large (then the record says it was skipped)."""
        if len(raw.data) > MAX_ATTACHMENT_BYTES:
            return Attachment(
                raw.filename, raw.content_type, len(raw.data), "not stored (too large)"
            )
        location = await self.save(object_key(message_id, raw), raw.data, raw.content_type)
        return Attachment(raw.filename, raw.content_type, len(raw.data), location)


class LocalAttachments(_EmailAttachments, LocalFiles):
    """Email attachments in a local folder."""


class S3Attachments(_EmailAttachments, S3Files):
    """Email attachments in an S3 bucket (a boto3 S3 client)."""
