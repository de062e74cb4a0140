"""The container image: the Dockerfile's shape, and its Python environment built the same way."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from config.settings import Settings
from server.routes import health

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text()
PROBE = """
import server
from fastapi.testclient import TestClient
from server.app import create_app
assert "site-packages" in server.__file__, server.__file__
with TestClient(create_app()) as client:
    print(client.get("/healthz").json()["status"], client.get("/readyz").status_code)
"""


def docker_daemon() -> bool:
    """True when a Docker CLI is installed and its daemon answers."""
    if shutil.which("docker") is None:
        return False
    info = subprocess.run(["docker", "info"], capture_output=True, timeout=60)
    return info.returncode == 0


def test_the_dockerfile_builds_the_web_apps_and_runs_slim_and_unprivileged():
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?$", DOCKERFILE, re.MULTILINE)
    assert [image for image, _ in stages] == [
        "node:20-slim",
        "python:3.11-slim",
        "python:3.11-slim",
    ]
    assert "RUN npm ci" in DOCKERFILE and "RUN npm run build" in DOCKERFILE
    assert "sh deploy/build-venv.sh /src /opt/tandem" in DOCKERFILE
    user = re.search(r"^USER (\S+)$", DOCKERFILE, re.MULTILINE)
    assert user and user.group(1) not in ("root", "0")
    assert 'CMD ["tandem", "serve", "--host", "0.0.0.0"]' in DOCKERFILE
    assert "TANDEM_AUTH_MODE=cognito" in DOCKERFILE
    probe = re.search(r"HEALTHCHECK[^\n]*\n[^\n]*http://127\.0\.0\.1:8000(/\w+)", DOCKERFILE)
    assert probe
    assert probe.group(1) in {getattr(route, "path", None) for route in health.router.routes}
    for name in re.findall(r"\b(TANDEM_\w+)=", DOCKERFILE):
        assert name.removeprefix("TANDEM_").lower() in Settings.model_fields, name


@pytest.mark.integration
def test_the_images_python_environment_installs_and_serves(tmp_path):
    venv = tmp_path / "venv"
    env = {**os.environ, "UV": str(REPO / ".venv" / "bin" / "uv"), "PYTHON": "python3.11"}
    subprocess.run(
        ["sh", "deploy/build-venv.sh", str(REPO), str(venv)],
        cwd=REPO,
        env=env,
        check=True,
        timeout=900,
    )
    run_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")},
        "TANDEM_DATA_DIR": str(tmp_path / "data"),
    }
    helped = subprocess.run(
        [venv / "bin" / "tandem", "--help"],
        cwd=tmp_path,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert helped.returncode == 0, helped.stderr
    assert "serve" in helped.stdout
    probed = subprocess.run(
        [venv / "bin" / "python", "-c", PROBE],
        cwd=tmp_path,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probed.returncode == 0, probed.stderr
    assert probed.stdout.split() == ["ok", "200"]


@pytest.mark.integration
@pytest.mark.skipif(not docker_daemon(), reason="no Docker daemon here")
def test_the_image_builds_and_answers_its_health_check(tmp_path):
    tag = f"tandem-test:{os.getpid()}"
    subprocess.run(["docker", "build", "-t", tag, str(REPO)], check=True, timeout=1800)
    try:
        ran = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "tandem", tag, "--help"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert ran.returncode == 0 and "serve" in ran.stdout
        user = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert user.stdout.strip() == "10001"
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)
