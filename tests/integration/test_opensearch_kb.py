"""The OpenSearch knowledge base against a real single-node OpenSearch with k-NN."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from opensearchpy import OpenSearch
from typer.testing import CliRunner

from cli.kb import kb_app
from config.settings import Settings, get_settings
from tools.embeddings.base import HashingEmbedder
from tools.knowledge.base import Document
from tools.knowledge.bm25 import Bm25Params
from tools.knowledge.demo import ARTICLES_DIR
from tools.knowledge.ingest import ingest_path
from tools.knowledge.opensearch_client import connect
from tools.knowledge.opensearch_index import OpenSearchKnowledgeBase, document_id
from tools.knowledge.opensearch_schema import IndexMismatch, ensure_index
from tools.knowledge.sqlite_index import SqliteKnowledgeBase
from wiring.backends import open_knowledge_base

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

CLI_ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def doc(source: str, title: str, text: str, tenant: str = "acme") -> Document:
    return Document(
        article_id=Path(source).stem, title=title, text=text, source=source, tenant=tenant
    )


HELP_CENTRE = [
    doc("returns.md", "Returns", "Return unworn items within 30 days of delivery for a refund."),
    doc("giftcards.md", "Gift card balance", "Check the balance of a gift card in your wallet."),
    doc("shipping.md", "Shipping times", "Parcels ship within 3 business days by courier."),
    doc("other-returns.md", "Returns", "Returns are accepted for 90 days.", tenant="globex"),
]


@pytest.fixture
def client(opensearch_url: str) -> Iterator[OpenSearch]:
    os_client = connect(opensearch_url)
    yield os_client
    os_client.close()


@pytest.fixture
def index_name(client: OpenSearch) -> Iterator[str]:
    name = f"test-kb-{uuid.uuid4().hex[:10]}"
    yield name
    client.indices.delete(index=name, ignore_unavailable=True)


def open_kb(client: OpenSearch, index_name: str, hybrid: bool = True) -> OpenSearchKnowledgeBase:
    embedder = HashingEmbedder(64) if hybrid else None
    return OpenSearchKnowledgeBase(client, index_name, embedder=embedder, dimension=64)


def test_ensure_index_creates_once_and_refuses_another_dimension(
    client: OpenSearch, index_name: str
) -> None:
    assert ensure_index(client, index_name, 64) is True
    assert ensure_index(client, index_name, 64) is False
    mapping = client.indices.get_mapping(index=index_name)[index_name]["mappings"]
    vector = mapping["properties"]["embedding"]
    assert vector["type"] == "knn_vector" and vector["dimension"] == 64
    assert mapping["properties"]["title"]["type"] == "text"
    with pytest.raises(IndexMismatch, match="64-dimensional"):
        ensure_index(client, index_name, 128)
    # Title stems are written title-weight times, so another weight needs a new index.
    with pytest.raises(IndexMismatch, match="title weight 4"):
        ensure_index(client, index_name, 64, Bm25Params(title_weight=4.0))


def test_bm25_search_ranks_matches_and_never_crosses_tenants(
    client: OpenSearch, index_name: str
) -> None:
    kb = open_kb(client, index_name, hybrid=False)
    assert kb.upsert_many(HELP_CENTRE) == {"added": 4, "updated": 0, "unchanged": 0}
    results = kb.search("how do I return my shoes for a refund", k=3, tenant="acme")
    assert results[0].article_id == "returns"
    assert results[0].score > 0
    assert {p.tenant for p in results} == {"acme"}
    globex = kb.search("returns", tenant="globex")
    assert [p.article_id for p in globex] == ["other-returns"]
    assert kb.search("   ", tenant="acme") == []
    assert kb.search("returns", k=0, tenant="acme") == []


def test_hybrid_search_finds_what_words_alone_miss(client: OpenSearch, index_name: str) -> None:
    hybrid = open_kb(client, index_name)
    hybrid.upsert_many(HELP_CENTRE)
    # "giftcards" shares no word with any article, only character trigrams with "gift card".
    assert open_kb(client, index_name, hybrid=False).search("giftcards", tenant="acme") == []
    results = hybrid.search("giftcards", k=2, tenant="acme")
    assert results[0].article_id == "giftcards"
    assert all(p.tenant == "acme" for p in results)
    # Fused scores are weighted sums of min-max-scaled scores: the best is in (0, 2].
    assert 0 < results[0].score <= 2
    both = hybrid.search("return within 30 days", k=3, tenant="acme")
    assert both[0].article_id == "returns"
    acme = hybrid.search("returns", k=10, tenant="acme")
    assert "other-returns" not in {p.article_id for p in acme}
    # The tenant filter applies inside the k-NN query too, not only to BM25.
    assert [p.article_id for p in hybrid.search("giftcards", k=10, tenant="globex")] == [
        "other-returns"
    ]


def test_upsert_outcomes_hashes_delete_and_counts(client: OpenSearch, index_name: str) -> None:
    kb = open_kb(client, index_name)
    kb.upsert_many(HELP_CENTRE)
    assert kb.upsert(HELP_CENTRE[0]) == "unchanged"
    changed = doc("returns.md", "Returns", "Return items within 60 days.")
    assert kb.upsert(changed) == "updated"
    assert kb.get("returns", tenant="acme").text == "Return items within 60 days."  # type: ignore[union-attr]
    assert kb.count("acme") == 3 and kb.count() == 4
    assert kb.tenants() == ["acme", "globex"]
    hashes = kb.source_hashes("acme", under="gift")
    assert hashes == {"giftcards.md": HELP_CENTRE[1].effective_hash()}
    assert kb.delete("shipping.md", "acme") is True
    assert kb.delete("shipping.md", "acme") is False
    assert kb.count("acme") == 2
    assert kb.get("shipping", tenant="acme") is None


def test_ingest_folder_in_bulk_with_progress_then_skip_unchanged(
    client: OpenSearch, index_name: str
) -> None:
    kb = open_kb(client, index_name)
    calls: list[tuple[int, int]] = []
    report = ingest_path(kb, ARTICLES_DIR, "demo", progress=lambda d, t, _: calls.append((d, t)))
    total = len(list(ARTICLES_DIR.glob("*.md")))
    assert report.added == total and not report.errors
    assert [done for done, _ in calls] == list(range(1, total + 1))
    assert kb.count("demo") == total
    again = ingest_path(kb, ARTICLES_DIR, "demo")
    assert again.unchanged == total and again.added == again.updated == 0
    best = kb.search("how long do refunds take to reach my card", k=3, tenant="demo")
    assert best and all(p.source.startswith(str(ARTICLES_DIR)) for p in best)


def test_settings_select_opensearch_for_the_graph_and_the_cli(
    opensearch_url: str,
    index_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "help"
    folder.mkdir()
    (folder / "returns.md").write_text("# Returns\n\nReturn items within 30 days of delivery.\n")
    (folder / "shipping.md").write_text("# Shipping\n\nParcels ship in 3 business days.\n")
    env = {
        "TANDEM_KB_BACKEND": "opensearch",
        "TANDEM_OPENSEARCH_URL": opensearch_url,
        "TANDEM_OPENSEARCH_INDEX": index_name,
        "TANDEM_EMBEDDER": "hashing",
        "TANDEM_DATA_DIR": str(tmp_path / "data"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(kb_app, ["ingest", str(folder), "--tenant", "acme"], env=CLI_ENV)
        assert result.exit_code == 0, result.output
        assert "2 document(s) indexed for tenant acme" in result.output
        assert index_name in result.output
        found = runner.invoke(kb_app, ["search", "ship parcels", "-t", "acme"], env=CLI_ENV)
        assert found.exit_code == 0, found.output
        assert "Shipping" in found.output
    finally:
        get_settings.cache_clear()
    kb = open_knowledge_base(Settings(tenant="acme"))
    assert isinstance(kb, OpenSearchKnowledgeBase)
    assert kb.search("return window")[0].article_id == "returns"
    kb.close()


def test_cli_reports_an_unreachable_node_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.loopback import free_port

    monkeypatch.setenv("TANDEM_KB_BACKEND", "opensearch")
    monkeypatch.setenv("TANDEM_OPENSEARCH_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(kb_app, ["search", "refund"], env=CLI_ENV)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "cannot reach OpenSearch at http://127.0.0.1:" in result.output
    assert "Traceback" not in result.output


def test_long_messages_damp_rare_words_as_the_embedded_backend_does(
    client: OpenSearch, index_name: str
) -> None:
    kb = open_kb(client, index_name, hybrid=False)
    kb.upsert_many(
        [doc("refunds.md", "Note", "Refund status: a refund reaches your card in a week.")]
        + [doc(f"r{i}.md", f"Note {i}", f"Orders and refund notes {i}.") for i in range(7)]
        + [doc(f"s{i}.md", f"Note {i}", f"Shipping notes {i}.") for i in range(11)]
        + [doc("zanzibar.md", "Note", "Zanzibar office: our Zanzibar desk opens at nine.")]
    )
    # A short question keeps the full IDF: the rare word decides.
    assert kb.search("refund refund zanzibar", k=1, tenant="acme")[0].article_id == "zanzibar"
    # In a long message, the topic it repeats outweighs a rare word said once.
    filler = " ".join(f"word{i}" for i in range(20))
    message = f"Where is my refund? Zanzibar. The refund is late. {filler}"
    assert kb.search(message, k=1, tenant="acme")[0].article_id == "refunds"


TOPICS = ("savings", "mortgages", "pensions", "loans", "insurance", "overdrafts", "statements")
CARD_CENTRE = [
    doc(
        "chargebacks.md",
        "Chargebacks",
        "If a merchant will not refund you, we raise a chargeback with the network for you. "
        "Tell us the date and the amount; we reply within ten business days.",
    ),
    doc(
        "card-limits.md",
        "Card limits",
        "Your card has daily limits for payments and cash. Raise a card limit in the app "
        "under card settings.",
    ),
] + [
    doc(
        f"{topic}.md",
        topic.capitalize(),
        f"Our {topic} page explains {topic} for customers. Pay {topic} fees with your card "
        "or by transfer; the card must be active.",
    )
    for topic in TOPICS
]
PASTED_MESSAGE = (
    "Hi, my card was charged twice by a shop. The card payment shows twice on my card "
    "statement. I used the same card in the shop and the card terminal failed, so the cashier "
    "swiped my card again. The shop refuses a refund. Can you open a chargeback? How does a "
    "chargeback work for my card?"
)


def test_long_pasted_messages_rank_as_the_embedded_backend_ranks_them(
    client: OpenSearch, index_name: str
) -> None:
    kb = open_kb(client, index_name, hybrid=False)
    kb.upsert_many(CARD_CENTRE)
    embedded = SqliteKnowledgeBase(default_tenant="acme")
    embedded.upsert_many(CARD_CENTRE)
    # "card" is in every article, so the repeated common word must not outweigh the topic
    # (per-field statistics made the one title with "card" in it win).
    found = kb.search(PASTED_MESSAGE, k=3, tenant="acme")
    expected = embedded.search(PASTED_MESSAGE, k=3, tenant="acme")
    embedded.close()
    assert [p.article_id for p in found] == [p.article_id for p in expected]
    assert found[0].article_id == "chargebacks"
    assert [p.score for p in found] == pytest.approx([p.score for p in expected], rel=1e-5)


def test_messages_with_hundreds_of_distinct_words_keep_every_stem(
    client: OpenSearch, index_name: str
) -> None:
    kb = open_kb(client, index_name, hybrid=False)
    kb.upsert_many([*HELP_CENTRE, doc("logs.md", "Logs", "Paste logs here: zeta777.")])
    # 400 distinct words said once, then the one that matters, also said once.
    message = " ".join(f"word{i}" for i in range(400)) + " zeta777"
    assert [p.article_id for p in kb.search(message, k=3, tenant="acme")] == ["logs"]


SCHEMA_2 = {
    "settings": {"index": {"knn": True, "number_of_shards": 1, "number_of_replicas": 0}},
    "mappings": {
        "dynamic": "strict",
        "_meta": {"schema_version": 2, "dimension": 64},
        "properties": {
            **{name: {"type": "keyword"} for name in ("tenant", "source", "article_id")},
            "title": {"type": "text", "analyzer": "english"},
            "text": {"type": "text", "analyzer": "english"},
            "content_hash": {"type": "keyword", "index": False},
            "embedder": {"type": "keyword"},
            "updated_at": {"type": "date", "format": "epoch_millis"},
            "embedding": {
                "type": "knn_vector",
                "dimension": 64,
                "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"},
            },
        },
    },
}


def test_an_index_of_the_previous_schema_is_refused_then_migrated_in_place(
    client: OpenSearch,
    index_name: str,
    opensearch_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client.indices.create(index=index_name, body=SCHEMA_2)
    embedder = HashingEmbedder(64)
    for document in HELP_CENTRE:
        vector = embedder.embed([f"{document.title}\n\n{document.text}"])[0].tolist()
        source = {
            "tenant": document.tenant,
            "source": document.source,
            "article_id": document.article_id,
            "title": document.title,
            "text": document.text,
            "content_hash": document.effective_hash(),
            "embedding": vector,
        }
        client.index(
            index=index_name, id=document_id(document.tenant, document.source), body=source
        )
    client.indices.refresh(index=index_name)
    with pytest.raises(IndexMismatch, match="tandem kb migrate"):
        open_kb(client, index_name)
    env = {
        "TANDEM_KB_BACKEND": "opensearch",
        "TANDEM_OPENSEARCH_URL": opensearch_url,
        "TANDEM_OPENSEARCH_INDEX": index_name,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(kb_app, ["migrate"], env=CLI_ENV)
        assert result.exit_code == 0, result.output
        assert "4 article(s) upgraded" in result.output
        again = CliRunner().invoke(kb_app, ["migrate"], env=CLI_ENV)
        assert again.exit_code == 0 and "already has the current schema" in again.output
    finally:
        get_settings.cache_clear()
    kb = open_kb(client, index_name)
    assert kb.search("refund for my shoes", k=1, tenant="acme")[0].article_id == "returns"
    # The stored vectors were kept: the k-NN side still finds what words miss.
    assert kb.search("giftcards", k=1, tenant="acme")[0].article_id == "giftcards"
    assert kb.upsert(HELP_CENTRE[0]) == "unchanged"
