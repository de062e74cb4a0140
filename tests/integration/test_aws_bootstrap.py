"""`tandem aws bootstrap`, `check` and `load-orders` against moto_server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from cloud.aws import aws_client
from config.settings import get_settings
from tests.integration.conftest import MOTO_REGION
from tests.loopback import free_port

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

MOTO_ACCOUNT = "123456789012"


@pytest.fixture
def names() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {
        "checkpoint": f"cp-{suffix}",
        "memory": f"mem-{suffix}",
        "server": f"srv-{suffix}",
        "lease": f"lease-{suffix}",
        "orders": f"orders-{suffix}",
        "bucket": f"offload-{suffix}",
        "topic": f"queue-{suffix}",
    }


@pytest.fixture
def aws_env(moto_endpoint: str, names: dict[str, str]) -> Iterator[dict[str, str]]:
    env = {
        "TANDEM_AWS_REGION": MOTO_REGION,
        "TANDEM_DYNAMODB_ENDPOINT_URL": moto_endpoint,
        "TANDEM_S3_ENDPOINT_URL": moto_endpoint,
        "TANDEM_SNS_ENDPOINT_URL": moto_endpoint,
        "TANDEM_CHECKPOINT_TABLE": names["checkpoint"],
        "TANDEM_MEMORY_TABLE": names["memory"],
        "TANDEM_SERVER_TABLE": names["server"],
        "TANDEM_LEASE_TABLE": names["lease"],
        "TANDEM_ORDERS_TABLE": names["orders"],
        "TANDEM_OFFLOAD_BUCKET": names["bucket"],
        "TANDEM_SNS_TOPIC_ARN": f"arn:aws:sns:{MOTO_REGION}:{MOTO_ACCOUNT}:{names['topic']}",
        "TANDEM_KB_BACKEND": "sqlite",
    }
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


def _invoke(args: list[str], env: dict[str, str]) -> Any:
    get_settings.cache_clear()
    return CliRunner().invoke(app, args, env=env)


def _status_lines(output: str) -> dict[str, str]:
    """Map each reported resource name to its status."""
    statuses = ("already present", "created", "present", "missing", "skipped", "failed")
    found: dict[str, str] = {}
    for line in output.splitlines():
        stripped = line.strip()
        for status in statuses:
            if stripped.startswith(status + " "):
                found[stripped[len(status) :].strip()] = status
                break
    return found


def _ttl(client: Any, table: str) -> tuple[str | None, str | None]:
    ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    return ttl.get("TimeToLiveStatus"), ttl.get("AttributeName")


def _keys(client: Any, table: str) -> list[tuple[str, str]]:
    described = client.describe_table(TableName=table)["Table"]
    return [(k["AttributeName"], k["KeyType"]) for k in described["KeySchema"]]


def test_bootstrap_twice_creates_once(
    aws_env: dict[str, str], names: dict[str, str], moto_endpoint: str
) -> None:
    first = _invoke(["aws", "bootstrap"], aws_env)
    assert first.exit_code == 0, first.output
    statuses = _status_lines(first.output)
    tables = [names[k] for k in ("checkpoint", "memory", "server", "lease", "orders")]
    for table in tables:
        assert any(table in resource for resource in statuses), first.output
    created = [r for r, s in statuses.items() if s == "created"]
    assert len(created) == 7, first.output  # 5 tables, the bucket and the topic
    assert [s for r, s in statuses.items() if "OpenSearch" in r] == ["skipped"]

    second = _invoke(["aws", "bootstrap"], aws_env)
    assert second.exit_code == 0, second.output
    again = _status_lines(second.output)
    assert "created" not in again.values(), second.output
    assert sorted(r for r, s in again.items() if s == "already present") == sorted(created)

    check = _invoke(["aws", "check"], aws_env)
    assert check.exit_code == 0, check.output
    assert sorted(r for r, s in _status_lines(check.output).items() if s == "present") == sorted(
        created
    )

    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    assert _keys(client, names["checkpoint"]) == [("PK", "HASH"), ("SK", "RANGE")]
    assert _ttl(client, names["checkpoint"]) == ("ENABLED", "ttl")
    assert _ttl(client, names["memory"])[0] == "ENABLED"
    assert _keys(client, names["lease"]) == [("conversation_id", "HASH")]
    assert _ttl(client, names["lease"]) == ("ENABLED", "ttl")
    assert _keys(client, names["orders"]) == [("pk", "HASH")]
    orders = client.describe_table(TableName=names["orders"])["Table"]
    assert sorted(i["IndexName"] for i in orders["GlobalSecondaryIndexes"]) == [
        "by_email",
        "by_kind",
        "by_name_zip",
        "by_user",
    ]
    server = client.describe_table(TableName=names["server"])["Table"]
    assert server.get("GlobalSecondaryIndexes"), "the server table's indexes were not created"
    s3 = aws_client("s3", MOTO_REGION, moto_endpoint)
    s3.head_bucket(Bucket=names["bucket"])


def test_check_reports_missing_resources(aws_env: dict[str, str], names: dict[str, str]) -> None:
    result = _invoke(["aws", "check"], aws_env)
    assert result.exit_code == 1, result.output
    statuses = _status_lines(result.output)
    assert [s for r, s in statuses.items() if names["orders"] in r] == ["missing"]


def test_load_orders_once_then_replace(aws_env: dict[str, str], names: dict[str, str]) -> None:
    missing = _invoke(["aws", "load-orders"], aws_env)
    assert missing.exit_code == 2
    assert "does not exist: run `tandem aws bootstrap` first" in missing.output
    assert _invoke(["aws", "bootstrap"], aws_env).exit_code == 0

    loaded = _invoke(["aws", "load-orders"], aws_env)
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 60 users, 200 orders" in loaded.output
    again = _invoke(["aws", "load-orders"], aws_env)
    assert again.exit_code == 0 and "was loaded before; nothing written" in again.output
    replaced = _invoke(["aws", "load-orders", "--replace"], aws_env)
    assert replaced.exit_code == 0 and "loaded 60 users" in replaced.output

    bad = _invoke(["aws", "load-orders", "--tau-dir", "/nonexistent/tau"], aws_env)
    assert bad.exit_code == 2
    assert "lacks users.json" in bad.output and "Traceback" not in bad.output


def test_unreachable_endpoint_is_a_clear_error(aws_env: dict[str, str]) -> None:
    env = {**aws_env, "TANDEM_DYNAMODB_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    result = _invoke(["aws", "bootstrap"], env)
    assert result.exit_code == 2
    assert "cannot reach the AWS endpoint http://127.0.0.1:" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_missing_credentials_are_a_clear_error(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = _invoke(["aws", "bootstrap"], aws_env)
    assert result.exit_code == 2, result.output
    assert "no usable AWS credentials" in result.output
    assert isinstance(result.exception, SystemExit)


def test_unreachable_opensearch_fails_its_step_only(aws_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    env = {**aws_env, "TANDEM_KB_BACKEND": "opensearch", "TANDEM_OPENSEARCH_URL": url}
    result = _invoke(["aws", "bootstrap"], env)
    assert result.exit_code == 1, result.output
    statuses = _status_lines(result.output)
    assert [s for r, s in statuses.items() if r.startswith("OpenSearch index")] == ["failed"]
    assert f"cannot reach OpenSearch at {url}" in result.output
    assert list(statuses.values()).count("created") == 7
    assert "Traceback" not in result.output
