"""Which feature set the intent classifier uses: TF-IDF, plus which pretrained encoders.

An engine is named ``tfidf-svm`` or ``tfidf-svm+MODEL[+MODEL]``; the name is stored with a
trained model and keys its cache, so installing or removing an encoder retrains.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tools.embeddings.pretrained import PretrainedEmbedder

EncoderMode = Literal["auto", "on", "off"]
"""``auto`` uses the pretrained encoders that are installed; ``on`` requires one."""

TFIDF_ENGINE = "tfidf-svm"
"""The engine without a pretrained encoder."""


def _configured_models() -> tuple[str, ...]:
    from config.settings import get_settings

    return tuple(get_settings().intent_encoder_models)


def encoder_models(
    encoder: EncoderMode = "auto", models: Sequence[str] | None = None
) -> tuple[str, ...]:
    """Name the pretrained encoders :class:`IntentClassifier` would use.

    ``models`` lists the candidates (default: the ``intent_encoder_models`` setting). With
    ``auto`` the installed ones are used; with ``on`` too, but an install without any of
    them is an error, and so is a missing one that ``models`` names explicitly.
    Raises :class:`tools.embeddings.pretrained.PretrainedEncoderUnavailable` then.
    """
    if encoder == "off":
        return ()
    from tools.embeddings.encoders import ENCODERS, encoder_available
    from tools.embeddings.pretrained import PretrainedEncoderUnavailable

    wanted = tuple(models) if models is not None else _configured_models()
    installed = tuple(name for name in wanted if encoder_available(name))
    if encoder == "on":
        missing = [name for name in wanted if name not in installed]
        if (models is not None and missing) or not installed:
            hints = "; ".join(ENCODERS[name].hint for name in missing if name in ENCODERS)
            raise PretrainedEncoderUnavailable(
                f"pretrained encoder {', '.join(missing)} not installed; run: {hints}"
            )
    return installed


def engine_name(encoder: EncoderMode = "auto", models: Sequence[str] | None = None) -> str:
    """Name the feature set :class:`IntentClassifier` would use with ``encoder``."""
    return "+".join((TFIDF_ENGINE, *encoder_models(encoder, models)))


def load_embedders(engine: str) -> list[PretrainedEmbedder]:
    """Load the pretrained encoders an engine name lists (none for plain TF-IDF)."""
    from tools.embeddings.encoders import load_encoder

    return [load_encoder(name) for name in engine.split("+")[1:]]
