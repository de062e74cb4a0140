"""Index a file or a folder of Markdown, HTML and text files into a knowledge base.

Ingestion is incremental: a file whose content hash matches the stored one is left
alone, changed files are re-indexed, and documents whose files are no longer in the
ingested folder are removed. Files that cannot be read or decoded are reported, never
raised, so one bad file does not stop a help-centre import.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.knowledge.base import Document
from tools.knowledge.parsing import SUPPORTED_SUFFIXES, parse_document
from tools.knowledge.sqlite_index import SqliteKnowledgeBase

ProgressCallback = Callable[[int, int, Path], None]
"""Called after each file as `progress(done, total, current_path)`."""

PARSER_VERSION = "1"
_BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class IngestError:
    """A file that could not be indexed, and why."""

    path: str
    message: str


@dataclass(slots=True)
class IngestReport:
    """What one ingestion run changed in the index."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[IngestError] = field(default_factory=list)

    @property
    def seen(self) -> int:
        """Number of files examined, including the ones that failed."""
        return self.added + self.updated + self.unchanged + len(self.errors)


class _SkipFile(Exception):
    """A file that cannot be indexed; the message says why."""


def file_hash(data: bytes) -> str:
    """Return the content hash stored for a file: parser version and sha256 of its bytes."""
    return f"v{PARSER_VERSION}:{hashlib.sha256(data).hexdigest()}"


def discover_files(root: Path) -> list[Path]:
    """List the supported files under `root` (recursively, skipping hidden entries)."""
    found: list[Path] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            candidate = Path(folder) / name
            if candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(candidate)
    return found


def article_id_for(path: Path, root: Path | None) -> str:
    """Derive an article id: the path relative to the ingested folder, without suffix."""
    if root is None:
        return path.stem
    return path.relative_to(root).with_suffix("").as_posix()


def _decode(data: bytes) -> str:
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise _SkipFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _SkipFile(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _SkipFile(f"cannot read file: {exc.strerror or exc}") from None


def ingest_path(
    kb: SqliteKnowledgeBase,
    path: str | Path,
    tenant: str,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Index the file or folder at `path` for `tenant` and report what changed.

    Raises FileNotFoundError when `path` does not exist; every per-file problem
    (unreadable, binary, not UTF-8, unsupported type, empty) lands in `errors`.
    """
    target = Path(path).expanduser().resolve()
    if not target.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    root = target if target.is_dir() else None
    files = discover_files(target) if root is not None else [target]
    known = kb.source_hashes(tenant, under=str(root) + os.sep if root else str(target))
    report = IngestReport()
    present: set[str] = set()
    for done, file in enumerate(files, start=1):
        source = str(file)
        present.add(source)
        try:
            _ingest_file(kb, file, root, tenant, known.get(source), report)
        except _SkipFile as exc:
            report.errors.append(IngestError(path=source, message=str(exc)))
        if progress is not None:
            progress(done, len(files), file)
    if root is not None:
        for source in sorted(set(known) - present):
            if kb.delete(source, tenant):
                report.removed += 1
    return report


def _ingest_file(
    kb: SqliteKnowledgeBase,
    file: Path,
    root: Path | None,
    tenant: str,
    stored_hash: str | None,
    report: IngestReport,
) -> None:
    if file.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise _SkipFile(f"unsupported file type {file.suffix or '(none)'}")
    data = _read(file)
    digest = file_hash(data)
    if digest == stored_hash:
        report.unchanged += 1
        return
    parsed = parse_document(file.suffix, _decode(data), fallback_title=file.stem)
    if not parsed.text.strip() and parsed.title == file.stem:
        raise _SkipFile("no text to index")
    outcome = kb.upsert(
        Document(
            article_id=article_id_for(file, root),
            title=parsed.title,
            text=parsed.text,
            source=str(file),
            tenant=tenant,
            content_hash=digest,
        )
    )
    if outcome == "added":
        report.added += 1
    elif outcome == "updated":
        report.updated += 1
    else:
        report.unchanged += 1
