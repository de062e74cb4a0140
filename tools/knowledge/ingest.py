"""Index a file or a folder of Markdown, HTML and text files into a knowledge base.

Ingestion is incremental: a file whose content hash matches the stored one is left
alone, changed files are re-indexed, and documents whose files are no longer in the
ingested folder are removed. Files that cannot be read or decoded are reported, never
raised, so one bad file does not stop a help-centre import. Changed files are written in
batches (`upsert_many`: one SQLite transaction, or one OpenSearch bulk request, per batch),
so the same code fills either backend.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from tools.knowledge.base import Document
from tools.knowledge.parsing import SUPPORTED_SUFFIXES, parse_document

ProgressCallback = Callable[[int, int, Path], None]
"""Called after each file as `progress(done, total, current_path)`."""

PARSER_VERSION = "1"
WRITE_BATCH = 64
"""Changed files written per `upsert_many` call."""
_BINARY_SNIFF_BYTES = 8192


class IngestTarget(Protocol):
    """What ingestion needs of an index: `SqliteKnowledgeBase` and `OpenSearchKnowledgeBase`."""

    def source_hashes(self, tenant: str, under: str | None = None) -> dict[str, str]:
        """Map each indexed source of `tenant` (under a path prefix) to its content hash."""
        ...

    def upsert_many(
        self, documents: Iterable[Document]
    ) -> Mapping[Literal["added", "updated", "unchanged"], int]:
        """Write documents; return how many were "added", "updated" and "unchanged"."""
        ...

    def delete(self, source: str, tenant: str) -> bool:
        """Remove the document indexed from `source`; tell whether it existed."""
        ...


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
    kb: IngestTarget,
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
    pending: list[tuple[Path, Document]] = []
    done = 0

    def advance(file: Path) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(files), file)

    def flush() -> None:
        if not pending:
            return
        counts = kb.upsert_many([document for _, document in pending])
        report.added += counts.get("added", 0)
        report.updated += counts.get("updated", 0)
        report.unchanged += counts.get("unchanged", 0)
        for file, _ in pending:
            advance(file)
        pending.clear()

    for file in files:
        source = str(file)
        present.add(source)
        try:
            document = _prepare_file(file, root, tenant, known.get(source))
        except _SkipFile as exc:
            report.errors.append(IngestError(path=source, message=str(exc)))
            advance(file)
            continue
        if document is None:
            report.unchanged += 1
            advance(file)
            continue
        pending.append((file, document))
        if len(pending) >= WRITE_BATCH:
            flush()
    flush()
    if root is not None:
        for source in sorted(set(known) - present):
            if kb.delete(source, tenant):
                report.removed += 1
    return report


def _prepare_file(
    file: Path, root: Path | None, tenant: str, stored_hash: str | None
) -> Document | None:
    """Return the document to write for `file`, or None when its stored hash is current."""
    if file.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise _SkipFile(f"unsupported file type {file.suffix or '(none)'}")
    data = _read(file)
    digest = file_hash(data)
    if digest == stored_hash:
        return None
    parsed = parse_document(file.suffix, _decode(data), fallback_title=file.stem)
    if not parsed.text.strip() and parsed.title == file.stem:
        raise _SkipFile("no text to index")
    return Document(
        article_id=article_id_for(file, root),
        title=parsed.title,
        text=parsed.text,
        source=str(file),
        tenant=tenant,
        content_hash=digest,
    )
