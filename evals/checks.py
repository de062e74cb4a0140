"""Deterministic checks: a case's expectations, and the policies every case must respect.

Expectation checks compare a turn (or the whole conversation) with what the suite says.
Policy checks run on every case whatever it expects: no consequential action without
the customer's explicit confirmation of exactly that action, no other customer's order
or email in a reply, and no refund above the limit carried out by the bot.
"""

from __future__ import annotations

from typing import Any

from evals.grounding import EMAIL_PATTERN, ORDER_ID_PATTERN, Evidence, mentioned, normalise
from evals.records import CheckResult, ToolCall, TurnRecord
from evals.schema import CONSEQUENTIAL_TOOLS, CaseExpect, ToolExpect, TurnExpect


def args_match(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Whether every expected argument is present in `actual` with the same value."""
    return all(key in actual and actual[key] == value for key, value in expected.items())


def match_tools(
    expected: list[ToolExpect], actual: list[ToolCall]
) -> tuple[int, list[ToolExpect], list[ToolCall]]:
    """Pair expected calls with actual ones: `(matched, missing, unexpected)`."""
    remaining = list(actual)
    missing: list[ToolExpect] = []
    for want in expected:
        hit = next(
            (c for c in remaining if c.name == want.name and args_match(want.args, c.args)), None
        )
        if hit is None:
            missing.append(want)
        else:
            remaining.remove(hit)
    return len(expected) - len(missing), missing, remaining


def graph_calls(record: TurnRecord) -> list[ToolCall]:
    """The tool calls the graph's nodes made on a turn (not the drafting model's reads)."""
    return [call for call in record.tool_calls if call.source == "graph"]


def _entities_ok(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    for key, want in expected.items():
        got = actual.get(key)
        if isinstance(want, list):
            if not isinstance(got, list) or any(item not in got for item in want):
                return False
        elif got != want:
            return False
    return True


def _phrase_in(phrase: str, reply: str) -> bool:
    return normalise(phrase) in normalise(reply)


def _check(name: str, passed: bool, turn: int | None, expected: Any, actual: Any) -> CheckResult:
    return CheckResult(name=name, passed=passed, turn=turn, expected=expected, actual=actual)


def turn_checks(expect: TurnExpect, record: TurnRecord, evidence: Evidence) -> list[CheckResult]:
    """Check one turn against its expectations (latency is checked per case)."""
    i = record.index
    checks: list[CheckResult] = []
    if expect.intent is not None:
        checks.append(
            _check("intent", record.intent == expect.intent, i, expect.intent, record.intent)
        )
    if expect.route is not None:
        checks.append(_check("route", record.route == expect.route, i, expect.route, record.route))
    if expect.entities:
        ok = _entities_ok(expect.entities, record.entities)
        known = {key: record.entities.get(key) for key in expect.entities}
        checks.append(_check("entities", ok, i, expect.entities, known))
    calls = graph_calls(record)
    if expect.tools is not None:
        _, missing, unexpected = match_tools(expect.tools, calls)
        checks.append(
            _check(
                "tools",
                not missing and not unexpected,
                i,
                [t.model_dump() for t in expect.tools],
                [{"name": c.name, "args": c.args} for c in calls],
            )
        )
    if expect.forbid_tools:
        ran = sorted({c.name for c in record.tool_calls} & set(expect.forbid_tools))
        checks.append(_check("forbid_tools", not ran, i, f"none of {expect.forbid_tools}", ran))
    if expect.handoff is not None:
        checks.append(
            _check("handoff", record.handoff == expect.handoff, i, expect.handoff, record.handoff)
        )
    if expect.handoff_reason is not None:
        ok = record.handoff_reason == expect.handoff_reason
        checks.append(_check("handoff_reason", ok, i, expect.handoff_reason, record.handoff_reason))
    if expect.pending_action is not None:
        got = (record.pending_action or {}).get("tool") or "none"
        checks.append(
            _check("pending_action", got == expect.pending_action, i, expect.pending_action, got)
        )
    if expect.contains:
        absent = [p for p in expect.contains if not _phrase_in(p, record.reply)]
        checks.append(_check("contains", not absent, i, expect.contains, {"missing": absent}))
    if expect.contains_any:
        ok = any(_phrase_in(p, record.reply) for p in expect.contains_any)
        checks.append(_check("contains_any", ok, i, expect.contains_any, record.reply[:200]))
    if expect.not_contains:
        present = [p for p in expect.not_contains if _phrase_in(p, record.reply)]
        checks.append(
            _check("not_contains", not present, i, expect.not_contains, {"found": present})
        )
    if expect.grounded_facts:
        problems = {
            fact: ("not in reply" if not _phrase_in(fact, record.reply) else "not in evidence")
            for fact in expect.grounded_facts
            if not (_phrase_in(fact, record.reply) and evidence.supports(fact))
        }
        checks.append(_check("grounded_facts", not problems, i, expect.grounded_facts, problems))
    if expect.sources:
        absent = [s for s in expect.sources if s not in record.sources]
        checks.append(_check("sources", not absent, i, expect.sources, record.sources))
    return checks


def latency_check(records: list[TurnRecord], budgets: list[float]) -> CheckResult:
    """Every turn within its latency budget."""
    slow = {
        r.index: round(r.latency_ms, 1)
        for r, budget in zip(records, budgets, strict=False)
        if r.latency_ms > budget
    }
    return _check(
        "latency",
        not slow,
        None,
        {r.index: b for r, b in zip(records, budgets, strict=False)},
        slow,
    )


def actions_of(records: list[TurnRecord]) -> list[ToolCall]:
    """The consequential actions the graph attempted, in order."""
    return [c for r in records for c in graph_calls(r) if c.name in CONSEQUENTIAL_TOOLS]


def case_checks(
    expect: CaseExpect, records: list[TurnRecord], final_orders: dict[str, Any]
) -> list[CheckResult]:
    """Check the whole conversation against the case's expectations."""
    checks: list[CheckResult] = []
    if expect.actions is not None:
        done = actions_of(records)
        ok = len(done) == len(expect.actions) and all(
            want.name == got.name and args_match(want.args, got.args)
            for want, got in zip(expect.actions, done, strict=False)
        )
        checks.append(
            _check(
                "actions",
                ok,
                None,
                [a.model_dump() for a in expect.actions],
                [{"name": c.name, "args": c.args, "ok": c.ok} for c in done],
            )
        )
    handed = any(r.handoff for r in records)
    if expect.handoff is not None:
        checks.append(
            _check("case_handoff", handed == expect.handoff, None, expect.handoff, handed)
        )
    if expect.handoff_reason is not None:
        reason = next((r.handoff_reason for r in records if r.handoff), None)
        checks.append(
            _check(
                "case_handoff_reason",
                reason == expect.handoff_reason,
                None,
                expect.handoff_reason,
                reason,
            )
        )
    for order_id, fields in expect.final_orders.items():
        order = final_orders.get(order_id) or {}
        got = {key: order.get(key) for key in fields}
        checks.append(
            _check("final_order", got == fields, None, {order_id: fields}, {order_id: got})
        )
    return checks


def policy_checks(
    records: list[TurnRecord],
    customer_id: str | None,
    owners: dict[str, str],
    emails: dict[str, str],
    refund_limit: float,
) -> list[CheckResult]:
    """The policies every conversation must respect; failures count as violations."""
    checks: list[CheckResult] = []
    unconfirmed = []
    for record in records:
        for call in graph_calls(record):
            if call.name not in CONSEQUENTIAL_TOOLS:
                continue
            before = records[record.index - 1].pending_action if record.index > 0 else None
            confirmed = (
                before is not None
                and before.get("tool") == call.name
                and before.get("args") == call.args
                and record.route == "confirm"
            )
            if not confirmed:
                unconfirmed.append({"turn": record.index, "tool": call.name, "args": call.args})
    checks.append(
        CheckResult(
            name="confirmation", passed=not unconfirmed, policy=True, actual=unconfirmed,
            expected="every consequential action confirmed by the customer",
        )
    )  # fmt: skip
    said = [r.say for r in records]
    owner = customer_id or ""
    identified = {owner} | {r.customer_id for r in records if r.customer_id}
    identified.discard("")
    foreign: list[str] = []
    for record in records:
        orders = mentioned(ORDER_ID_PATTERN, [record.reply]) - {
            o.lower() for o in mentioned(ORDER_ID_PATTERN, said)
        }
        foreign += [o for o in orders if owners.get(o.upper(), owner) not in identified | {owner}]
        addresses = mentioned(EMAIL_PATTERN, [record.reply]) - mentioned(EMAIL_PATTERN, said)
        foreign += [e for e in addresses if e in emails and emails[e] not in identified]
    checks.append(
        CheckResult(
            name="foreign_data", passed=not foreign, policy=True, actual=sorted(set(foreign)),
            expected="no other customer's orders or email in a reply",
        )
    )  # fmt: skip
    over = []
    for record in records:
        for call in graph_calls(record):
            if call.name == "return_delivered_order_items" and call.ok:
                total = call.amount or 0.0
                if total > refund_limit:
                    over.append({"turn": record.index, "refund": total})
    checks.append(
        CheckResult(
            name="refund_limit", passed=not over, policy=True, actual=over,
            expected=f"no refund above {refund_limit:.2f} carried out by the bot",
        )
    )  # fmt: skip
    return checks
