"""Pick the sentences of retrieved passages that best answer a query.

This is extractive only: every returned sentence is a sentence of a passage, with its
original wording (see `sentences` for what counts as a candidate). Sentences are scored
with BM25 over the pool of candidate sentences, weighted by how many distinct query terms
they cover, whether the query terms are in their article's title, and the rank of their
passage. Sentences that merely point to another article and list fragments are demoted;
for "when" / "how long" questions, sentences that state a duration are promoted.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tools.knowledge.base import Passage
from tools.knowledge.sentences import candidate_sentences
from tools.knowledge.text import stemmed_terms, strip_question_phrases

_K1 = 1.2
_B = 0.75
_RANK_DECAY = 0.3
_TITLE_BOOST = 0.5
_DUPLICATE_OVERLAP = 0.8
_TIME_BOOST = 1.5
_FRAGMENT_PENALTY = 0.5
_POINTER_PENALTY = 0.3

_TIME_QUESTION = re.compile(
    r"\b(?:when|how (?:long|soon|fast|quickly|many (?:days|weeks|hours)))\b", re.IGNORECASE
)
_TIME_EXPRESSION = re.compile(
    r"\b(?:\d+(?:\s*(?:to|-|–|or)\s*\d+)?[\s-]*(?:business\s+|working\s+|calendar\s+)?"
    r"(?:days?|weeks?|hours?|minutes?|months?|years?)|immediate(?:ly)?|instant(?:ly)?"
    r"|right away|same day)\b",
    re.IGNORECASE,
)
_DURATION_VERB = re.compile(r"\b(?:take|takes|last|lasts)\s*[?.!]*\s*$", re.IGNORECASE)
"""The verb closing "how long does X take?": the question is about X, not about every
sentence that says something takes a while."""
_POINTER = re.compile(
    r"^(?:see|read|visit|check)\b|\b(?:our|the|this) (?:article|page|section|guide)s? on\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence quoted from a knowledge-base article, with where it came from."""

    text: str
    article_id: str
    title: str
    source: str
    score: float = 0.0


@dataclass(slots=True)
class _Candidate:
    text: str
    passage_index: int
    position: int
    stems: list[str]
    score: float = 0.0


def answer_sentences(
    query: str, passages: Sequence[Passage], max_sentences: int = 3
) -> list[Evidence]:
    """Return up to `max_sentences` sentences from `passages` that best answer `query`.

    Passages are expected best first (as `search` returns them). Only sentences that
    share at least one content word with the query are returned. The result is grouped
    by article (the article with the best sentence first) and keeps each article's
    sentence order, so it reads naturally when quoted in sequence.
    """
    asks_time = bool(_TIME_QUESTION.search(query))
    topic = strip_question_phrases(_TIME_QUESTION.sub(" ", query))
    if asks_time:
        topic = _DURATION_VERB.sub(" ", topic)
    query_terms = list(dict.fromkeys(stemmed_terms(topic)))
    if not query_terms or max_sentences <= 0:
        return []
    candidates = [
        _Candidate(text=sentence, passage_index=index, position=position, stems=list(stems))
        for index, passage in enumerate(passages)
        for position, (sentence, stems) in enumerate(_split_and_stem(passage.text))
    ]
    if not candidates:
        return []
    _score(candidates, query_terms, passages, asks_time=asks_time)
    ranked = sorted(
        (c for c in candidates if c.score > 0),
        key=lambda c: (-c.score, c.passage_index, c.position),
    )
    chosen: list[_Candidate] = []
    for candidate in ranked:
        if len(chosen) >= max_sentences:
            break
        if any(_overlap(candidate.stems, other.stems) >= _DUPLICATE_OVERLAP for other in chosen):
            continue
        chosen.append(candidate)
    best_by_passage: dict[int, float] = {}
    for candidate in chosen:
        best_by_passage.setdefault(candidate.passage_index, candidate.score)
    chosen.sort(key=lambda c: (-best_by_passage[c.passage_index], c.passage_index, c.position))
    return [
        Evidence(
            text=c.text,
            article_id=passages[c.passage_index].article_id,
            title=passages[c.passage_index].title,
            source=passages[c.passage_index].source,
            score=round(c.score, 4),
        )
        for c in chosen
    ]


@lru_cache(maxsize=4096)
def _split_and_stem(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A passage's candidate sentences with their stems (sentences without words dropped).

    Cached by text: the same help-centre passages answer many questions, and splitting and
    stemming them is most of the work of picking sentences.
    """
    return tuple(
        (sentence, stems)
        for sentence in candidate_sentences(text)
        if (stems := tuple(stemmed_terms(sentence)))
    )


def _score(
    candidates: list[_Candidate],
    query_terms: list[str],
    passages: Sequence[Passage],
    *,
    asks_time: bool,
) -> None:
    """Give every candidate a BM25 score weighted by coverage, title match and rank.

    Sentences that only point to another article, and list fragments that continue a
    sentence, are demoted; when the query asks "when" or "how long", sentences that state
    a duration are promoted.
    """
    total = len(candidates)
    document_frequency: Counter[str] = Counter()
    for candidate in candidates:
        document_frequency.update(set(candidate.stems))
    average_length = sum(len(c.stems) for c in candidates) / total
    idf = {
        term: math.log(
            1 + (total - document_frequency[term] + 0.5) / (document_frequency[term] + 0.5)
        )
        for term in query_terms
    }
    title_terms = [set(stemmed_terms(passage.title)) for passage in passages]
    for candidate in candidates:
        frequencies = Counter(candidate.stems)
        length_norm = 1 - _B + _B * len(candidate.stems) / average_length
        bm25 = 0.0
        matched = 0
        for term in query_terms:
            tf = frequencies.get(term, 0)
            if tf:
                matched += 1
                bm25 += idf[term] * tf * (_K1 + 1) / (tf + _K1 * length_norm)
        if not matched:
            continue
        coverage = matched / len(query_terms)
        in_title = sum(term in title_terms[candidate.passage_index] for term in query_terms)
        title_factor = 1 + _TITLE_BOOST * in_title / len(query_terms)
        rank_factor = 1 / (1 + _RANK_DECAY * candidate.passage_index)
        candidate.score = bm25 * (1 + coverage) * title_factor * rank_factor
        candidate.score *= _shape_factor(candidate.text, asks_time)


def _shape_factor(sentence: str, asks_time: bool) -> float:
    factor = 1.0
    if _POINTER.search(sentence):
        factor *= _POINTER_PENALTY
    first = sentence.lstrip("\"'“‘(")[:1]
    if first.islower() or sentence.endswith((";", ",")):
        factor *= _FRAGMENT_PENALTY
    if asks_time and _TIME_EXPRESSION.search(sentence):
        factor *= _TIME_BOOST
    return factor


def _overlap(left: list[str], right: list[str]) -> float:
    a, b = set(left), set(right)
    return len(a & b) / max(1, min(len(a), len(b)))
