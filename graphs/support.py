"""The support graph: guard → understand → retrieve | order tools | order action → draft.

`builder` is the uncompiled `StateGraph` (tests and the server compile it with their own
checkpointer); `graph` is compiled without one, for LangGraph Studio / `langgraph dev`,
which supplies its own persistence.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from graphs.context import Context
from graphs.nodes.draft import draft
from graphs.nodes.guard import guard
from graphs.nodes.handoff import handoff
from graphs.nodes.order_action import order_action
from graphs.nodes.order_tools import order_tools
from graphs.nodes.retrieve import retrieve
from graphs.nodes.understand import understand
from graphs.routing import next_after_draft, next_after_handoff, next_after_understand
from graphs.state import InputState, State


def build() -> StateGraph[State, Context, InputState, State]:
    """Assemble the support graph's nodes and edges."""
    workflow = StateGraph(State, context_schema=Context, input_schema=InputState)
    workflow.add_node("guard", guard)
    workflow.add_node("understand", understand)
    workflow.add_node("retrieve", retrieve)
    workflow.add_node("order_tools", order_tools)
    workflow.add_node("order_action", order_action)
    workflow.add_node("draft", draft)
    workflow.add_node("handoff", handoff)

    workflow.add_edge(START, "guard")
    workflow.add_edge("guard", "understand")
    workflow.add_conditional_edges(
        "understand",
        next_after_understand,
        ["retrieve", "order_tools", "order_action", "draft", "handoff"],
    )
    workflow.add_edge("retrieve", "draft")
    workflow.add_edge("order_tools", "draft")
    workflow.add_edge("order_action", "draft")
    workflow.add_conditional_edges("draft", next_after_draft, ["handoff", END])
    workflow.add_conditional_edges("handoff", next_after_handoff, ["handoff", END])
    return workflow


builder = build()
graph = builder.compile()
graph.name = "Tandem support"
