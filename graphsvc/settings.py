"""Settings: the only module that reads the environment.

`GRAPHSVC_*` variables configure the service; `NEO4J_*` variables, when `NEO4J_URI` is set, point it at an
existing Neo4j instead of the managed local server.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Neo4jSettings", "Settings", "get_settings"]


class Neo4jSettings(BaseSettings):
    """An external Neo4j, used instead of the managed local server when `NEO4J_URI` is set."""

    model_config = SettingsConfigDict(env_prefix="NEO4J_", extra="ignore")

    uri: str | None = None
    user: str = "neo4j"
    password: SecretStr = SecretStr("")
    database: str = "neo4j"


class Settings(BaseSettings):
    """graphsvc's own settings (environment variables prefixed `GRAPHSVC_`)."""

    model_config = SettingsConfigDict(env_prefix="GRAPHSVC_", extra="ignore")

    data_dir: Path = Field(default=Path(".graphsvc"), description="managed Neo4j data, config and password")
    cache_dir: Path | None = Field(default=None, description="Neo4j jars resolved from Maven (default ~/.cache)")
    maven_dir: Path | None = Field(
        default=None, description="Apache Maven fetched when `mvn` is not on PATH (default ~/.cache/graphsvc/maven)"
    )
    bolt_port: int = Field(default=7687, ge=1, le=65535)
    neo4j_version: str = "5.26.30"
    heap_size: str = "2g"
    pagecache_size: str = "1g"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    import_batch_size: int = Field(default=5000, ge=1)
    max_utilization_batch: int = Field(
        default=50_000, ge=1, description="most utilization readings one recordUtilization call may send"
    )
    max_page_size: int = Field(default=500, ge=1)
    risk_weights_file: Path | None = Field(
        default=None, description="a JSON or TOML file overriding the change-risk weights (docs/risk.md)"
    )
    graph_cache: bool = Field(
        default=True, description="keep the dependency graph in memory for impact questions (graph_cache.py)"
    )
    graph_cache_max_items: int = Field(
        default=500_000, ge=0, description="never keep in memory an estate with more services, CIs and groups"
    )
    graph_process_from: int = Field(
        default=50_000,
        ge=0,
        description="from this many services, CIs and groups, load the in-memory graph in a process of its own and map "
        "it from a file the server's workers share (usecases/graph_share.py)",
    )
    graph_share_dir: Path | None = Field(
        default=None,
        description="where the server makes the folder its processes share that file in (a fresh one each run, removed "
        "when it stops); unset: the system's temporary folder",
    )
    graph_share_run: bool = Field(
        default=False,
        description="set by `graphsvc serve --workers N` for its workers: GRAPHSVC_GRAPH_SHARE_DIR is already this "
        "run's own folder, to use as it is",
    )
    history_keep_days: int = Field(
        default=365,
        ge=0,
        description="`graphsvc prune-history` keeps the estate's history (asOf, estateDiff) of this many days",
    )
    utilization_raw_days: int = Field(
        default=35,
        ge=30,
        description="`graphsvc prune-utilization` keeps utilization readings of this many days as recorded (at least "
        "the forecast's default window, 30) and older days as hourly means and maxima",
    )
    response_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        description="keep browse answers at most this long while no write lands (graphql/response_cache.py); 0: none",
    )
    recheck_seconds: float = Field(
        default=1.0,
        ge=0,
        description="trust the last look at the database this long while no graphsvc process on this host has seen it "
        "move (usecases/freshness.py): writes from elsewhere are seen within it; 0: look for every request",
    )
    response_cache_mb: int = Field(default=64, ge=1, description="memory the kept browse answers may take (JSON size)")
    compiled_reads: bool = Field(
        default=True,
        description="answer plain root reads (item pages and lookups) from one Cypher statement each "
        "(graphql/compiled.py), and impacts straight from the analysis (graphql/compiled_impact.py); false: field by "
        "field, as a baseline for the bench",
    )
    max_impact_items: int = Field(
        default=10_000, ge=1, description="the most entries one page of an impact list may ask for (`first`)"
    )
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, description="a request whose headers are not all in after this gets 408 (slowloris)"
    )
    body_min_bytes_per_second: int = Field(
        default=1024,
        ge=1,
        description="a request body must arrive at least this fast on average, after a 5 s grace, else 408",
    )
    max_concurrent_per_client: int = Field(
        default=16,
        ge=1,
        description="requests one token (or, without one, one address) may have served at once; more get 429",
    )
    request_deadline_seconds: float = Field(
        default=30.0,
        gt=0,
        description="a query still running after this is stopped (DEADLINE_EXCEEDED); mutations are bounded by "
        "tx_timeout_seconds instead",
    )
    tx_timeout_seconds: float = Field(default=30.0, gt=0, description="each Neo4j transaction is cut off after this")
    auth: bool = Field(
        default=True, description="require an API token; off is refused unless the server binds to loopback"
    )
    max_query_depth: int = Field(default=12, ge=1, description="deepest selection nesting an operation may have")
    max_query_tokens: int = Field(default=2000, ge=1, description="most lexical tokens a GraphQL document may have")
    max_aliases: int = Field(default=30, ge=0, description="most aliases in one operation")
    max_query_fields: int = Field(
        default=2000, ge=1, description="most fields an operation may select once its fragments are expanded"
    )
    max_directives: int = Field(default=30, ge=0, description="most directives in one document")
    max_query_cost: int = Field(
        default=2_000_000,
        ge=1,
        description="the most a document may cost: fields times the lists above them, analyses weighing 5,000 each",
    )
    max_reads_per_request: int = Field(
        default=4, ge=1, description="Neo4j reads one request may have in flight at once (the pool is shared by all)"
    )
    max_list_items: int = Field(
        default=500,
        ge=1,
        description="the most items a list without `first` (a team's owns, a site's items) may hold in an answer",
    )
    introspection: bool = Field(
        default=False,
        description="answer __schema/__type, which GraphiQL's docs and autocompletion need; off unless asked for "
        "(`make run` turns it on for development)",
    )
    field_suggestions: bool = Field(default=True, description='"Did you mean ...?" in validation errors')
    max_request_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description="largest request body accepted")
    workers: int = Field(
        default=1,
        ge=1,
        description="server processes `graphsvc serve` runs; each keeps its own copy of the graph and its caches",
    )
    max_concurrent_requests: int = Field(
        default=64, ge=1, description="requests served at once; more are turned away with 503 at once"
    )
    token_expiry_days: int = Field(
        default=90,
        ge=0,
        description="a new token expires after this many days unless told otherwise (--expires); 0: never",
    )
    cors_origins: str = Field(
        default="",
        description="comma-separated origins (https://backstage.example.com) whose browser apps may call the API "
        "(CORS, credentials allowed); empty: none",
    )
    trusted_origins: str = Field(
        default="",
        description="comma-separated origins (https://cmdb.example.com) whose pages may write besides graphsvc's own "
        "address: the public address when graphsvc is behind a reverse proxy",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="a secret (16 characters or more) Prometheus sends as 'Authorization: Bearer ...' to read "
        "/metrics; unset: /metrics answers loopback requests only",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="`json`: one JSON object a line, with the request id (docs/operations.md)"
    )
    prometheus_multiproc_dir: Path | None = Field(
        default=None,
        validation_alias="PROMETHEUS_MULTIPROC_DIR",
        description="set by `graphsvc serve --workers N` (N > 1): where the workers keep their metrics for /metrics to "
        "sum; not for setting by hand",
    )
    otel: bool = Field(
        default=False,
        description="send OpenTelemetry traces over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT); needs the otel extra",
    )

    subscription_poll_seconds: float = Field(
        default=0.5,
        gt=0,
        le=60,
        description="how often the server reads the audit trail for new writes while anyone is subscribed",
    )
    max_subscriptions_per_token: int = Field(
        default=10, ge=1, description="subscriptions one token (or browser session) may hold open at once"
    )
    subscription_queue: int = Field(
        default=100,
        ge=1,
        description="events waiting for a subscriber at most; a subscriber that falls this far behind is dropped",
    )
    persisted_queries: Literal["off", "apq", "allowlist"] = Field(
        default="apq",
        description="persisted queries (docs/api.md): off; apq, Apollo's automatic persisted queries (a client sends "
        "a document's SHA-256 instead of the document once it has been registered); allowlist, only the documents "
        "in persisted_queries_dir run",
    )
    persisted_queries_kb: int = Field(
        default=4096,
        ge=1,
        description="memory the documents registered by apq clients may take (least recently used first out)",
    )
    persisted_queries_dir: Path | None = Field(
        default=None,
        description="allowlist: a directory of .graphql files, each one document clients may run (loaded at start)",
    )

    def resolved_cache_dir(self) -> Path:
        """Where Maven-resolved Neo4j jars live."""
        if self.cache_dir is not None:
            return self.cache_dir
        return Path.home() / ".cache" / "graphsvc" / "neo4j"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
