"""Build the customer-data service (export and erasure) on the configured stores."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Iterator
from typing import Any

from config.settings import Settings
from conversations.customer_data import CustomerData
from memory.long_term import CustomerMemory
from memory.sqlite_compact import compact_sqlite
from wiring import backends, persistence
from wiring.channels import open_channel_store
from wiring.uploads import uploads_from_settings


def _sqlite_connection(backend: Any) -> sqlite3.Connection | None:
    conn = getattr(backend, "conn", None)
    return conn if isinstance(conn, sqlite3.Connection) else None


@contextlib.contextmanager
def open_customer_data(
    settings: Settings, orders: Any | None = None, tenant: str | None = None
) -> Iterator[CustomerData]:
    """Yield a `CustomerData` on the configured stores (its own connections), closing them after.

    `orders`: the order store to use (default: opened from the settings); `tenant`: the
    long-term memory's tenant (default: the configured one).
    """
    store = persistence.open_server_store(settings)
    orders = orders if orders is not None else backends.open_order_store(settings)
    channel_store = open_channel_store(settings)
    try:
        with (
            persistence.open_checkpointer(settings) as saver,
            persistence.open_long_term_store(settings) as long_term,
        ):
            connections = [_sqlite_connection(saver), _sqlite_connection(long_term)]
            compactors = [
                functools.partial(compact_sqlite, conn) for conn in connections if conn is not None
            ]
            compact_channels = getattr(channel_store, "compact", None)
            if compact_channels is not None:
                compactors.append(compact_channels)
            yield CustomerData(
                store=store,
                checkpointer=saver,
                memory=CustomerMemory(long_term, tenant or settings.tenant),
                orders=orders,
                compactors=compactors,
                channels=channel_store,
                uploads=uploads_from_settings(settings),
            )
    finally:
        channel_store.close()
        store.close()
