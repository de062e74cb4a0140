"""`DynamoDBSaver`'s item layout, built from already serialized payloads.

Mirrors `langgraph_checkpoint_aws`'s `UnifiedRepository`: a checkpoint is a metadata item
(`CHECKPOINT_<thread>`, `<ns>#<id>`) plus a payload item (`CHUNK_<thread>#<ns>#<id>`,
`CHUNK`); a channel write is a metadata item (`WRITES_<thread>#<ns>#<id>`,
`<task>#<idx>`) plus its payload item. A payload too large for DynamoDB goes to the
saver's S3 offload bucket and the metadata item points there instead. Building the items
here lets them be written in batches while `DynamoDBSaver` still reads them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from langgraph_checkpoint_aws import DynamoDBSaver

MAX_ITEM_BYTES = 390_000
"""A payload above this cannot be stored in one DynamoDB item (400 KB with its keys)."""


@dataclass
class Payload:
    """One serialized value and the keys it is stored under."""

    chunk_key: str
    s3_key: str
    kind: str
    data: bytes
    compression: Any

    def decode(self, saver: DynamoDBSaver) -> Any:
        """The value, deserialized as `saver` would after reading it back."""
        return saver.serializer.deserialize(self.kind, self.data, self.compression)


Write = tuple[str, Payload, str]
"""A buffered channel write: (channel, payload, task path)."""


@dataclass
class Step:
    """A checkpoint (serialized) and the channel writes recorded against it."""

    thread_id: str
    checkpoint_ns: str
    checkpoint_id: str
    parent_id: str | None
    payload: Payload
    writes: dict[tuple[str, int], Write] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """(thread, namespace, checkpoint id)."""
        return self.thread_id, self.checkpoint_ns, self.checkpoint_id


def encode(saver: DynamoDBSaver, value: Any, chunk_key: str, s3_key: str) -> Payload:
    """Serialize `value` as `saver` does; refuse what could never be stored."""
    kind, data, compression = saver.serializer.serialize(value)
    if len(data) > MAX_ITEM_BYTES and not saver.storage.s3_enabled:
        raise ValueError(
            f"a checkpoint payload of {len(data)} bytes exceeds DynamoDB's 400 KB item "
            "limit; configure an offload bucket (TANDEM_OFFLOAD_BUCKET)"
        )
    return Payload(chunk_key, s3_key, kind, data, compression)


def checkpoint_payload(saver: DynamoDBSaver, step_key: tuple[str, str, str], value: Any) -> Payload:
    """The payload of a checkpoint (with its metadata) under its layout keys."""
    thread_id, ns, checkpoint_id = step_key
    return encode(
        saver,
        value,
        f"CHUNK_{thread_id}#{ns}#{checkpoint_id}",
        f"{thread_id}/checkpoints/{ns}/{checkpoint_id}",
    )


def write_payload(
    saver: DynamoDBSaver, step_key: tuple[str, str, str], task_id: str, idx: int, value: Any
) -> Payload:
    """The payload of one channel write under its layout keys."""
    thread_id, ns, checkpoint_id = step_key
    return encode(
        saver,
        value,
        f"CHUNK_{thread_id}#{ns}#{checkpoint_id}#{task_id}#{idx}",
        f"{thread_id}/checkpoints/{ns}/{checkpoint_id}/writes/{task_id}/{idx}",
    )


def _expiry(saver: DynamoDBSaver) -> dict[str, Any]:
    ttl = saver.storage.ttl_seconds
    return {"ttl": {"N": str(int(time.time() + ttl))}} if ttl else {}


def _place(saver: DynamoDBSaver, payload: Payload) -> tuple[str, str, list[dict[str, Any]]]:
    """Where a payload lives: S3 (uploaded now) for large ones, else a chunk item."""
    storage = saver.storage
    if storage.should_offload_to_s3(payload.data):
        storage.store_data(payload.chunk_key, payload.s3_key, payload.data, allow_overwrite=True)
        return "S3", payload.s3_key, []
    chunk = {
        "PK": {"S": payload.chunk_key},
        "SK": {"S": "CHUNK"},
        "payload": {"B": payload.data},
        **_expiry(saver),
    }
    return "DYNAMODB", payload.chunk_key, [chunk]


def checkpoint_items(saver: DynamoDBSaver, step: Step) -> list[dict[str, Any]]:
    """The payload item (if any) and metadata item of a checkpoint, payload first."""
    location, ref_key, chunks = _place(saver, step.payload)
    item: dict[str, Any] = {
        "PK": {"S": f"CHECKPOINT_{step.thread_id}"},
        "SK": {"S": f"{step.checkpoint_ns}#{step.checkpoint_id}"},
        "id": {"S": step.checkpoint_id},
        "ns": {"S": step.checkpoint_ns},
        "type": {"S": step.payload.kind},
        "ref_loc": {"S": location},
        "ref_key": {"S": ref_key},
        **_expiry(saver),
    }
    if step.parent_id:
        item["parent_checkpoint_id"] = {"S": step.parent_id}
    if step.payload.compression:
        item["compression"] = {"S": step.payload.compression.value}
    return [*chunks, item]


def write_items(
    saver: DynamoDBSaver, step_key: tuple[str, str, str], writes: dict[tuple[str, int], Write]
) -> list[dict[str, Any]]:
    """The payload and metadata items of the channel writes against one checkpoint."""
    thread_id, ns, checkpoint_id = step_key
    items: list[dict[str, Any]] = []
    for (task_id, idx), (channel, payload, task_path) in writes.items():
        location, ref_key, chunks = _place(saver, payload)
        item: dict[str, Any] = {
            "PK": {"S": f"WRITES_{thread_id}#{ns}#{checkpoint_id}"},
            "SK": {"S": f"{task_id}#{idx}"},
            "task_id": {"S": task_id},
            "channel": {"S": channel},
            "idx": {"N": str(idx)},
            "checkpoint_id": {"S": checkpoint_id},
            "type": {"S": payload.kind},
            "ref_loc": {"S": location},
            "ref_key": {"S": ref_key},
            **_expiry(saver),
        }
        if task_path:
            item["task_path"] = {"S": task_path}
        if payload.compression:
            item["compression"] = {"S": payload.compression.value}
        items.extend([*chunks, item])
    return items
