"""Orders: customers read their own; agents and admins read any (for the agent console)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from server.deps import Caller, RuntimeDep
from server.problems import ApiError
from server.routes.conversations import ERRORS
from tools.orders.store import OrderToolError

router = APIRouter(tags=["orders"])


@router.get("/v1/orders/{order_id}", responses=ERRORS)
async def get_order(order_id: str, caller: Caller, runtime: RuntimeDep) -> dict[str, Any]:
    """One order; a customer gets 404 for orders that are not theirs."""
    try:
        order = await asyncio.to_thread(runtime.services.orders.get_order_details, order_id)
    except OrderToolError:
        raise ApiError(404, "order_not_found", f"No order {order_id}.") from None
    if caller.role == "customer" and order.get("user_id") != caller.customer_id:
        raise ApiError(404, "order_not_found", f"No order {order_id}.")
    return order


@router.get("/v1/customers/{customer_id}/orders", responses=ERRORS)
async def list_orders(
    customer_id: str, caller: Caller, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    """A customer's orders; customers may list only their own."""
    if caller.role == "customer" and customer_id != caller.customer_id:
        raise ApiError(403, "forbidden_customer", "Customers can list only their own orders.")
    try:
        return await asyncio.to_thread(runtime.services.orders.list_user_orders, customer_id)
    except OrderToolError:
        raise ApiError(404, "customer_not_found", f"No customer {customer_id}.") from None
