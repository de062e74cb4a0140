"""Versioned prompt templates kept as Markdown files in `prompts/templates/`.

A template's file name is `NAME.vVERSION.md`; `load_template(name)` returns the newest
version unless one is pinned. `pinned_versions({...})` pins versions for the code running
inside the block (context-local, so concurrent evaluation runs do not interfere).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates"
_VERSION = re.compile(r"^(?P<name>.+)\.v(?P<version>\d+)\.md$")
_PINNED: ContextVar[Mapping[str, int] | None] = ContextVar("tandem_prompt_versions", default=None)


@lru_cache(maxsize=8)
def _index(directory: Path) -> dict[str, list[int]]:
    """Template names in `directory` with their versions, ascending (read once per folder)."""
    index: dict[str, list[int]] = {}
    for path in directory.glob("*.md"):
        match = _VERSION.match(path.name)
        if match:
            index.setdefault(match["name"], []).append(int(match["version"]))
    return {name: sorted(versions) for name, versions in index.items()}


def available_versions(name: str) -> list[int]:
    """Every version of template `name` shipped, ascending."""
    return list(_index(TEMPLATE_DIR).get(name, []))


def template_names() -> list[str]:
    """Names of every template shipped, sorted."""
    return sorted(_index(TEMPLATE_DIR))


@contextmanager
def pinned_versions(versions: Mapping[str, int]) -> Iterator[None]:
    """Make `load_template(name)` return `versions[name]` inside the block."""
    token = _PINNED.set(dict(versions))
    try:
        yield
    finally:
        _PINNED.reset(token)


def resolve_version(name: str, version: int | None = None) -> int:
    """The version `load_template(name, version)` would read: explicit, pinned, else newest."""
    versions = available_versions(name)
    if not versions:
        raise FileNotFoundError(f"no prompt template named {name!r} in {TEMPLATE_DIR}")
    if version is None:
        version = (_PINNED.get() or {}).get(name)
    chosen = version if version is not None else versions[-1]
    if chosen not in versions:
        raise FileNotFoundError(f"prompt template {name!r} has no version {chosen}: {versions}")
    return chosen


def load_template(name: str, version: int | None = None) -> str:
    """Return the text of template `name` at `version` (default: pinned, else newest)."""
    return _read(TEMPLATE_DIR, name, resolve_version(name, version))


@lru_cache(maxsize=64)
def _read(directory: Path, name: str, version: int) -> str:
    return (directory / f"{name}.v{version}.md").read_text(encoding="utf-8")
