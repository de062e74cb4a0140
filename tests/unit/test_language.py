"""Which language a customer writes in, and what is said when only English is supported."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tools.language import (
    ENGLISH,
    HANDING_OVER,
    ONLY_ENGLISH,
    detect_language,
    only_english_notice,
    reply_instruction,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("¿Dónde está mi pedido? Lo pedí hace una semana", "es"),
        ("Je voudrais annuler ma commande s'il vous plaît", "fr"),
        ("Wo ist meine Bestellung? Ich warte seit Tagen", "de"),
        ("Dov'è il mio ordine? Non è ancora arrivato", "it"),
        ("waar is mijn bestelling, ik wacht al een week", "nl"),
        ("where is my order #W1234567?", ENGLISH),
        ("I'm [NAME] [NAME], zip code [ZIP]", ENGLISH),
    ],
)
def test_detects_the_language_of_a_message(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_threads_detect_at_once_with_the_same_answers() -> None:
    texts = [
        "¿Dónde está mi pedido? Lo pedí hace una semana",
        "Je voudrais annuler ma commande s'il vous plaît",
        "waar is mijn bestelling, ik wacht al een week",
        "where is my order, it has been a week now",
    ] * 50
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(detect_language, texts)) == ["es", "fr", "nl", ENGLISH] * 50


@pytest.mark.parametrize("text", ["hi", "hola", "gracias", "ok", "#W1234567", "size 9", ""])
def test_short_messages_stay_english(text: str) -> None:
    assert detect_language(text) == ENGLISH


def test_the_notice_is_in_the_customers_language_and_offers_a_person() -> None:
    assert set(ONLY_ENGLISH) == set(HANDING_OVER)
    notice = only_english_notice("es")
    assert notice.startswith(ONLY_ENGLISH["es"]) and "inglés" in notice
    assert "talk to a person" in notice
    assert only_english_notice("xx").startswith("Sorry, I can only help in English")


def test_a_model_is_asked_to_reply_in_the_customers_language() -> None:
    assert reply_instruction(ENGLISH) == ""
    assert "write your reply to the customer in French" in reply_instruction("fr")
