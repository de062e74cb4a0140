"""Build each library backend the settings select: orders, help centre, engines, models.

Every function takes the settings and returns a ready object from `tools/` or `graphs/`;
this is the only place where a backend name (`sqlite`, `dynamodb`, `opensearch`, ...)
becomes code.
"""

from __future__ import annotations

from functools import partial

from config.private_files import private_file
from config.settings import Settings
from graphs.services import ModelLoader, TurnLimits
from prompts.catalogue import IntentCatalogue
from tools.embeddings.base import Embedder, HashingEmbedder
from tools.intent import IntentClassifier
from tools.knowledge.base import KnowledgeBase
from tools.orders.store import OrderStore
from tools.pii import CachingRedactor, PatternPiiRedactor, PiiRedactor
from tools.sentiment import SentimentAnalyzer, VaderSentimentAnalyzer
from tools.understanding_endpoint import IntentEngine

DEFAULT_HASHING_DIMENSION = 384


def open_order_store(settings: Settings) -> OrderStore:
    """The order store `orders_backend` selects: the seeded SQLite demo shop, or DynamoDB."""
    if settings.orders_backend == "dynamodb":
        from cloud.aws import aws_client
        from tools.orders.dynamodb_store import DynamoDBOrderStore

        client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
        return DynamoDBOrderStore(client, settings.orders_table)
    from tools.orders.seed import ensure_seeded

    return ensure_seeded(private_file(settings.orders_db))


def build_embedder(settings: Settings) -> Embedder:
    """The embedder `embedder` names (and `embedding_dimension`).

    Raises RuntimeError with an install hint when the pretrained encoder is not installed,
    and ValueError for a dimension the chosen model cannot produce.
    """
    if settings.embedder == "titan":
        from tools.embeddings.titan import TitanEmbedder

        return TitanEmbedder.from_settings(
            region=settings.aws_region,
            endpoint_url=settings.bedrock_endpoint_url,
            model_id=settings.titan_model_id,
            dimension=settings.embedding_dimension,
        )
    if settings.embedder == "pretrained":
        from tools.embeddings.encoders import load_sentence_embedder

        embedder: Embedder = load_sentence_embedder()
        wanted = settings.embedding_dimension
        if wanted is not None and wanted != embedder.dimension:
            raise ValueError(
                f"the pretrained encoder returns {embedder.dimension} dimensions, not {wanted}"
            )
        return embedder
    return HashingEmbedder(settings.embedding_dimension or DEFAULT_HASHING_DIMENSION)


def open_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The help centre `kb_backend` selects: the seeded SQLite index, or OpenSearch.

    OpenSearch raises `OpenSearchUnavailable` (endpoint in the message) when the node
    cannot be reached or refuses the index, `IndexMismatch` for vectors of another size
    or an index of an older schema (`tandem kb migrate` upgrades it).
    """
    if settings.kb_backend == "opensearch":
        from tools.knowledge.opensearch_backend import open_opensearch_kb

        return open_opensearch_kb(
            settings.opensearch_url,
            settings.opensearch_index,
            settings.aws_region,
            build_embedder(settings),
            default_tenant=settings.tenant,
        )
    from tools.knowledge.demo import ensure_demo_kb

    embedder = build_embedder(settings) if embedded_kb_is_hybrid(settings) else None
    return ensure_demo_kb(private_file(settings.kb_db), settings.tenant, embedder)


def embedded_kb_is_hybrid(settings: Settings) -> bool:
    """Whether the SQLite help centre also ranks by the configured embedder's vectors.

    `kb_hybrid=auto` does with a real encoder (`pretrained`, `titan`), not with the hashing
    stand-in, whose vectors add nothing a word index does not already have.
    """
    if settings.kb_hybrid == "auto":
        return settings.embedder != "hashing"
    return settings.kb_hybrid == "on"


def build_sentiment_analyzer(settings: Settings) -> SentimentAnalyzer:
    """The analyzer `sentiment_backend` names: VADER, the learned model, or Comprehend."""
    if settings.sentiment_backend == "comprehend":
        from tools.comprehend import ComprehendSentimentAnalyzer, comprehend_client

        client = comprehend_client(settings.aws_region, settings.comprehend_endpoint_url)
        return ComprehendSentimentAnalyzer(
            client, settings.comprehend_language, VaderSentimentAnalyzer()
        )
    if settings.sentiment_backend == "learned":
        from tools.sentiment_learned import LearnedSentimentAnalyzer

        return LearnedSentimentAnalyzer.from_file(settings.sentiment_model_path)
    return VaderSentimentAnalyzer()


def build_pii_redactor(settings: Settings) -> PiiRedactor:
    """The redactor `pii_backend` names: the offline patterns, or Comprehend plus them."""
    if settings.pii_backend == "comprehend":
        from tools.comprehend import ComprehendPiiRedactor, comprehend_client

        client = comprehend_client(settings.aws_region, settings.comprehend_endpoint_url)
        return CachingRedactor(ComprehendPiiRedactor(client, settings.comprehend_language))
    return CachingRedactor(PatternPiiRedactor())


def load_intent_classifier(settings: Settings, catalogue: IntentCatalogue) -> IntentClassifier:
    """The intent classifier for `catalogue`, trained once and cached under the data folder.

    The encoder's graph with the layers the features use is cached there too.
    """
    from tools.embeddings.layer_graph import configure_layer_graph_cache
    from tools.embeddings.split_package import configure_model_cache

    configure_model_cache(settings.model_cache)
    configure_layer_graph_cache(settings.cache_dir / "encoders")
    return IntentClassifier.load_or_train(
        catalogue,
        settings.cache_dir,
        settings.intent_encoder,
        preferences=settings.intent_encoder_models,
    )


def understanding_engines(
    settings: Settings, catalogue: IntentCatalogue
) -> tuple[IntentEngine, SentimentAnalyzer]:
    """The intent classifier and sentiment analyzer the graph uses.

    In process; or, with `understanding_endpoint` set, the SageMaker endpoint serving them,
    with the in-process engines answering when it fails.
    """
    classifier = load_intent_classifier(settings, catalogue)
    sentiment = build_sentiment_analyzer(settings)
    if not settings.understanding_endpoint:
        return classifier, sentiment
    from botocore.config import Config

    from cloud.aws import aws_client
    from tools.understanding_endpoint import EndpointUnderstanding

    timeout = settings.understanding_endpoint_timeout_seconds
    config = Config(
        connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1}
    )
    client = aws_client(
        "sagemaker-runtime", settings.aws_region, settings.sagemaker_endpoint_url, config=config
    )
    remote = EndpointUnderstanding(client, settings.understanding_endpoint, classifier, sentiment)
    return remote, remote


def chat_model_loader(settings: Settings) -> ModelLoader:
    """Turns model names into chat models with the configured region, endpoint and retries."""
    from graphs.drafting.llm import load_chat_model

    return partial(
        load_chat_model,
        region=settings.aws_region,
        endpoint_url=settings.bedrock_endpoint_url,
        max_attempts=settings.bedrock_max_attempts,
    )


def turn_limits(settings: Settings) -> TurnLimits:
    """The policy numbers every turn obeys."""
    return TurnLimits(
        max_message_chars=settings.max_message_chars,
        intent_confidence_threshold=settings.intent_confidence_threshold,
        handoff_sentiment_threshold=settings.handoff_sentiment_threshold,
        refund_limit=settings.refund_limit,
        max_tool_steps=settings.max_tool_steps,
        model_turn_seconds=settings.model_turn_seconds,
        fast_path_confidence=settings.fast_path_confidence if settings.fast_path else None,
        prompt_cache=settings.prompt_cache,
    )
