"""Find and load evaluation suites (YAML or JSONL) from `evals/suites/` or a path.

YAML: one mapping with `name`, `version`, `description`, `mode`, `defaults`, `cases` and
optionally `tasks`. JSONL: one JSON object per line — a case, `{"task": {...}}` for a
simulated-customer task, or `{"suite": {...}}` for the suite's metadata (name defaults to
the file name, version to 1).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evals.schema import Suite

SUITES_DIR = Path(__file__).resolve().parent / "suites"
"""Where the suites shipped with Tandem live."""

SUFFIXES = (".yaml", ".yml", ".jsonl")


class SuiteError(ValueError):
    """A suite that cannot be found or does not validate."""


@dataclass(frozen=True)
class LoadedSuite:
    """A validated suite with the file it came from and that file's sha256."""

    suite: Suite
    path: Path
    sha256: str


def suite_paths(folder: Path = SUITES_DIR) -> dict[str, Path]:
    """Suite name (file stem) → file, for every suite file in `folder`."""
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix in SUFFIXES and p.is_file()}


def _parse_jsonl(text: str, stem: str) -> dict[str, Any]:
    data: dict[str, Any] = {"name": stem, "version": 1, "cases": [], "tasks": []}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise SuiteError(f"line {number}: invalid JSON ({error.msg})") from error
        if not isinstance(row, dict):
            raise SuiteError(f"line {number}: expected a JSON object")
        if "suite" in row:
            data.update(row["suite"])
        elif "task" in row:
            data["tasks"].append(row["task"])
        else:
            data["cases"].append(row)
    return data


def _format_errors(error: ValidationError) -> str:
    lines = []
    for item in error.errors()[:10]:
        where = ".".join(str(part) for part in item["loc"])
        lines.append(f"  {where}: {item['msg']}")
    return "\n".join(lines)


def parse_suite(raw: bytes, path: Path) -> Suite:
    """Parse and validate suite bytes; `path` decides the format and the default name."""
    text = raw.decode("utf-8")
    if path.suffix == ".jsonl":
        data = _parse_jsonl(text, path.stem)
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise SuiteError(f"{path}: invalid YAML: {error}") from error
        if not isinstance(data, dict):
            raise SuiteError(f"{path}: a suite must be a YAML mapping")
        data.setdefault("name", path.stem)
    try:
        return Suite.model_validate(data)
    except ValidationError as error:
        raise SuiteError(f"{path}: invalid suite:\n{_format_errors(error)}") from error


def load_suite(name_or_path: str | Path, folder: Path = SUITES_DIR) -> LoadedSuite:
    """Load a suite by name (from `folder`) or by file path; raise `SuiteError` if absent."""
    candidate = Path(name_or_path).expanduser()
    path: Path | None = candidate if candidate.is_file() else None
    if path is None:
        path = suite_paths(folder).get(str(name_or_path))
    if path is None:
        known = ", ".join(suite_paths(folder)) or "none"
        raise SuiteError(f"unknown suite {str(name_or_path)!r} (available: {known})")
    raw = path.read_bytes()
    return LoadedSuite(parse_suite(raw, path), path, hashlib.sha256(raw).hexdigest())
