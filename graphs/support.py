"""The support graph: guard → understand → retrieve | order tools | order action → draft.

When a chat model is configured, understand routes to the agent (the model plans the turn).

`build(services)` assembles the uncompiled `StateGraph` with every node bound to the
dependencies it is given; `compile_graph` adds the checkpointer (and the long-term store).
The composition root (`wiring.root.Root`) supplies both; LangGraph Studio loads
`wiring/studio.py:graph`, built the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.runnables import RunnableLambda
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime, get_runtime
from langgraph.store.base import BaseStore

from graphs.agent.node import agent_async, agent_sync
from graphs.context import Context
from graphs.nodes.draft import draft_async, draft_sync
from graphs.nodes.guard import guard
from graphs.nodes.handoff import handoff
from graphs.nodes.order_action import order_action
from graphs.nodes.order_tools import order_tools
from graphs.nodes.retrieve import retrieve
from graphs.nodes.understand import understand
from graphs.routing import (
    next_after_agent,
    next_after_draft,
    next_after_handoff,
    next_after_order_action,
    next_after_understand,
)
from graphs.services import Services
from graphs.state import InputState, State

GRAPH_NAME = "Tandem support"

Node = Callable[[State, Runtime[Context], Services], dict[str, Any]]
AsyncNode = Callable[[State, Runtime[Context], Services], Awaitable[dict[str, Any]]]


def _bound(node: Node, services: Services) -> Any:
    """`node` with its dependencies filled in, as LangGraph calls it (state, runtime)."""

    def run(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        return node(state, runtime, services)

    run.__name__ = node.__name__
    run.__doc__ = node.__doc__
    return run


def _bound_twins(
    name: str, sync: Node, async_: AsyncNode, services: Services
) -> RunnableLambda[State, dict[str, Any]]:
    """A node with a sync and an async implementation, both bound to `services`.

    Sync runs (the terminal, evaluations) call `sync` in the node's thread; the server's
    async runs await `async_`, so a model's tokens stream on the event loop. A
    RunnableLambda is called with the state only: the runtime comes from LangGraph.
    """

    def run(state: State) -> dict[str, Any]:
        return sync(state, get_runtime(Context), services)

    async def arun(state: State) -> dict[str, Any]:
        return await async_(state, get_runtime(Context), services)

    return RunnableLambda(run, afunc=arun, name=name)


def build(services: Services) -> StateGraph[State, Context, InputState, State]:
    """Assemble the support graph's nodes (bound to `services`) and edges."""
    workflow = StateGraph(State, context_schema=Context, input_schema=InputState)
    workflow.add_node("guard", _bound(guard, services))
    workflow.add_node("understand", _bound(understand, services))
    workflow.add_node("retrieve", _bound(retrieve, services))
    workflow.add_node("order_tools", _bound(order_tools, services))
    workflow.add_node("order_action", _bound(order_action, services))
    workflow.add_node("draft", _bound_twins("draft", draft_sync, draft_async, services))
    workflow.add_node("agent", _bound_twins("agent", agent_sync, agent_async, services))
    workflow.add_node("handoff", _bound(handoff, services))

    workflow.add_edge(START, "guard")
    workflow.add_edge("guard", "understand")
    workflow.add_conditional_edges(
        "understand",
        next_after_understand,
        ["retrieve", "order_tools", "order_action", "draft", "handoff", "agent"],
    )
    workflow.add_edge("retrieve", "draft")
    workflow.add_edge("order_tools", "draft")
    workflow.add_conditional_edges("order_action", next_after_order_action, ["agent", "draft"])
    workflow.add_conditional_edges(
        "agent",
        next_after_agent,
        ["retrieve", "order_tools", "order_action", "draft", "handoff", END],
    )
    workflow.add_conditional_edges("draft", next_after_draft, ["handoff", END])
    workflow.add_conditional_edges("handoff", next_after_handoff, ["handoff", "guard", END])
    return workflow


def compile_graph(
    services: Services,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    store: BaseStore | None = None,
) -> Any:
    """The support graph compiled with `checkpointer` (None: the caller's platform adds one)."""
    graph = build(services).compile(checkpointer=checkpointer, store=store)
    graph.name = GRAPH_NAME
    return graph
