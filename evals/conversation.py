"""Drive one conversation through the real support graph and record every turn.

Each conversation gets its own services (a private copy of the order store) and its own
compiled graph with an in-memory checkpointer, so conversations can run concurrently and
a confirmed cancellation in one never shows up in another.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from evals.grounding import Evidence, check_claims
from evals.records import ToolCall, TurnRecord
from evals.usage import collect
from graphs.context import Context
from graphs.services import Services
from graphs.support import compile_graph
from graphs.turns import customer_input, stream_turn, turn_config


def _amount(tool: str, args: dict[str, Any], output: Any) -> float | None:
    if not isinstance(output, dict):
        return None
    if tool == "cancel_pending_order":
        refunds = [
            p["amount"]
            for p in output.get("payment_history", [])
            if p.get("transaction_type") == "refund"
        ]
        return float(refunds[-1]) if refunds else None
    if tool == "return_delivered_order_items":
        wanted = set(args.get("item_ids", []))
        items = output.get("items", [])
        return round(sum(i["price"] for i in items if i.get("item_id") in wanted), 2)
    return None


def tool_calls(
    events: list[dict[str, Any]], results: list[dict[str, Any]], say: str
) -> list[ToolCall]:
    """Merge the turn's `tool` events (names, order) with `tool_results` (arguments, outputs)."""
    pool = list(results)
    ends = [e for e in events if e.get("type") == "tool" and e.get("phase") == "end"]
    calls: list[ToolCall] = []
    for event in events:
        if event.get("type") != "tool" or event.get("phase") != "start":
            continue
        name = event["name"]
        match = next((r for r in pool if r["tool"] == name), None)
        if match is not None:
            pool.remove(match)
            amount = _amount(name, match["args"], match["output"]) if match["ok"] else None
            calls.append(
                ToolCall(name=name, args=dict(match["args"]), ok=match["ok"], amount=amount)
            )
            continue
        end = next((e for e in ends if e["name"] == name), None)
        if end is not None:
            ends.remove(end)
        args = {"query": say} if name == "search_knowledge_base" else {}
        calls.append(ToolCall(name=name, args=args, ok=bool(end.get("ok", True)) if end else True))
    calls.extend(ToolCall(name=r["tool"], args=dict(r["args"]), ok=r["ok"]) for r in pool)
    return calls


def add_evidence(evidence: Evidence, say: str, state: dict[str, Any]) -> None:
    """Add what this turn showed the drafter to the conversation's evidence."""
    evidence.add(say)
    for result in state.get("tool_results") or []:
        evidence.add({"args": result["args"], "output": result["output"]})
    for passage in state.get("passages") or []:
        evidence.add(f"{passage['title']}\n{passage['text']}")
    pending = state.get("pending_action")
    if pending:
        evidence.add(pending)
    if state.get("customer"):
        evidence.add(state["customer"])


class ConversationDriver:
    """One conversation on a freshly compiled graph, recording each turn."""

    def __init__(self, services: Services, context: Context, evidence: Evidence, channel: str):
        self.services = services
        self.context = context
        self.evidence = evidence
        self.channel = channel
        self.graph: Any = compile_graph(services, InMemorySaver())
        self.thread_id = f"eval-{uuid.uuid4().hex}"
        self.records: list[TurnRecord] = []

    def state(self) -> dict[str, Any]:
        """The conversation's current state values."""
        return dict(self.graph.get_state(turn_config(self.thread_id)).values)

    def say(self, text: str) -> TurnRecord:
        """Send one customer message; return the turn's record (errors are recorded)."""
        index = len(self.records)
        started = time.perf_counter()
        events: list[dict[str, Any]] = []
        error: str | None = None
        with collect() as usage:
            try:
                graph_input = customer_input(text, self.channel)
                events = list(stream_turn(self.graph, self.thread_id, graph_input, self.context))
            except Exception as exc:  # a crashing turn is a failed case, not a failed run
                error = f"{type(exc).__name__}: {exc}"
        latency = (time.perf_counter() - started) * 1000
        state = self.state()
        done = events[-1] if events and events[-1].get("type") == "done" else {}
        handoff = bool(done.get("waiting_for_human")) or any(
            e.get("type") == "handoff" for e in events
        )
        add_evidence(self.evidence, text, state)
        reply = str(done.get("reply", ""))
        pending = state.get("pending_action")
        record = TurnRecord(
            index=index,
            say=text,
            reply=reply,
            intent=state.get("intent"),
            intent_confidence=float(state.get("intent_confidence") or 0.0),
            intent_source=state.get("intent_source"),
            route=state.get("route"),
            customer_id=(state.get("customer") or {}).get("user_id"),
            entities=dict(state.get("entities") or {}),
            tool_calls=tool_calls(events, list(state.get("tool_results") or []), text)
            + usage.tool_calls,
            sources=[p["title"] for p in state.get("passages") or []],
            pending_action=dict(pending) if pending else None,
            handoff=handoff,
            handoff_reason=(state.get("handoff") or {}).get("reason") if handoff else None,
            handoff_status=str(done.get("handoff_status", "none")),
            latency_ms=round(latency, 3),
            usage=usage.usage(),
            claims=check_claims(reply, self.evidence),
            error=error,
        )
        self.records.append(record)
        return record
