"""Versioned prompt templates kept as Markdown files in `prompts/templates/`.

A template's file name is `NAME.vVERSION.md`; `load_template(name)` returns the newest
version unless one is pinned (e.g. by `TANDEM_PROMPT_VERSION`-style run settings).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates"
_VERSION = re.compile(r"^(?P<name>.+)\.v(?P<version>\d+)\.md$")


def available_versions(name: str) -> list[int]:
    """Every version of template `name` shipped, ascending."""
    versions = []
    for path in TEMPLATE_DIR.glob(f"{name}.v*.md"):
        match = _VERSION.match(path.name)
        if match and match["name"] == name:
            versions.append(int(match["version"]))
    return sorted(versions)


@lru_cache(maxsize=64)
def load_template(name: str, version: int | None = None) -> str:
    """Return the text of template `name` at `version` (default: newest)."""
    versions = available_versions(name)
    if not versions:
        raise FileNotFoundError(f"no prompt template named {name!r} in {TEMPLATE_DIR}")
    chosen = version if version is not None else versions[-1]
    if chosen not in versions:
        raise FileNotFoundError(f"prompt template {name!r} has no version {chosen}: {versions}")
    return (TEMPLATE_DIR / f"{name}.v{chosen}.md").read_text(encoding="utf-8")
