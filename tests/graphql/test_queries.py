"""GraphQL queries keep the REST rules: ownership, roles, limits, coded errors."""

from __future__ import annotations

from tests.graphql.conftest import codes

CONVERSATION = """
query ($id: ID!) {
  conversation(id: $id) { id customerId channel messageCount messages { items { role text } } }
}
"""
MESSAGES = "query ($id: ID!) { messages(conversationId: $id) { items { role text } } }"
QUEUE = "{ queue { conversationId status reason slaState customerId } }"


def test_a_customer_gets_nothing_for_another_customers_conversation(gapi):
    alex = gapi.customer()
    conversation = gapi.new_conversation(alex)
    gapi.say(conversation, "where is my order #W1234567?", alex)

    own = gapi.gql(CONVERSATION, alex, {"id": conversation})
    assert own["data"]["conversation"]["id"] == conversation
    roles = [m["role"] for m in own["data"]["conversation"]["messages"]["items"]]
    assert roles[:2] == ["customer", "bot"]

    sam = gapi.customer("sam_lee_2002")
    foreign = gapi.gql(CONVERSATION, sam, {"id": conversation})
    missing = gapi.gql(CONVERSATION, sam, {"id": "c_no_such_conversation"})
    assert foreign == missing == {"data": {"conversation": None}}

    foreign_messages = gapi.gql(MESSAGES, sam, {"id": conversation})
    missing_messages = gapi.gql(MESSAGES, sam, {"id": "c_no_such_conversation"})
    assert foreign_messages["data"] is None
    assert codes(foreign_messages) == codes(missing_messages) == ["conversation_not_found"]


def test_customers_list_only_their_own_conversations(gapi):
    alex, sam = gapi.customer(), gapi.customer("sam_lee_2002")
    mine = gapi.new_conversation(alex)
    gapi.new_conversation(sam)
    result = gapi.gql("{ conversations { items { id customerId } nextOffset } }", alex)
    items = result["data"]["conversations"]["items"]
    assert [item["id"] for item in items] == [mine]
    assert {item["customerId"] for item in items} == {"alex_morgan_1001"}


def test_an_agent_sees_the_queue_and_a_customer_cannot(gapi):
    alex = gapi.customer()
    conversation = gapi.new_conversation(alex)
    gapi.say(conversation, "I need a human agent", alex)

    queue = gapi.gql(QUEUE, gapi.agent())["data"]["queue"]
    assert [entry["conversationId"] for entry in queue] == [conversation]
    assert queue[0]["status"] == "waiting" and queue[0]["customerId"] == "alex_morgan_1001"

    refused = gapi.gql(QUEUE, alex)
    assert refused["data"] is None
    assert codes(refused) == ["forbidden_role"]


def test_the_queue_has_views_search_and_labels(gapi):
    alex = gapi.customer()
    conversation = gapi.new_conversation(alex)
    gapi.say(conversation, "I need a human agent", alex)
    query = '{ queue(view: "%s", q: "%s") { conversationId tags priority } }'
    found = gapi.gql(query % ("unassigned", "ALEX_morgan"), gapi.agent())["data"]["queue"]
    assert found == [{"conversationId": conversation, "tags": [], "priority": "normal"}]
    assert gapi.gql(query % ("mine", ""), gapi.agent())["data"]["queue"] == []
    assert codes(gapi.gql(query % ("everything", ""), gapi.agent())) == ["invalid_argument"]


def test_an_over_deep_query_is_refused(make_api):
    gapi = make_api(graphql_max_depth=3)
    alex = gapi.customer()
    gapi.new_conversation(alex)
    deep = gapi.gql("{ conversations { items { messages { items { text } } } } }", alex)
    assert deep.get("data") is None
    assert "exceeds maximum operation depth" in deep["errors"][0]["message"]
    shallow = gapi.gql("{ conversations { items { id } } }", alex)
    assert len(shallow["data"]["conversations"]["items"]) == 1


def test_too_many_aliases_are_refused(make_api):
    gapi = make_api(graphql_max_aliases=2)
    fields = " ".join(f"{alias}: conversations {{ nextOffset }}" for alias in "abc")
    aliased = "{ " + fields + " }"
    result = gapi.gql(aliased, gapi.customer())
    assert result.get("data") is None
    assert "aliases" in result["errors"][0]["message"]


def test_customers_read_their_own_orders_only(gapi):
    alex, sam = gapi.customer(), gapi.customer("sam_lee_2002")
    query = "query ($id: ID!) { customer(id: $id) { userId orders } }"
    own = gapi.gql(query, alex, {"id": "alex_morgan_1001"})["data"]["customer"]
    assert own["userId"] == "alex_morgan_1001"
    assert own["orders"] and {o["user_id"] for o in own["orders"]} == {"alex_morgan_1001"}

    refused = gapi.gql(query, sam, {"id": "alex_morgan_1001"})
    assert codes(refused) == ["forbidden_customer"]

    order_id = own["orders"][0]["order_id"]
    by_id = "query ($id: ID!) { order(id: $id) }"
    assert gapi.gql(by_id, alex, {"id": order_id})["data"]["order"]["order_id"] == order_id
    assert gapi.gql(by_id, sam, {"id": order_id}) == {"data": {"order": None}}


def test_bad_arguments_and_missing_tokens_are_clear_errors(gapi):
    alex = gapi.customer()
    bad = gapi.gql("{ conversations(limit: 5000) { nextOffset } }", alex)
    assert codes(bad) == ["invalid_argument"]

    anonymous = gapi.client.post("/graphql", json={"query": "{ queue { status } }"})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert anonymous.json()["code"] == "missing_token"

    garbage = gapi.client.post(
        "/graphql", content=b"{not json", headers={**alex, "content-type": "application/json"}
    )
    assert 400 <= garbage.status_code < 500


def test_the_dashboard_is_for_agents(gapi):
    figures = gapi.gql("{ metrics }", gapi.agent())["data"]["metrics"]
    assert "start" in figures and "end" in figures
    assert codes(gapi.gql("{ metrics }", gapi.customer())) == ["forbidden_role"]


def test_messages_list_their_attachments(gapi):
    from tests.server.test_attachments_api import png_bytes, say_with, upload

    alex = gapi.customer()
    conversation = gapi.new_conversation(alex)
    info = upload(gapi, conversation, alex, "photo.png", png_bytes(), "image/png").json()
    say_with(gapi, conversation, alex, {"text": "see the photo", "attachments": [info["id"]]})
    query = (
        "query ($id: ID!) { messages(conversationId: $id) "
        "{ items { role text attachments { id filename contentType size } } } }"
    )
    first = gapi.gql(query, alex, {"id": conversation})["data"]["messages"]["items"][0]
    assert first["text"] == "see the photo"
    expected = {"id": info["id"], "filename": "photo.png", "contentType": "image/png"}
    assert first["attachments"] == [{**expected, "size": info["size"]}]
