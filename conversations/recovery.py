"""Finishing turns a crash interrupted: resumed from their checkpoint, or closed with an error.

Every turn leaves a record in the server store from its start until its `done` or `error`
is published (`TurnRunner`). A record still there when no process is running the turn
means the process running it died. `TurnRecovery` sweeps the records on start-up and then
periodically, so a conversation whose holder died is picked up once its lease lapses, by
this process or by any other server sharing the stores. For each conversation it can claim:

- its turn already ended (the crash came after the end was published): the record goes;
- the graph took the turn's input (a checkpoint of the turn exists): the turn is resumed
  from its last checkpoint. Nodes that finished are not run again; a node that was cut
  short runs again, and an order action in it finds its idempotency key already recorded,
  so the change is reported, not repeated; the customer gets the reply and `done`;
- otherwise the turn never started, or resuming it failed `MAX_RESUMES` times (the process
  died each time): an `error` event tells the customer what happened (and what was
  already done, if anything was).

A new message on a conversation whose interrupted turn was not recovered yet first closes
that turn with the error (`close_open_turn`), so it is never overwritten unfinished.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
from collections.abc import AsyncIterator
from typing import Any

from conversations.runner import TurnRunner
from graphs.action_keys import action_key, describe_applied
from graphs.turns import turn_config
from tools.orders.store import OrderStore

logger = logging.getLogger("tandem.conversations.recovery")

MAX_RESUMES = 2
"""Resumptions of one interrupted turn before it is closed with an error instead."""

RESUMING = "The service restarted while answering you; picking up where it stopped."
NOT_PROCESSED = (
    "The service restarted before your last message could be answered, so it was not "
    "processed. Please send it again."
)
NOT_FINISHED = "The service restarted while answering you, and the answer could not be finished."
AGENT_NOT_SENT = "The service restarted before the agent's reply was delivered."
NOTHING_CHANGED = "Nothing was changed."


class TurnRecovery:
    """Finds turns a crash left open and finishes them (see the module docstring)."""

    def __init__(self, runner: TurnRunner, orders: OrderStore | None = None) -> None:
        self.runner = runner
        self.orders = orders
        self.recovered = 0

    def _record(self, conversation_id: str) -> dict[str, Any] | None:
        return self.runner.store.open_turn_record(conversation_id)

    def _ended(self, conversation_id: str, record: dict[str, Any]) -> bool:
        ends = self.runner.store.events_after(
            conversation_id, int(record.get("cursor", 0)), types=("done", "error"), limit=1
        )
        return bool(ends)

    def _applied(self, conversation_id: str, snapshot: Any) -> str:
        """What the interrupted turn already changed, in words ("" when nothing)."""
        pending = snapshot.values.get("pending_action")
        if self.orders is None or not pending or pending.get("missing"):
            return ""
        try:
            done = self.orders.applied_action(action_key(conversation_id, pending))
        except Exception:  # the order store is unreachable: say nothing rather than guess
            logger.warning("reading applied actions failed", exc_info=True)
            return ""
        return describe_applied(done) if done else ""

    async def sweep(self) -> int:
        """Finish every open turn no one is running; return how many were finished."""
        finished = 0
        for record in self.runner.store.open_turns():
            conversation_id = record["conversation_id"]
            if self.runner.busy(conversation_id):
                continue
            lock = await self.runner.claim(conversation_id)
            if lock is None:
                continue  # running elsewhere, or its dead holder's lease has not lapsed yet
            if await self._finish(conversation_id, lock):
                finished += 1
        self.recovered += finished
        return finished

    async def _finish(self, conversation_id: str, lock: asyncio.Lock) -> bool:
        """Finish the conversation's open turn (claimed); False when it had none."""
        released = False
        try:
            record = self._record(conversation_id)
            if record is None:
                return False
            if self._ended(conversation_id, record):
                self.runner.store.close_turn(conversation_id)
                return True
            snapshot = await self.runner.graph.aget_state(turn_config(conversation_id))
            applied = self._applied(conversation_id, snapshot)
            attempts = int(record.get("resumes", 0))
            taken = _taken(snapshot, float(record.get("started_at", 0)))
            if attempts < MAX_RESUMES and taken:
                # Counted before the run: a turn whose resumption kills the process again is
                # closed with an error after `MAX_RESUMES` tries instead of crashing forever.
                kept = {k: v for k, v in record.items() if k != "conversation_id"}
                self.runner.store.open_turn(conversation_id, {**kept, "resumes": attempts + 1})
                logger.warning("resuming interrupted turn conversation=%s", conversation_id)
                await self.runner.hub.publish(conversation_id, {"type": "status", "text": RESUMING})
                failure = f"{NOT_FINISHED} {applied or NOTHING_CHANGED}"
                released = True  # the resumed run gives the conversation back at its end
                await self.runner.resume(conversation_id, record, lock, failure)
                return True
            logger.warning("closing interrupted turn conversation=%s", conversation_id)
            await self._close_with_error(conversation_id, record, applied, taken)
            return True
        finally:
            if not released:
                await self.runner.release(conversation_id, lock)

    async def _close_with_error(
        self, conversation_id: str, record: dict[str, Any], applied: str, taken: bool
    ) -> None:
        if taken:
            lead = NOT_FINISHED
        else:
            lead = AGENT_NOT_SENT if record.get("kind") == "agent" else NOT_PROCESSED
        detail = f"{lead} {applied or NOTHING_CHANGED}"
        error = {"type": "error", "detail": detail, "retryable": True, "error": "Interrupted"}
        await self.runner.hub.publish(conversation_id, error)
        self.runner.store.close_turn(conversation_id)

    async def close_open_turn(self, conversation_id: str) -> None:
        """Close the conversation's open turn with an error (its caller holds the lease)."""
        record = self._record(conversation_id)
        if record is None:
            return
        if not self._ended(conversation_id, record):
            snapshot = await self.runner.graph.aget_state(turn_config(conversation_id))
            taken = _taken(snapshot, float(record.get("started_at", 0)))
            applied = self._applied(conversation_id, snapshot)
            await self._close_with_error(conversation_id, record, applied, taken)
        else:
            self.runner.store.close_turn(conversation_id)
        self.recovered += 1

    async def run(self, interval: float) -> None:
        """Sweep now and then every `interval` seconds until cancelled."""
        while True:
            try:
                await self.sweep()
            except Exception:  # a store hiccup: the next sweep tries again
                logger.warning("recovering interrupted turns failed", exc_info=True)
            await asyncio.sleep(interval)


def _taken(snapshot: Any, started_at: float) -> bool:
    """Whether the graph saved a checkpoint of the turn (so it took the turn's input)."""
    created = getattr(snapshot, "created_at", None)
    if not created:
        return False
    return datetime.datetime.fromisoformat(created).timestamp() >= started_at


@contextlib.asynccontextmanager
async def recovering(
    runner: TurnRunner, orders: OrderStore | None, interval: float
) -> AsyncIterator[TurnRecovery]:
    """Recover interrupted turns in the background for the block's lifetime (0: never)."""
    recovery = TurnRecovery(runner, orders)
    runner.recovery = recovery
    if interval <= 0:
        yield recovery
        return
    task = asyncio.create_task(recovery.run(interval))
    try:
        yield recovery
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
