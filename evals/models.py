"""Chat models for evaluation: the drafting model, the judge and the simulated customer.

A model is given either as an init_chat_model string (a bare Bedrock model id such as
`anthropic.claude-3-5-sonnet-20240620-v1:0` is read as `bedrock_converse:<id>`) or as a
ready `BaseChatModel` (tests pass scripted fakes).
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.language_models import BaseChatModel

from config.settings import Settings
from graphs.drafting.llm import load_chat_model
from graphs.messages import message_text

ModelSpec = str | BaseChatModel | None
"""A model id, a ready model, or nothing (offline)."""

_PROVIDER = re.compile(r"^[a-z_]+:(?!\d)")


def model_id(model: str) -> str:
    """Normalise a model id to an init_chat_model string (Bedrock Converse by default)."""
    model = model.strip()
    if not model or _PROVIDER.match(model):
        return model
    return f"bedrock_converse:{model}"


def model_name(spec: ModelSpec) -> str | None:
    """A printable name for a model spec."""
    if spec is None or spec == "":
        return None
    if isinstance(spec, str):
        return model_id(spec)
    return str(getattr(spec, "model_id", None) or getattr(spec, "model", None) or spec._llm_type)


def resolve_model(spec: ModelSpec, settings: Settings) -> BaseChatModel | None:
    """A ready chat model for `spec`, or None when none is configured."""
    if spec is None or spec == "":
        return None
    if isinstance(spec, str):
        return load_chat_model(model_id(spec), settings.aws_region, settings.bedrock_endpoint_url)
    return spec


def fill(template: str, **values: Any) -> str:
    """Replace `{name}` placeholders by `values`, leaving every other brace alone."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def reply_text(message: Any) -> str:
    """The text of a model's answer."""
    return message_text(message).strip()


def parse_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in `text` (models sometimes wrap it in prose or a code fence)."""
    start = text.find("{")
    while start != -1:
        depth = 0
        for end in range(start, len(text)):
            if text[end] == "{":
                depth += 1
            elif text[end] == "}":
                depth -= 1
                if depth == 0:
                    try:
                        value = json.loads(text[start : end + 1])
                    except json.JSONDecodeError:
                        break
                    if isinstance(value, dict):
                        return value
                    break
        start = text.find("{", start + 1)
    raise ValueError(f"no JSON object in the model's answer: {text[:200]!r}")
