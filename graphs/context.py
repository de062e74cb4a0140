"""Run-time context of the support graph (`context_schema`), fixed for one run.

The server (or CLI) fills it per request: who the authenticated customer is, which tenant,
which model. Nodes read it through `Runtime[Context]`; none of it is checkpointed, so a
customer cannot change it by typing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config.settings import get_settings


def _default_model() -> str:
    return get_settings().model


def _default_tenant() -> str:
    return get_settings().tenant


@dataclass(kw_only=True)
class Context:
    """Per-run configuration of the support graph."""

    model: str = field(
        default_factory=_default_model,
        metadata={
            "description": "init_chat_model string for drafting (e.g. "
            "'bedrock_converse:anthropic.claude-3-5-sonnet-20240620-v1:0'). "
            "Empty: the deterministic grounded drafter."
        },
    )
    tenant: str = field(
        default_factory=_default_tenant,
        metadata={"description": "Tenant whose catalogue, knowledge base and data are used."},
    )
    customer_id: str | None = field(
        default=None,
        metadata={
            "description": "User id of the authenticated customer, set by the channel; "
            "None means the customer must identify by email or name + zip."
        },
    )
    orders_backend: str = field(
        default_factory=lambda: get_settings().orders_backend,
        metadata={"description": "Order store backend name."},
    )
    kb_backend: str = field(
        default_factory=lambda: get_settings().kb_backend,
        metadata={"description": "Knowledge-base backend name."},
    )
