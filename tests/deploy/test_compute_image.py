"""The compute images' Dockerfile: both targets, built from every package, unprivileged."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from server.sagemaker.__main__ import PORT

REPO = Path(__file__).resolve().parents[2]
COMPUTE = (REPO / "deploy" / "compute.Dockerfile").read_text()


def packages() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    return list(project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])


def test_every_image_copies_every_package_of_the_wheel():
    for dockerfile in (COMPUTE, (REPO / "Dockerfile").read_text()):
        copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.MULTILINE))
        assert set(packages()) <= copied, set(packages()) - copied


def test_the_webhook_and_understanding_targets():
    stages = {name for _, name in re.findall(r"^FROM (\S+) AS (\w+)$", COMPUTE, re.MULTILINE)}
    assert stages == {"python", "runtime", "webhooks", "understanding"}
    webhooks = COMPUTE.split("AS webhooks", 1)[1].split("FROM ", 1)[0]
    assert re.search(r'"awslambdaric==[\d.]+"', webhooks)
    assert 'CMD ["channels.aws_lambda.handler.handler"]' in webhooks
    understanding = COMPUTE.split("AS understanding", 1)[1]
    assert 'ENTRYPOINT ["python", "-m", "server.sagemaker"]' in understanding
    assert 'CMD ["serve"]' in understanding
    assert f"EXPOSE {PORT}" in understanding and f"127.0.0.1:{PORT}/ping" in understanding
    for target in (webhooks, understanding):
        user = re.search(r"^USER (\S+)$", target, re.MULTILINE)
        assert user and user.group(1) not in ("root", "0")
