"""GraphQL beside the REST API: the same callers, roles and ownership rules, over `/graphql`.

Queries read conversations, transcripts, the handoff queue, customers, orders and the
dashboard by calling the REST routes' own functions; subscriptions (graphql-transport-ws)
follow the live queue and a conversation's events.
"""

from server.graphql.router import graphql_router

__all__ = ["graphql_router"]
