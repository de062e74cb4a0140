"""Persisted queries: documents sent by their sha256 hash (Apollo's APQ protocol).

A request with `extensions.persistedQuery.sha256Hash` and no `query` runs the document
known under that hash: one from the allow-list file, or (unless only the allow-list may
run) one a client registered earlier by sending hash and document together. An unknown
hash answers `PERSISTED_QUERY_NOT_FOUND`, which tells APQ clients to send the document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from cachetools import LRUCache
from strawberry.extensions import SchemaExtension

from server.graphql.errors import graphql_error

REGISTERED_LIMIT = 1000
"""Documents registered by clients that are kept (least recently used ones go)."""


def document_hash(query: str) -> str:
    """The sha256 hex digest APQ clients send for `query`."""
    return hashlib.sha256(query.encode()).hexdigest()


class PersistedQueryStore:
    """The allow-list and, unless `only` is set, the documents clients registered."""

    def __init__(self, allow_list: dict[str, str], only: bool) -> None:
        for digest, query in allow_list.items():
            if document_hash(query) != digest:
                raise ValueError(f"persisted query {digest[:12]}… does not hash to its key")
        self.allow_list = dict(allow_list)
        self.only = only
        self.registered: LRUCache[str, str] = LRUCache(REGISTERED_LIMIT)

    @classmethod
    def from_file(cls, path: Path | None, only: bool) -> PersistedQueryStore:
        """Load the allow-list (a JSON object of hash to document); none: empty."""
        allow_list = json.loads(path.read_text()) if path else {}
        if not isinstance(allow_list, dict):
            raise ValueError(f"{path} must hold a JSON object of sha256 hash to query")
        return cls(allow_list, only)

    def lookup(self, digest: str) -> str | None:
        """The document known under `digest`, if any."""
        return self.allow_list.get(digest) or self.registered.get(digest)

    def resolve(self, query: str | None, persisted: object) -> str | None:
        """The document to run for a request; raise a GraphQL error when it may not run."""
        if persisted is None:
            if self.only:
                raise graphql_error(
                    "persisted_query_required", "Only persisted queries run on this server."
                )
            return query
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str) or not digest:
            raise graphql_error(
                "invalid_persisted_query", "persistedQuery needs a sha256Hash string."
            )
        if query is None:
            known = self.lookup(digest)
            if known is None:
                raise graphql_error("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return known
        if document_hash(query) != digest:
            raise graphql_error(
                "persisted_query_hash_mismatch", "sha256Hash is not the hash of the query."
            )
        if self.only and digest not in self.allow_list:
            raise graphql_error(
                "persisted_query_not_allowed", "This query is not on the server's allow-list."
            )
        if not self.only:
            self.registered[digest] = query
        return query


class PersistedQueries(SchemaExtension):
    """Puts the persisted document in place before the operation is parsed."""

    def __init__(self, store: PersistedQueryStore) -> None:
        self.store = store

    def on_operation(self) -> Iterator[None]:
        """Resolve the request's document from its hash (or refuse it)."""
        context = self.execution_context
        persisted = (context.operation_extensions or {}).get("persistedQuery")
        context.query = self.store.resolve(context.query, persisted)
        yield
