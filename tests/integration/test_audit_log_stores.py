"""The audit log on SQLite and on DynamoDB (moto_server): one contract, append-only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import Settings
from conversations.audit_log import AuditLog, AuditQuery, all_entries
from graphs.audit import AuditEntry
from tests.integration.test_dynamodb_server_store import aws_settings
from wiring.aws_resources import ensure_dynamodb_resources
from wiring.persistence import open_audit_log

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

T0 = 1_765_000_000.0


@pytest.fixture(params=["sqlite", "dynamodb"])
def log(request, tmp_path: Path) -> Iterator[AuditLog]:
    if request.param == "sqlite":
        opened = open_audit_log(Settings(data_dir=tmp_path / "data"))
    else:
        settings = aws_settings(request.getfixturevalue("moto_endpoint"), tmp_path)
        ensure_dynamodb_resources(settings)
        opened = open_audit_log(settings)
    yield opened
    opened.close()


def _entry(n: int, actor: str = "dana", outcome: str = "ok") -> AuditEntry:
    return AuditEntry(
        actor=actor,
        role="agent",
        action="queue.claim" if n % 2 else "queue.reply",
        conversation_id=f"c{n % 3}",
        outcome=outcome,  # type: ignore[arg-type]
        detail={"n": n, "text": "é ünïcode"},
        at=T0 + n,
    )


def test_entries_come_back_oldest_first_across_pages(log: AuditLog) -> None:
    for n in range(7):
        log.append(_entry(n))
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        items, cursor = log.page(AuditQuery(), cursor, 3)
        pages += 1
        seen.extend(item["detail"]["n"] for item in items)
        if cursor is None:
            break
    assert seen == list(range(7)) and pages == 3
    first = log.page(AuditQuery(), None, 1)[0][0]
    assert first["at"] == T0 and first["detail"] == {"n": 0, "text": "é ünïcode"}
    assert first["role"] == "agent" and first["conversation_id"] == "c0"


def test_filters_and_time_bounds(log: AuditLog) -> None:
    for n in range(9):
        log.append(_entry(n, actor="eli" if n in (2, 5) else "dana"))
    eli = [e["detail"]["n"] for e in all_entries(log, AuditQuery(actor="eli"))]
    assert eli == [2, 5]
    claims = [e["detail"]["n"] for e in all_entries(log, AuditQuery(action="queue.claim"))]
    assert claims == [1, 3, 5, 7]
    c1 = [e["detail"]["n"] for e in all_entries(log, AuditQuery(conversation_id="c1"))]
    assert c1 == [1, 4, 7]
    window = all_entries(log, AuditQuery(since=T0 + 3, until=T0 + 6))
    assert [e["detail"]["n"] for e in window] == [3, 4, 5]
    filtered_page, cursor = log.page(AuditQuery(actor="dana"), None, 2)
    assert [e["detail"]["n"] for e in filtered_page] == [0, 1] and cursor is not None


def test_a_forged_cursor_is_refused(log: AuditLog) -> None:
    log.append(_entry(1))
    with pytest.raises(ValueError):
        log.page(AuditQuery(), "'; DROP TABLE audit_log; --", 10)


def test_the_log_has_no_way_to_change_or_remove_entries(log: AuditLog) -> None:
    public = {name for name in dir(log) if not name.startswith("_")}
    assert public & {"update", "delete", "remove", "put", "clear", "erase"} == set()
    log.append(_entry(1))
    log.append(_entry(1))  # the same entry twice is two entries, never an overwrite
    assert len(log.page(AuditQuery(), None, 10)[0]) == 2


def test_a_cursor_past_the_end_reads_nothing(log: AuditLog) -> None:
    log.append(_entry(1))
    assert log.page(AuditQuery(), "9" * 26, 10) == ([], None)
