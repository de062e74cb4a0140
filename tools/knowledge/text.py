"""Tokenisation shared by the index, both backends' query builders and the sentence extractor.

Tokens are runs of Unicode letters and digits, lower-cased. Everything else (quotes,
operators, punctuation, emoji) is a separator, so no user text can reach a query parser
as syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_TOKEN_RE = re.compile(r"[^\W_]+")

_STOP_WORDS_TEXT = """
a about above after again against all am an and any are aren as at be because been
before being below between both but by can cannot could couldn d did didn do does
doesn doing don down during each few for from further had hadn has hasn have haven
having he her here hers herself him himself his how i if in into is isn it its itself
just ll m me might more most mustn my myself needn no nor not now o of off on once only
or other ought our ours ourselves out over own re s same shall shan she should shouldn
so some such t than that the their theirs them themselves then there these they this
those through to too under until up ve very was wasn we were weren what when where
which while who whom why will with won would wouldn y you your yours yourself
yourselves also get got would like want wants wanted may must let lets us
hi hello hey please thanks thank ok okay something anything everything nothing someone
anyone somebody anybody
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())
"""English function words and chat fillers that carry no search meaning."""


def fold(text: str) -> str:
    """Lower-case text and strip diacritics, so 'Café' and 'cafe' compare equal."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def tokenize(text: str) -> list[str]:
    """Split text into folded word tokens (letters and digits only)."""
    return _TOKEN_RE.findall(fold(text))


def is_content_token(token: str) -> bool:
    """Tell whether a token carries meaning: not a stop word, not a lone letter."""
    if token in STOP_WORDS:
        return False
    return len(token) > 1 or token.isdigit()


def content_terms(text: str, max_terms: int | None = None) -> list[str]:
    """Return the distinct content tokens of `text`, at most `max_terms` of them.

    When the text has more distinct terms than the cap, the terms repeated most often are
    kept, ties going to the earliest; the result keeps first-appearance order.
    """
    tokens = [token for token in tokenize(text) if is_content_token(token)]
    distinct = list(dict.fromkeys(tokens))
    if max_terms is None or len(distinct) <= max_terms:
        return distinct
    counts = Counter(tokens)
    position = {term: index for index, term in enumerate(distinct)}
    kept = sorted(distinct, key=lambda term: (-counts[term], position[term]))[:max_terms]
    return sorted(kept, key=position.__getitem__)


_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ements", "e"),
    ("ement", "e"),
    ("ments", ""),
    ("ment", ""),
    ("ities", "ity"),
    ("ations", ""),
    ("ation", ""),
    ("ingly", ""),
    ("edly", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ery", "er"),
    ("ing", ""),
    ("ers", "er"),
    ("ed", ""),
    ("es", ""),
    ("s", ""),
)


def stem(token: str) -> str:
    """Reduce a token to a crude stem so that 'returns', 'returned' and 'return' match.

    A light suffix stripper followed by two normalisations (drop a final 'e', undouble a
    final consonant). It is only used to compare words within short texts.
    """
    if len(token) <= 3 or not token.isalpha():
        return token
    word = token
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def stemmed_terms(text: str) -> list[str]:
    """Return the stems of the content tokens of `text`, in order, with repeats.

    This is what the index stores and what queries are matched against.
    """
    return [stem(token) for token in tokenize(text) if is_content_token(token)]


_QUESTION_PHRASE = re.compile(
    r"\bhow\s+(?:long|much|many|soon|fast|quickly|often)\b", re.IGNORECASE
)


def strip_question_phrases(text: str) -> str:
    """Remove interrogative phrases ("how long", "how much"...) whose words are not topics."""
    return _QUESTION_PHRASE.sub(" ", text)


def query_stems(text: str, max_terms: int | None = None) -> list[str]:
    """Return the distinct stems of a query's content terms, at most `max_terms` of them.

    Interrogative phrases are dropped first, so "how long do refunds take" searches for
    refunds, not for the word "long".
    """
    terms = content_terms(strip_question_phrases(text), max_terms)
    return list(dict.fromkeys(stem(term) for term in terms))
