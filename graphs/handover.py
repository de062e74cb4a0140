"""The handover note an agent reads first: a plain-language summary and an opening reply.

Built offline from the conversation's facts (who, why, what was just done, the order, the
mood and where it is heading, earlier conversations, the last words), so it is the same on
every backend; with a model configured the server can add a model-written note on demand.
"""

from __future__ import annotations

from graphs.memory_notes import history_note
from graphs.messages import last_customer_message, message_text
from graphs.state import State

REASONS = {
    "explicit_request": "asked for a person",
    "complaint": "made a complaint",
    "negative_sentiment": "is upset",
    "worsening_sentiment": "is getting more frustrated",
    "repeated_failure": "was not understood several times in a row",
    "out_of_scope": "asked for something the assistant cannot do",
    "policy_limit": "asked for something beyond what the assistant may do",
    "attachment_only": "sent files without a message",
}


def _mood(state: State) -> str | None:
    sentiment = state.get("sentiment")
    if not sentiment:
        return None
    mood = f"Mood: {sentiment['label']} ({sentiment['score']:+.2f})"
    if sentiment.get("trend", 0.0) < -0.2:
        mood += ", getting worse"
    elif sentiment.get("trend", 0.0) > 0.2:
        mood += ", improving"
    return mood + "."


def handover_summary(state: State, reason: str) -> str:
    """A few sentences an agent can read in seconds."""
    customer = state.get("customer")
    who = (
        f"{customer['name']} ({customer['user_id']}, verified by {customer['verified_by']})"
        if customer
        else "An unidentified customer"
    )
    in_window = sum(1 for m in state.get("messages") or [] if m.type == "human")
    customer_turns = max(state.get("customer_turns") or 0, in_window)
    plural = "message" if customer_turns == 1 else "messages"
    why = REASONS.get(reason, reason.replace("_", " "))
    sentences = [f"{who} {why} after {customer_turns} {plural}."]
    intent = state.get("intent")
    if intent:
        sentences.append(f"Topic: {intent.replace('_', ' ')}.")
    done = state.get("done_actions") or []
    if done:
        sentences.append(f"Just done: {'; '.join(done)}.")
    if state.get("active_order_id"):
        sentences.append(f"About order {state['active_order_id']}.")
    pending = state.get("pending_action")
    if pending:
        sentences.append(f"Awaiting the customer's yes: {pending['summary']}.")
    mood = _mood(state)
    if mood:
        sentences.append(mood)
    earlier = history_note(state.get("history")) if customer else None
    if earlier:
        sentences.append(f"Seen before — {earlier}.")
    message = last_customer_message(state.get("messages", []))
    last = " ".join(message_text(message).split())[:200] if message else ""
    sentences.append(f"Last message: {last!r}.")
    return " ".join(sentences)


def suggested_opening(state: State, reason: str) -> str:
    """An opening line grounded in the same facts: what happened, the order, the mood."""
    customer = state.get("customer")
    greeting = f"Hi {customer['name'].split()[0]}" if customer else "Hi there"
    sentiment = state.get("sentiment")
    upset = reason in ("complaint", "negative_sentiment", "worsening_sentiment") or (
        sentiment is not None and sentiment["score"] < -0.3
    )
    parts = [f"{greeting}, I'm a member of the support team and I've read your conversation."]
    if upset:
        parts.append("I'm sorry this has been frustrating.")
    done = state.get("done_actions") or []
    if done:
        parts.append(f"I can see we've {done[-1]}.")
    if state.get("active_order_id"):
        parts.append(f"I have order {state['active_order_id']} in front of me.")
    if not customer:
        parts.append("Could you share the email address on your account so I can look you up?")
    elif reason == "repeated_failure":
        parts.append("Could you tell me in your own words what you need?")
    else:
        parts.append("How can I help from here?")
    return " ".join(parts)
