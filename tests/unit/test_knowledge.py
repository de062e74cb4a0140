"""Knowledge base: SQLite index, ingestion, demo help centre and answer extraction."""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import pytest

from tools.knowledge import (
    Document,
    KnowledgeBase,
    Passage,
    SqliteKnowledgeBase,
    answer_sentences,
    ingest_path,
)
from tools.knowledge.bm25 import Bm25Params, query_term_weights
from tools.knowledge.demo import ARTICLES_DIR, ensure_demo_kb
from tools.knowledge.sentences import candidate_sentences, split_sentences


@pytest.fixture(scope="module")
def demo_kb() -> SqliteKnowledgeBase:
    kb = SqliteKnowledgeBase(":memory:", default_tenant="demo")
    report = ingest_path(kb, ARTICLES_DIR, "demo")
    assert report.errors == []
    return kb


def doc(source: str, title: str, text: str, tenant: str = "t1") -> Document:
    return Document(article_id=source, title=title, text=text, source=source, tenant=tenant)


# --- demo help centre -------------------------------------------------------------------


def test_demo_articles_are_focused_markdown() -> None:
    articles = sorted(ARTICLES_DIR.glob("*.md"))
    assert len(articles) >= 32
    for path in articles:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# "), path.name
        words = len(re.findall(r"\w+", text))
        assert 120 <= words <= 400, (path.name, words)


def test_demo_articles_agree_with_store_policy() -> None:
    corpus = {p.name: p.read_text(encoding="utf-8") for p in ARTICLES_DIR.glob("*.md")}
    everything = "\n".join(corpus.values())
    windows = {int(n) for n in re.findall(r"(\d+)[- ]day (?:return )?window", everything)}
    assert windows == {30}
    within = {
        int(n) for n in re.findall(r"within (\d+) days of (?:delivery|the delivery)", everything)
    }
    assert within == {30}
    assert "5 to 7 business days" in corpus["refund-timing.md"]
    assert "no longer needed" in corpus["cancel-an-order.md"]
    assert "ordered by mistake" in corpus["cancel-an-order.md"]
    assert "return requested" in corpus["return-policy.md"]
    assert "exchange requested" in corpus["exchanges.md"]
    for status in ("Pending", "Processed", "Delivered", "Cancelled"):
        assert f"## {status}" in corpus["order-status-meanings.md"]
    refund_timings = re.findall(r"(\d+) to (\d+) business days", everything)
    assert set(refund_timings) <= {("5", "7"), ("3", "5"), ("1", "2")}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("return policy", "return-policy"),
        ("What is your return policy?", "return-policy"),
        ("how long is the return window", "return-window"),
        ("how many days do I have to return something", "return-window"),
        ("how long does shipping take", "delivery-times"),
        ("how much does shipping cost", "shipping-options"),
        ("cancel my order", "cancel-an-order"),
        ("I forgot my password", "reset-password"),
        ("gift card balance", "gift-card-balance"),
        ("do you ship internationally?", "international-shipping"),
        ("exchange for a different size", "exchanges"),
        ("make a warranty claim", "warranty-claims"),
        ("my item arrived broken", "damaged-items"),
        ("talk to a human", "contact-a-human"),
        ("my card was declined", "failed-payment"),
        ("delete my account", "delete-account"),
    ],
)
def test_demo_ranking(demo_kb: SqliteKnowledgeBase, query: str, expected: str) -> None:
    results = demo_kb.search(query, k=3)
    assert results[0].article_id == expected, [p.article_id for p in results]


def test_search_returns_passages(demo_kb: SqliteKnowledgeBase) -> None:
    results = demo_kb.search("refund", k=4)
    assert 0 < len(results) <= 4
    assert all(isinstance(p, Passage) and p.tenant == "demo" for p in results)
    assert [p.score for p in results] == sorted((p.score for p in results), reverse=True)
    assert results[0].source.endswith(".md") and Path(results[0].source).is_file()
    assert isinstance(demo_kb, KnowledgeBase)


def test_ensure_demo_kb_is_incremental(tmp_path: Path) -> None:
    path = tmp_path / "kb" / "kb.sqlite"
    first = ensure_demo_kb(path, "acme")
    count = first.count("acme")
    first.close()
    second = ensure_demo_kb(path, "acme")
    assert second.count("acme") == count >= 32
    assert second.source_hashes("acme")
    assert second.search("return policy")[0].article_id == "return-policy"
    second.close()


# --- index ------------------------------------------------------------------------------


def test_title_outweighs_body() -> None:
    kb = SqliteKnowledgeBase()
    kb.upsert(doc("a", "Warranty coverage", "What the manufacturer covers for each product."))
    kb.upsert(doc("b", "Product care", "Keep the warranty card and the receipt in a safe place."))
    assert [p.article_id for p in kb.search("warranty", tenant="t1")] == ["a", "b"]


def test_tenant_isolation() -> None:
    kb = SqliteKnowledgeBase()
    kb.upsert(doc("a.md", "Refunds at Acme", "Acme refunds in three days.", tenant="acme"))
    kb.upsert(doc("b.md", "Refunds at Globex", "Globex refunds in ten days.", tenant="globex"))
    assert [p.tenant for p in kb.search("refunds", tenant="acme")] == ["acme"]
    assert [p.tenant for p in kb.search("refunds", tenant="globex")] == ["globex"]
    assert kb.search("refunds", tenant="initech") == []
    assert kb.search("Globex", tenant="acme") == []
    assert len(kb.search("refunds")) == 2
    scoped = SqliteKnowledgeBase(default_tenant="acme")
    scoped.upsert(doc("a.md", "Refunds at Acme", "Acme refunds.", tenant="acme"))
    scoped.upsert(doc("b.md", "Refunds at Globex", "Globex refunds.", tenant="globex"))
    assert [p.tenant for p in scoped.search("refunds")] == ["acme"]
    assert scoped.get("b.md") is None
    assert scoped.get("b.md", tenant="globex") is not None


HOSTILE = [
    '"',
    "'\"'\"",
    'return "policy',
    "AND",
    "return AND",
    "AND OR NOT",
    "return OR",
    "*",
    "refund*",
    "(return policy",
    "))((",
    "NEAR(return policy, 2)",
    "title:refund",
    "-return +policy ^refund",
    "{title body}: return",
    "😀🔥💥",
    "return 😀 policy",
    "\x00\x01",
    "x" * 10_240,
    ("return policy refund exchange " * 400)[:10_240],
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_never_raises(demo_kb: SqliteKnowledgeBase, query: str) -> None:
    results = demo_kb.search(query, k=5)
    assert isinstance(results, list)
    if re.search(r"return|refund", query):
        assert results


@pytest.mark.parametrize("query", ["", "   ", "?!", "the and of", "😀", "*()"])
def test_queries_without_content_words_return_nothing(
    demo_kb: SqliteKnowledgeBase, query: str
) -> None:
    assert demo_kb.search(query) == []
    assert query_term_weights(query, Bm25Params()) == {}


def test_query_terms_are_stems_weighted_by_repetition() -> None:
    weights = query_term_weights('Return "policy" AND refunds* refund', Bm25Params())
    assert list(weights) == ["return", "policy", "refund"]
    assert weights["return"] == 1.0
    assert 1.9 < weights["refund"] < 2.0
    assert "long" not in query_term_weights("How long do refunds take?", Bm25Params())
    many = " ".join(f"term{i}" for i in range(500)) + " term7"
    capped = query_term_weights(many, Bm25Params(max_query_terms=10))
    assert len(capped) == 10 and capped["term7"] > capped["term0"]


def test_upsert_outcomes_and_delete() -> None:
    kb = SqliteKnowledgeBase()
    assert kb.upsert(doc("a", "Alpha", "First text.")) == "added"
    assert kb.upsert(doc("a", "Alpha", "First text.")) == "unchanged"
    assert kb.upsert(doc("a", "Alpha", "Second text about zebras.")) == "updated"
    assert [p.article_id for p in kb.search("zebras", tenant="t1")] == ["a"]
    assert kb.search("first", tenant="t1") == []
    counts = kb.upsert_many([doc("b", "Beta", "x"), doc("a", "Alpha", "Second text about zebras.")])
    assert counts == {"added": 1, "updated": 0, "unchanged": 1}
    assert kb.count("t1") == 2
    assert kb.delete("a", "t1") is True
    assert kb.delete("a", "t1") is False
    assert kb.search("zebras", tenant="t1") == []
    assert kb.tenants() == ["t1"]


def test_concurrent_readers_and_writer() -> None:
    kb = SqliteKnowledgeBase()
    kb.upsert_many(doc(f"s{i}", f"Topic {i}", f"shared words number {i}") for i in range(50))
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(100):
                assert kb.search("shared words", k=5, tenant="t1")
        except BaseException as exc:
            errors.append(exc)

    def writer() -> None:
        try:
            for i in range(100):
                kb.upsert(doc(f"w{i}", f"Writer {i}", "shared words from the writer"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)] + [
        threading.Thread(target=writer)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert kb.count("t1") == 150


# --- ingestion --------------------------------------------------------------------------


def test_ingest_add_unchanged_update_remove(tmp_path: Path) -> None:
    root = tmp_path / "help"
    (root / "sub").mkdir(parents=True)
    (root / "returns.md").write_text("# Returns\n\nReturn items within 30 days.\n")
    (root / "sub" / "notes.txt").write_text("Plain text about parcels.\n")
    (root / "page.html").write_text("<title>Shipping</title><p>Parcels ship fast.</p>")
    (root / "image.png").write_bytes(b"\x89PNG\x00\x00")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "secret.md").write_text("# Secret\n\nHidden text.\n")
    kb = SqliteKnowledgeBase()
    calls: list[tuple[int, int, Path]] = []

    report = ingest_path(kb, root, "t1", progress=lambda d, t, p: calls.append((d, t, p)))
    assert (report.added, report.updated, report.unchanged, report.removed) == (3, 0, 0, 0)
    assert report.errors == []
    assert [(d, t) for d, t, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert {p.article_id for p in kb.search("parcels", tenant="t1")} == {"sub/notes", "page"}
    assert kb.search("hidden secret", tenant="t1") == []

    report = ingest_path(kb, root, "t1")
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 3, 0)

    (root / "returns.md").write_text("# Returns\n\nReturn items within 30 days, unopened.\n")
    (root / "sub" / "notes.txt").unlink()
    report = ingest_path(kb, root, "t1")
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, 1, 1)
    assert kb.count("t1") == 2
    assert kb.search("unopened", tenant="t1")[0].article_id == "returns"


def test_ingest_reports_bad_files_without_raising(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Good\n\nA readable article.\n")
    (tmp_path / "binary.md").write_bytes(b"# Bin\x00\x01\x02 binary")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("")
    kb = SqliteKnowledgeBase()
    report = ingest_path(kb, tmp_path, "t1")
    assert report.added == 1
    failed = {Path(error.path).name: error.message for error in report.errors}
    assert set(failed) == {"binary.md", "latin1.txt", "empty.txt"}
    assert "binary" in failed["binary.md"]
    assert "UTF-8" in failed["latin1.txt"]


def test_ingest_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.md").write_text("# Good\n\nA readable article.\n")
    blocked = tmp_path / "blocked.md"
    blocked.write_text("# Blocked\n\ntext\n")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "blocked.md":
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = ingest_path(SqliteKnowledgeBase(), tmp_path, "t1")
    assert report.added == 1
    assert [(Path(e.path).name, e.message) for e in report.errors] == [
        ("blocked.md", "cannot read file: Permission denied")
    ]


def test_ingest_single_file_and_missing_path(tmp_path: Path) -> None:
    page = tmp_path / "faq.md"
    page.write_text("No heading here, just text about lockers.\n")
    kb = SqliteKnowledgeBase()
    report = ingest_path(kb, page, "t1")
    assert report.added == 1
    result = kb.search("lockers", tenant="t1")[0]
    assert (result.article_id, result.title) == ("faq", "faq")
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF")
    assert len(ingest_path(kb, other, "t1").errors) == 1
    with pytest.raises(FileNotFoundError):
        ingest_path(kb, tmp_path / "nope", "t1")


def test_html_ingestion(tmp_path: Path) -> None:
    (tmp_path / "titled.html").write_text(
        "<html><head><title>Gift cards</title><style>.gc{color:red}</style>"
        "<script>var hiddenword = 1;</script></head><body><nav>Menu Home</nav>"
        "<h1>Using gift cards</h1><p>Gift card refunds are <b>immediate</b>.</p>"
        "<ul><li>Check the balance in your account.</li></ul></body></html>"
    )
    (tmp_path / "untitled.htm").write_text("<h1>Lost parcels</h1><p>Ask &amp; we help.</p>")
    kb = SqliteKnowledgeBase()
    assert ingest_path(kb, tmp_path, "t1").added == 2
    titled = kb.search("gift card refunds", tenant="t1")[0]
    assert titled.title == "Gift cards"
    assert "Gift card refunds are immediate." in titled.text
    assert "- Check the balance in your account." in titled.text
    assert "hiddenword" not in titled.text and "color" not in titled.text
    assert kb.search("hiddenword", tenant="t1") == []
    untitled = kb.search("parcels", tenant="t1")[0]
    assert untitled.title == "Lost parcels"
    assert untitled.text == "Ask & we help."


def test_markdown_title_and_inline_markup(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text(
        "Intro line.\n\n# Real **title**\n\nSee [the form](https://e.x/f) and `code`.\n"
    )
    kb = SqliteKnowledgeBase()
    ingest_path(kb, tmp_path, "t1")
    passage = kb.search("form", tenant="t1")[0]
    assert passage.title == "Real title"
    assert "See the form and code." in passage.text
    assert "https://" not in passage.text


# --- answer extraction ------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_answer_sentences_return_policy(demo_kb: SqliteKnowledgeBase) -> None:
    query = "what is your return policy?"
    passages = demo_kb.search(query, k=5)
    evidence = answer_sentences(query, passages)
    assert 1 <= len(evidence) <= 3
    assert evidence[0].article_id == "return-policy"
    assert "30 days" in evidence[0].text
    assert any("delivered" in e.text for e in evidence)
    by_id = {p.article_id: p for p in passages}
    for item in evidence:
        assert item.title == by_id[item.article_id].title
        assert item.source == by_id[item.article_id].source
        assert _words(item.text) <= _words(by_id[item.article_id].text)
        assert not item.text.startswith("#") and not item.text.endswith("?")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how long do refunds take?", "5 to 7 business days"),
        ("how long do I have to return an item?", "30 days"),
        ("can I cancel my order?", "cancel"),
        ("what payment methods do you accept?", "PayPal"),
        ("do you ship internationally?", "United States"),
    ],
)
def test_answer_sentences_demo_questions(
    demo_kb: SqliteKnowledgeBase, query: str, expected: str
) -> None:
    evidence = answer_sentences(query, demo_kb.search(query, k=5))
    assert any(expected in e.text for e in evidence), [e.text for e in evidence]


def test_a_duration_question_quotes_only_its_topic(demo_kb: SqliteKnowledgeBase) -> None:
    query = "How long do refunds take?"
    evidence = answer_sentences(query, demo_kb.search(query, k=5))
    assert evidence and all("refund" in e.text.lower() for e in evidence), [
        e.text for e in evidence
    ]


def test_answer_sentences_skips_headings_questions_and_fragments() -> None:
    passage = Passage(
        article_id="refunds",
        title="Refunds",
        text=(
            "## Refund timing\n\nWhen do I get my refund?\n\nRefund.\n\n"
            "Refunds to a gift card are immediate; card refunds take 5 to 7 business days.\n\n"
            "Our office dog is called Biscuit."
        ),
        source="refunds.md",
        score=1.0,
        tenant="t1",
    )
    evidence = answer_sentences("when do I get my refund", [passage], max_sentences=3)
    assert [e.text for e in evidence] == [
        "Refunds to a gift card are immediate; card refunds take 5 to 7 business days."
    ]
    assert answer_sentences("", [passage]) == []
    assert answer_sentences("refund", []) == []
    assert answer_sentences("refund", [passage], max_sentences=0) == []


def test_candidate_sentences_and_splitting() -> None:
    assert split_sentences("Ship it, e.g. by post. Then wait 3 days! Done?") == [
        "Ship it, e.g. by post.",
        "Then wait 3 days!",
        "Done?",
    ]
    text = (
        "# Title\n\nWe accept three payment methods:\n\n- Credit cards.\n- PayPal accounts.\n"
        "- Gift cards.\n\n```\ncode sample line here\n```\n"
    )
    assert candidate_sentences(text) == [
        "We accept three payment methods: Credit cards; PayPal accounts; Gift cards."
    ]


def test_index_from_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    SqliteKnowledgeBase(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(sqlite3.DatabaseError, match="index version 99"):
        SqliteKnowledgeBase(path)


def test_version_1_index_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    with SqliteKnowledgeBase(path) as kb:
        kb.upsert(doc("a", "Refund timing", "Refunds reach the card in five days."))
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE documents_fts USING fts5(title_terms, body_terms)")
    conn.execute("CREATE TABLE corpus_stats (id INTEGER PRIMARY KEY, documents INTEGER)")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    with SqliteKnowledgeBase(path) as kb:
        assert [p.article_id for p in kb.search("refund", tenant="t1")] == ["a"]
        tables = {row[0] for row in kb._conn.execute("SELECT name FROM sqlite_master")}
    assert "documents_fts" not in tables and "corpus_stats" not in tables
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


def test_search_sees_writes_from_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    with SqliteKnowledgeBase(path) as writer, SqliteKnowledgeBase(path) as reader:
        writer.upsert(doc("a", "Lockers", "Parcel lockers hold orders for three days."))
        assert [p.article_id for p in reader.search("lockers", tenant="t1")] == ["a"]
        writer.upsert(doc("b", "Lockers abroad", "Lockers in other countries."))
        assert {p.article_id for p in reader.search("lockers", tenant="t1")} == {"a", "b"}
        writer.delete("a", "t1")
        assert [p.article_id for p in reader.search("lockers", tenant="t1")] == ["b"]


def test_long_messages_damp_the_weight_of_rare_words() -> None:
    kb = SqliteKnowledgeBase(default_tenant="t1")
    kb.upsert_many(
        [doc("refunds", "Refunds", "A refund reaches your card within a week.")]
        + [doc(f"r{i}", f"Topic {i}", f"Orders and refund notes {i}.") for i in range(7)]
        + [doc(f"s{i}", f"Topic {i}", f"Shipping notes {i}.") for i in range(11)]
        + [doc("zanzibar", "Zanzibar", "Our Zanzibar office opens at nine.")]
    )
    # A short question keeps the full IDF: the rare word decides.
    assert kb.search("refund refund zanzibar", k=1)[0].article_id == "zanzibar"
    # In a long message, the topic it repeats outweighs a rare word said once.
    filler = " ".join(f"word{i}" for i in range(20))
    message = f"Where is my refund? Zanzibar. The refund is late. {filler}"
    assert kb.search(message, k=1)[0].article_id == "refunds"


def test_term_counts_match_scikit_learns_count_vectorizer():
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    from tools.knowledge.bm25 import count_terms

    texts = ["refund refund card", "", "card arriv late late late", "zeta alpha"]
    counts, vocabulary = count_terms(texts)
    reference = CountVectorizer(analyzer=str.split, dtype=np.float32)
    expected = reference.fit_transform(texts)
    assert vocabulary == {term: int(i) for term, i in reference.vocabulary_.items()}
    assert np.array_equal(counts.toarray(), expected.toarray())
