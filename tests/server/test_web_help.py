"""Source links in the chat: the articles a reply used, and the article pages they open."""

from __future__ import annotations


def test_a_knowledge_base_answer_lists_its_sources_as_links(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    api.say(conversation, "How long do refunds take?", alex)
    response = api.client.get(f"/v1/conversations/{conversation}/sources", headers=alex)
    assert response.status_code == 200
    sources = response.json()
    assert sources and sources[0]["url"] == f"/help/{sources[0]['article_id']}"
    assert any("refund" in source["title"].lower() for source in sources)
    assert len({s["article_id"] for s in sources}) == len(sources)

    article = api.client.get(f"/v1/help/articles/{sources[0]['article_id']}")
    assert article.status_code == 200
    assert article.json()["title"] == sources[0]["title"] and article.json()["text"]


def test_an_order_answer_has_no_sources(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    api.say(conversation, "Where is my order #W1234567?", alex)
    assert api.client.get(f"/v1/conversations/{conversation}/sources", headers=alex).json() == []


def test_sources_of_another_customers_conversation_are_hidden(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    sam = api.customer("sam_lee_2002")
    response = api.client.get(f"/v1/conversations/{conversation}/sources", headers=sam)
    assert response.status_code == 404


def test_unknown_and_malformed_articles_get_clear_errors(api):
    missing = api.client.get("/v1/help/articles/no-such-article")
    assert missing.status_code == 404 and missing.json()["code"] == "article_not_found"
    assert api.client.get("/v1/help/articles/bad%20id").status_code == 422
