"""The agent workspace on both server stores (SQLite and DynamoDB on moto_server): releasing,
reassigning and sweeping claims under their conditions, labels, internal notes, macros."""

from __future__ import annotations

import json
import time

import pytest

from conversations.store import ServerStore
from tests.integration.test_dynamodb_server_store import PAYLOAD, store  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


def _claimed(store: ServerStore, conversation_id: str, agent: str = "dana") -> None:  # noqa: F811
    store.create_conversation(conversation_id, "alice", "web")
    store.upsert_handoff(conversation_id, {**PAYLOAD, "order_id": "#W1"}, "alice")
    assert store.claim(conversation_id, agent)


def test_release_needs_the_holder_and_reopens_the_entry(store: ServerStore) -> None:  # noqa: F811
    _claimed(store, "c1")
    assert store.get_handoff("c1")["order_id"] == "#W1"
    assert not store.release_claim("c1", "eli"), "only the holder releases"
    assert store.release_claim("c1", "dana")
    entry = store.get_handoff("c1")
    assert entry["status"] == "waiting" and entry["claimed_by"] is None
    assert not store.release_claim("c1", None), "a waiting entry has no claim to release"
    assert store.claim("c1", "eli")


def test_sweep_releases_only_unanswered_claims_older_than_the_cutoff(
    store: ServerStore,  # noqa: F811
) -> None:
    _claimed(store, "stale")
    _claimed(store, "answered")
    store.record_response("answered")
    assert not store.release_claim("stale", None, claimed_before=time.time() - 60)
    cutoff = time.time() + 1
    assert store.release_claim("stale", None, claimed_before=cutoff)
    assert not store.release_claim("answered", None, claimed_before=cutoff)
    assert store.get_handoff("answered")["status"] == "claimed"


def test_reassign_moves_the_claim_from_its_holder(store: ServerStore) -> None:  # noqa: F811
    _claimed(store, "c1")
    assert not store.reassign("c1", "eli", "fay"), "eli does not hold it"
    assert store.reassign("c1", "dana", "eli")
    assert store.get_handoff("c1")["claimed_by"] == "eli"
    assert store.reassign("c1", None, "admin"), "a take-over needs no holder"
    assert store.get_handoff("c1")["claimed_by"] == "admin"


def test_labels_notes_and_macros(store: ServerStore) -> None:  # noqa: F811
    _claimed(store, "c1")
    assert store.set_labels("c1", ["refund", "vip"], "high")
    assert store.set_labels("c1", None, "urgent")
    entry = store.get_handoff("c1")
    assert json.loads(entry["tags"]) == ["refund", "vip"] and entry["priority"] == "urgent"
    assert not store.set_labels("missing", ["x"], None)

    store.add_note("c1", "dana", "Refund approved by finance")
    store.add_note("c1", "eli", "Customer called too")
    assert [n["text"] for n in store.list_notes("c1")] == [
        "Refund approved by finance",
        "Customer called too",
    ]
    assert store.list_notes("other") == []

    store.put_macro({"id": "greet", "title": "Greeting", "body": "Hi {customer_name}"})
    store.put_macro({"id": "apology", "title": "Apology", "body": "Sorry about {order_id}"})
    store.put_macro({"id": "greet", "title": "Greeting", "body": "Hello {customer_name}"})
    assert [(m["id"], m["body"]) for m in store.list_macros()] == [
        ("apology", "Sorry about {order_id}"),
        ("greet", "Hello {customer_name}"),
    ]
    assert store.delete_macro("apology") and not store.delete_macro("apology")

    store.delete_conversation("c1")
    assert store.list_notes("c1") == []


def test_a_customers_conversations_leave_out_their_queue_entries(
    store: ServerStore,  # noqa: F811
) -> None:
    _claimed(store, "c1")
    store.add_note("c1", "dana", "note")
    listed = store.list_conversations("alice", 10, 0)
    assert [c["id"] for c in listed] == ["c1"]
