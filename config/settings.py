"""Tandem's settings: one pydantic-settings class read from the environment and `.env`.

Every layer reads its configuration from here, so this module imports nothing from the
rest of Tandem. Each backend is picked by one setting; every AWS client has an endpoint
override so the same code talks to loopback test servers.

A relative `data_dir` is taken from the project folder (the checkout holding
`pyproject.toml`), not from the working directory, and that folder's `.env` is read before
the working directory's: the server and `tandem auth token` started from different folders
with the same environment use the same data folder, hence the same signing key.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The folder holding this package: the project checkout when Tandem runs from source."""

DEFAULT_DATA_DIR = Path("data")

_ORIGIN = re.compile(r"^(\*|'self'|https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?)$")
"""An `embed_origins` entry: `*`, `'self'` or scheme://host[:port] (a CSP source)."""


def base_dir() -> Path:
    """Where relative paths are anchored: the project checkout, else the working directory."""
    return PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()


def resolve_data_dir(value: Path) -> Path:
    """Return `value` with `~` expanded, made absolute against `base_dir()` when relative."""
    value = value.expanduser()
    return value if value.is_absolute() else base_dir() / value


def _env_files() -> tuple[Path, ...]:
    """The `.env` files read, later ones winning: the project's, then the working directory's."""
    return (base_dir() / ".env", Path(".env"))


class Settings(BaseSettings):
    """Runtime configuration. Environment variables use the `TANDEM_` prefix."""

    model_config = SettingsConfigDict(
        env_prefix="TANDEM_", env_file=_env_files(), env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        validate_default=True,
        description="Folder for the embedded stores (checkpoints, orders, knowledge base, "
        "caches); a relative path is taken from the project folder, not the working directory.",
    )
    tenant: str = Field(default="demo", description="Tenant id used when none is given.")

    checkpointer: Literal["sqlite", "memory", "dynamodb"] = Field(
        default="sqlite", description="Where conversation checkpoints are persisted."
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="Override for the S3 endpoint (checkpoint offload bucket)."
    )
    sns_endpoint_url: str | None = Field(
        default=None,
        description="Override for the SNS endpoint (handoff queue events, mobile push).",
    )
    checkpoint_table: str = Field(
        default="tandem-checkpoints", description="DynamoDB table of conversation checkpoints."
    )
    offload_bucket: str | None = Field(
        default=None,
        description="S3 bucket for checkpoint payloads over 350 KB (none: such a put fails).",
    )
    checkpoint_ttl_days: int = Field(
        default=30,
        ge=0,
        description="Checkpoints of a conversation idle this many days are deleted (0: never): "
        "DynamoDB TTL, or an hourly sweep of the SQLite file.",
    )
    checkpoint_keep: int = Field(
        default=10,
        ge=0,
        description="SQLite checkpoints kept per conversation (0: all, for time travel); "
        "resuming a turn or a handoff needs only the newest.",
    )
    kms_key_id: str | None = Field(
        default=None,
        description="KMS key (id, ARN or alias) encrypting the DynamoDB tables and S3 bucket "
        "Tandem creates (none: the AWS owned key).",
    )
    store_backend: Literal["sqlite", "memory", "dynamodb"] = Field(
        default="sqlite", description="Long-term memory (customer profile, preferences, summaries)."
    )
    memory_table: str = Field(
        default="tandem-memory", description="DynamoDB table of the long-term memory store."
    )
    server_store_backend: Literal["sqlite", "dynamodb"] = Field(
        default="sqlite", description="The server's conversations, event log and handoff queue."
    )
    server_table: str = Field(
        default="tandem-server", description="DynamoDB table of the server's records and queue."
    )
    sns_topic_arn: str | None = Field(
        default=None, description="SNS topic that receives handoff queue events (none: off)."
    )
    orders_backend: Literal["sqlite", "dynamodb"] = Field(
        default="sqlite", description="Order data store: embedded SQLite or DynamoDB."
    )
    kb_backend: Literal["sqlite", "opensearch"] = Field(
        default="sqlite",
        description="Knowledge-base index: embedded SQLite (BM25F) or OpenSearch (BM25 + k-NN).",
    )
    opensearch_url: str = Field(
        default="http://127.0.0.1:9200",
        description="OpenSearch endpoint (kb_backend=opensearch); an Amazon OpenSearch Service "
        "domain (*.es.amazonaws.com) is signed with SigV4 from the AWS credentials.",
    )
    opensearch_index: str = Field(
        default="tandem-kb", description="OpenSearch index holding the knowledge-base articles."
    )
    embedder: Literal["hashing", "pretrained", "titan"] = Field(
        default="hashing",
        description="Text embeddings for vector retrieval: local hashing, the pretrained local "
        "encoder, or Amazon Bedrock Titan Text Embeddings v2.",
    )
    kb_hybrid: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="The embedded (SQLite) help centre also ranks by the embedder's vectors, "
        "fused with BM25F: auto with the pretrained or Titan embedder (not hashing), on "
        "always, off never.",
    )
    titan_model_id: str = Field(
        default="amazon.titan-embed-text-v2:0",
        description="Bedrock model id of the Titan embedder.",
    )
    embedding_dimension: int | None = Field(
        default=None,
        ge=8,
        le=4096,
        description="Vector length for the hashing and Titan embedders (Titan v2: 256, 512 or "
        "1024). None: the embedder's default (hashing 384, Titan 1024); pretrained is 384.",
    )
    sentiment_backend: Literal["vader", "learned", "comprehend"] = Field(
        default="vader",
        description=(
            "Sentiment engine: offline VADER, a trained linear model (learned; see"
            " sentiment_model_path) or Amazon Comprehend."
        ),
    )
    sentiment_model_path: Path | None = Field(
        default=None,
        description=(
            "The linear sentiment model for sentiment_backend=learned, as written by"
            " `python -m bench.sentiment --save-model PATH` from labelled sentences."
        ),
    )
    pii_backend: Literal["regex", "comprehend"] = Field(
        default="regex",
        description="How customers' messages are redacted before they are stored, logged or "
        "sent to a model: the offline detector, or Amazon Comprehend then the detector.",
    )

    model: str = Field(
        default="",
        description=(
            "Chat model for drafting and fallback understanding, as an init_chat_model string "
            "(e.g. 'bedrock_converse:anthropic.claude-3-5-sonnet-20240620-v1:0'). "
            "Empty: the deterministic grounded drafter answers."
        ),
    )
    aws_region: str = Field(default="us-east-1", description="AWS region for Bedrock clients.")
    bedrock_endpoint_url: str | None = Field(
        default=None, description="Override for the Bedrock runtime endpoint (loopback tests)."
    )
    bedrock_max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Attempts per Bedrock call (botocore standard retries, which back off on "
        "throttling) before drafting falls back to the grounded reply.",
    )
    dynamodb_endpoint_url: str | None = Field(
        default=None, description="Override for the DynamoDB endpoint (loopback tests, emulators)."
    )
    orders_table: str = Field(
        default="tandem-orders",
        description="DynamoDB table holding users, orders and products (orders_backend=dynamodb).",
    )
    comprehend_endpoint_url: str | None = Field(
        default=None, description="Override for the Amazon Comprehend endpoint (loopback tests)."
    )
    comprehend_language: str = Field(
        default="en", description="Language code sent to Amazon Comprehend."
    )
    max_tool_steps: int = Field(
        default=4, ge=1, le=10, description="Bound on the model's tool-calling loop per turn."
    )
    model_turn_seconds: float = Field(
        default=90.0,
        gt=0.0,
        description="Time a model-planned turn may take before the rules serve it instead.",
    )
    model_plans: bool = Field(
        default=True,
        description="With a chat model: the model plans each turn with the retail tools under "
        "the policy gate (True), or the rules plan and the model only words the reply (False).",
    )

    max_message_chars: int = Field(
        default=4000, ge=100, description="Inbound messages are truncated to this many characters."
    )
    intent_confidence_threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Below this confidence the local intent classifier defers (model or "
        "fallback). None: the classifier's out-of-scope threshold, fitted out of fold on its "
        "training data (0.45 for a catalogue without an out_of_scope intent).",
    )
    intent_encoder: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Pretrained sentence encoder in the intent classifier: auto uses it when "
        "the encoder extra is installed, on requires it, off keeps TF-IDF only.",
    )
    model_cache: Path | None = Field(
        default=None,
        description="Folder pretrained encoders shipped as split packages are extracted to "
        "(default: $XDG_CACHE_HOME/tandem/models, else ~/.cache/tandem/models).",
    )
    intent_encoder_models: list[str] = Field(
        default_factory=lambda: ["all-mpnet-base-v2", "all-MiniLM-L6-v2", "all-MiniLM-L6-v2-int8"],
        description="Pretrained encoders for the intent classifier, in order of preference: "
        "the first choice that is installed is used; a choice joins several with '+'. "
        "all-mpnet-base-v2 (extra encoder-mpnet) is the more accurate, at about 8 times the "
        "compute per message of all-MiniLM-L6-v2 (extra encoder); all-MiniLM-L6-v2-int8 "
        "(int8 weights on ONNX Runtime) comes with every install.",
    )
    handoff_sentiment_threshold: float = Field(
        default=-0.6,
        ge=-1.0,
        le=0.0,
        description="A message at or below this compound sentiment is handed to a human.",
    )
    fast_path: bool = Field(
        default=False,
        description="With a model planning turns, serve confident look-ups (order status, "
        "help-centre questions, small talk) by the rules without a model call.",
    )
    fast_path_confidence: float = Field(
        default=0.8,
        gt=0.0,
        le=1.0,
        description="The intent confidence a look-up needs to take the fast path.",
    )
    prompt_cache: bool = Field(
        default=True,
        description="Ask Bedrock to cache the planner's system prompt and tool definitions.",
    )
    refund_limit: float = Field(
        default=1000.0,
        ge=0.0,
        description="Returns whose refund exceeds this amount are handed to a human (policy).",
    )
    durability: Literal["sync", "async", "exit"] = Field(
        default="sync", description="LangGraph checkpoint durability mode for turns."
    )

    host: str = Field(default="127.0.0.1", description="Address `tandem serve` binds to.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `tandem serve` binds to.")
    keep_alive_seconds: int = Field(
        default=75,
        ge=1,
        le=3600,
        description="Idle HTTP keep-alive; keep it above the load balancer's idle timeout.",
    )
    header_timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=600,
        description="A connection must finish sending a request's headers within this many "
        "seconds of opening (or of its previous response), else it is closed.",
    )
    ws_ping_interval_seconds: float = Field(
        default=20, gt=0, description="Seconds between the server's WebSocket pings."
    )
    ws_ping_timeout_seconds: float = Field(
        default=20,
        gt=0,
        description="A WebSocket whose client does not answer a ping within this many seconds "
        "is closed.",
    )
    insecure_local_auth_on_public_address: bool = Field(
        default=False,
        description="Let `tandem serve` bind a non-loopback address while auth_mode is `local` "
        "(anyone who reaches it can sign in as any customer or agent). Off: it refuses.",
    )
    local_token_per_minute: int = Field(
        default=10,
        ge=1,
        description="Sign-ins per minute per client address on POST /v1/auth/local-token.",
    )
    event_cache_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=0,
        description="Memory for recent conversation events (resuming streams); beyond it the "
        "oldest are dropped and served from the event log (tokens excepted).",
    )
    concurrent_turns: Literal["reject", "enqueue"] = Field(
        default="reject",
        description="A message arriving while the conversation's previous turn still runs: "
        "`reject` answers 409, `enqueue` waits for the running turn to finish.",
    )
    admission_target_lag_ms: float = Field(
        default=5.0,
        ge=0.0,
        le=1000.0,
        description="Event-loop lag (ms) above which fewer customer turns run at once; the "
        "rest wait in line after their message is taken. 0 runs every turn at once.",
    )
    lease_backend: Literal["sqlite", "local", "dynamodb"] = Field(
        default="sqlite",
        description="Who enforces one running turn per conversation: `sqlite` (every process "
        "sharing the data folder: the server and the terminal commands), `local` (this "
        "process only) or `dynamodb` (a lease item shared by every server process).",
    )
    lease_table: str = Field(
        default="tandem-leases", description="DynamoDB table of conversation leases."
    )
    lease_ttl_seconds: float = Field(
        default=30.0,
        ge=1.0,
        le=3600.0,
        description="A lease lapses this long after its holder last renewed it (a crashed "
        "server blocks a conversation at most this long); renewed every third of it.",
    )
    turn_recovery_seconds: float = Field(
        default=5.0,
        ge=0.0,
        le=3600.0,
        description="How often turns a crash interrupted are looked for (and, once their "
        "lease lapses, resumed from their checkpoint or closed with an error); also at "
        "start-up. 0: never.",
    )
    fault_kill_at: str = Field(
        default="",
        pattern=r"^((before|after):[1-9][0-9]*)?$",
        description="For crash tests only: `before:N` / `after:N` makes the process kill "
        "itself (SIGKILL) just before / after publishing its Nth conversation event, counted "
        "from its first customer message. Empty: never.",
    )
    redis_url: str = Field(
        default="",
        description="Redis (ElastiCache) URL over which live events reach the other server "
        "processes, e.g. redis://127.0.0.1:6379/0. Empty: this process only.",
    )
    worker_threads: int = Field(
        default=256,
        ge=4,
        le=4096,
        description="Threads for graph nodes and model calls (boto3 clients block), i.e. the "
        "number of turns that can wait on a model at once.",
    )
    rate_limit_per_minute: int = Field(
        default=120, ge=1, description="Requests per minute allowed per principal (token bucket)."
    )
    max_body_bytes: int = Field(
        default=64_000, ge=1024, description="Largest request body accepted, in bytes."
    )
    sla_first_response_seconds: int = Field(
        default=300, ge=1, description="Handoff SLA: a person answers within this many seconds."
    )
    sla_resolution_seconds: int = Field(
        default=4 * 3600,
        ge=1,
        description="Handoff SLA: a handed-off case is resolved within this many seconds.",
    )
    claim_timeout_seconds: int = Field(
        default=300,
        ge=0,
        description="A claim left without a reply this many seconds goes back to the queue "
        "(0 keeps claims until released).",
    )

    whatsapp_app_secret: SecretStr | None = Field(
        default=None,
        description="Meta app secret: verifies `X-Hub-Signature-256` on WhatsApp webhooks.",
    )
    whatsapp_verify_token: SecretStr | None = Field(
        default=None,
        description="The token entered in Meta's webhook settings (answers its GET handshake).",
    )
    whatsapp_token: SecretStr | None = Field(
        default=None, description="Graph API access token (system user) that sends replies."
    )
    whatsapp_phone_number_id: str | None = Field(
        default=None,
        description="Graph API id of the business phone number; with the three secrets above "
        "it turns the WhatsApp channel on.",
    )
    whatsapp_api_base: str = Field(
        default="https://graph.facebook.com", description="Graph API base URL."
    )
    whatsapp_api_version: str = Field(default="v21.0", description="Graph API version.")
    whatsapp_template: str | None = Field(
        default=None,
        description="Approved template (one body parameter) for replies outside the 24-hour "
        "customer-service window; unset: such replies are not sent.",
    )
    whatsapp_template_language: str = Field(
        default="en_US", description="Language code of `whatsapp_template`."
    )
    twilio_account_sid: str | None = Field(
        default=None, description="Twilio account SID (with the auth token and number: SMS on)."
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="Twilio auth token: signs webhooks (SMS and voice; voice webhooks must "
        "carry a valid X-Twilio-Signature when it is set), authenticates replies.",
    )
    twilio_from: str | None = Field(
        default=None, description="The Twilio number (E.164) replies are sent from."
    )
    twilio_api_base: str = Field(
        default="https://api.twilio.com", description="Twilio REST API base URL."
    )
    twilio_webhook_url: str | None = Field(
        default=None,
        description="The public URL Twilio calls for incoming SMS, when a proxy in front of "
        "the server changes the URL it sees (Twilio signs the URL it called).",
    )
    sms_max_segments: int = Field(
        default=4,
        ge=1,
        le=10,
        description="Segments per SMS; longer replies are split into several messages.",
    )
    sms_help_text: str = Field(
        default="Tandem support: text your question and we will answer here. "
        "Msg&data rates may apply. Reply STOP to opt out.",
        description="The answer to HELP / INFO.",
    )

    auth_mode: Literal["local", "cognito"] = Field(
        default="local",
        description="`local`: tokens from Tandem's own development issuer; `cognito`: Amazon "
        "Cognito user pool tokens validated against its JWKS.",
    )
    auth_issuer: str = Field(
        default="tandem-local",
        description="Expected `iss` claim (Cognito: https://cognito-idp.REGION.amazonaws.com/POOL).",
    )
    auth_jwks_url: str | None = Field(
        default=None, description="JWKS URL; defaults to ISSUER/.well-known/jwks.json for Cognito."
    )
    auth_client_ids: list[str] = Field(
        default_factory=lambda: ["tandem-web"],
        description="Accepted `client_id` (access tokens) / `aud` (ID tokens).",
    )
    auth_token_ttl_seconds: int = Field(
        default=3600, ge=60, description="Lifetime of tokens the local issuer signs."
    )
    auth_hosted_ui_domain: str | None = Field(
        default=None,
        description="Cognito hosted login domain (https://NAME.auth.REGION.amazoncognito.com) "
        "the web apps send staff to for sign-in when auth_mode is `cognito`.",
    )
    channel_sender_messages_per_hour: int = Field(
        default=30,
        ge=0,
        description="Inbound channel messages (email, WhatsApp, SMS) taken from one sender per "
        "hour; more are dropped (0: no limit).",
    )
    email_enabled: bool = Field(
        default=True,
        description="Run the email channel (inbound SMTP/SES, replies by SMTP relay or SES).",
    )
    email_address: str = Field(
        default="support@tandem.localhost",
        description="The support mailbox: the From of replies; mail from it is ignored.",
    )
    email_display_name: str = Field(
        default="Tandem Support", description="The display name of replies' From header."
    )
    email_smtp_host: str = Field(
        default="127.0.0.1", description="Address the embedded inbound SMTP server binds to."
    )
    email_smtp_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Port of the embedded inbound SMTP server started with `tandem serve` "
        "(unset: no inbound SMTP server; 0: any free port). `make run` uses 2525.",
    )
    email_smtp_trust_senders: bool = Field(
        default=True,
        description="Take the From address of mail handed to the embedded SMTP server as "
        "verified (it listens on loopback behind your own mail server, which checked SPF/DKIM); "
        "false: every sender identifies in the conversation.",
    )
    email_outbound: Literal["smtp", "ses"] = Field(
        default="smtp",
        description="How replies are sent: an SMTP relay (embedded) or Amazon SES (AWS).",
    )
    email_relay_host: str = Field(default="127.0.0.1", description="SMTP relay for replies.")
    email_relay_port: int = Field(default=25, ge=1, le=65535, description="SMTP relay port.")
    email_relay_starttls: bool = Field(
        default=False, description="Upgrade the relay connection with STARTTLS."
    )
    email_relay_username: str | None = Field(default=None, description="SMTP relay user.")
    email_relay_password: str | None = Field(default=None, description="SMTP relay password.")
    email_attachment_bucket: str | None = Field(
        default=None,
        description="S3 bucket for inbound email attachments (unset: the data folder's "
        "`attachments/`).",
    )
    ses_endpoint_url: str | None = Field(
        default=None, description="Override for the SES endpoint (outbound email)."
    )
    email_sns_topic_arns: list[str] = Field(
        default_factory=list,
        description="SNS topics whose SES receipt notifications are accepted (empty: any "
        "topic; the signature is verified either way).",
    )
    email_sns_certificate_prefix: str | None = Field(
        default=None,
        description="Extra URL prefix SNS signing certificates may come from (tests' loopback "
        "certificate server); by default only https://sns.<region>.amazonaws.com/ hosts.",
    )
    embed_origins: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Sites allowed to frame the chat (the widget's iframe): CSP frame-ancestors "
        "of /chat, each `https://host[:port]`, `'self'`, or `*` for any site. Other pages "
        "refuse framing.",
    )
    graphql_introspection: bool | None = Field(
        default=None,
        description="Answer GraphQL introspection queries. None: only when auth_mode is `local` "
        "(development); production (`cognito`) keeps the schema private unless this is true.",
    )
    graphql_max_depth: int = Field(
        default=8, ge=2, le=50, description="Deepest GraphQL selection accepted."
    )
    graphql_max_tokens: int = Field(
        default=2000, ge=50, le=100_000, description="Most tokens in one GraphQL document."
    )
    graphql_max_aliases: int = Field(
        default=15, ge=1, le=1000, description="Most field aliases in one GraphQL document."
    )
    graphql_persisted_queries: Path | None = Field(
        default=None,
        description="JSON file mapping sha256 hashes to GraphQL documents: the queries clients "
        "may send by hash alone (`extensions.persistedQuery.sha256Hash`).",
    )
    graphql_persisted_only: bool = Field(
        default=False,
        description="Run only the persisted queries (the allow-list); otherwise clients may "
        "also send documents, and register new ones automatically (APQ).",
    )
    web_dist_dir: Path = Field(
        default=Path(__file__).resolve().parent.parent / "web" / "dist",
        description="The built web apps (`npm run build` in web/) that the server serves.",
    )

    voice_engine: Literal["offline", "aws"] = Field(
        default="offline",
        description="Speech engines of the voice mode: `offline` (faster-whisper + eSpeak NG, "
        "in process, needs `.[voice]`) or `aws` (Amazon Transcribe streaming + Amazon Polly).",
    )
    voice_language: str = Field(
        default="en-US", description="Language of the voice mode's speech (BCP-47)."
    )
    voice_silence_ms: int = Field(
        default=500,
        ge=100,
        le=5000,
        description="Silence after speech that ends the customer's turn in the voice mode.",
    )
    voice_partial_ms: int = Field(
        default=1000,
        ge=0,
        description="How often (speech time) the offline voice mode sends a partial transcript "
        "(0: none; each costs a run of the recogniser, which a 2-core machine feels).",
    )
    voice_whisper_threads: int = Field(
        default=2, ge=1, description="CPU threads of the offline speech-to-text model."
    )
    voice_espeak_voice: str = Field(
        default="en-us", description="eSpeak NG voice of the offline text-to-speech."
    )
    polly_voice_id: str = Field(default="Joanna", description="Amazon Polly voice.")
    polly_engine: Literal["standard", "neural", "generative"] = Field(
        default="neural", description="Amazon Polly engine."
    )
    polly_endpoint_url: str | None = Field(
        default=None, description="Amazon Polly endpoint override (loopback tests)."
    )
    transcribe_endpoint_url: str | None = Field(
        default=None,
        description="Amazon Transcribe streaming endpoint override (loopback tests).",
    )
    public_base_url: str | None = Field(
        default=None,
        description="The server's public https:// address (Twilio's webhooks and media "
        "stream reach it there); unset: taken from the request.",
    )
    # Serving throughput: worker processes and how replies are streamed.
    serve_workers: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Worker processes `tandem serve` starts on the embedded profile (they share "
        "the data folder; any one may answer any request). 0: one per CPU core.",
    )
    token_window_ms: float = Field(
        default=25.0,
        ge=0.0,
        le=1000.0,
        description="Reply tokens arriving within this many milliseconds are sent as one "
        "`token` event (the same text in fewer events). 0 sends every token on its own.",
    )
    busy_token_window_ms: float = Field(
        default=100.0,
        ge=0.0,
        le=1000.0,
        description="The token window while the server is saturated (turns wait for admission "
        "or the event loop runs late): about half the events, so more CPU for the turns.",
    )

    # Observability and analytics: domain events, Prometheus metrics (traces use OTEL_*).
    events_backend: Literal["log", "eventbridge", "none"] = Field(
        default="log",
        description="Where domain events go: `log` (append-only JSON lines in the data "
        "folder), `eventbridge` (an Amazon EventBridge bus) or `none`.",
    )
    event_log_file: Path | None = Field(
        default=None,
        description="The domain event log (`log` backend); default `events.jsonl` in the "
        "data folder.",
    )
    eventbridge_bus: str = Field(
        default="default", description="EventBridge bus (name or ARN) for domain events."
    )
    eventbridge_source: str = Field(
        default="tandem", description="The `Source` of the domain events sent to EventBridge."
    )
    eventbridge_endpoint_url: str | None = Field(
        default=None, description="EventBridge endpoint override (a local emulator)."
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that may read `/metrics` from anywhere; unset: only "
        "clients on loopback may read it.",
    )

    # Inbound channel queue (Lambda webhooks → SQS → the server) and the SageMaker option.
    inbound_queue_url: str | None = Field(
        default=None,
        description="SQS queue the channel webhooks (Lambda functions) put verified inbound "
        "messages on; when set, the server consumes it. Unset: the server's own webhook "
        "routes queue in-process.",
    )
    sqs_endpoint_url: str | None = Field(
        default=None, description="SQS endpoint override (moto_server in tests)."
    )
    webhook_secrets_arn: str | None = Field(
        default=None,
        description="Secrets Manager secret (a JSON object of TANDEM_* names and values, e.g. "
        "TANDEM_WHATSAPP_APP_SECRET) the webhook function adds to its settings at start.",
    )
    secretsmanager_endpoint_url: str | None = Field(
        default=None, description="Secrets Manager endpoint override (moto_server in tests)."
    )
    inbound_queue_max_attempts: int = Field(
        default=5,
        ge=1,
        description="Tries of an inbound message on the in-process queue before it is "
        "dead-lettered (on SQS the redrive policy's maxReceiveCount decides).",
    )
    inbound_queue_wait_seconds: int = Field(
        default=10, ge=0, le=20, description="Long-poll wait of one SQS ReceiveMessage call."
    )
    inbound_queue_retry_seconds: float = Field(
        default=5.0,
        ge=0,
        description="First delay before a failed inbound message is tried again (doubling).",
    )
    understanding_endpoint: str | None = Field(
        default=None,
        description="Amazon SageMaker endpoint serving the intent and sentiment engines; "
        "set, the graph calls it (InvokeEndpoint) and falls back to the in-process engines "
        "on an error or timeout.",
    )
    sagemaker_endpoint_url: str | None = Field(
        default=None, description="SageMaker Runtime endpoint override (loopback in tests)."
    )
    understanding_endpoint_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Time an InvokeEndpoint call may take before the in-process engines answer.",
    )

    # Push notifications to the mobile app's phones (an agent replied, a reply asks to confirm).
    push_provider: Literal["none", "expo", "sns"] = Field(
        default="expo",
        description="Who delivers push notifications: Expo's push service (the app's tokens "
        "are Expo push tokens), Amazon SNS mobile push (the app's tokens are native APNs / "
        "FCM tokens; see `sns_platform_applications`) or nobody (tokens are still registered).",
    )
    sns_platform_applications: dict[Literal["ios", "android"], str] = Field(
        default_factory=dict,
        description="With the `sns` push provider: the SNS platform application ARN for each "
        'platform, e.g. {"ios": "arn:aws:sns:...:app/APNS/tandem", "android": '
        '"arn:aws:sns:...:app/GCM/tandem"}.',
    )
    expo_push_url: str = Field(
        default="https://exp.host/--/api/v2/push/send",
        description="Expo's push endpoint (override: a loopback server in tests).",
    )
    expo_access_token: SecretStr | None = Field(
        default=None,
        description="Expo access token, when the project requires authenticated push.",
    )

    # Files customers attach in the web chat and the mobile app (email keeps its own bucket).
    attachment_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        le=100 * 1024 * 1024,
        description="Largest file a customer may attach, in bytes (larger: 413).",
    )
    attachment_types: list[str] = Field(
        default_factory=lambda: ["image/png", "image/jpeg", "image/webp", "application/pdf"],
        description="Types a customer may attach, as recognised from the file's content "
        "(not from the name or the declared type); others are refused with 415.",
    )
    attachment_bucket: str | None = Field(
        default=None,
        description="S3 bucket for customers' attachments (unset: the email attachment "
        "bucket when set, else the data folder's `attachments/uploads/`).",
    )

    @field_validator("embed_origins")
    @classmethod
    def _check_embed_origins(cls, value: list[str]) -> list[str]:
        bad = [origin for origin in value if not _ORIGIN.match(origin)]
        if bad or not value:
            raise ValueError(
                f"embed_origins must list `*`, `'self'` or scheme://host[:port] origins; got {bad}"
            )
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return resolve_data_dir(value)

    @property
    def checkpoint_db(self) -> Path:
        """Path of the SQLite checkpoint database."""
        return self.data_dir / "checkpoints.sqlite"

    @property
    def orders_db(self) -> Path:
        """Path of the SQLite order store."""
        return self.data_dir / "orders.sqlite"

    @property
    def kb_db(self) -> Path:
        """Path of the SQLite knowledge-base index."""
        return self.data_dir / "kb.sqlite"

    @property
    def local_issuer_key(self) -> Path:
        """Path of the local development issuer's private key (PEM)."""
        return self.data_dir / "auth" / "local-issuer-key.pem"

    @property
    def local_secret_file(self) -> Path:
        """Path of the local secret an admin sign-in over HTTP must present (mode 0600)."""
        return self.data_dir / "auth" / "local-secret"

    @property
    def queue_db(self) -> Path:
        """Path of the SQLite handoff-queue database."""
        return self.data_dir / "queue.sqlite"

    @property
    def event_log(self) -> Path:
        """The domain event log (JSON lines)."""
        return self.event_log_file or self.data_dir / "events.jsonl"

    @property
    def lease_db(self) -> Path:
        """Path of the SQLite conversation leases.

        A file of its own: taking a lease is no change that other processes' event streams
        need to look at.
        """
        return self.data_dir / "leases.sqlite"

    @property
    def memory_db(self) -> Path:
        """Path of the SQLite long-term memory store."""
        return self.data_dir / "memory.sqlite"

    @property
    def devices_db(self) -> Path:
        """Path of the SQLite push tokens and accepted client message ids."""
        return self.data_dir / "devices.sqlite"

    @property
    def channels_db(self) -> Path:
        """Path of the SQLite channel records (seen messages, email threads)."""
        return self.data_dir / "channels.sqlite"

    @property
    def attachments_dir(self) -> Path:
        """Folder of inbound email attachments on the embedded profile."""
        return self.data_dir / "attachments"

    @property
    def cache_dir(self) -> Path:
        """Folder for derived caches (trained classifiers)."""
        return self.data_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
