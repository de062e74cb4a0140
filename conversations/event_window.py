"""The recent events of one conversation kept in memory, counted against a shared byte budget.

Every conversation's window charges the events it holds to one `ByteBudget`; the hub
drops whole idle windows, then the oldest events of the others, once the budget is
exceeded and down to its low-water mark. Sizes are estimates: an event's JSON length plus
a fixed cost per event for the Python objects holding it (measured with tracemalloc for
typical token and tool events), cheap enough to take on every token.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from typing import Any

EVENT_OVERHEAD = 320
"""Bytes a kept event costs beyond its JSON text (dict, strings, tuple, deque slot)."""

Item = tuple[int, dict[str, Any]]

LOW_WATER = 0.875
"""Share of the limit the hub frees down to once the limit is passed, so trimming runs
once per eighth of the budget rather than on every event that arrives at the limit."""


def event_bytes(event: dict[str, Any]) -> int:
    """The estimated memory an event takes while kept."""
    if event.get("type") == "token":
        return EVENT_OVERHEAD + len(str(event.get("text", "")))
    return EVENT_OVERHEAD + 2 * len(json.dumps(event, default=str))


class ByteBudget:
    """Bytes the kept events of every conversation may take together (0: no limit)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def exceeded(self) -> bool:
        """Whether the kept events take more than the limit."""
        return bool(self.limit) and self.used > self.limit

    @property
    def above_low_water(self) -> bool:
        """Whether the kept events still take more than the share trimming stops at."""
        return bool(self.limit) and self.used > self.limit * LOW_WATER


class EventWindow:
    """The newest numbered events of a conversation (at most `max_events` of them)."""

    def __init__(self, budget: ByteBudget, max_events: int) -> None:
        self._items: deque[tuple[int, dict[str, Any], int]] = deque()
        self._budget = budget
        self._max_events = max_events
        self.bytes = 0

    def append(self, item: Item) -> None:
        """Keep a numbered event (dropping the oldest beyond `max_events`)."""
        size = event_bytes(item[1])
        self._items.append((item[0], item[1], size))
        self._charge(size)
        if len(self._items) > self._max_events:
            self.drop_oldest()

    def drop_oldest(self) -> int:
        """Drop the oldest event but never the newest (it tells whether a turn is running).

        Returns the bytes freed (0 when one event or none is left).
        """
        if len(self._items) <= 1:
            return 0
        size = self._items.popleft()[2]
        self._charge(-size)
        return size

    def clear(self) -> None:
        """Drop every event (the window is being discarded)."""
        self._charge(-self.bytes)
        self._items.clear()

    def _charge(self, size: int) -> None:
        self.bytes += size
        self._budget.used += size

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __getitem__(self, index: int) -> Item:
        seq, event, _size = self._items[index]
        return seq, event

    def __iter__(self) -> Iterator[Item]:
        return ((seq, event) for seq, event, _size in self._items)

    def __reversed__(self) -> Iterator[Item]:
        return ((seq, event) for seq, event, _size in reversed(self._items))
