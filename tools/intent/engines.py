"""Which feature set the intent classifier uses: TF-IDF, plus which pretrained encoders.

An engine is named ``tfidf-svm`` or ``tfidf-svm+MODEL[+MODEL]``; the name is stored with a
trained model and keys its cache, so installing or removing an encoder retrains.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tools.embeddings.base import SentenceEncoder

EncoderMode = Literal["auto", "on", "off"]
"""``auto`` uses the pretrained encoders that are installed; ``on`` requires one."""

TFIDF_ENGINE = "tfidf-svm"
"""The engine without a pretrained encoder."""


DEFAULT_PREFERENCES: tuple[str, ...] = (
    "all-mpnet-base-v2",
    "all-MiniLM-L6-v2",
    "all-MiniLM-L6-v2-int8",
)
"""Encoder choices in order of preference when none are given (the settings' default)."""


def _choices(preferences: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(name for name in choice.split("+") if name) for choice in preferences)


def encoder_models(
    encoder: EncoderMode = "auto",
    models: Sequence[str] | None = None,
    preferences: Sequence[str] = DEFAULT_PREFERENCES,
) -> tuple[str, ...]:
    """Name the pretrained encoders :class:`IntentClassifier` would use.

    Without ``models``, ``preferences`` lists encoder choices in order of preference (one
    name, or several joined with ``+``) and the first one installed is used; ``models``
    instead names exactly the encoders to use, of which ``auto`` takes the installed ones.
    ``on`` is ``auto`` made strict: an install without any configured choice, or without
    one of the encoders ``models`` names, is an error.
    Raises :class:`tools.embeddings.pretrained.PretrainedEncoderUnavailable` then.
    """
    if encoder == "off":
        return ()
    from tools.embeddings.encoders import ENCODERS, encoder_available
    from tools.embeddings.pretrained import PretrainedEncoderUnavailable

    if models is not None:
        wanted = tuple(models)
        installed = tuple(name for name in wanted if encoder_available(name))
        missing = [name for name in wanted if name not in installed]
    else:
        choices = _choices(preferences)
        chosen = [c for c in choices if c and all(encoder_available(name) for name in c)]
        installed = chosen[0] if chosen else ()
        missing = [] if chosen else sorted({name for choice in choices for name in choice})
    if encoder == "on" and (missing if models is not None else not installed):
        hints = "; ".join(ENCODERS[name].hint for name in missing if name in ENCODERS)
        raise PretrainedEncoderUnavailable(
            f"pretrained encoder {', '.join(missing) or '(none configured)'} not installed"
            + (f"; run: {hints}" if hints else "")
        )
    return installed


def engine_name(encoder: EncoderMode = "auto", models: Sequence[str] | None = None) -> str:
    """Name the feature set :class:`IntentClassifier` would use with ``encoder``."""
    return "+".join((TFIDF_ENGINE, *encoder_models(encoder, models)))


def load_embedders(engine: str) -> list[SentenceEncoder]:
    """Load the pretrained encoders an engine name lists (none for plain TF-IDF)."""
    from tools.embeddings.encoders import load_encoder

    return [load_encoder(name) for name in engine.split("+")[1:]]
