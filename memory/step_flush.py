"""`StepFlushSaver`: DynamoDB checkpoints written per step in the background, in batches.

`DynamoDBSaver` makes two `PutItem` calls for every checkpoint and two more for every
channel write, each on the turn's critical path under durability "sync" (about 70 calls
for one turn of the support graph). This wrapper keeps `DynamoDBSaver`'s table layout
(so plain `DynamoDBSaver` reads what it writes, and TTL and S3 offload work the same) but
changes when items are written:

- `put` and `put_writes` serialize on the caller's thread and return at once;
- a background flusher writes everything buffered with `BatchWriteItem` (25 items a
  call), starting as soon as a step completes; steps that complete while a flush is in
  flight go out together in the next one. A step that outlasts one round trip (a model
  streaming its reply) therefore always starts from a checkpoint that is already stored,
  so a process killed mid-turn resumes from the last completed step;
- reads are a barrier: `get_tuple` and `list` first write whatever is still buffered
  (read-your-writes). `get_tuple` answers from the latest checkpoint this process put on
  the thread when that is still the latest stored one: without a call right after
  writing it, else after one strongly consistent `Query` of the newest checkpoint id.

Channel writes that a later checkpoint of the same thread has superseded while still in
the buffer are dropped, as LangGraph itself does under durability "exit": the newer
checkpoint holds their effect. Writes a resume still needs (those of the latest
checkpoint: interrupts, errors, a partly finished step) are always written.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, cast

from langchain_core.runnables import RunnableConfig, run_in_executor
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
)
from langgraph_checkpoint_aws import DynamoDBSaver

from memory.checkpoint_items import (
    Step,
    Write,
    checkpoint_items,
    checkpoint_payload,
    write_items,
    write_payload,
)

logger = logging.getLogger("tandem.memory.step_flush")

BATCH_LIMIT = 25
"""Items per `BatchWriteItem` call (DynamoDB's limit)."""
FLUSH_THREAD_NAME = "tandem-checkpoint-flush"
"""Name of the background flusher thread (benchmarks tell its calls apart by it)."""
Key = tuple[str, str, str]
Slots = dict[tuple[str, int], Write]


class StepFlushSaver(BaseCheckpointSaver[str]):
    """Wraps a `DynamoDBSaver`; see the module docstring for when it reads and writes."""

    def __init__(
        self, saver: DynamoDBSaver, *, retry_seconds: float = 0.5, remembered: int = 4096
    ) -> None:
        super().__init__(serde=saver.serde)
        self.inner = saver
        self.retry_seconds = retry_seconds
        self.remembered = remembered
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        # Not yet written: checkpoints (with their writes) and writes against stored ones.
        self._steps: dict[Key, Step] = {}
        self._writes: dict[Key, Slots] = {}
        # The latest checkpoint put per (thread, ns), with every write recorded against it.
        self._latest: OrderedDict[tuple[str, str], Step] = OrderedDict()
        self._flusher = threading.Thread(target=self._run, name=FLUSH_THREAD_NAME, daemon=True)
        self._flusher.start()

    # ------------------------------------------------------------------ buffering

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Buffer a checkpoint for the flusher and return its config at once."""
        configurable = config["configurable"]
        if configurable.get("thread_id") is None:
            raise ValueError("Thread_id must be configured")
        thread_id, ns = str(configurable["thread_id"]), configurable.get("checkpoint_ns", "")
        stored_metadata = dict(metadata)
        extra = config.get("metadata", {})
        if isinstance(extra, dict):
            stored_metadata.update(extra)
        key = (thread_id, ns, checkpoint["id"])
        value = {"checkpoint": checkpoint, "metadata": stored_metadata}
        payload = checkpoint_payload(self.inner, key, value)
        step = Step(thread_id, ns, checkpoint["id"], configurable.get("checkpoint_id"), payload)
        with self._lock:
            self._steps[key] = step
            if step.parent_id:
                self._drop_superseded((thread_id, ns, step.parent_id))
            self._remember(Step(thread_id, ns, step.checkpoint_id, step.parent_id, payload))
        self._wake.set()
        return {
            "configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": key[2]}
        }

    def _remember(self, step: Step) -> None:
        where = (step.thread_id, step.checkpoint_ns)
        self._latest[where] = step
        self._latest.move_to_end(where)
        while len(self._latest) > self.remembered:
            self._latest.popitem(last=False)

    def _drop_superseded(self, parent: Key) -> None:
        """Forget the unwritten plain writes of `parent`: its child checkpoint holds them."""
        step = self._steps.get(parent)
        if step is not None:
            step.writes = {k: w for k, w in step.writes.items() if w[0] in WRITES_IDX_MAP}
        self._writes.pop(parent, None)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Buffer a task's writes against the checkpoint in `config`."""
        configurable = config["configurable"]
        thread_id, checkpoint_id = configurable.get("thread_id"), configurable.get("checkpoint_id")
        if thread_id is None or checkpoint_id is None:
            raise ValueError("Runnable config must contain thread_id and checkpoint_id")
        key = (str(thread_id), configurable.get("checkpoint_ns", ""), str(checkpoint_id))
        encoded: Slots = {}
        for n, (channel, value) in enumerate(writes):
            idx = int(WRITES_IDX_MAP.get(channel, n))
            payload = write_payload(self.inner, key, task_id, idx, value)
            encoded[(task_id, idx)] = (channel, payload, task_path)
        overwrite = all(channel in WRITES_IDX_MAP for channel, _ in writes)
        with self._lock:
            step = self._steps.get(key)
            targets = [step.writes if step is not None else self._writes.setdefault(key, {})]
            latest = self._latest.get(key[:2])
            if latest is not None and latest.checkpoint_id == key[2]:
                targets.append(latest.writes)
            for target in targets:
                for slot, write in encoded.items():
                    if overwrite or slot not in target:
                        target[slot] = write
        self._wake.set()

    # ------------------------------------------------------------------ flushing

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closed:
                return
            try:
                self._flush(background=True)
            except Exception as error:  # the buffer is kept; a barrier or a retry writes it
                logger.warning("checkpoint flush failed, retrying: %s", error)
                time.sleep(self.retry_seconds)
                self._wake.set()

    def flush(self) -> set[tuple[str, str]]:
        """Write everything buffered now; return the (thread, ns) pairs it wrote to."""
        if self._flush_lock.locked():
            self.stats["barrier_waits"] += 1
        return self._flush(background=False)

    def _flush(self, background: bool) -> set[tuple[str, str]]:
        with self._flush_lock:
            with self._lock:
                steps, writes = self._steps, self._writes
                self._steps, self._writes = {}, {}
            if not steps and not writes:
                return set()
            items: list[dict[str, Any]] = []
            try:
                for step in steps.values():
                    items.extend(checkpoint_items(self.inner, step))
                    items.extend(write_items(self.inner, step.key, step.writes))
                for key, slots in writes.items():
                    items.extend(write_items(self.inner, key, slots))
                for start in range(0, len(items), BATCH_LIMIT):
                    self._batch_write(items[start : start + BATCH_LIMIT])
            except BaseException:
                with self._lock:
                    self._steps = {**steps, **self._steps}
                    for key, slots in writes.items():
                        self._writes[key] = {**slots, **self._writes.get(key, {})}
                raise
            self.stats["flushes_background" if background else "flushes_barrier"] += 1
            return {key[:2] for key in (*steps, *writes)}

    def _batch_write(self, items: list[dict[str, Any]]) -> None:
        table = self.inner.table_name
        request: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items]}
        delay = 0.05
        while request:
            response = self.inner.client.batch_write_item(RequestItems=request)
            request = response.get("UnprocessedItems") or {}
            if request:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    # ------------------------------------------------------------------ reading

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Flush, then answer from the remembered checkpoint if it is current, else read."""
        written = self.flush()
        configurable = config["configurable"]
        where = (str(configurable["thread_id"]), configurable.get("checkpoint_ns", ""))
        wanted = get_checkpoint_id(config)
        with self._lock:
            step = self._latest.get(where)
        if step is not None and self._is_current(step, wanted, where in written):
            self.stats["reads_remembered"] += 1
            return self._tuple(step)
        return self.inner.get_tuple(config)

    def _is_current(self, step: Step, wanted: str | None, just_written: bool) -> bool:
        """Whether the remembered `step` answers a read of `wanted` (None: the latest).

        An id names an immutable checkpoint; the latest is this one if this flush wrote it
        or the table has nothing newer.
        """
        if wanted is not None:
            return wanted == step.checkpoint_id
        if just_written:
            return True
        return self._newest_stored_id(step.thread_id, step.checkpoint_ns) == step.checkpoint_id

    def _newest_stored_id(self, thread_id: str, checkpoint_ns: str) -> str | None:
        response = self.inner.client.query(
            TableName=self.inner.table_name,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :ns)",
            ExpressionAttributeValues={
                ":pk": {"S": f"CHECKPOINT_{thread_id}"},
                ":ns": {"S": f"{checkpoint_ns}#"},
            },
            ProjectionExpression="id",
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items") or []
        return str(items[0]["id"]["S"]) if items else None

    def _tuple(self, step: Step) -> CheckpointTuple:
        value = step.payload.decode(self.inner)
        base = {"thread_id": step.thread_id, "checkpoint_ns": step.checkpoint_ns}
        parent: RunnableConfig | None = None
        if step.parent_id:
            parent = {"configurable": {**base, "checkpoint_id": step.parent_id}}
        with self._lock:
            slots = sorted(step.writes.items(), key=lambda kv: f"{kv[0][0]}#{kv[0][1]}")
        return CheckpointTuple(
            config={"configurable": {**base, "checkpoint_id": step.checkpoint_id}},
            checkpoint=value["checkpoint"],
            metadata=value["metadata"],
            parent_config=parent,
            pending_writes=[
                (task_id, channel, payload.decode(self.inner))
                for (task_id, _idx), (channel, payload, _path) in slots
            ],
        )

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Flush, then list what is stored."""
        self.flush()
        yield from self.inner.list(config, filter=filter, before=before, limit=limit)

    def delete_thread(self, thread_id: str) -> None:
        """Forget what is buffered and remembered for the thread; delete what is stored."""
        with self._lock:
            self._steps = {k: s for k, s in self._steps.items() if k[0] != thread_id}
            self._writes = {k: w for k, w in self._writes.items() if k[0] != thread_id}
            for where in [w for w in self._latest if w[0] == thread_id]:
                del self._latest[where]
        self.flush()
        self.inner.delete_thread(thread_id)

    def get_next_version(self, current: str | None, channel: None) -> str:
        """Channel versions as `DynamoDBSaver` numbers them."""
        return cast(str, self.inner.get_next_version(current, channel))

    def close(self) -> None:
        """Write what is buffered and stop the flusher."""
        try:
            self.flush()
        finally:
            self._closed = True
            self._wake.set()
            self._flusher.join(timeout=10)

    # ------------------------------------------------------------------ async twins

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Buffering does no I/O, so the async twin runs inline."""
        return self.put(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Buffering does no I/O, so the async twin runs inline."""
        self.put_writes(config, writes, task_id, task_path)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """`get_tuple` on a worker thread."""
        return await run_in_executor(None, self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """`list` on a worker thread."""
        found = await run_in_executor(
            None, lambda: [*self.list(config, filter=filter, before=before, limit=limit)]
        )
        for item in found:
            yield item

    async def adelete_thread(self, thread_id: str) -> None:
        """`delete_thread` on a worker thread."""
        await run_in_executor(None, self.delete_thread, thread_id)
