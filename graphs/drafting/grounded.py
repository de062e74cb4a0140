"""The deterministic grounded drafter: replies built only from tool results and passages.

It answers when no chat model is configured, and whenever the model fails. Order facts
come from templates over tool outputs; knowledge-base answers quote the sentences that
best answer the question, with the article title as the source. It never invents an
order, a price or a date.
"""

from __future__ import annotations

from typing import Any

from graphs.drafting.order_text import (
    money,
    options_text,
    order_list,
    order_summary,
    payment_methods_text,
)
from graphs.messages import last_customer_message, message_text
from graphs.order_proposals import REQUIRED_STATUS, TOOL_OF
from graphs.state import PendingAction, State, ToolResult
from tools.knowledge.base import Passage as KbPassage
from tools.knowledge.extract import answer_sentences
from tools.language import HANDING_OVER, only_english_notice

CAPABILITIES = (
    "I can check your orders, cancel or change pending orders, start returns and exchanges "
    "for delivered orders, and answer questions about shipping, returns, refunds, payments, "
    "gift cards and your account."
)

SMALLTALK = {
    "greeting": "Hello! " + CAPABILITIES + " What can I do for you?",
    "thanks": "You're welcome! Is there anything else I can help with?",
    "goodbye": "Thanks for contacting us — have a great day!",
    "venting": "I'm sorry this has been frustrating. Tell me what went wrong — an order number "
    "helps — and I'll do my best to sort it out, or ask and I'll bring in a member of our team.",
}

HANDOFF = {
    "negative_sentiment": "I'm sorry about the trouble. I'm bringing in a member of our team "
    "who can help right away — a person will join this conversation shortly.",
    "worsening_sentiment": "I'm sorry this has been frustrating. I'm bringing in a member of "
    "our team — a person will join this conversation shortly.",
    "policy_refund_limit": "Refunds of this size are handled by a member of our team, so I'm "
    "passing your request on. A person will join this conversation shortly.",
    "repeated_failure": "I'm sorry I haven't been able to help. I'm connecting you with a "
    "member of our team — a person will join this conversation shortly.",
    "attachment_only": "Thanks, I've received your file. I can't open attachments myself, so "
    "I'm passing it to a member of our team — a person will join this conversation shortly.",
}
HANDOFF_DEFAULT = (
    "Of course. I'm connecting you with a member of our support team — a person will join "
    "this conversation shortly."
)

DONE = {
    "cancel": "Done — order {order_id} is now cancelled. {refund}",
    "return": "Done — the return for order {order_id} is requested. You'll receive an email "
    "explaining how to send the items back. {refund}",
    "exchange": "Done — the exchange for order {order_id} is requested. You'll receive an "
    "email explaining how to send the items back.",
    "modify_address": "Done — order {order_id} will ship to the new address.",
    "modify_payment": "Done — order {order_id} is now paid with the new payment method.",
    "modify_items": "Done — the items in order {order_id} are changed. Note that this order "
    "can no longer be modified or cancelled.",
    "modify_user_address": "Done — your default address is updated.",
}


def _last(results: list[ToolResult], tool: str) -> ToolResult | None:
    for result in reversed(results):
        if result["tool"] == tool:
            return result
    return None


def _refund_text(method: str | None, amount: float | None, label: str | None) -> str:
    if not method:
        return ""
    amount_text = f"{money(amount)} " if amount is not None else "The refund "
    timing = "immediately" if method.startswith("gift_card") else "within 5 to 7 business days"
    return f"{amount_text}goes back to {label or method} {timing}."


def knowledge_reply(state: State) -> str:
    """Quote the help-centre sentences that answer the question, with their source."""
    passages = state.get("passages") or []
    if not passages:
        return (
            "I couldn't find that in our help centre. Could you rephrase it, or would you "
            "like me to connect you with a person?"
        )
    message = last_customer_message(state.get("messages", []))
    query = message_text(message) if message else ""
    hits = [
        KbPassage(
            article_id=p["article_id"],
            title=p["title"],
            text=p["text"],
            source=p["source"],
            score=p["score"],
            tenant="",
        )
        for p in passages
    ]
    evidence = answer_sentences(query, hits, max_sentences=3)
    if not evidence:
        top = passages[0]
        return f"This article in our help centre should help: “{top['title']}” ({top['source']})."
    titles: list[str] = []
    for item in evidence:
        if item.title not in titles:
            titles.append(item.title)
    body = " ".join(item.text for item in evidence)
    sources = "; ".join(titles)
    return f"From our help centre (“{titles[0]}”): {body}\n\nSource: {sources}"


def _order_reply(state: State, notice: str) -> str:
    results = state.get("tool_results") or []
    pending = state.get("pending_action")
    order_result = _last(results, "get_order_details")
    order = order_result["output"] if order_result and order_result["ok"] else None
    if notice == "ask_identity":
        return (
            "I can help with that. First I need to verify your identity: please tell me the "
            "email address on your account, or your full name and zip code."
        )
    if notice == "identity_not_found":
        return (
            "I couldn't find an account with those details. Please check the email address, "
            "or give me your full name and zip code."
        )
    if notice == "choose_order":
        listed = _last(results, "list_user_orders")
        orders = listed["output"] if listed and listed["ok"] else []
        return "Which order do you mean? Here are the orders on your account:\n" + order_list(
            orders
        )
    if notice == "order_not_found":
        failed = _last(results, "get_order_details")
        order_id = failed["args"].get("order_id") if failed else "that order"
        return (
            f"I couldn't find order {order_id} on your account. Please check the order number "
            "(it looks like #W followed by 7 digits)."
        )
    if notice == "order_facts" and order:
        return order_summary(order)
    if notice.startswith("action_not_allowed:") and order:
        _, action, status = notice.split(":", 2)
        need = REQUIRED_STATUS[action]
        verb = {"cancel": "cancelled", "return": "returned", "exchange": "exchanged"}.get(
            action, "changed"
        )
        return (
            f"Order {order['order_id']} is {status}, so it can't be {verb} — only {need} orders "
            f"can be {verb}.\n\n{order_summary(order)}"
        )
    if notice.startswith("gift_card_insufficient:"):
        _, method, balance, total = notice.split(":")
        return (
            f"Your gift card {method} has a balance of {money(float(balance))}, which doesn't "
            f"cover the order total of {money(float(total))}, so it can't pay for this order. "
            "Would you like to use another payment method?"
        )
    if notice == "ask_missing" and pending:
        return _ask_missing(pending, order, results)
    if notice == "ask_variant" and pending:
        return _ask_variant(results)
    if notice == "ask_confirm" and pending:
        return (
            f"To confirm: I will {pending['summary']}. Shall I go ahead? "
            "Reply **yes** to confirm or **no** to leave everything as it is."
        )
    if notice == "action_done":
        return _done_text(results)
    if notice == "action_failed":
        failed_result = results[-1] if results else None
        error = failed_result["output"] if failed_result else "unknown error"
        return f"I couldn't complete that: {error}. Nothing was changed."
    if order:
        return order_summary(order)
    return "Could you tell me the order number (it looks like #W followed by 7 digits)?"


def _ask_missing(
    pending: PendingAction, order: dict[str, Any] | None, results: list[ToolResult]
) -> str:
    missing = pending["missing"][0]
    head = order_summary(order) + "\n\n" if order else ""
    if missing == "reason":
        return head + (
            "To cancel it, please tell me the reason: is it **no longer needed** or was it "
            "**ordered by mistake**?"
        )
    if missing == "address":
        return (
            "Please give me the new address as: street, apartment or suite (if any), city, "
            "state zip — for example “12 Main St, Apt 4, Springfield, IL 62704”."
        )
    if missing == "payment_method":
        user = _last(results, "get_user_details")
        methods = payment_methods_text(user["output"]) if user and user["ok"] else ""
        return f"Which payment method should I use instead? Yours are:\n{methods}"
    return head + "Could you give me a few more details?"


def _ask_variant(results: list[ToolResult]) -> str:
    lines = []
    for result in results:
        if result["tool"] != "get_product_details" or not result["ok"]:
            continue
        info = result["output"]
        current = info["current"]
        options = current.get("options", {})
        wanted: dict[str, str] = info.get("wanted") or {}
        honoured: dict[str, str] = info.get("honoured") or {}
        available = info["available"]
        lines.append(f"{info['name']} — you have {options_text(options)}.")
        changes = {k: v for k, v in wanted.items() if str(options.get(k)) != v}
        if changes and not any(_has_options(v, wanted) for v in available):
            asked = {key: wanted[key] for key in [*changes, *wanted] if key in wanted}
            lines.append(f"Sorry, it isn't available in {options_text(asked)}.")
        if not available:
            kept = f" with {options_text(honoured)}" if honoured else ""
            lines.append(f"No other option is available{kept}.")
            continue
        kept = f" with {options_text(honoured)}" if honoured else ""
        lines.append(f"Available options{kept}:")
        lines.extend(
            f"- {options_text(v.get('options', {}))} ({money(v['price'])}, item {v['item_id']})"
            for v in available[:8]
        )
    return "Which option would you like instead?\n" + "\n".join(lines)


def _has_options(variant: dict[str, Any], values: dict[str, str]) -> bool:
    options = variant.get("options", {})
    return all(str(options.get(key)) == value for key, value in values.items())


def _done_text(results: list[ToolResult]) -> str:
    result = results[-1] if results else None
    if not result:
        return "Done."
    action = ACTION_OF_TOOL.get(result["tool"], "")
    output = result["output"] if isinstance(result["output"], dict) else {}
    order_id = output.get("order_id") or result["args"].get("order_id", "")
    refund_amount = None
    method = result["args"].get("payment_method_id")
    if action == "cancel":
        payments = output.get("payment_history", [])
        refunds = [p for p in payments if p.get("transaction_type") == "refund"]
        if refunds:
            refund_amount, method = refunds[-1]["amount"], refunds[-1]["payment_method_id"]
    if action == "return":
        returned = set(result["args"].get("item_ids", []))
        refund_amount = round(
            sum(i["price"] for i in output.get("items", []) if i["item_id"] in returned), 2
        )
    template = DONE.get(action, "Done.")
    return template.format(
        order_id=order_id, refund=_refund_text(method, refund_amount, result.get("payment_label"))
    ).strip()


ACTION_OF_TOOL = {tool: action for action, tool in TOOL_OF.items()}


def grounded_reply(state: State) -> str:
    """Compose the reply for the current turn from the state's facts alone.

    A returning customer (earlier conversations in the long-term memory) is greeted by
    first name on the turn they are identified, unless the turn hands them to a person.
    """
    reply = _reply(state)
    first_name = _welcome_back(state)
    if first_name is None:
        return reply
    if reply == SMALLTALK["greeting"]:
        return f"Hello {first_name}, welcome back! " + reply.removeprefix("Hello! ")
    return f"Welcome back, {first_name}! " + reply


def _welcome_back(state: State) -> str | None:
    customer = state.get("customer")
    if not state.get("welcome_back") or not customer:
        return None
    if state.get("route") in ("empty", "handoff", "to_human"):
        return None
    first = customer["name"].split()
    return first[0] if first else None


def _reply(state: State) -> str:
    route = state.get("route")
    notice = state.get("notice") or ""
    if route == "empty":
        return "I didn't catch a message there — what can I help you with?"
    if route == "handoff":
        handoff = state.get("handoff")
        reason = handoff.get("reason", "") if handoff else ""
        if reason == "language":
            return HANDING_OVER.get(state.get("language") or "", HANDOFF_DEFAULT)
        return HANDOFF.get(reason, HANDOFF_DEFAULT)
    if route == "decline_action":
        return "Okay — I haven't changed anything. Is there anything else I can help with?"
    if route == "out_of_scope":
        return "I'm sorry, I can't help with that here. " + CAPABILITIES
    if route == "unsupported_language":
        return only_english_notice(state.get("language") or "")
    if route == "clarify":
        return "Sorry, I didn't quite understand. " + CAPABILITIES + " Could you rephrase that?"
    if route == "smalltalk":
        return SMALLTALK.get(state.get("intent") or "", SMALLTALK["greeting"])
    if route == "knowledge":
        return knowledge_reply(state)
    return _order_reply(state, notice)
