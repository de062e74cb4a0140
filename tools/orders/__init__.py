"""The order store: τ-bench's retail data model and tools, on SQLite or DynamoDB.

`OrderStore` is the interface the chat graph uses; `SqliteOrderStore` implements it, and
so does `tools.orders.dynamodb_store.DynamoDBOrderStore` (imported from there, so the
embedded profile does not load boto3); the composition root (`wiring.backends`) picks
one from settings.
`tools.orders.seed` builds the demo store, `tools.orders.tau_format` reads τ-bench data
and computes its state hash, and `tools.orders.replay_tools` runs tools by name the way
τ-bench's environment does.
"""

from tools.orders.replay_tools import (
    calculate,
    invoke_tool,
    run_tool,
    think,
    transfer_to_human_agents,
)
from tools.orders.seed import ensure_seeded, generate_demo_data, seed_store
from tools.orders.sqlite_store import SqliteOrderStore
from tools.orders.store import JsonDict, OrderStore, OrderToolError
from tools.orders.tau_format import (
    StateHasher,
    changed_records,
    load_tau_dir,
    state_sha256,
    to_hashable,
)

__all__ = [
    "JsonDict",
    "OrderStore",
    "OrderToolError",
    "SqliteOrderStore",
    "StateHasher",
    "calculate",
    "changed_records",
    "ensure_seeded",
    "generate_demo_data",
    "invoke_tool",
    "load_tau_dir",
    "run_tool",
    "seed_store",
    "state_sha256",
    "think",
    "to_hashable",
    "transfer_to_human_agents",
]
