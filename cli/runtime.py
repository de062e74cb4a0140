"""Open the compiled support graph with the configured checkpointer for CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from config.settings import get_settings
from graphs.services import get_services
from graphs.support import builder
from memory.checkpointer import open_checkpointer


@contextmanager
def open_graph() -> Iterator[Any]:
    """Yield the support graph compiled with the persistent checkpointer."""
    settings = get_settings()
    get_services()  # seed demo data and train the classifier before the first turn
    with open_checkpointer(settings) as saver:
        yield builder.compile(checkpointer=saver)
