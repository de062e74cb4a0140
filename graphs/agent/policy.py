"""The policy gate: every tool call the model makes passes through here, whatever it asks.

- No customer-specific tool runs before the customer is identified (the channel's
  authenticated id, or found by the email / name + zip the customer wrote in this
  conversation).
- A customer's tools touch only that customer's records: a foreign order or user id
  answers exactly like a missing one.
- Consequential tools never run here: after a dry run on copies of the records (τ-bench's
  own checks: status, items, payment methods, balances) and the refund limit, the call
  becomes the conversation's pending action, which runs only when the customer confirms
  it in a later turn (`graphs.nodes.order_action`).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from graphs.agent.describe import describe, money
from graphs.agent.tools import CONSEQUENTIAL, TOOL_SPECS, validated_args
from graphs.order_proposals import TOOL_OF
from graphs.services import Services
from graphs.state import Customer, PendingAction
from tools.orders import operations
from tools.orders.replay_tools import invoke_tool
from tools.orders.store import JsonDict, OrderStore, OrderToolError

PUBLIC = frozenset(
    {
        "get_product_details",
        "list_all_product_types",
        "calculate",
        "search_help_centre",
        "transfer_to_human_agents",
    }
)
"""Tools that touch no customer's records."""

FINDERS = frozenset({"find_user_id_by_email", "find_user_id_by_name_zip"})

ORDER_NOT_FOUND = "Error: order not found"
USER_NOT_FOUND = "Error: user not found"
NOT_IDENTIFIED = (
    "Error: the customer is not identified yet; ask for their email, or their first name, "
    "last name and zip code, and look them up first"
)
NOT_GIVEN = (
    "Error: look customers up only with the email, or the name and zip code, they gave in "
    "this conversation"
)
_ACTION_OF = {tool: action for action, tool in TOOL_OF.items()}
ADDRESS_TOOLS = frozenset({"modify_pending_order_address", "modify_user_address"})
"""Tools whose address the customer wrote; the model sees it as `[ADDRESS]`."""
_PLACEHOLDER = re.compile(r"\[[A-Z_]+(?: ••\d{4})?\]")


@dataclass
class Outcome:
    """What one gated call produced: the model's observation and any state change."""

    observation: str
    ok: bool = True
    pending: PendingAction | None = None
    identified: Customer | None = None
    transfer: bool = False


class _Scratch:
    """Deep copies of records, so an operation can be tried without touching the store."""

    def __init__(self, store: OrderStore) -> None:
        self.store = store
        self.cache: dict[tuple[str, str], JsonDict | None] = {}

    def _get(self, kind: str, key: str, getter: Callable[[str], JsonDict]) -> JsonDict | None:
        if (kind, key) not in self.cache:
            try:
                self.cache[(kind, key)] = copy.deepcopy(getter(key))
            except OrderToolError:
                self.cache[(kind, key)] = None
        return self.cache[(kind, key)]

    def order(self, order_id: str) -> JsonDict | None:
        return self._get("order", order_id, self.store.get_order_details)

    def user(self, user_id: str) -> JsonDict | None:
        return self._get("user", user_id, self.store.get_user_details)

    def product(self, product_id: str) -> JsonDict | None:
        return self._get("product", product_id, self.store.get_product_details)


def describe_dry_run(
    store: OrderStore, tool: str, args: dict[str, Any], user_id: str
) -> tuple[str, float]:
    """Run `tool` on copies of the records and describe in words what it would do.

    Returns the description and the amount refunded to the customer; raises what the tool
    raises (`OrderToolError`, or a lookup or type error for malformed arguments).
    """
    scratch = _Scratch(store)
    record_id = args.get("order_id") or args["user_id"]
    before = copy.deepcopy(
        scratch.order(record_id) if "order_id" in args else scratch.user(record_id)
    )
    after = getattr(operations, tool)(scratch, **args)
    if before is None:
        raise LookupError(f"{record_id} not found")
    user = store.get_user_details(user_id)
    products = {
        key: record
        for (kind, key), record in scratch.cache.items()
        if kind == "product" and record is not None
    }
    return describe(tool, args, before, after, user, products)


def customer_of(user_id: str, user: JsonDict, how: str) -> Customer:
    """The `Customer` record for an identified user."""
    name = user.get("name", {})
    full = f"{name.get('first_name', '')} {name.get('last_name', '')}".strip()
    return {"user_id": user_id, "name": full or user_id, "verified_by": how}  # type: ignore[typeddict-item]


class PolicyGate:
    """Applies the retail policy to the model's tool calls for one conversation turn."""

    def __init__(
        self,
        services: Services,
        authenticated: str | None,
        customer: Customer | None,
        tenant: str,
        said: str = "",
        offered_address: dict[str, str] | None = None,
    ) -> None:
        self.said = said.lower()
        """Everything the customer wrote in this conversation (redacted), lower-cased."""
        self.offered_address = offered_address
        self.services = services
        self.store = services.orders
        self.tenant = tenant
        self.authenticated = authenticated
        self.user_id = authenticated or (customer["user_id"] if customer else None)

    def handle(self, name: str, raw_args: dict[str, Any]) -> Outcome:
        """Gate one call: run it, refuse it, or turn it into a pending action."""
        if name not in TOOL_SPECS:
            return Outcome(f"Unknown action {name}", ok=False)
        try:
            args = validated_args(name, raw_args)
        except ValidationError as error:
            return Outcome(f"Error: invalid arguments: {error.errors()[:3]}", ok=False)
        if name in ADDRESS_TOOLS and self.offered_address and self._has_placeholder(args):
            args = {**args, **self.offered_address}
        if name in PUBLIC:
            return self._public(name, args)
        if name in FINDERS:
            return self._find(name, args)
        if self.user_id is None:
            return Outcome(NOT_IDENTIFIED, ok=False)
        if name == "get_user_details" or name == "modify_user_address":
            if args["user_id"] != self.user_id:
                return Outcome(USER_NOT_FOUND, ok=False)
        elif not self._owns(args["order_id"]):
            return Outcome(ORDER_NOT_FOUND, ok=False)
        if name in CONSEQUENTIAL:
            return self._propose(name, args)
        return self._run(name, args)

    def _run(self, name: str, args: dict[str, Any]) -> Outcome:
        observation = invoke_tool(self.store, name, args)
        return Outcome(observation, ok=not observation.startswith(("Error", "Unknown")))

    def _public(self, name: str, args: dict[str, Any]) -> Outcome:
        if name == "search_help_centre":
            hits = self.services.kb.search(args["query"], k=3, tenant=self.tenant)
            found = [{"title": h.title, "source": h.source, "text": h.text[:1200]} for h in hits]
            return Outcome(json.dumps(found))
        outcome = self._run(name, args)
        outcome.transfer = name == "transfer_to_human_agents"
        return outcome

    @staticmethod
    def _has_placeholder(args: dict[str, Any]) -> bool:
        return any(_PLACEHOLDER.search(str(value)) for value in args.values())

    def _given_by_customer(self, args: dict[str, Any]) -> bool:
        """Whether every detail of a look-up appears in the customer's own messages.

        A placeholder never counts: the identity behind it was resolved (or not) from the
        customer's raw words before they were redacted.
        """
        if self._has_placeholder(args):
            return False
        return all(str(value).strip().lower() in self.said for value in args.values())

    def _find(self, name: str, args: dict[str, Any]) -> Outcome:
        if self.user_id is None and not self._given_by_customer(args):
            return Outcome(NOT_GIVEN, ok=False)
        outcome = self._run(name, args)
        if not outcome.ok:
            return outcome
        found = outcome.observation
        if self.user_id is not None and found != self.user_id:
            return Outcome(USER_NOT_FOUND, ok=False)
        if self.user_id is None:
            how = "email" if name == "find_user_id_by_email" else "name_zip"
            outcome.identified = customer_of(found, self.store.get_user_details(found), how)
            self.user_id = found
        return outcome

    def _owns(self, order_id: str) -> bool:
        try:
            order = self.store.get_order_details(order_id)
        except OrderToolError:
            return False
        return bool(order.get("user_id") == self.user_id)

    def _propose(self, name: str, args: dict[str, Any]) -> Outcome:
        assert self.user_id is not None
        try:
            summary, refund = describe_dry_run(self.store, name, args, self.user_id)
        except OrderToolError as error:
            return Outcome(error.observation(), ok=False)
        except (LookupError, TypeError, ValueError, AttributeError) as error:
            return Outcome(f"Error: {error}", ok=False)
        limit = self.services.limits.refund_limit
        if name == "return_delivered_order_items" and refund > limit:
            return Outcome(
                f"Error: a refund of {money(refund)} is above the {money(limit)} an assistant "
                "may approve; offer to transfer the customer to a human agent",
                ok=False,
            )
        pending: PendingAction = {
            "action": _ACTION_OF[name],
            "tool": name,
            "args": args,
            "summary": summary,
            "missing": [],
            "refund_total": refund,
            "id": uuid.uuid4().hex,
        }
        observation = (
            "Not done yet: this action awaits the customer's explicit confirmation. Tell the "
            f"customer exactly what will happen and ask them to reply yes: {summary}."
        )
        return Outcome(observation, pending=pending)
