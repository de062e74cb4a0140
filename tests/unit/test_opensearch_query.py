"""The OpenSearch BM25 request: per-stem clauses weighted by repetition, damped fields."""

from __future__ import annotations

from tools.knowledge.bm25 import Bm25Params
from tools.knowledge.opensearch_query import MAX_CLAUSES, bm25_query, weighted_words
from tools.knowledge.opensearch_schema import index_body

TENANT = [{"term": {"tenant": "acme"}}]


def clauses(body: dict) -> list[dict]:
    return [clause["multi_match"] for clause in body["query"]["bool"]["should"]]


def test_each_stem_is_one_clause_boosted_by_its_repeats() -> None:
    body = bm25_query(
        "Refunds? My refund is late, refunded twice", 7, TENANT, Bm25Params(), ["title"]
    )
    assert body is not None and body["size"] == 7 and body["_source"] == ["title"]
    assert body["query"]["bool"]["filter"] == TENANT
    found = {clause["query"]: clause for clause in clauses(body)}
    assert set(found) == {"refunds", "late", "twice"}
    assert found["late"]["boost"] == 1.0
    assert 2.9 < found["refunds"]["boost"] < 3.0
    assert found["late"]["fields"] == ["title^8", "text"]


def test_long_messages_use_the_damped_fields() -> None:
    params = Bm25Params(title_weight=2.0, long_query_terms=5)
    short = bm25_query("card declined abroad", 5, [], params, [])
    long = bm25_query("card declined abroad at the hotel desk yesterday", 5, [], params, [])
    assert short is not None and long is not None
    assert clauses(short)[0]["fields"] == ["title^2", "text"]
    assert clauses(long)[0]["fields"] == ["title.damped^2", "text.damped"]


def test_no_content_words_means_no_request_and_clauses_are_capped() -> None:
    assert bm25_query("the and of ?!", 5, [], Bm25Params(), []) is None
    message = " ".join(f"word{i}" for i in range(600)) + " word599 word599"
    words = weighted_words(message, Bm25Params())
    assert len(words) == MAX_CLAUSES
    assert words[0][0] == "word599"


def test_index_declares_both_similarities_with_the_parameters() -> None:
    body = index_body(8, Bm25Params(k1=2.5, b=0.5, idf_power=0.25))
    similarity = body["settings"]["index"]["similarity"]
    assert similarity["tandem_bm25"] == {"type": "BM25", "k1": 2.5, "b": 0.5}
    damped = similarity["tandem_bm25_damped"]
    assert "Math.pow(idf, 0.25)" in damped["weight_script"]["source"]
    assert "2.5" in damped["script"]["source"] and "0.5" in damped["script"]["source"]
    title = body["mappings"]["properties"]["title"]
    assert title["similarity"] == "tandem_bm25"
    assert title["fields"]["damped"]["similarity"] == "tandem_bm25_damped"
