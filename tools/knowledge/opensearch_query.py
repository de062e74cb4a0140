"""The BM25 request of the OpenSearch knowledge base: the embedded backend's ranking.

The message is split and stemmed by `tools.knowledge.text`, as the SQLite backend does,
and each distinct stem becomes one `multi_match` clause on title (boosted) and body whose
boost is the stem's repeat weight (`query_term_weights`: BM25's k3 saturation), so a long
message that keeps naming a topic weighs it as the embedded backend does. The clause sends
the stem's first surface word, which the index's `english` analyzer stems itself.

Long messages (at least `Bm25Params.long_query_terms` distinct stems) are matched against
the fields' `damped` sub-fields, whose similarity takes IDF to `idf_power`; short questions
use the plain fields and full IDF (see `tools.knowledge.opensearch_schema`).
"""

from __future__ import annotations

from typing import Any

from tools.knowledge.bm25 import Bm25Params, query_term_weights
from tools.knowledge.text import is_content_token, stem, strip_question_phrases, tokenize

MAX_CLAUSES = 256
"""Distinct stems sent at most: two fields each stays under OpenSearch's default limit of
1,024 clauses (`indices.query.bool.max_clause_count`)."""


def weighted_words(query: str, params: Bm25Params) -> list[tuple[str, float]]:
    """Return `(word, weight)` for each distinct query stem, at most `MAX_CLAUSES` of them.

    The word is the stem's first surface form in the message, the weight its repeat weight.
    """
    weights = query_term_weights(query, params)
    first: dict[str, str] = {}
    for token in tokenize(strip_question_phrases(query)):
        if is_content_token(token):
            first.setdefault(stem(token), token)
    words = [(first[term], weight) for term, weight in weights.items() if term in first]
    if len(words) <= MAX_CLAUSES:
        return words
    # Keep the most repeated; sorted() is stable, so ties keep the message's order.
    return sorted(words, key=lambda pair: -pair[1])[:MAX_CLAUSES]


def bm25_query(
    query: str,
    size: int,
    tenant_filter: list[dict[str, Any]],
    params: Bm25Params,
    source_fields: list[str],
) -> dict[str, Any] | None:
    """Return the BM25 request body, or None when the query has no content words."""
    words = weighted_words(query, params)
    if not words:
        return None
    suffix = ".damped" if len(words) >= params.long_query_terms else ""
    fields = [f"title{suffix}^{params.title_weight:g}", f"text{suffix}"]
    clauses = [
        {
            "multi_match": {
                "query": word,
                "fields": fields,
                "type": "most_fields",
                "boost": round(weight, 4),
            }
        }
        for word, weight in words
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
