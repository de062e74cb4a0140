"""τ-bench retail data on disk, and the database hash τ-bench's reward compares.

The hash is ``sha256(str(to_hashable(db)))`` where ``db`` is ``{"orders", "products",
"users"}``, dicts become tuples of sorted ``(key, value)`` pairs and lists become tuples.
`StateHasher` produces the same digest from stored JSON documents while re-rendering
only the records that changed since its previous call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.orders.store import JsonDict

TAU_FILES = ("users", "orders", "products")
"""The τ-bench retail data files (``<name>.json``) and the keys of a loaded database."""


def load_tau_dir(folder: str | Path) -> dict[str, dict[str, JsonDict]]:
    """Load ``users.json``, ``orders.json`` and ``products.json`` from `folder`."""
    root = Path(folder)
    data: dict[str, dict[str, JsonDict]] = {}
    for name in TAU_FILES:
        with (root / f"{name}.json").open(encoding="utf-8") as handle:
            data[name] = json.load(handle)
    return data


def to_hashable(item: Any) -> Any:
    """Turn JSON-like data into nested tuples exactly as τ-bench's `to_hashable` does."""
    if isinstance(item, dict):
        return tuple((key, to_hashable(value)) for key, value in sorted(item.items()))
    if isinstance(item, list):
        return tuple(to_hashable(element) for element in item)
    if isinstance(item, set):
        return tuple(sorted(to_hashable(element) for element in item))
    return item


def state_sha256(db: Mapping[str, Any]) -> str:
    """Return τ-bench's hash of a database ``{"orders", "products", "users"}``."""
    return hashlib.sha256(str(to_hashable(dict(db))).encode("utf-8")).hexdigest()


def _tuple_text(parts: list[str]) -> str:
    """Render a tuple from the reprs of its elements, as `str(tuple)` does."""
    if len(parts) == 1:
        return f"({parts[0]},)"
    return "(" + ", ".join(parts) + ")"


class StateHasher:
    """τ-bench's database hash over stored JSON documents, caching per-record renderings.

    `digest` takes ``{table: {record_id: json_text}}`` (as `export_documents` returns)
    and equals `state_sha256` of the parsed data. Records whose text is unchanged since a
    previous call are not parsed or rendered again, which keeps hashing many copies of one
    database fast. Not thread-safe; use one instance per thread.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[str, str]] = {}

    def _fragment(self, table: str, key: str, text: str) -> str:
        cached = self._cache.get((table, key))
        if cached is not None and cached[0] == text:
            return cached[1]
        fragment = repr((key, to_hashable(json.loads(text))))
        self._cache[(table, key)] = (text, fragment)
        return fragment

    def digest(self, documents: Mapping[str, Mapping[str, str]]) -> str:
        """Return τ-bench's hash of the database given as JSON documents per table."""
        tables = []
        for table in sorted(documents):
            records = documents[table]
            parts = [self._fragment(table, key, records[key]) for key in sorted(records)]
            tables.append(f"({table!r}, {_tuple_text(parts)})")
        return hashlib.sha256(_tuple_text(tables).encode("utf-8")).hexdigest()


def changed_records(
    before: Mapping[str, Mapping[str, str]], after: Mapping[str, Mapping[str, str]]
) -> dict[str, dict[str, JsonDict]]:
    """Return the records of `after` that are new or whose value differs from `before`.

    Both arguments are ``{table: {record_id: json_text}}``; tables without changes are
    left out. Values compare as parsed JSON (``9 == 9.0``), as τ-bench's expected
    ``changed_records`` do; the state hash still tells such records apart.
    """
    changed: dict[str, dict[str, JsonDict]] = {}
    for table, records in after.items():
        old = before.get(table, {})
        diff: dict[str, JsonDict] = {}
        for key, text in records.items():
            if old.get(key) == text:
                continue
            value = json.loads(text)
            if key not in old or json.loads(old[key]) != value:
                diff[key] = value
        if diff:
            changed[table] = diff
    return changed
