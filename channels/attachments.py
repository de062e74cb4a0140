"""Where attached files are kept: a local folder (embedded) or an S3 bucket (AWS).

Email attachments and the files customers attach in the web chat or the mobile app share
this storage. Keys are chosen by the caller from digests and random ids, never from a
customer-chosen name alone, so a file name can never escape the folder or overwrite another.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

CHUNK_BYTES = 64 * 1024
"""Size of the pieces a stored file is read back in."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(filename: str) -> str:
    """A file name without path separators or unusual characters (at most 100 characters)."""
    name = _UNSAFE.sub("_", Path(filename).name).strip("._") or "attachment"
    return name[-100:]


class MissingFile(LookupError):
    """The stored file is not there (deleted, or the location is unknown to this store)."""


class FileStore(Protocol):
    """Keeps files under relative keys and reads them back."""

    async def save(self, key: str, data: bytes, content_type: str) -> str:
        """Store `data` under `key`; return its location (a path or an `s3://` URL)."""
        ...

    def location(self, key: str) -> str:
        """Where the file stored under `key` is (or would be)."""
        ...

    def open_chunks(self, location: str) -> Iterator[bytes]:
        """The stored file's bytes in pieces (blocking); MissingFile when it is not there."""
        ...

    def delete(self, location: str) -> None:
        """Delete the stored file (blocking); nothing happens when it is not there."""
        ...


class LocalFiles:
    """Files in a local folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _write(self, key: str, data: bytes) -> Path:
        path = self.folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    async def save(self, key: str, data: bytes, content_type: str) -> str:
        """Write the file under the folder."""
        return str(await asyncio.to_thread(self._write, key, data))

    def location(self, key: str) -> str:
        """The file's path under the folder."""
        return str(self.folder / key)

    def _inside(self, location: str) -> Path:
        """The location as a path under the folder; MissingFile for anywhere else."""
        path = Path(location).resolve()
        if not path.is_relative_to(self.folder.resolve()):
            raise MissingFile(location)
        return path

    def open_chunks(self, location: str) -> Iterator[bytes]:
        """Open the file now (so a missing one fails here) and read it lazily."""
        path = self._inside(location)
        try:
            handle = path.open("rb")
        except OSError as error:
            raise MissingFile(location) from error
        return _read_file(handle)

    def delete(self, location: str) -> None:
        """Remove the file, and its folder when that is left empty."""
        try:
            path = self._inside(location)
        except MissingFile:
            return
        if not path.is_file():
            return
        path.unlink()
        if path.parent != self.folder.resolve() and not any(path.parent.iterdir()):
            path.parent.rmdir()


def _read_file(handle: Any) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


class S3Files:
    """Files in an S3 bucket (a boto3 S3 client)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "attachments/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    async def save(self, key: str, data: bytes, content_type: str) -> str:
        """Upload the file to the bucket."""
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=self.prefix + key,
            Body=data,
            ContentType=content_type,
        )
        return self.location(key)

    def location(self, key: str) -> str:
        """The object's `s3://bucket/key` URL."""
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def open_chunks(self, location: str) -> Iterator[bytes]:
        """Start the download now (so a missing object fails here) and stream the body.

        Any `s3://` location is read (the email channel may keep its files in another
        bucket); locations come only from records the server wrote.
        """
        bucket, _, key = location.removeprefix("s3://").partition("/")
        if not location.startswith("s3://") or not bucket or not key:
            raise MissingFile(location)
        try:
            body = self.client.get_object(Bucket=bucket, Key=key)["Body"]
        except (self.client.exceptions.NoSuchKey, self.client.exceptions.NoSuchBucket) as error:
            raise MissingFile(location) from error
        return _read_body(body)

    def delete(self, location: str) -> None:
        """Delete the object (any `s3://` location, as `open_chunks` reads any).

        One `DeleteObject` call: S3 answers it the same whether or not the object exists.
        """
        bucket, _, key = location.removeprefix("s3://").partition("/")
        if location.startswith("s3://") and bucket and key:
            self.client.delete_object(Bucket=bucket, Key=key)


def _read_body(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK_BYTES)
    finally:
        body.close()
