"""Intent names as training examples: ``card_not_arriving`` reads "card not arriving".

Whoever defines a taxonomy names its intents for what customers want, so each name is one
more phrasing of its intent. With many examples it changes nothing; with ten per intent it
is worth most of a point of accuracy on Banking77 (see the README's few-shot benchmark).
Out-of-scope classes are left out: their names say nothing about what off-topic messages
look like.
"""

from __future__ import annotations

import re

from tools.intent.rejection import OUT_OF_SCOPE_LABELS

_SEPARATORS = re.compile(r"[_\-.:/]+")


def name_phrase(label: str) -> str:
    """The words of an intent name: separators become spaces."""
    return " ".join(_SEPARATORS.sub(" ", label).split())


def with_label_names(texts: list[str], labels: list[str]) -> tuple[list[str], list[str]]:
    """Return ``texts`` and ``labels`` plus one example per intent: its name's words.

    A name that is already an example, has no letters, or names an out-of-scope class is
    not added.
    """
    seen = set(zip(texts, labels, strict=True))
    extra_texts: list[str] = []
    extra_labels: list[str] = []
    for label in sorted(set(labels)):
        phrase = name_phrase(label)
        if label in OUT_OF_SCOPE_LABELS or not any(c.isalpha() for c in phrase):
            continue
        if (phrase, label) not in seen:
            extra_texts.append(phrase)
            extra_labels.append(label)
    return [*texts, *extra_texts], [*labels, *extra_labels]
