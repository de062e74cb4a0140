"""Integration fixtures: a moto_server emulating AWS (DynamoDB, S3) on a loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

MOTO_REGION = "eu-west-1"

# Dummy credentials for the emulator: botocore signs every request, moto ignores the keys.
_DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": MOTO_REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"moto_server exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"moto_server did not answer within {timeout:.0f} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `moto_server` on a free 127.0.0.1 port and yield its endpoint URL.

    Dummy AWS credentials (and no shared config or profile) are set in the environment
    while the server runs and restored afterwards.
    """
    folder = tmp_path_factory.mktemp("moto")
    log = folder / "moto_server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = Path(sys.executable).with_name("moto_server")
    with pytest.MonkeyPatch.context() as env:
        for name, value in _DUMMY_AWS_ENV.items():
            env.setenv(name, value)
        env.setenv("AWS_CONFIG_FILE", str(folder / "no-config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "no-credentials"))
        env.delenv("AWS_PROFILE", raising=False)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(server), "-H", "127.0.0.1", "-p", str(port)],
                env={**os.environ},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_ready(url, proc, log)
            yield url
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
