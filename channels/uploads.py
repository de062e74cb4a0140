"""Files customers attach to a conversation in the web chat or the mobile app.

An upload is checked (size, and type recognised from its first bytes, whatever its name or
declared type say), stored through the shared file storage under a random id, and described
by a small JSON record beside it: the record says which conversation and customer it belongs
to, so the same storage answers who may read it on every server store.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import filetype

from channels.attachments import FileStore, MissingFile, safe_name
from channels.base import Attachment

ATTACHMENT_ID = re.compile(r"^att_[0-9a-f]{32}$")
"""The shape of an attachment id; anything else is refused before storage is asked."""

PREFIX = "uploads/"


@dataclass(frozen=True)
class Upload:
    """One stored attachment and whose it is."""

    id: str
    conversation_id: str
    customer_id: str | None
    filename: str
    content_type: str
    size: int
    location: str
    created_at: float

    def ref(self) -> dict[str, str | int]:
        """What messages, events and transcripts carry: never the location."""
        return {
            "id": self.id,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
        }


class UploadRejected(ValueError):
    """The file cannot be accepted; `status` and `code` say why, for the HTTP problem."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def readable_types(types: tuple[str, ...]) -> str:
    """`image/png, image/jpeg or application/pdf`."""
    if len(types) == 1:
        return types[0]
    return f"{', '.join(types[:-1])} or {types[-1]}"


class Uploads:
    """Accepts, stores and finds customers' attachments."""

    def __init__(self, files: FileStore, max_bytes: int, types: tuple[str, ...]) -> None:
        self.files = files
        self.max_bytes = max_bytes
        self.types = types

    def check(self, data: bytes) -> str:
        """The file's type as recognised from its content; UploadRejected when not accepted."""
        if not data:
            raise UploadRejected(422, "empty_attachment", "The file is empty.")
        if len(data) > self.max_bytes:
            raise UploadRejected(
                413,
                "attachment_too_large",
                f"Attachments are limited to {self.max_bytes} bytes.",
            )
        kind = filetype.guess_mime(data[:8192])
        if kind not in self.types:
            raise UploadRejected(
                415,
                "unsupported_attachment_type",
                f"Only {readable_types(self.types)} files can be attached.",
            )
        return str(kind)

    async def add(
        self, conversation_id: str, customer_id: str | None, filename: str, data: bytes
    ) -> Upload:
        """Check and store a file for the conversation; return its record."""
        content_type = self.check(data)
        upload_id = f"att_{secrets.token_hex(16)}"
        name = safe_name(filename or "attachment")
        location = await self.files.save(f"{PREFIX}{upload_id}/{name}", data, content_type)
        upload = Upload(
            id=upload_id,
            conversation_id=conversation_id,
            customer_id=customer_id,
            filename=name,
            content_type=content_type,
            size=len(data),
            location=location,
            created_at=time.time(),
        )
        await self._save_record(upload)
        return upload

    async def register(
        self, conversation_id: str, customer_id: str | None, stored: Attachment
    ) -> Upload:
        """Record a file a channel already stored (an email's attachment) as the conversation's.

        Its type is the one the channel declared; it is served with `nosniff` like the rest.
        """
        upload = Upload(
            id=f"att_{secrets.token_hex(16)}",
            conversation_id=conversation_id,
            customer_id=customer_id,
            filename=safe_name(stored.filename),
            content_type=stored.content_type,
            size=stored.size,
            location=stored.location,
            created_at=time.time(),
        )
        await self._save_record(upload)
        return upload

    async def _save_record(self, upload: Upload) -> None:
        record = json.dumps(asdict(upload)).encode()
        await self.files.save(f"{PREFIX}{upload.id}.json", record, "application/json")

    def get(self, upload_id: str) -> Upload | None:
        """The record of an attachment, or None when there is none (blocking: use a thread)."""
        if not ATTACHMENT_ID.match(upload_id):
            return None
        try:
            chunks = self.files.open_chunks(self.files.location(f"{PREFIX}{upload_id}.json"))
            return Upload(**json.loads(b"".join(chunks)))
        except MissingFile:
            return None

    def delete(self, upload_id: str) -> bool:
        """Delete an attachment's file and record (blocking); False when there is none."""
        upload = self.get(upload_id)
        if upload is None:
            return False
        self.files.delete(upload.location)
        self.files.delete(self.files.location(f"{PREFIX}{upload_id}.json"))
        return True

    def open_chunks(self, upload: Upload) -> Iterator[bytes]:
        """The attachment's bytes in pieces (blocking); MissingFile when they are gone."""
        return self.files.open_chunks(upload.location)
