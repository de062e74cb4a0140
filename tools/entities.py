"""Entities in customer messages, and yes/no answers to confirmation questions.

``extract_entities`` pulls out what the order tools need — order ids, emails, zip codes,
item / product ids, payment-method ids, the customer's name, a cancellation reason and the
kind of payment mentioned — with patterns tuned to the retail domain (order ids ``#W`` +
seven digits, ten-digit item ids, ``credit_card_…`` payment ids). ``detect_confirmation``
reads the answer to "Shall I …? (yes/no)" and errs towards ``None`` when unsure, since a
false "yes" would trigger an irreversible action.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

CancelReason = Literal["no longer needed", "ordered by mistake"]
"""The cancellation reasons the retail policy accepts."""

PaymentKind = Literal["gift_card", "paypal", "credit_card", "original"]
"""Kinds of payment a customer can name."""

Confirmation = Literal["yes", "no"]
"""A customer's answer to a confirmation question."""


@dataclass
class Entities:
    """Entities found in one message; lists keep first-mention order without duplicates."""

    order_ids: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    zip_codes: list[str] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    payment_method_ids: list[str] = field(default_factory=list)
    first_name: str | None = None
    last_name: str | None = None
    cancel_reason: CancelReason | None = None
    payment_kinds: list[PaymentKind] = field(default_factory=list)
    payment_kind: PaymentKind | None = None
    """The kind the customer wants: the first one not introduced by "instead of", "not",
    "from" and the like (so "paypal instead of my credit card" gives ``paypal``)."""

    def is_empty(self) -> bool:
        """Whether nothing was found."""
        return not any(self.as_dict().values())

    def as_dict(self) -> dict[str, Any]:
        """Return the entities as a plain JSON-compatible dict."""
        return asdict(self)


_FLAGS = re.IGNORECASE
_ORDER_W = re.compile(r"(?<![A-Za-z0-9_])#?\s?W\s?-?(\d{7})(?!\d)", _FLAGS)
_ORDER_WORD = re.compile(
    r"\border(?:s)?\s*(?:number|no\.?|num|id)?\s*[:#]?\s*(\d{7})(?!\d)"
    r"((?:\s*(?:,|and|&)\s*#?(?:\d{7})(?!\d))*)",
    _FLAGS,
)
_ORDER_HASH = re.compile(r"(?<![\w#])#(\d{7})(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_PAYMENT_ID = re.compile(r"\b(credit_card|paypal|gift_card)_(\d+)\b", _FLAGS)
_TEN_DIGITS = re.compile(r"(?<![\d_])\d{10}(?!\d)")
_PRODUCT_CONTEXT = re.compile(r"\bproduct(?:\s*(?:id|number|no\.?|#))?\s*[:#]?\s*$", _FLAGS)
_PHONE_CONTEXT = re.compile(r"\b(?:phone|call|cell|mobile|tel|number is)\b[^\d]{0,15}$", _FLAGS)
_FIVE_DIGITS = re.compile(r"(?<![\d#$€£.,_-])(\d{5})(?:-\d{4})?(?![\d_]|[.,]\d)")
_ZIP_CONTEXT = re.compile(
    r"(?i:\bzip(?:\s*code)?|\bpostal\s*code|\bpost\s*code|\bpostcode)\b[^\d]{0,20}$"
    r"|\b[A-Z]{2},?\s+$",
)
_ALONE_PREFIX = re.compile(
    r"^\W*(?:(?:it'?s|its|it is|that'?s|mine is|my zip is|zip|and)\s*[:,-]?\s*)?$", _FLAGS
)
_NAME_INTRO = re.compile(
    r"\b(?:my\s+(?:full\s+)?name\s+is|name'?s|name\s*:)\s+([A-Za-z][A-Za-z'\-]+)"
    r"(?:\s+([A-Za-z][A-Za-z'\-]+))?",
    _FLAGS,
)
_NAME_SELF = re.compile(
    r"\b(?:[Ii]'?m|[Ii]\s+am|[Tt]his\s+is)\s+([A-Z][A-Za-z'\-]+)(?:\s+([A-Z][A-Za-z'\-]+))?"
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOT_NAMES = _word_set(
    """
    a an the and or but my your i im with from here there at in on of to for zip email
    is was not no yes so very just also calling writing trying looking having still
    sorry happy glad sure fine good okay ok really quite waiting wondering asking
    interested unable able going gonna hoping new back done tired upset angry order
    orders regarding about urgent great ridiculous unacceptable terrible awesome crazy
    insane amazing hello hi it what why how who where when
    """
)
_CANCEL_REASONS: tuple[tuple[CancelReason, re.Pattern[str]], ...] = (
    (
        "ordered by mistake",
        re.compile(
            r"\b(?:by\s+(?:mistake|accident)|mistaken(?:ly)?|accidental(?:ly)?|in\s+error"
            r"|ordered\s+(?:the\s+)?wrong|wrong\s+(?:item|product|thing|one)"
            r"|didn'?t\s+mean\s+to\s+(?:order|buy|purchase)|ordered\s+(?:it\s+)?twice"
            r"|duplicate\s+order|double\s+order(?:ed)?|misclick\w*|was\s+a\s+mistake)\b",
            _FLAGS,
        ),
    ),
    (
        "no longer needed",
        re.compile(
            r"\b(?:no\s+longer\s+(?:need|needed|want|wanted|required|necessary|use)"
            r"|(?:don'?t|do\s+not|won'?t|will\s+not)\s+(?:really\s+)?(?:need|want)\s+"
            r"(?:it|this|that|them|these|those|the\s+\w+)(?:\s+\w+)?\s+any\s*more"
            r"|(?:don'?t|do\s+not|won'?t|will\s+not)\s+need\s+(?:it|this|that|them)"
            r"|not\s+needed(?:\s+any\s*more)?|changed\s+my\s+mind|found\s+(?:it|one)\s+"
            r"(?:cheaper|elsewhere)|(?:have|got|bought)\s+(?:one|it)\s+already|no\s+need\s+for)",
            _FLAGS,
        ),
    ),
)
_PAYMENT_KINDS: tuple[tuple[PaymentKind, re.Pattern[str]], ...] = (
    ("gift_card", re.compile(r"\bgift[\s_-]?cards?(?![a-z])|\bstore\s+credit\b", _FLAGS)),
    ("paypal", re.compile(r"\bpay[\s_-]?pal(?![a-z])", _FLAGS)),
    (
        "credit_card",
        re.compile(
            r"\b(?:credit|debit)[\s_-]?cards?(?![a-z])|\b(?:visa|master\s?card|amex|american\s+express"
            r"|discover\s+card)\b|\bcard\s+ending\b",
            _FLAGS,
        ),
    ),
    (
        "original",
        re.compile(
            r"\boriginal\s+(?:payment|method|card|form\s+of\s+payment)"
            r"|\bsame\s+(?:payment|method|card|way)\b|\bway\s+i\s+(?:originally\s+)?paid\b",
            _FLAGS,
        ),
    ),
)


_NOT_WANTED = re.compile(
    r"\b(?:instead\s+of|rather\s+than|other\s+than|not|no|from|except|away\s+from|off)"
    r"(?:\s+(?:my|the|a|your|this|that|using|with|on|to))*\s*$",
    _FLAGS,
)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _order_ids(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for match in _ORDER_W.finditer(text):
        found.append((match.start(), match.group(1)))
    for match in _ORDER_WORD.finditer(text):
        found.append((match.start(1), match.group(1)))
        for extra in re.finditer(r"\d{7}", match.group(2) or ""):
            found.append((match.start(2) + extra.start(), extra.group(0)))
    for match in _ORDER_HASH.finditer(text):
        found.append((match.start(), match.group(1)))
    return _unique([f"#W{digits}" for _, digits in sorted(found)])


def _zip_codes(text: str) -> list[str]:
    codes: list[str] = []
    for match in _FIVE_DIGITS.finditer(text):
        before = text[: match.start()]
        after = text[match.end() :]
        alone = _ALONE_PREFIX.match(before) is not None and not re.search(r"\w", after)
        if alone or _ZIP_CONTEXT.search(before[-40:]):
            codes.append(match.group(1))
    return _unique(codes)


def _ids(text: str) -> tuple[list[str], list[str]]:
    items: list[str] = []
    products: list[str] = []
    for match in _TEN_DIGITS.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        if _PHONE_CONTEXT.search(before):
            continue
        (products if _PRODUCT_CONTEXT.search(before) else items).append(match.group(0))
    return _unique(items), _unique(products)


def _proper(word: str) -> str:
    return word[:1].upper() + word[1:] if word.islower() else word


def _name(text: str) -> tuple[str | None, str | None]:
    for pattern in (_NAME_INTRO, _NAME_SELF):
        for match in pattern.finditer(text):
            first, last = match.group(1), match.group(2)
            if first.lower() in _NOT_NAMES:
                continue
            if last is not None and last.lower() in _NOT_NAMES:
                last = None
            return _proper(first), _proper(last) if last else None
    return None, None


def _cancel_reason(text: str) -> CancelReason | None:
    best: tuple[int, CancelReason] | None = None
    for reason, pattern in _CANCEL_REASONS:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), reason)
    return best[1] if best else None


def _payment_kinds(text: str) -> tuple[list[PaymentKind], PaymentKind | None]:
    found: list[tuple[int, PaymentKind]] = []
    for kind, pattern in _PAYMENT_KINDS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), kind))
    found.sort()
    kinds = [kind for _, kind in found]
    wanted = [kind for start, kind in found if not _NOT_WANTED.search(text[:start])]
    preferred = wanted or kinds
    return kinds, preferred[0] if preferred else None


def extract_entities(text: str) -> Entities:
    """Extract the retail entities mentioned in ``text``.

    Order ids come back normalised to ``#W`` + seven digits whether written ``#W1234567``,
    ``W1234567``, ``#w1234567``, ``#1234567`` or ``order 1234567``. Ten-digit numbers are
    item ids unless introduced as a product; a five-digit number is a zip code only after
    "zip" / "postal code" / a state abbreviation, or when it is (nearly) the whole message.
    """
    without_emails = _EMAIL.sub(" ", text)
    items, products = _ids(without_emails)
    first, last = _name(without_emails)
    kinds, kind = _payment_kinds(text)
    return Entities(
        order_ids=_order_ids(without_emails),
        emails=_unique([email.lower() for email in _EMAIL.findall(text)]),
        zip_codes=_zip_codes(without_emails),
        item_ids=items,
        product_ids=products,
        payment_method_ids=_unique(
            [f"{kind.lower()}_{digits}" for kind, digits in _PAYMENT_ID.findall(text)]
        ),
        first_name=first,
        last_name=last,
        cancel_reason=_cancel_reason(text),
        payment_kinds=kinds,
        payment_kind=kind,
    )


_AFFIRMING_IDIOMS = re.compile(
    r"\b(?:no\s+problem|no\s+worries|why\s+not|not\s+a\s+problem|no\s+doubt"
    r"|(?:i\s+)?don'?t\s+see\s+why\s+not|(?:i\s+)?don'?t\s+mind|not\s+at\s+all)\b"
)
_NEUTRAL_PHRASES = re.compile(
    r"\b(?:(?:i\s+)?(?:don'?t|do\s+not)\s+(?:really\s+)?(?:need|want)\s+(?:it|this|that|them"
    r"|the\s+\w+)(?:\s+\w+)?\s+any\s*more|no\s+longer\s+(?:need|want)\w*|don'?t\s+worry"
    r"|don'?t\s+forget|no\s+rush|can'?t\s+wait|no\s+(?:other|more|further)\s+\w+"
    r"|order\s+no\b\.?)"
)
_UNSURE = re.compile(
    r"\b(?:not\s+sure|unsure|maybe|perhaps|let\s+me\s+think|i\s+don'?t\s+know|idk|dunno"
    r"|not\s+certain|hmm+|i\s+guess\s+not|depends)\b"
)
_NO = re.compile(
    r"\b(?:no|nope|nah|nay|negative|don'?t|do\s+not|dont|stop|wait|hold\s+(?:on|off|up)"
    r"|never\s*mind|nevermind|not\s+(?:yet|now|anymore|today)|(?:absolutely|definitely"
    r"|certainly|of\s+course)\s+not|changed\s+my\s+mind|forget\s+it|abort|rather\s+not"
    r"|keep\s+(?:it|them|the\s+order|my\s+order)|leave\s+it|i\s+do\s+not\s+confirm|reject"
    r"|decline|not\s+(?:ok(?:ay)?|right|correct|fine|what\s+i)|(?:isn'?t|wasn'?t)\s+(?:right"
    r"|correct)|wrong|incorrect)\b"
)
_NO_ALONE = re.compile(r"^\W*n\W*$")
_CANCEL_THAT_LEADING = re.compile(r"^\W*(?:(?:no|wait|actually|oh)\W+)*cancel\s+that(?!\s+order)")
_YES = re.compile(
    r"\b(?:yes|yeah|yea|yep|yup|ya|yas|sure|confirm(?:ed)?|go\s+ahead|please\s+do|do\s+it"
    r"|ok(?:ay)?|k|alright|all\s+right|correct|that'?s\s+(?:right|correct|fine)|right"
    r"|absolutely|definitely|of\s+course|affirmative|proceed|sounds\s+good|go\s+for\s+it"
    r"|let'?s\s+do\s+(?:it|this)|fine|yes\s+please|please\s+proceed|certainly|indeed)\b"
)
_YES_ALONE = re.compile(r"^\W*(?:y|👍|✅|✔️?)\W*$")
_HEDGE = re.compile(
    r"\b(?:but|however|although|though|unless|only\s+if|if|first|actually|instead)\b"
)


def _normalise_answer(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").lower()
    return re.sub(r"\s+", " ", text).strip()


def detect_confirmation(text: str) -> Confirmation | None:
    """Read a reply to a yes/no confirmation question.

    Returns ``"yes"`` only for an unhedged agreement ("yes", "sure, go ahead", "ok do it"),
    ``"no"`` whenever the reply refuses or pulls back anywhere ("no", "wait", "never mind",
    "yes but actually don't"), and ``None`` for anything else: a new question, an unsure or
    conditional answer ("yes, but first tell me the refund amount"), or unrelated text.
    """
    answer = _normalise_answer(text)
    if not answer:
        return None
    if _YES_ALONE.match(answer):
        return "yes"
    if _NO_ALONE.match(answer) or _CANCEL_THAT_LEADING.match(answer):
        return "no"
    answer = _AFFIRMING_IDIOMS.sub(" sure ", answer)
    answer = _NEUTRAL_PHRASES.sub(" ", answer)
    if _UNSURE.search(answer):
        return None
    without_cancel_that = re.sub(r"\bcancel\s+that\b", " ", answer)
    if _NO.search(without_cancel_that):
        return "no"
    if "?" in answer:
        return None
    match = _YES.search(answer)
    if match is None:
        return None
    if _HEDGE.search(answer):
        return None
    return "yes"
