"""Shared pieces of the public benchmarks: where the data lives and what a result holds."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPO_ROOT.parent / "shared" / "datasets"
"""`../shared/datasets/` relative to the repository root."""


class BenchmarkResult(BaseModel):
    """One benchmark's numbers, the published or baseline references, and details."""

    name: str
    status: Literal["ok", "skipped", "error"] = "ok"
    reason: str = ""
    dataset: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)
    reference: dict[str, str] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)
    seconds: float = 0.0


def skipped(name: str, reason: str) -> BenchmarkResult:
    """A benchmark that could not run because its data is missing."""
    return BenchmarkResult(name=name, status="skipped", reason=reason)


def missing(folder: Path, files: Sequence[str]) -> str | None:
    """A skip reason when any of `files` is absent from `folder`, else None."""
    absent = [name for name in files if not (folder / name).is_file()]
    if absent:
        return f"dataset files not found in {folder}: {', '.join(absent)}"
    return None
