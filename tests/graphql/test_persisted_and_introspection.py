"""Persisted queries (APQ and an allow-list) and introspection by setting."""

from __future__ import annotations

import json

from server.graphql.persisted import document_hash
from tests.graphql.conftest import codes

QUERY = "{ conversations { items { id } } }"


def persisted(query: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": document_hash(query)}}


def test_clients_register_and_reuse_a_document_by_its_hash(gapi):
    alex = gapi.customer()
    conversation = gapi.new_conversation(alex)
    unknown = gapi.gql(None, alex, extensions=persisted(QUERY))
    assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]

    registered = gapi.gql(QUERY, alex, extensions=persisted(QUERY))
    assert registered["data"]["conversations"]["items"] == [{"id": conversation}]
    by_hash = gapi.gql(None, alex, extensions=persisted(QUERY))
    assert by_hash == registered

    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    assert codes(gapi.gql(QUERY, alex, extensions=wrong)) == ["persisted_query_hash_mismatch"]


def test_an_allow_list_runs_only_its_documents(make_api, tmp_path):
    allow_list = tmp_path / "persisted.json"
    allow_list.write_text(json.dumps({document_hash(QUERY): QUERY}))
    gapi = make_api(graphql_persisted_queries=allow_list, graphql_persisted_only=True)
    alex = gapi.customer()
    gapi.new_conversation(alex)

    listed = gapi.gql(None, alex, extensions=persisted(QUERY))
    assert len(listed["data"]["conversations"]["items"]) == 1
    other = "{ conversations { nextOffset } }"
    assert codes(gapi.gql(other, alex)) == ["persisted_query_required"]
    assert codes(gapi.gql(other, alex, extensions=persisted(other))) == [
        "persisted_query_not_allowed"
    ]
    assert codes(gapi.gql(None, alex, extensions=persisted(other))) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_introspection_follows_the_setting(make_api):
    introspect = "{ __schema { queryType { name } } }"
    closed = make_api(graphql_introspection=False)
    refused = closed.gql(introspect, closed.customer())
    assert refused.get("data") is None and "introspection" in refused["errors"][0]["message"]

    opened = make_api(graphql_introspection=True)
    answer = opened.gql(introspect, opened.customer())
    assert answer["data"]["__schema"]["queryType"]["name"] == "Query"


def test_production_auth_turns_introspection_off_by_default(settings):
    from server.graphql.router import introspection_enabled

    assert introspection_enabled(settings)  # auth_mode local: development
    settings.auth_mode = "cognito"
    assert not introspection_enabled(settings)
    settings.graphql_introspection = True
    assert introspection_enabled(settings)
