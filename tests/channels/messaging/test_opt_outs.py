"""One contract for SMS opt-outs on SQLite and on DynamoDB (moto_server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from cloud.aws import aws_client
from conversations.opt_outs import OptOuts, SqliteOptOuts
from conversations.opt_outs_dynamodb import DynamoDBOptOuts
from conversations.server_table import server_table_spec
from memory.dynamodb_tables import ensure_table
from tests.integration.conftest import MOTO_REGION, serial_moto_endpoint  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


@pytest.fixture(params=["sqlite", "dynamodb"])
def opt_outs(request: pytest.FixtureRequest, tmp_path) -> Iterator[OptOuts]:
    if request.param == "sqlite":
        made: Any = SqliteOptOuts(tmp_path / "sms.sqlite")
    else:
        endpoint = request.getfixturevalue("serial_moto_endpoint")
        client = aws_client("dynamodb", MOTO_REGION, endpoint)
        table = f"tandem-server-{uuid.uuid4().hex[:8]}"
        ensure_table(client, server_table_spec(table))
        made = DynamoDBOptOuts(client, table)
    yield made
    made.close()


def test_a_number_opts_out_and_back_in_whatever_its_spelling(opt_outs):
    assert not opt_outs.is_opted_out("+14155550142")
    opt_outs.opt_out("+1 (415) 555-0142")
    opt_outs.opt_out("+14155550142")  # twice is the same as once
    assert opt_outs.is_opted_out("+14155550142")
    assert opt_outs.is_opted_out("14155550142")
    assert not opt_outs.is_opted_out("+14155550143")
    opt_outs.opt_in("+14155550142")
    assert not opt_outs.is_opted_out("+1 415 555 0142")
    opt_outs.opt_in("+14155550142")  # opting in a number that is in is harmless


def test_opt_outs_outlive_the_connection(tmp_path):
    first = SqliteOptOuts(tmp_path / "sms.sqlite")
    first.opt_out("+15550001111")
    first.close()
    second = SqliteOptOuts(tmp_path / "sms.sqlite")
    assert second.is_opted_out("+15550001111")
    second.close()
