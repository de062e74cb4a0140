"""The BM25 requests of the OpenSearch knowledge base: the embedded backend's BM25F.

A search is two requests. The first reads the statistics BM25F needs for the message's
stems (`query_term_weights`, the embedded backend's stemming, interrogative-phrase removal,
term cap and k3 repeat weights): the number of articles, their total length and each
stem's document frequency, over every tenant as `tools.knowledge.bm25.TermMatrix` counts
them. The second sends one `script_score` clause per stem whose inner term query returns the
stem's pooled count in an article (`tools.knowledge.opensearch_schema`); the script
saturates it with k1, b and the article's exact length and multiplies by the stem's weight:
its repeat weight times its IDF, taken to `idf_power` for long messages. The score is the
embedded backend's, term for term.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tools.knowledge.bm25 import Bm25Params, bm25_idf, idf_exponent
from tools.knowledge.opensearch_schema import LENGTH_FIELD, STEMS_FIELD

SATURATION_SCRIPT = (
    f"double tf = _score; double length = doc['{LENGTH_FIELD}'].value;"
    " double norm = params.k1 * (1 - params.b + params.b * length / params.average);"
    " return params.weight * tf * (params.k1 + 1) / (tf + norm);"
)
"""BM25's term-frequency saturation of one stem's pooled count (`_score`)."""


@dataclass(frozen=True)
class CorpusStatistics:
    """What BM25F needs from the whole index: size, average length, stem frequencies."""

    documents: int
    average_length: float
    document_frequency: dict[str, int]


def statistics_query(terms: Sequence[str]) -> dict[str, Any]:
    """Return the request that counts articles, their stems and each term's documents."""
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"match_all": {}},
        "aggs": {
            "length": {"sum": {"field": LENGTH_FIELD}},
            "frequency": {
                "filters": {
                    "filters": {
                        str(i): {"term": {STEMS_FIELD: term}} for i, term in enumerate(terms)
                    }
                }
            },
        },
    }


def read_statistics(terms: Sequence[str], response: dict[str, Any]) -> CorpusStatistics:
    """Turn the response to `statistics_query(terms)` into `CorpusStatistics`."""
    documents = int(response["hits"]["total"]["value"])
    total = float(response["aggregations"]["length"]["value"] or 0.0)
    buckets = response["aggregations"]["frequency"]["buckets"]
    frequency = {term: int(buckets[str(i)]["doc_count"]) for i, term in enumerate(terms)}
    average = max(1.0, total / documents) if documents else 1.0
    return CorpusStatistics(documents, average, frequency)


def stem_weights(
    weights: dict[str, float], statistics: CorpusStatistics, params: Bm25Params
) -> dict[str, float]:
    """Return each stem's repeat weight times its (possibly damped) IDF.

    Stems no article contains are left out, as the embedded backend leaves out stems
    outside its vocabulary; IDF is damped when the message has `long_query_terms` stems.
    """
    power = idf_exponent(len(weights), params)
    result = {}
    for term, weight in weights.items():
        frequency = statistics.document_frequency.get(term, 0)
        if frequency > 0:
            result[term] = weight * float(bm25_idf(statistics.documents, frequency)) ** power
    return result


def bm25_query(
    weights: dict[str, float],
    average_length: float,
    size: int,
    tenant_filter: list[dict[str, Any]],
    params: Bm25Params,
    source_fields: list[str],
) -> dict[str, Any] | None:
    """Return the BM25F request body for `stem_weights`' output, None when it is empty."""
    if not weights:
        return None
    clauses = [
        {
            "script_score": {
                "query": {"term": {STEMS_FIELD: term}},
                "script": {
                    "source": SATURATION_SCRIPT,
                    "params": {
                        "weight": weight,
                        "k1": params.k1,
                        "b": params.b,
                        "average": average_length,
                    },
                },
            }
        }
        for term, weight in weights.items()
    ]
    return {
        "size": size,
        "_source": source_fields,
        "query": {
            "bool": {
                "should": clauses,
                "minimum_should_match": 1,
                "filter": tenant_filter,
            }
        },
    }
