"""The local secret: what an admin sign-in through `POST /v1/auth/local-token` must present.

In local auth mode anyone who reaches the server may sign in as a customer or an agent, but
an admin token needs this secret. It is a random string in a file (mode 0600, folder 0700)
under the data folder, created when the server first starts; whoever can read the data folder
(`tandem auth secret` prints it) is the local operator.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_BYTES = 32
"""Random bytes in a new secret (printed as base64url)."""


def ensure_local_secret(path: Path) -> str:
    """Return the secret stored at `path`, creating it (0600, in a 0700 folder) when missing."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_local_secret(path)
    with os.fdopen(handle, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(SECRET_BYTES) + "\n")
    return read_local_secret(path)


def read_local_secret(path: Path) -> str:
    """Return the secret stored at `path` (raises OSError when it cannot be read)."""
    secret = path.read_text(encoding="ascii").strip()
    if not secret:
        raise ValueError(f"{path} is empty; delete it and restart the server to make a new one")
    return secret


def secret_matches(expected: str, given: str | None) -> bool:
    """Whether `given` is the secret, compared in constant time."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())
