"""Data files only their owner can read: folders 0700, files 0600.

Conversations, checkpoints, orders and the event log hold customers' data, so every
SQLite file Tandem creates goes through `private_file` before it is opened: the folder is
made (and narrowed) to 0700 and the file created (or narrowed) to 0600 whatever the
process's umask. SQLite creates its ``-wal``, ``-shm`` and journal files with the
permissions of the database file, so they are 0600 too.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
"""Mode of the data folder and of every folder holding a data file."""
FILE_MODE = 0o600
"""Mode of every data file."""
IN_MEMORY = frozenset({":memory:", ""})
"""SQLite paths that are not files."""


def private_dir(path: str | Path) -> Path:
    """Make the folder `path` (and missing parents) and set its mode to 0700."""
    folder = Path(path).expanduser()
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if folder.stat().st_mode & 0o777 != DIR_MODE:
        folder.chmod(DIR_MODE)
    return folder


def private_file(path: str | Path) -> str:
    """Prepare the data file `path`: its folder 0700, the file created or narrowed to 0600.

    Returns the path as a string for `sqlite3.connect`; in-memory paths come back as they
    are.
    """
    if str(path) in IN_MEMORY or str(path).startswith("file:"):
        return str(path)
    file = Path(path).expanduser()
    private_dir(file.parent)
    descriptor = os.open(file, os.O_CREAT | os.O_RDWR, FILE_MODE)
    os.close(descriptor)
    if file.stat().st_mode & 0o777 != FILE_MODE:
        file.chmod(FILE_MODE)
    return str(file)
