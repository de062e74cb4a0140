"""A command whose backend cannot be reached ends with one error line, not a traceback."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from botocore.exceptions import EndpointConnectionError

from cli.main import BriefFormatter, backend_failure


def test_backend_failures_are_told_from_other_errors():
    assert backend_failure(EndpointConnectionError(endpoint_url="http://127.0.0.1:9/"))
    assert not backend_failure(ValueError("a bug"))


def test_a_logged_exception_is_one_line_with_its_message():
    try:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")
    except EndpointConnectionError:
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "sweep failed", None, None)
        record.exc_info = sys.exc_info()
    line = BriefFormatter(logging.BASIC_FORMAT).format(record)
    assert (
        line
        == 'WARNING:x:sweep failed: Could not connect to the endpoint URL: "http://127.0.0.1:9/"'
    )


def test_an_unreachable_dynamodb_store_is_one_clear_error(tmp_path: Path):
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_SERVER_STORE_BACKEND": "dynamodb",
        "TANDEM_DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "loopback",
        "AWS_SECRET_ACCESS_KEY": "loopback",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    tandem = Path(sys.executable).parent / "tandem"
    result = subprocess.run(
        [str(tandem), "agent", "reply", "c1", "hello"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1
    assert 'Error: Could not connect to the endpoint URL: "http://127.0.0.1:9/"' in result.stderr
    assert "Traceback" not in result.stderr
