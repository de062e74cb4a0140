"""The OpenSearch BM25F requests: corpus statistics, per-stem weights and clauses."""

from __future__ import annotations

import math

import pytest

from tools.knowledge.bm25 import Bm25Params, query_term_weights
from tools.knowledge.opensearch_query import (
    CorpusStatistics,
    bm25_query,
    read_statistics,
    statistics_query,
    stem_weights,
)
from tools.knowledge.opensearch_schema import index_body, stem_fields, title_repeats

TENANT = [{"term": {"tenant": "acme"}}]


def test_statistics_request_and_response_give_size_length_and_frequencies() -> None:
    terms = ["refund", "card"]
    body = statistics_query(terms)
    assert body["size"] == 0 and body["track_total_hits"] is True
    filters = body["aggs"]["frequency"]["filters"]["filters"]
    assert filters == {"0": {"term": {"stems": "refund"}}, "1": {"term": {"stems": "card"}}}
    response = {
        "hits": {"total": {"value": 4}},
        "aggregations": {
            "length": {"value": 200.0},
            "frequency": {"buckets": {"0": {"doc_count": 3}, "1": {"doc_count": 0}}},
        },
    }
    assert read_statistics(terms, response) == CorpusStatistics(4, 50.0, {"refund": 3, "card": 0})


def test_stem_weights_multiply_repeats_by_idf_damped_for_long_messages() -> None:
    params = Bm25Params(long_query_terms=3, idf_power=0.5)
    statistics = CorpusStatistics(10, 50.0, {"refund": 1, "late": 4, "zanzibar": 0})
    short = stem_weights({"refund": 2.0, "late": 1.0}, statistics, params)
    idf = math.log1p((10 - 1 + 0.5) / 1.5)
    assert short["refund"] == pytest.approx(2.0 * idf)
    long = stem_weights({"refund": 2.0, "late": 1.0, "zanzibar": 1.0}, statistics, params)
    assert long["refund"] == pytest.approx(2.0 * idf**0.5)
    assert "zanzibar" not in long


def test_each_stem_is_one_saturating_clause_with_the_embedded_parameters() -> None:
    params = Bm25Params()
    weights = query_term_weights("Refunds? My refund is late, refunded twice", params)
    assert set(weights) == {"refund", "lat", "twic"}
    body = bm25_query(weights, 42.0, 7, TENANT, params, ["title"])
    assert body is not None and body["size"] == 7 and body["_source"] == ["title"]
    assert body["query"]["bool"]["filter"] == TENANT
    clauses = [clause["script_score"] for clause in body["query"]["bool"]["should"]]
    by_term = {clause["query"]["term"]["stems"]: clause["script"]["params"] for clause in clauses}
    assert by_term["refund"] == {"weight": weights["refund"], "k1": 3.0, "b": 0.75, "average": 42.0}
    assert bm25_query({}, 42.0, 7, TENANT, params, []) is None


def test_articles_pool_title_stems_by_repetition_and_count_each_once() -> None:
    fields = stem_fields("Refunds", "A refund reaches your card.", 3)
    assert fields == {"stems": "refund refund refund refund reach card", "stem_count": 4}
    assert title_repeats(Bm25Params(title_weight=8.0)) == 8
    with pytest.raises(ValueError, match="whole title weight"):
        title_repeats(Bm25Params(title_weight=2.5))


def test_index_maps_the_ranking_fields_and_records_the_title_weight() -> None:
    body = index_body(8, Bm25Params(title_weight=5.0))
    similarity = body["settings"]["index"]["similarity"]["tandem_term_frequency"]
    assert similarity["type"] == "scripted" and "doc.freq" in similarity["script"]["source"]
    properties = body["mappings"]["properties"]
    assert properties["stems"]["similarity"] == "tandem_term_frequency"
    assert properties["stems"]["analyzer"] == "whitespace"
    assert properties["stem_count"] == {"type": "integer"}
    assert body["mappings"]["_meta"] == {"schema_version": 3, "dimension": 8, "title_weight": 5}
