"""The SQLite conversation lease shared by the processes on one data folder."""

from __future__ import annotations

import time

from config.settings import Settings
from conversations.lease_sqlite import SqliteLease
from conversations.store_sqlite import SqliteServerStore
from wiring.persistence import open_lease


async def test_one_holder_at_a_time_and_only_the_holder_renews_or_releases(tmp_path):
    path = tmp_path / "leases.sqlite"
    first = SqliteLease(path, ttl_seconds=30, owner="first")
    second = SqliteLease(path, ttl_seconds=30, owner="second")
    assert await first.acquire("c1")
    assert not await second.acquire("c1")
    assert await second.acquire("c2")  # other conversations are free
    assert not await second.renew("c1")
    await second.release("c1")  # not the holder: nothing happens
    assert not await second.acquire("c1")
    assert await first.renew("c1")
    await first.release("c1")
    assert await second.acquire("c1")


async def test_an_expired_lease_is_taken_over(tmp_path):
    path = tmp_path / "leases.sqlite"
    crashed = SqliteLease(path, ttl_seconds=1, owner="crashed")
    assert await crashed.acquire("c1")
    later = SqliteLease(path, ttl_seconds=1, owner="later")
    assert not await later.acquire("c1")
    time.sleep(1.1)
    assert await later.acquire("c1")
    assert not await crashed.renew("c1")


async def test_taking_a_lease_is_no_change_for_the_store_tail(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    store = SqliteServerStore(settings.queue_db)
    lease = open_lease(settings)
    before = store.data_version()
    assert await lease.acquire("c1")
    await lease.release("c1")
    assert store.data_version() == before  # the tail wakes for other processes' events only
    other_process = SqliteServerStore(settings.queue_db)
    other_process.append_event("c1", 1, {"type": "customer_message", "text": "hi"})
    assert store.data_version() != before
