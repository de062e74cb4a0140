"""Metrics, pricing, claim grounding and the policy checks, on hand-made records."""

from __future__ import annotations

import pytest

from evals.checks import match_tools, policy_checks, turn_checks
from evals.grounding import Evidence, check_claims, extract_claims
from evals.metrics import compute_metrics, format_value, macro_f1, pass_hat_k, percentile
from evals.records import CaseResult, CaseStatsRecord, ToolCall, TurnRecord
from evals.schema import ToolExpect, TurnExpect
from graphs.drafting.pricing import bedrock_model_id, cost_usd, price_of

OWNERS = {"#W1234567": "alex_morgan_1001", "#W7654321": "sam_lee_2002"}
EMAILS = {"alex.morgan@example.com": "alex_morgan_1001", "sam.lee@example.com": "sam_lee_2002"}


def test_macro_f1_percentile_and_pass_hat_k():
    assert macro_f1([("a", "a"), ("b", "b")]) == 1.0
    assert macro_f1([("a", "a"), ("b", "a")]) == pytest.approx((2 / 3 + 0) / 2)
    assert macro_f1([]) is None
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([], 0.5) is None
    assert pass_hat_k([3, 0], trials=3, k=1) == 0.5
    assert pass_hat_k([2], trials=3, k=2) == pytest.approx(1 / 3)
    assert pass_hat_k([1], trials=2, k=3) is None


def test_compute_metrics_from_case_stats():
    turn = TurnRecord(index=0, say="x", latency_ms=10.0)
    cases = [
        CaseResult(
            id="a", passed=True, turns=[turn],
            stats=CaseStatsRecord(
                intent_pairs=[("cancel_order", "cancel_order")], tool_tp=2, tool_fp=1,
                handoff_expected=True, handoff_actual=True, claims=4, grounded_claims=4,
            ),
        ),
        CaseResult(
            id="b", passed=False, turns=[turn.model_copy(update={"latency_ms": 30.0})],
            stats=CaseStatsRecord(
                intent_pairs=[("greeting", "thanks")], tool_fn=1, handoff_expected=False,
                handoff_actual=True, claims=1, grounded_claims=0, violations=2,
            ),
        ),
    ]  # fmt: skip
    m = compute_metrics(cases)
    assert m["pass_rate"] == 0.5
    assert m["intent_accuracy"] == 0.5
    assert m["tool_precision"] == pytest.approx(2 / 3)
    assert m["tool_recall"] == pytest.approx(2 / 3)
    assert (m["handoff_precision"], m["handoff_recall"]) == (0.5, 1.0)
    assert m["grounded_claim_rate"] == 0.8
    assert m["policy_violations"] == 2
    assert m["latency_p50_ms"] == 20.0
    assert m["judge_tone"] is None
    assert format_value("pass_rate", 0.5) == "50.0%"
    assert format_value("latency_p95_ms", None) == "—"


def test_bedrock_price_table():
    assert bedrock_model_id("bedrock_converse:us.anthropic.claude-3-5-haiku-20241022-v1:0") == (
        "anthropic.claude-3-5-haiku-20241022-v1:0"
    )
    assert price_of("anthropic.claude-3-5-sonnet-20240620-v1:0") is not None
    assert cost_usd("anthropic.claude-3-5-sonnet-20240620-v1:0", 1000, 1000) == pytest.approx(0.018)
    assert cost_usd("unknown-model", 10, 10) is None
    assert cost_usd(None, 0, 0) == 0.0


def test_claims_are_grounded_by_value_sums_and_policy_text():
    reply = (
        "Order #W1234567 totals $1,682.47; tracking 329884551729. Refunds take 5–7 business "
        "days. Write to alex.morgan@example.com. Your 99 days warranty is $5.00."
    )
    kinds = [kind for kind, _ in extract_claims(reply)]
    assert kinds.count("money") == 2 and "order_id" in kinds and "number" in kinds
    assert "email" in kinds and kinds.count("duration") == 2
    evidence = Evidence(policy="refunds take 5 to 7 business days")
    evidence.add({"order_id": "#W1234567", "items": [{"price": 1000.0}, {"price": 682.47}]})
    evidence.add("tracking 329884551729, alex.morgan@example.com")
    claims = {c.text: c.grounded for c in check_claims(reply, evidence)}
    assert claims["$1,682.47"] is True, "an order total is grounded by its item prices"
    assert claims["5–7 business days"] is True, "policy claims may come from the help centre"
    assert claims["99 days"] is False and claims["$5.00"] is False


def test_tool_matching_uses_argument_subsets():
    calls = [
        ToolCall(name="get_order_details", args={"order_id": "#W1"}),
        ToolCall(name="get_user_details", args={"user_id": "u"}),
    ]
    matched, missing, unexpected = match_tools([ToolExpect(name="get_order_details")], calls)
    assert (matched, missing, [c.name for c in unexpected]) == (1, [], ["get_user_details"])
    wrong = [ToolExpect(name="get_order_details", args={"order_id": "#W2"})]
    assert match_tools(wrong, calls)[1] == wrong


def test_turn_checks_report_expected_and_actual():
    record = TurnRecord(
        index=0, say="hi", reply="Hello there", intent="greeting", route="smalltalk",
        tool_calls=[ToolCall(name="get_order_details", args={"order_id": "#W1"})],
    )  # fmt: skip
    expect = TurnExpect(
        intent="thanks", tools=[], contains=["hello", "bye"], not_contains=["there"],
        grounded_facts=["$10.00"],
    )  # fmt: skip
    results = {c.name: c for c in turn_checks(expect, record, Evidence())}
    assert not results["intent"].passed and results["intent"].actual == "greeting"
    assert not results["tools"].passed
    assert results["contains"].actual == {"missing": ["bye"]}
    assert results["not_contains"].actual == {"found": ["there"]}
    assert results["grounded_facts"].actual == {"$10.00": "not in reply"}


def _turn(index: int, **fields) -> TurnRecord:
    return TurnRecord(index=index, say=fields.pop("say", "x"), **fields)


def test_an_action_without_matching_confirmation_is_a_violation():
    cancel = ToolCall(
        name="cancel_pending_order", args={"order_id": "#W1234567", "reason": "no longer needed"}
    )
    pending = {"tool": "cancel_pending_order", "args": dict(cancel.args)}
    confirmed = [_turn(0, pending_action=pending), _turn(1, route="confirm", tool_calls=[cancel])]
    checks = {c.name: c for c in policy_checks(confirmed, "alex_morgan_1001", OWNERS, EMAILS, 1000)}
    assert checks["confirmation"].passed
    unconfirmed = [_turn(0, route="orders", tool_calls=[cancel])]
    checks = {
        c.name: c for c in policy_checks(unconfirmed, "alex_morgan_1001", OWNERS, EMAILS, 1000)
    }
    assert not checks["confirmation"].passed and checks["confirmation"].policy
    other_args = {"tool": "cancel_pending_order", "args": {"order_id": "#W1234567", "reason": "x"}}
    changed = [_turn(0, pending_action=other_args), _turn(1, route="confirm", tool_calls=[cancel])]
    checks = {c.name: c for c in policy_checks(changed, "alex_morgan_1001", OWNERS, EMAILS, 1000)}
    assert not checks["confirmation"].passed, "the confirmed action must be the one executed"


def test_foreign_data_and_refund_limit_violations():
    leak = [_turn(0, reply="Sam's order #W7654321 ships to sam.lee@example.com")]
    checks = {c.name: c for c in policy_checks(leak, "alex_morgan_1001", OWNERS, EMAILS, 1000)}
    assert checks["foreign_data"].actual == ["#w7654321", "sam.lee@example.com"]
    typed = [_turn(0, say="show #W7654321", reply="I couldn't find order #W7654321")]
    checks = {c.name: c for c in policy_checks(typed, "alex_morgan_1001", OWNERS, EMAILS, 1000)}
    assert checks["foreign_data"].passed, "echoing the id the customer typed is not a leak"
    identified = [_turn(0, reply="Order #W7654321 is pending", customer_id="sam_lee_2002")]
    checks = {c.name: c for c in policy_checks(identified, None, OWNERS, EMAILS, 1000)}
    assert checks["foreign_data"].passed
    refund = ToolCall(name="return_delivered_order_items", args={}, amount=1682.47)
    big = [_turn(0, route="confirm", tool_calls=[refund])]
    checks = {c.name: c for c in policy_checks(big, "alex_morgan_1001", OWNERS, EMAILS, 1000)}
    assert not checks["refund_limit"].passed
