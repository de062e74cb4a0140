"""Integration fixtures: a moto_server emulating AWS (DynamoDB, S3) on a loopback port."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import free_port, wait_until_ready

MOTO_REGION = "eu-west-1"

# Dummy credentials for the emulator: botocore signs every request, moto ignores the keys.
_DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": MOTO_REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `moto_server` on a free 127.0.0.1 port and yield its endpoint URL.

    Dummy AWS credentials (and no shared config or profile) are set in the environment
    while the server runs and restored afterwards.
    """
    folder = tmp_path_factory.mktemp("moto")
    log = folder / "moto_server.log"
    port = free_port()
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
            wait_until_ready(f"{url}/moto-api/data.json", proc, log, "moto_server")
            yield url
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)


# moto_server answers requests on parallel threads and applies a conditional update as an
# unlocked check followed by a write, so two racing claims can both pass the check there.
# DynamoDB checks and writes one item atomically; a moto server that handles one request
# at a time reproduces that guarantee for the race below.
SERIAL_MOTO = """
import sys
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple
app = DomainDispatcherApplication(create_backend_app)
run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=False)
"""


@pytest.fixture(scope="session")
def serial_moto_endpoint(
    moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A moto server that handles one request at a time (atomic conditional writes).

    It depends on `moto_endpoint` for the dummy AWS credentials that fixture sets.
    """
    log = tmp_path_factory.mktemp("serial-moto") / "moto.log"
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERIAL_MOTO, str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(f"{url}/moto-api/data.json", proc, log, "serial moto server")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start Debian's `redis-server` on a free 127.0.0.1 port (no persistence); yield its URL.

    Skips when redis-server is not installed (`apt-get install -y redis-server`), except
    under CI, where that is a failure.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (apt-get install -y redis-server)")
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    import redis

    folder = tmp_path_factory.mktemp("redis")
    log = folder / "redis-server.log"
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [binary, *options, "--dir", str(folder)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"redis-server exited early:\n{log.read_text()[-4000:]}")
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not answer:\n{log.read_text()[-4000:]}")
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


OPENSEARCH_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "opensearch.sh"
OPENSEARCH_START_SECONDS = 240


def _opensearch_green(url: str, timeout: float) -> bool:
    """Poll the cluster health of `url` until it is green or `timeout` seconds pass."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            health = f"{url}/_cluster/health?wait_for_status=green&timeout=2s"
            with urllib.request.urlopen(health, timeout=5) as response:
                if b'"status":"green"' in response.read():
                    return True
        except OSError:
            time.sleep(0.5)
    return False


@pytest.fixture(scope="session")
def opensearch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A green single-node OpenSearch with the k-NN plugin on loopback; yields its URL.

    Reuses the node at TANDEM_TEST_OPENSEARCH_URL when set (e.g. started by .ci/run while
    lint runs), waiting for it to turn green. Otherwise starts `scripts/opensearch.sh` on a
    free port with data in a temporary folder and stops it at the end of the session.
    Skips when the node was never fetched (`bash scripts/opensearch.sh fetch`), except
    under CI, where that is a failure.
    """
    given = os.environ.get("TANDEM_TEST_OPENSEARCH_URL", "").rstrip("/")
    if given:
        if not _opensearch_green(given, OPENSEARCH_START_SECONDS):
            pytest.fail(f"OpenSearch at {given} did not turn green")
        yield given
        return
    if subprocess.run(["bash", str(OPENSEARCH_SCRIPT), "fetched"], check=False).returncode:
        reason = "OpenSearch is not fetched: run `bash scripts/opensearch.sh fetch` first"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    port = free_port()
    env = {
        **os.environ,
        "TANDEM_OPENSEARCH_PORT": str(port),
        "TANDEM_OPENSEARCH_RUN_DIR": str(tmp_path_factory.mktemp("opensearch")),
        "TANDEM_OPENSEARCH_WAIT_SECONDS": str(OPENSEARCH_START_SECONDS),
    }

    def script(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(OPENSEARCH_SCRIPT), command],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=OPENSEARCH_START_SECONDS + 60,
        )

    try:
        for command in ("start", "wait"):
            outcome = script(command)
            if outcome.returncode:
                pytest.fail(f"OpenSearch {command} failed:\n{outcome.stderr[-4000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        script("stop")
