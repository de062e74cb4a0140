"""Which language a customer writes in, and what the offline bot says when it is not English.

Detection is py3langid's (BSD-3-Clause; its model ships inside the wheel, nothing is
downloaded), restricted to the languages below: with fewer candidates short messages are
told apart reliably. A message counts as another language only when it has at least
:data:`MIN_WORDS` words and the detector is at least :data:`MIN_PROBABILITY` sure; "hi",
"ok" or an order number stay English.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

ENGLISH = "en"
"""The language the rule path and the help centre answer in."""

LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}
"""The languages detected, by ISO 639-1 code."""

MIN_WORDS = 3
"""Shorter messages are taken as English (too little text to tell)."""

MIN_PROBABILITY = 0.8
"""The detector's probability another language needs."""

ONLY_ENGLISH = {
    "es": "Lo siento: por ahora solo puedo ayudar en inglés. ¿Quiere que le pase con una "
    "persona de nuestro equipo? Responda en su idioma y le transfiero.",
    "fr": "Désolé : pour l'instant, je ne peux aider qu'en anglais. Voulez-vous parler à une "
    "personne de notre équipe ? Répondez dans votre langue et je vous mets en relation.",
    "de": "Entschuldigung, ich kann im Moment nur auf Englisch helfen. Möchten Sie mit einer "
    "Person aus unserem Team sprechen? Antworten Sie in Ihrer Sprache, und ich verbinde Sie.",
    "it": "Mi dispiace, per ora posso aiutare solo in inglese. Vuole parlare con una persona "
    "del nostro team? Risponda nella sua lingua e la metto in contatto.",
    "pt": "Desculpe, por enquanto só consigo ajudar em inglês. Quer falar com uma pessoa da "
    "nossa equipa? Responda na sua língua e eu transfiro a conversa.",
    "nl": "Sorry, ik kan voorlopig alleen in het Engels helpen. Wilt u iemand van ons team "
    "spreken? Antwoord in uw taal en ik verbind u door.",
}
"""Offline: only English is supported, and a person is offered (in the customer's language)."""

HANDING_OVER = {
    "es": "De acuerdo: le paso con una persona de nuestro equipo, que se unirá en breve.",
    "fr": "D'accord : je vous mets en relation avec une personne de notre équipe, qui vous "
    "rejoindra sous peu.",
    "de": "Gut, ich verbinde Sie mit einer Person aus unserem Team; sie meldet sich in Kürze.",
    "it": "D'accordo: la metto in contatto con una persona del nostro team, che arriverà a breve.",
    "pt": "Muito bem: vou passar a conversa a uma pessoa da nossa equipa, que se juntará em breve.",
    "nl": "Goed, ik verbind u door met iemand van ons team; die komt er zo bij.",
}
"""The hand-over message once the customer answers the offer in their language."""

_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


class LanguageDetector:
    """Tells which language a message is in.

    The model loads (once per process) when the first detector is created, so a customer's
    first message does not wait for it. Its language restriction is set then; classifying
    only reads the model, so threads detect at once.
    """

    def __init__(self) -> None:
        self._identifier = _identifier()

    def detect(self, text: str) -> str:
        """Return the ISO 639-1 code of the language ``text`` is in (English if unsure)."""
        if len(_WORD.findall(text)) < MIN_WORDS:
            return ENGLISH
        code, probability = self._identifier.classify(text)
        return str(code) if probability >= MIN_PROBABILITY else ENGLISH


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of the language ``text`` is in (English if unsure)."""
    return LanguageDetector().detect(text)


def language_name(code: str) -> str:
    """The English name of language ``code`` (the code itself when unknown)."""
    return LANGUAGES.get(code, code)


def only_english_notice(code: str) -> str:
    """The offline reply to a message in language ``code``: English only, a person offered."""
    english = "Sorry, I can only help in English for now. Would you like to talk to a person?"
    local = ONLY_ENGLISH.get(code)
    return f"{local}\n\n{english}" if local else english


def reply_instruction(code: str) -> str:
    """The sentence a chat model's system prompt gets for a customer writing in ``code``.

    Empty for English; otherwise it asks for the reply in that language.
    """
    if code == ENGLISH or not code:
        return ""
    name = language_name(code)
    return f"\n\nThe customer writes in {name}: write your reply to the customer in {name}."
