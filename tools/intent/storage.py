"""The file a trained intent classifier is kept in: a joblib pickle, written atomically.

A file carries a format tag and the versions it was written with; reading refuses a file
whose tag or versions differ, so a stale model is retrained instead of misread.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import joblib

FORMAT = "tandem-intent-classifier"
"""Tag of every classifier file."""


def write_payload(payload: dict[str, Any], path: str | Path) -> Path:
    """Write ``payload`` (plus the format tag) to ``path`` atomically; return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    os.close(handle)
    try:
        joblib.dump({"format": FORMAT, **payload}, temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def read_payload(path: str | Path, expected: dict[str, Any]) -> dict[str, Any]:
    """Read a payload written by :func:`write_payload` whose ``expected`` entries match.

    Only read files this process or a trusted deployment wrote: the format is a pickle.
    Raises ``ValueError`` for a file of another format or other versions.
    """
    payload = joblib.load(Path(path))
    wanted = {"format": FORMAT, **expected}
    if not isinstance(payload, dict) or any(payload.get(k) != v for k, v in wanted.items()):
        raise ValueError(f"{path} is not a compatible intent classifier")
    return payload
