"""The retail tools the model plans with: τ-bench retail's names and argument meanings.

Only the schemas live here (for `bind_tools`); every call the model makes is executed by
`graphs.agent.policy.PolicyGate`, never by the tool objects themselves.
"""

from __future__ import annotations

import functools
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

_ORDER_ID = "The order id, such as '#W0000000' (with the leading '#')."
_USER_ID = "The user id, such as 'sara_doe_496'."
_PAYMENT = (
    "A payment method id of the customer, such as 'credit_card_0000000' or "
    "'gift_card_0000000'; look it up in the user or order details."
)


class FindUserIdByEmail(BaseModel):
    """Find a user id by email address."""

    email: str = Field(description="The customer's email, such as 'something@example.com'.")


class FindUserIdByNameZip(BaseModel):
    """Find a user id by first name, last name and zip code."""

    first_name: str = Field(description="The first name, such as 'John'.")
    last_name: str = Field(description="The last name, such as 'Doe'.")
    zip: str = Field(description="The zip code, such as '12345'.")


class UserIdArgs(BaseModel):
    """Arguments naming a user."""

    user_id: str = Field(description=_USER_ID)


class OrderIdArgs(BaseModel):
    """Arguments naming an order."""

    order_id: str = Field(description=_ORDER_ID)


class ProductIdArgs(BaseModel):
    """Arguments naming a product."""

    product_id: str = Field(description="The product id, such as '6086499569' (not an item id).")


class NoArgs(BaseModel):
    """No arguments."""


class CalculateArgs(BaseModel):
    """An arithmetic expression."""

    expression: str = Field(
        description="Digits, + - * / ( ) . and spaces only, such as '2 * (3.5 + 4)'."
    )


class CancelArgs(BaseModel):
    """Cancel a pending order."""

    order_id: str = Field(description=_ORDER_ID)
    reason: str = Field(description="Either 'no longer needed' or 'ordered by mistake'.")


class AddressArgs(BaseModel):
    """A postal address."""

    address1: str = Field(description="First line, such as '123 Main St'.")
    address2: str = Field(description="Second line, such as 'Apt 1', or an empty string.")
    city: str = Field(description="The city, such as 'San Francisco'.")
    state: str = Field(description="The state, such as 'CA'.")
    country: str = Field(description="The country, such as 'USA'.")
    zip: str = Field(description="The zip code, such as '12345'.")


class OrderAddressArgs(AddressArgs):
    """A pending order's new shipping address."""

    order_id: str = Field(description=_ORDER_ID)


class UserAddressArgs(AddressArgs):
    """The customer's new default address."""

    user_id: str = Field(description=_USER_ID)


class ItemSwapArgs(BaseModel):
    """Items of an order to swap for other variants of the same products."""

    order_id: str = Field(description=_ORDER_ID)
    item_ids: list[str] = Field(description="Item ids to change, such as '1008292230'.")
    new_item_ids: list[str] = Field(
        description="The new item ids, position by position, each a variant of the same product."
    )
    payment_method_id: str = Field(description=_PAYMENT + " It pays or receives the difference.")


class PaymentArgs(BaseModel):
    """A pending order's new payment method."""

    order_id: str = Field(description=_ORDER_ID)
    payment_method_id: str = Field(description=_PAYMENT)


class ReturnArgs(BaseModel):
    """Items of a delivered order to return."""

    order_id: str = Field(description=_ORDER_ID)
    item_ids: list[str] = Field(description="Item ids to return, such as '1008292230'.")
    payment_method_id: str = Field(
        description=_PAYMENT + " The refund goes to the original method or a gift card."
    )


class TransferArgs(BaseModel):
    """Hand the conversation to a human agent."""

    summary: str = Field(description="A summary of the customer's issue for the agent.")


class SearchArgs(BaseModel):
    """A help-centre search."""

    query: str = Field(description="What to look for in the help centre.")


_CONFIRM = " Executes only after the customer explicitly confirms the exact details (yes)."

TOOL_SPECS: dict[str, tuple[type[BaseModel], str]] = {
    "find_user_id_by_email": (FindUserIdByEmail, "Find a customer's user id by email."),
    "find_user_id_by_name_zip": (
        FindUserIdByNameZip,
        "Find a customer's user id by first name, last name and zip code.",
    ),
    "get_user_details": (UserIdArgs, "The identified customer's profile, payment methods, orders."),
    "get_order_details": (OrderIdArgs, "Status and details of one of the customer's orders."),
    "get_product_details": (ProductIdArgs, "A product's variants with options, price, stock."),
    "list_all_product_types": (NoArgs, "Every product type's name and product id."),
    "calculate": (CalculateArgs, "Evaluate an arithmetic expression."),
    "cancel_pending_order": (
        CancelArgs,
        "Cancel a pending order; payments are refunded to their methods." + _CONFIRM,
    ),
    "modify_pending_order_address": (
        OrderAddressArgs,
        "Change the shipping address of a pending order." + _CONFIRM,
    ),
    "modify_pending_order_items": (
        ItemSwapArgs,
        "Swap items of a pending order for other variants of the same product; can be done "
        "once per order." + _CONFIRM,
    ),
    "modify_pending_order_payment": (
        PaymentArgs,
        "Pay a pending order with another payment method." + _CONFIRM,
    ),
    "modify_user_address": (UserAddressArgs, "Change the customer's default address." + _CONFIRM),
    "return_delivered_order_items": (
        ReturnArgs,
        "Return items of a delivered order for a refund." + _CONFIRM,
    ),
    "exchange_delivered_order_items": (
        ItemSwapArgs,
        "Exchange items of a delivered order for other variants of the same product." + _CONFIRM,
    ),
    "transfer_to_human_agents": (
        TransferArgs,
        "Hand over to a human agent, only when the request is outside what the tools and "
        "policy allow, or the customer asks for a person.",
    ),
    "search_help_centre": (SearchArgs, "Search the store's help centre for policies and how-tos."),
}
"""Tool name -> (argument schema, description)."""

CONSEQUENTIAL = frozenset(
    {
        "cancel_pending_order",
        "modify_pending_order_address",
        "modify_pending_order_items",
        "modify_pending_order_payment",
        "modify_user_address",
        "return_delivered_order_items",
        "exchange_delivered_order_items",
    }
)
"""Tools that change records: they become a pending action, never run directly."""


def _never_run(**_: Any) -> str:
    raise RuntimeError("agent tools are executed by the policy gate")


@functools.cache
def tool_definitions() -> tuple[BaseTool, ...]:
    """The tools to bind to the chat model (schemas and descriptions only).

    Built once per process: they never change, and building them is pydantic work every
    planned turn would otherwise repeat.
    """
    return tuple(
        StructuredTool(name=name, description=text, args_schema=schema, func=_never_run)
        for name, (schema, text) in TOOL_SPECS.items()
    )


def validated_args(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """`args` checked against the tool's schema (raises `pydantic.ValidationError`)."""
    schema = TOOL_SPECS[name][0]
    return schema.model_validate(args).model_dump()
