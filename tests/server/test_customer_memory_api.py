"""The agent's transcript shows the customer as the long-term memory knows them."""

from __future__ import annotations

from memory.long_term import CustomerMemory


def _hand_off(api, headers, text="get me a human agent now"):
    conversation = api.new_conversation(headers)
    events = api.say(conversation, text, headers)
    assert events[-1]["waiting_for_human"] is True
    return conversation


def test_transcript_has_the_customer_and_their_earlier_conversations(api):
    alex, dana = api.customer(), api.agent("dana")
    first = _hand_off(api, alex, "this is the third time I ask, get me a human")
    assert api.client.post(f"/v1/queue/{first}/claim", headers=dana).status_code == 200
    resolved = api.client.post(f"/v1/queue/{first}/resolve", json={"text": "Done."}, headers=dana)
    assert resolved.status_code == 200, resolved.text

    second = _hand_off(api, alex)
    # Another tenant's memory of the same customer stays out of this one's console.
    memory = CustomerMemory(api.client.app.state.runtime.memory, "other-tenant")
    memory.remember_conversation("alex_morgan_1001", "elsewhere", "not for this tenant")

    response = api.client.get(f"/v1/queue/{second}/transcript", headers=dana)
    assert response.status_code == 200, response.text
    customer = response.json()["customer"]
    assert customer["user_id"] == "alex_morgan_1001"
    profile = customer["profile"]
    assert profile["name"] == "Alex Morgan"
    assert profile["email"] == "alex.morgan@example.com"
    assert profile["verified_by"] == "auth"
    assert profile["last_seen"] > 0
    [earlier] = customer["earlier_conversations"]
    assert earlier["conversation_id"] == first
    assert earlier["outcome"] == "resolved"
    assert earlier["summary"].startswith("resolved by")
    assert earlier["when"] > 1_600_000_000

    # The handoff note of the second conversation mentions the first one.
    queue = api.client.get("/v1/queue", headers=dana).json()
    entry = next(e for e in queue if e["conversation_id"] == second)
    assert "earlier: 1 conversation (latest: resolved by" in entry["summary"]

    # Seen from the first conversation, the second is the earlier one.
    response = api.client.get(f"/v1/queue/{first}/transcript", headers=dana)
    earlier_ids = [
        c["conversation_id"] for c in response.json()["customer"]["earlier_conversations"]
    ]
    assert earlier_ids == [second]


def test_transcript_of_a_first_conversation_has_no_earlier_ones(api):
    conversation = _hand_off(api, api.customer())
    response = api.client.get(f"/v1/queue/{conversation}/transcript", headers=api.agent())
    customer = response.json()["customer"]
    assert customer["profile"]["name"] == "Alex Morgan"
    assert customer["earlier_conversations"] == []
