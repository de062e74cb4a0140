"""Knowledge base: help-centre articles indexed for retrieval and grounded answers.

`SqliteKnowledgeBase` stores documents in SQLite and ranks them with BM25F,
`ingest_path` keeps an index in step with a folder of Markdown, HTML and text files,
and `answer_sentences` picks the sentences of retrieved passages that answer a query.
"""

from tools.knowledge.base import Document, KnowledgeBase, Passage
from tools.knowledge.extract import Evidence, answer_sentences
from tools.knowledge.ingest import IngestError, IngestReport, ingest_path
from tools.knowledge.sqlite_index import SqliteKnowledgeBase

__all__ = [
    "Document",
    "Evidence",
    "IngestError",
    "IngestReport",
    "KnowledgeBase",
    "Passage",
    "SqliteKnowledgeBase",
    "answer_sentences",
    "ingest_path",
]
