"""Tandem's settings: one pydantic-settings class read from the environment and `.env`.

Every layer reads its configuration from here, so this module imports nothing from the
rest of Tandem. Each backend is picked by one setting; every AWS client has an endpoint
override so the same code talks to loopback test servers.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. Environment variables use the `TANDEM_` prefix."""

    model_config = SettingsConfigDict(
        env_prefix="TANDEM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the embedded stores (checkpoints, orders, knowledge base, caches).",
    )
    tenant: str = Field(default="demo", description="Tenant id used when none is given.")

    checkpointer: Literal["sqlite", "memory"] = Field(
        default="sqlite", description="Where conversation checkpoints are persisted."
    )
    orders_backend: Literal["sqlite"] = Field(default="sqlite", description="Order data store.")
    kb_backend: Literal["sqlite"] = Field(default="sqlite", description="Knowledge-base index.")
    sentiment_backend: Literal["vader"] = Field(default="vader", description="Sentiment engine.")

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
    max_tool_steps: int = Field(
        default=4, ge=1, le=10, description="Bound on the model's tool-calling loop per turn."
    )

    max_message_chars: int = Field(
        default=4000, ge=100, description="Inbound messages are truncated to this many characters."
    )
    intent_confidence_threshold: float = Field(
        default=0.45,
        ge=0.0,
        le=1.0,
        description="Below this confidence the local intent classifier defers (model or fallback).",
    )
    handoff_sentiment_threshold: float = Field(
        default=-0.6,
        ge=-1.0,
        le=0.0,
        description="A message at or below this compound sentiment is handed to a human.",
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
    concurrent_turns: Literal["reject", "enqueue"] = Field(
        default="reject",
        description="A message arriving while the conversation's previous turn still runs: "
        "`reject` answers 409, `enqueue` waits for the running turn to finish.",
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

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

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
    def queue_db(self) -> Path:
        """Path of the SQLite handoff-queue database."""
        return self.data_dir / "queue.sqlite"

    @property
    def cache_dir(self) -> Path:
        """Folder for derived caches (trained classifiers)."""
        return self.data_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
