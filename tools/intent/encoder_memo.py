"""Remember encoder features of texts across trainings (offline evaluation only).

Benchmarks retrain the intent classifier many times on overlapping texts (cross-validation
folds, few-shot draws); a pretrained encoder would compute the same vectors again each time.
Inside :func:`remembered_encoder_features` every distinct text is encoded once per model.
Given a folder, the vectors are also kept on disk, one file per model and layer set, keyed
by the SHA-256 of each text, so a rerun or a sweep over classifiers encodes nothing new.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np


class _Memo:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.rows: dict[tuple[str, str], np.ndarray] = {}
        self.loaded: set[str] = set()
        self.dirty: set[str] = set()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}.npz"

    def _load(self, key: str) -> None:
        if key in self.loaded:
            return
        self.loaded.add(key)
        if self.folder is None or not self._path(key).is_file():
            return
        with np.load(self._path(key)) as stored:
            hashes, rows = stored["hashes"], stored["rows"]
        for digest, row in zip(hashes, rows, strict=True):
            self.rows[(key, str(digest))] = row

    def save(self) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for key in sorted(self.dirty):
            entries = [(digest, row) for (name, digest), row in self.rows.items() if name == key]
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".npz")
            os.close(handle)
            try:
                np.savez(
                    temporary,
                    hashes=np.array([digest for digest, _ in entries]),
                    rows=np.stack([row for _, row in entries]),
                )
                os.replace(temporary, self._path(key))
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        self.dirty.clear()

    def features(
        self, key: str, texts: list[str], compute: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        self._load(key)
        digests = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
        missing = {d: t for d, t in zip(digests, texts, strict=True) if (key, d) not in self.rows}
        if missing:
            order = sorted(missing)
            fresh = np.asarray(compute([missing[d] for d in order]), dtype=np.float32)
            self.rows.update(((key, d), row) for d, row in zip(order, fresh, strict=True))
            self.dirty.add(key)
        return np.stack([self.rows[(key, d)] for d in digests])


_active: _Memo | None = None


@contextmanager
def remembered_encoder_features(folder: str | Path | None = None) -> Iterator[None]:
    """Within this block, encode each distinct text once per model.

    With ``folder``, vectors are read from and written back to files there. Only for
    offline evaluation: the memo grows with every distinct text it sees.
    """
    global _active
    previous = _active
    if previous is None or folder is not None:
        _active = _Memo(Path(folder) if folder is not None else None)
    try:
        yield
    finally:
        if _active is not None and _active is not previous:
            _active.save()
        _active = previous


def memo_features(
    model: str, layers: Sequence[int], texts: list[str], compute: Callable[[list[str]], np.ndarray]
) -> np.ndarray | None:
    """Return remembered (or freshly computed) features, or None outside a memo block."""
    memo = _active
    if memo is None:
        return None
    key = f"{model}-layers-{'-'.join(str(layer) for layer in layers)}"
    return memo.features(key, texts, compute)
