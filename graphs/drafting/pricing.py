"""Amazon Bedrock on-demand prices for the chat models Tandem runs, in one place.

Prices are US dollars per 1,000 tokens (input, output), on-demand, standard tier, as
listed for us-east-1; cross-region inference profiles (`us.`, `eu.`, `apac.`, `global.`)
are priced like the base model here. Update this table when AWS changes its prices; a
model missing from it is reported with no cost rather than a guessed one.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_AS_OF = "2025-11"
"""When the table below was last checked against the Bedrock pricing page."""


@dataclass(frozen=True)
class Price:
    """Dollars per 1,000 input and output tokens."""

    input_per_1k: float
    output_per_1k: float


BEDROCK_PRICES: dict[str, Price] = {
    "anthropic.claude-3-haiku-20240307-v1:0": Price(0.00025, 0.00125),
    "anthropic.claude-3-5-haiku-20241022-v1:0": Price(0.0008, 0.004),
    "anthropic.claude-haiku-4-5-20251001-v1:0": Price(0.001, 0.005),
    "anthropic.claude-3-sonnet-20240229-v1:0": Price(0.003, 0.015),
    "anthropic.claude-3-5-sonnet-20240620-v1:0": Price(0.003, 0.015),
    "anthropic.claude-3-5-sonnet-20241022-v2:0": Price(0.003, 0.015),
    "anthropic.claude-3-7-sonnet-20250219-v1:0": Price(0.003, 0.015),
    "anthropic.claude-sonnet-4-20250514-v1:0": Price(0.003, 0.015),
    "anthropic.claude-sonnet-4-5-20250929-v1:0": Price(0.003, 0.015),
    "anthropic.claude-3-opus-20240229-v1:0": Price(0.015, 0.075),
    "anthropic.claude-opus-4-20250514-v1:0": Price(0.015, 0.075),
    "anthropic.claude-opus-4-1-20250805-v1:0": Price(0.015, 0.075),
    "anthropic.claude-opus-4-5-20251101-v1:0": Price(0.005, 0.025),
}
"""Bedrock model id → price."""

_PROVIDER_PREFIXES = ("bedrock_converse:", "bedrock:")
_REGION_PREFIXES = ("us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.")


def bedrock_model_id(model: str) -> str:
    """Strip the init_chat_model provider and any inference-profile region prefix."""
    for prefix in _PROVIDER_PREFIXES:
        if model.startswith(prefix):
            model = model[len(prefix) :]
    for prefix in _REGION_PREFIXES:
        if model.startswith(prefix):
            model = model[len(prefix) :]
    return model


def price_of(model: str) -> Price | None:
    """The price of `model` (any spelling accepted by :func:`bedrock_model_id`), if known."""
    return BEDROCK_PRICES.get(bedrock_model_id(model))


CACHE_READ_FACTOR = 0.1
"""Prompt-cache reads cost this share of the input price (Anthropic models on Bedrock)."""
CACHE_WRITE_FACTOR = 1.25
"""Prompt-cache writes cost this multiple of the input price."""


def cost_usd(
    model: str | None,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
) -> float | None:
    """Estimated cost of the tokens on `model`; None when the model's price is unknown.

    `input_tokens` may or may not include the cached ones (providers differ): cached tokens
    are taken out of it when it is large enough to hold them.
    """
    cached = cache_read_tokens + cache_write_tokens
    if not input_tokens and not output_tokens and not cached:
        return 0.0
    price = price_of(model or "")
    if price is None:
        return None
    fresh = input_tokens - cached if input_tokens >= cached else input_tokens
    per_input = price.input_per_1k / 1000
    return (
        fresh * per_input
        + cache_read_tokens * per_input * CACHE_READ_FACTOR
        + cache_write_tokens * per_input * CACHE_WRITE_FACTOR
        + output_tokens / 1000 * price.output_per_1k
    )
