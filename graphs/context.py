"""Run-time context of the support graph (`context_schema`), fixed for one run.

The channel fills it per request: who the authenticated customer is and, when a run
should differ from the deployment's defaults, which tenant and which model. Nodes read it
through `Runtime[Context]`; none of it is checkpointed, so a customer cannot change it by
typing. Each field is read by a node (see `graphs.services.Services` for the defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(kw_only=True)
class Context:
    """Per-run configuration of the support graph."""

    customer_id: str | None = field(
        default=None,
        metadata={
            "description": "User id of the authenticated customer, set by the channel; "
            "None means the customer must identify by email or name + zip."
        },
    )
    model: str | None = field(
        default=None,
        metadata={
            "description": "init_chat_model string to draft with for this run (e.g. "
            "'bedrock_converse:anthropic.claude-3-5-sonnet-20240620-v1:0'); an empty string "
            "uses the deterministic grounded drafter; unset: the deployment's TANDEM_MODEL."
        },
    )
    tenant: str | None = field(
        default=None,
        metadata={
            "description": "Tenant whose help centre is searched; unset: the deployment's "
            "TANDEM_TENANT."
        },
    )
