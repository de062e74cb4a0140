"""τ-bench's stateless retail tools and a dispatcher that answers like τ-bench's env.

`invoke_tool` runs any τ-bench retail tool by name against an `OrderStore` and returns
the observation string τ-bench's environment would return: JSON for records,
``"Error: <message>"`` for refusals.
"""

from __future__ import annotations

import ast
import json
import operator
from collections.abc import Callable, Mapping
from typing import Any

from tools.orders.store import OrderStore, OrderToolError

_ALLOWED_CHARS = frozenset("0123456789+-*/(). ")
_MAX_POWER_BITS = 1_000_000
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}

STORE_TOOLS = (
    "find_user_id_by_email",
    "find_user_id_by_name_zip",
    "get_user_details",
    "get_order_details",
    "get_product_details",
    "list_all_product_types",
    "cancel_pending_order",
    "modify_pending_order_address",
    "modify_pending_order_items",
    "modify_pending_order_payment",
    "modify_user_address",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
)
"""τ-bench retail tools served by an `OrderStore`."""

STATELESS_TOOLS = ("calculate", "think", "transfer_to_human_agents")
"""τ-bench retail tools that never touch the data."""


def _too_large_power(base: Any, exponent: Any) -> bool:
    if not (isinstance(base, int) and isinstance(exponent, int)) or abs(base) < 2:
        return False
    return exponent > 0 and base.bit_length() * exponent > _MAX_POWER_BITS


def _evaluate(node: ast.AST) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and _too_large_power(left, right):
            raise OverflowError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.Tuple):
        return tuple(_evaluate(element) for element in node.elts)
    if isinstance(node, ast.Call):
        function = _evaluate(node.func)
        return function(*(_evaluate(arg) for arg in node.args))
    raise ValueError("unsupported expression")


def calculate(expression: str) -> str:
    """Evaluate an arithmetic expression; return the result rounded to 2 places, as text.

    Accepts the characters τ-bench accepts (digits, ``+-*/().`` and spaces) and
    evaluates without `eval`, so errors carry Python's own messages as τ-bench's do.
    Raises `OrderToolError` for invalid input.
    """
    if not all(char in _ALLOWED_CHARS for char in expression):
        raise OrderToolError("invalid characters in expression")
    try:
        tree = compile(expression, "<string>", "eval", ast.PyCF_ONLY_AST)
        return str(round(float(_evaluate(tree)), 2))
    except Exception as exc:
        raise OrderToolError(str(exc)) from exc


def think(thought: str) -> str:
    """Record a thought; changes nothing and returns an empty string."""
    return ""


def transfer_to_human_agents(summary: str) -> str:
    """Acknowledge a hand-off to a human agent (the caller performs the actual transfer)."""
    return "Transfer successful"


_STATELESS: dict[str, Callable[..., str]] = {
    "calculate": calculate,
    "think": think,
    "transfer_to_human_agents": transfer_to_human_agents,
}


def run_tool(store: OrderStore, name: str, kwargs: Mapping[str, Any]) -> Any:
    """Run a τ-bench retail tool by name and return its parsed result.

    Raises `OrderToolError` for refusals and `KeyError` for an unknown tool name.
    """
    if name in _STATELESS:
        return _STATELESS[name](**kwargs)
    if name not in STORE_TOOLS:
        raise KeyError(name)
    return getattr(store, name)(**kwargs)


def to_observation(result: Any) -> str:
    """Render a tool result as τ-bench does: strings as they are, anything else as JSON."""
    return result if isinstance(result, str) else json.dumps(result)


def invoke_tool(store: OrderStore, name: str, kwargs: Mapping[str, Any]) -> str:
    """Run a tool and return the observation string τ-bench's environment would return."""
    if name not in _STATELESS and name not in STORE_TOOLS:
        return f"Unknown action {name}"
    try:
        return to_observation(run_tool(store, name, kwargs))
    except OrderToolError as exc:
        return exc.observation()
    except Exception as exc:
        return f"Error: {exc}"
