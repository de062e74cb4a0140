"""The LLM judge: a chat model (Claude) scores a conversation against a rubric.

The rubric is the versioned prompt template `judge_rubric` in `prompts/templates/`; the
judge answers with JSON scores from 1 to 5 for helpfulness, tone and policy adherence.
A judge failure is recorded on the case and never fails the run.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from evals.models import fill, parse_json_object, reply_text
from evals.records import JudgeScore, TurnRecord
from evals.usage import collect
from graphs.drafting.llm import STORE_NAME
from prompts.templates import load_template

DIMENSIONS = ("helpfulness", "tone", "policy_adherence")
FACTS_LIMIT = 12000


def transcript(turns: list[TurnRecord]) -> str:
    """The conversation as plain text, one line per message."""
    lines = []
    for turn in turns:
        lines.append(f"CUSTOMER: {turn.say}")
        lines.append(f"ASSISTANT: {turn.reply}")
        if turn.handoff:
            lines.append(f"[handed to a human agent, reason: {turn.handoff_reason}]")
    return "\n".join(lines)


def facts_of(turns: list[TurnRecord]) -> str:
    """Tool calls and retrieved sources of the conversation, as bounded JSON."""
    facts: list[dict[str, Any]] = []
    for turn in turns:
        facts.append(
            {
                "turn": turn.index,
                "tools": [{"name": c.name, "args": c.args, "ok": c.ok} for c in turn.tool_calls],
                "help_centre_articles": turn.sources,
                "pending_action": (turn.pending_action or {}).get("summary"),
            }
        )
    return json.dumps(facts, default=str)[:FACTS_LIMIT]


def judge_prompt(description: str, turns: list[TurnRecord], refund_limit: float) -> str:
    """The rubric filled in for one conversation."""
    return fill(
        load_template("judge_rubric"),
        store_name=STORE_NAME,
        refund_limit=f"{refund_limit:,.2f}",
        case=description or "a general support conversation",
        facts=facts_of(turns),
        transcript=transcript(turns),
    )


def _score(value: Any) -> float:
    score = float(value)
    if not 1 <= score <= 5:
        raise ValueError(f"score {score} is outside 1–5")
    return score


def judge_conversation(
    model: BaseChatModel, description: str, turns: list[TurnRecord], refund_limit: float
) -> JudgeScore:
    """Score one conversation; errors (model or format) are returned on the score."""
    prompt = judge_prompt(description, turns, refund_limit)
    with collect() as usage:
        try:
            answer = model.invoke([HumanMessage(content=prompt)])
            data = parse_json_object(reply_text(answer))
            scores = {name: _score(data[name]) for name in DIMENSIONS}
        except Exception as error:  # a failing judge degrades to "no score" for this case
            return JudgeScore(error=f"{type(error).__name__}: {error}", usage=usage.usage())
    return JudgeScore(
        helpfulness=scores["helpfulness"],
        tone=scores["tone"],
        policy_adherence=scores["policy_adherence"],
        rationale=str(data.get("rationale", ""))[:1000],
        usage=usage.usage(),
    )
