"""`langgraph-checkpoint-conformance` against every checkpointer Tandem ships: SQLite, and
on moto_server the plain `DynamoDBSaver` and the `StepFlushSaver` the AWS profile uses."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import Capability
from langgraph.checkpoint.conformance.report import ProgressCallbacks

from memory.checkpointer import async_sqlite_saver, sqlite_saver
from memory.dynamodb import create_checkpoint_table, dynamodb_saver
from memory.step_flush import StepFlushSaver
from tests.integration.conftest import MOTO_REGION

TABLE = "tandem-checkpoints-conformance"


class AsyncFacade(BaseCheckpointSaver[str]):
    """Delegates to a sync-only saver and serves the async API the suite drives by running
    the sync methods inline. Only the methods the inner saver implements are overridden,
    so the suite's capability detection sees exactly what the inner saver supports."""

    def __init__(self, inner: BaseCheckpointSaver[str]) -> None:
        super().__init__(serde=inner.serde)
        self.inner = inner

    def get_next_version(self, current: str | None, channel: None) -> str:
        return self.inner.get_next_version(current, channel)

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self.inner.get_tuple(config)

    def list(self, config: RunnableConfig | None, **kwargs: Any) -> Iterator[CheckpointTuple]:
        return self.inner.list(config, **kwargs)

    def put(self, config: RunnableConfig, checkpoint: Any, metadata: Any, versions: Any) -> Any:
        return self.inner.put(config, checkpoint, metadata, versions)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self.inner.put_writes(config, writes, task_id, task_path)

    def delete_thread(self, thread_id: str) -> None:
        self.inner.delete_thread(thread_id)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self.get_tuple(config)

    async def alist(
        self, config: RunnableConfig | None, **kwargs: Any
    ) -> AsyncIterator[CheckpointTuple]:
        for item in self.list(config, **kwargs):
            yield item

    async def aput(self, config: RunnableConfig, checkpoint: Any, metadata: Any, versions: Any):
        return self.put(config, checkpoint, metadata, versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self.delete_thread(thread_id)


class PruningFacade(AsyncFacade):
    """`AsyncFacade` over a saver that also implements `prune`."""

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self.inner.prune(thread_ids, strategy=strategy)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self.prune(thread_ids, strategy=strategy)


def _sqlite_factory(folder: Path) -> Any:
    @checkpointer_test(name="SqliteSaver (memory/checkpointer.py)")
    async def factory() -> AsyncIterator[BaseCheckpointSaver[str]]:
        # Retention on, above what any conformance test puts on one thread.
        saver = sqlite_saver(folder / f"{uuid.uuid4().hex}.sqlite", keep=1000, idle_seconds=86_400)
        yield PruningFacade(saver)
        saver.conn.close()

    return factory


def _async_sqlite_factory(folder: Path) -> Any:
    @checkpointer_test(name="AsyncSqliteSaver (memory/checkpointer.py)")
    async def factory() -> AsyncIterator[BaseCheckpointSaver[str]]:
        path = folder / f"{uuid.uuid4().hex}.sqlite"
        async with async_sqlite_saver(path, keep=1000, idle_seconds=86_400) as saver:
            yield saver

    return factory


def _dynamodb_factory(endpoint: str) -> Any:
    @checkpointer_test(name="DynamoDBSaver (moto_server)")
    async def factory() -> AsyncIterator[BaseCheckpointSaver[str]]:
        yield dynamodb_saver(TABLE, MOTO_REGION, endpoint)

    return factory


def _step_flush_factory(endpoint: str) -> Any:
    @checkpointer_test(name="StepFlushSaver over DynamoDBSaver (moto_server)")
    async def factory() -> AsyncIterator[BaseCheckpointSaver[str]]:
        saver = StepFlushSaver(dynamodb_saver(TABLE, MOTO_REGION, endpoint))
        yield saver
        saver.close()

    return factory


async def _check(registered: Any, capability: str) -> None:
    failures: list[str] = []

    def on_result(_cap: str, name: str, passed: bool, error: str | None) -> None:
        if not passed:
            failures.append(f"{name}\n{error}")

    report = await validate(
        registered,
        capabilities={capability},
        progress=ProgressCallbacks(on_test_result=on_result),
    )
    result = report.results[capability]
    if not result.detected:
        pytest.skip(f"{registered.name}: {capability} (not implemented)")
    assert result.passed, "\n\n".join(failures)
    assert result.tests_passed > 0


CAPABILITIES = [c.value for c in Capability]


@pytest.mark.parametrize("capability", CAPABILITIES)
@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_sqlite_conformance(flavour: str, capability: str, tmp_path: Path) -> None:
    factory = _sqlite_factory if flavour == "sync" else _async_sqlite_factory
    await _check(factory(tmp_path), capability)


@pytest.fixture(scope="module")
def conformance_table(moto_endpoint: str) -> str:
    create_checkpoint_table(TABLE, MOTO_REGION, moto_endpoint)
    return moto_endpoint


@pytest.mark.integration
@pytest.mark.enable_socket
@pytest.mark.parametrize("capability", CAPABILITIES)
@pytest.mark.parametrize("saver", ["DynamoDBSaver", "StepFlushSaver"])
async def test_dynamodb_conformance(saver: str, capability: str, conformance_table: str) -> None:
    factory = _dynamodb_factory if saver == "DynamoDBSaver" else _step_flush_factory
    await _check(factory(conformance_table), capability)
