"""What the intent classifier returns for one message."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.intent.rejection import OUT_OF_SCOPE_LABELS


@dataclass(frozen=True)
class IntentPrediction:
    """The classifier's answer for one message.

    ``intent`` is always the top class, even when ``confidence`` is low; the caller decides
    with :meth:`is_confident` whether to trust it or defer (to a language model, or to
    treating the message as out of scope).
    """

    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)

    def is_confident(self, threshold: float) -> bool:
        """Whether the top class's probability reaches ``threshold``."""
        return self.confidence >= threshold

    @property
    def is_out_of_scope(self) -> bool:
        """Whether the top class is an out-of-scope intent (``out_of_scope`` or ``oos``)."""
        return self.intent in OUT_OF_SCOPE_LABELS
