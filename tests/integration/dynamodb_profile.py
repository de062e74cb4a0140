"""The AWS profile's checkpointer for graph tests: `StepFlushSaver` on a fresh table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from cloud.aws import aws_client
from memory.dynamodb import create_checkpoint_table, dynamodb_saver
from memory.step_flush import StepFlushSaver
from tests.integration.conftest import MOTO_REGION


@contextmanager
def dynamodb_checkpointer_on(endpoint: str) -> Iterator[StepFlushSaver]:
    """A DynamoDB checkpointer on a new table at `endpoint`, dropped afterwards (a table
    per test keeps thread ids from colliding and moto's table scans short)."""
    table = f"scenario-{uuid.uuid4().hex[:12]}"
    create_checkpoint_table(table, MOTO_REGION, endpoint, enable_ttl=False)
    saver = StepFlushSaver(dynamodb_saver(table, MOTO_REGION, endpoint))
    try:
        yield saver
    finally:
        saver.close()
        aws_client("dynamodb", MOTO_REGION, endpoint).delete_table(TableName=table)
