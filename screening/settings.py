"""All configuration, read once from `SCREENING_*` environment variables and passed in.

Nothing reads the environment at import time: `Settings()` is built by the command
line (or a test) and handed to whatever needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", frozen=True, extra="ignore")

    # Kafka bootstrap server(s), Faust URL form; several separated by ';'.
    broker: str = "kafka://127.0.0.1:9092"
    # Redis URL; for a Redis Cluster give any node and set redis_cluster.
    redis_url: str = "redis://127.0.0.1:6379/0"
    # True when redis_url points at a Redis Cluster node (hash-tagged keys are used always).
    redis_cluster: bool = False
    # Redis ACL user (the default user is disabled on the project's Redis).
    redis_username: str | None = None
    # Redis password, kept out of reprs and logs; redis_password_file reads it from a file.
    redis_password: SecretStr | None = None
    redis_password_file: Path | None = None
    # CA bundle that signed the Redis server's certificate, for rediss:// URLs.
    redis_ca_file: Path | None = None
    # -- Kafka security (contract v2) --
    # "sasl_ssl" (SCRAM-SHA-512 over TLS; the default) or "plaintext", only for a broker
    # started without security (the benchmark's comparison broker).
    kafka_security: Literal["sasl_ssl", "plaintext"] = "sasl_ssl"
    # SCRAM principal this process connects as (one per role: worker, feed, console, ...).
    kafka_username: str | None = None
    # Its password, kept out of reprs and logs; kafka_password_file reads it from a file.
    kafka_password: SecretStr | None = None
    kafka_password_file: Path | None = None
    # CA bundle that signed the broker's certificate (.local/secrets/ca.crt locally).
    kafka_ca_file: Path | None = None
    # Where `screening security` keeps the CA, certificates and passwords (mode 0700).
    secrets_dir: Path = Path(".local/secrets")
    # Key sealing dead letters' payloads (AES-256-GCM, base64; `security init` makes
    # .local/secrets/deadletter.key). None: payloads are withheld, never kept in clear.
    deadletter_key_file: Path | None = None
    deadletter_key: SecretStr | None = None
    # Declared sites (JSON, config/sites.example.json): `security init` makes their topics,
    # principals and ACLs and records them where workers read them. None: site `default`.
    sites_file: Path | None = None

    # Prefix of every Redis key: separates deployments (and test runs) on one Redis.
    redis_prefix: str = "scr"
    # Prefix added to every topic name below: separates deployments (and test runs) on one broker.
    topic_prefix: str = ""

    # Topic names (the contract's defaults).
    topic_traveller: str = "scans.traveller"
    topic_vehicle: str = "scans.vehicle"
    topic_results: str = "screening.results"
    topic_alerts: str = "screening.alerts"
    topic_decisions: str = "screening.alert-decisions"
    topic_updates: str = "watchlist.updates"
    topic_deadletter: str = "screening.deadletter"
    topic_instructions: str = "screening.instructions"
    topic_control: str = "screening.control"
    topic_audit: str = "screening.audit"
    # Retention of each topic, in hours, set when `screening security init` creates it:
    # results and instructions serve the gate for a day; alerts and decisions the
    # event's analysts; dead letters their investigation; the audit its legal term.
    retention_scans_h: float = Field(default=24, gt=0)
    retention_results_h: float = Field(default=24, gt=0)
    retention_alerts_h: float = Field(default=30 * 24, gt=0)
    retention_updates_h: float = Field(default=30 * 24, gt=0)
    retention_deadletter_h: float = Field(default=7 * 24, gt=0)
    retention_audit_h: float = Field(default=3 * 365 * 24, gt=0)
    # Partitions for topics the worker creates; more partitions let more workers share the load.
    topic_partitions: int = Field(default=4, ge=1)
    # Replication factor of topics the worker creates (1 on a single broker; 3 in production).
    topic_replication: int = Field(default=1, ge=1)

    # Faust application id: also the Kafka consumer group of the workers.
    app_id: str = "screening"
    # Port of the worker's web server, which serves /metrics.
    web_port: int = 6066
    # Host the worker's web server binds to.
    web_host: str = "127.0.0.1"

    # Most scans screened together (one Redis round trip answers a whole batch). A batch
    # is what arrived while the last one was screened: no waiting for it to fill.
    batch_size: int = Field(default=500, ge=1, le=10_000)
    # Budget for answering a scan when Redis misbehaves; past it the answer is `unverified`.
    lookup_budget_s: float = Field(default=2.0, gt=0)
    # Timeout of one Redis call, in seconds.
    redis_timeout_s: float = Field(default=0.5, gt=0)

    # Faust's per-stream buffer: larger lets batches fill under load.
    stream_buffer_maxsize: int = Field(default=65_536, ge=16)
    # Commit offsets after this many messages or this many seconds, whichever first.
    commit_every: int = Field(default=10_000, ge=1)
    commit_interval_s: float = Field(default=1.0, gt=0)
    # Producer linger. A batch's results already go out as one record batch per
    # partition (agents/publish.py), so a linger only delays them, for no CPU saved
    # (docs/performance.md).
    producer_linger_ms: int = Field(default=0, ge=0)
    # Bytes the broker gathers (waiting up to 5 ms) before answering the worker's fetch.
    # 1 answers at once: lowest latency at a quiet gate. Under load, more (8192) cuts the
    # worker's CPU per scan (fewer, fuller fetches) for up to the wait more per scan at
    # low rates (docs/performance.md).
    fetch_min_bytes: int = Field(default=1, ge=1, le=1 << 20)
    # Run the Kafka consumer on the worker's event loop (true) or, as Faust does, in a
    # thread of its own with its own loop (false). The thread costs a hand-over between
    # loops per fetch and contention for the interpreter (docs/performance.md).
    consumer_in_loop: bool = True
    # The worker's interpreter switch interval (sys.setswitchinterval): how long the
    # live-update thread may wait for the scan loop to yield, per step: Python's default
    # doubled the updates' latency under load, and this leaves throughput as it was
    # (docs/performance.md).
    switch_interval_s: float = Field(default=0.001, gt=0, le=0.1)
    # How long the group waits to hear from a worker (and its watchlist-updates consumer)
    # before handing its partitions to the others, in seconds. A worker lost without a
    # goodbye (a killed process, a lost host) leaves its gates unanswered this long: Kafka's
    # 45 s and Faust's 60 s suit batch jobs, not a gate. A worker stalls for well under a
    # second (a full GC pass at worst), so 10 s is far from false alarms.
    # Brokers accept 6 s to 30 min by default (group.min/max.session.timeout.ms).
    session_timeout_s: float = Field(default=10.0, ge=6.0, le=1800.0)
    # How often a worker's consumers heartbeat, in seconds: also how soon a running worker
    # notices a rebalance (a worker joining or leaving). Under a third of the session timeout.
    heartbeat_interval_s: float = Field(default=1.0, gt=0, le=100.0)
    # Seconds a worker told to stop (SIGTERM, SIGINT) has to finish its batch, commit and
    # leave the group before it ends itself, logging where each thread and task was
    # waiting (screening/stopping.py). Under an orchestrator's grace period (Kubernetes:
    # 30 s), so the log says why, rather than a SIGKILL saying nothing.
    stop_deadline_s: float = Field(default=20.0, gt=0, le=600.0)
    # "at_least_once" (results may repeat after a crash; alert ids are stable) or
    # "exactly_once" (Kafka transactions).
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"

    # A critical alert no step of the hit procedure was taken on within this many seconds
    # is escalated to the supervisors (escalation.py); checked every escalation_check_s.
    escalation_after_s: float = Field(default=60.0, gt=0, le=86_400)
    escalation_check_s: float = Field(default=0.5, gt=0, le=60)

    # Largest scan accepted, in bytes; larger ones are rejected unread.
    max_scan_bytes: int = Field(default=16_384, ge=1024)

    # Lowest score for a name match against a notice to be a hit (see README: matching).
    name_threshold: float = Field(default=0.88, ge=0, le=1)
    # read_confidence below which a plate may also match with one character missing or extra.
    plate_low_confidence: float = Field(default=0.8, ge=0, le=1)

    # Seconds an old watchlist version is kept after a switch, so in-flight batches finish on it.
    version_grace_s: float = Field(default=30.0, ge=0)
    # Seconds a live update's issued_at may be ahead of the worker's clock. Updates order
    # by issued_at: one dated far ahead would outrank every real later update of its
    # record, so it is dead-lettered instead (feeds' clocks drift by seconds, not hours).
    update_max_ahead_s: float = Field(default=60.0, ge=0)

    # Faust's own data folder (tables, offsets cache); default: under the system temp folder.
    data_dir: str | None = None

    # -- analysts' console (`screening console`) --
    # Address the analysts' console binds to; loopback unless a TLS proxy fronts it.
    console_host: str = "127.0.0.1"
    # Port of the analysts' console.
    console_port: int = Field(default=8080, ge=0, le=65535)
    # This console among its replicas (its decisions' transactional id); empty: the host
    # name and port. Keep it across restarts: a restarted console then fences its
    # predecessor's unfinished transaction at once.
    console_instance: str = Field(default="", max_length=100)
    # Console users, inline: "name:scrypt$...:role:sites,..." (console/users.py; a bare
    # "name:scrypt$..." is an analyst of every site). With console_users_file empty too,
    # the console refuses to start.
    console_users: SecretStr = SecretStr("")
    # The console's user store, one `name:hash:role:sites` a line (console/users.py),
    # written by `screening console users`; re-read when it changes. Inline entries of
    # console_users are users too (a name may not be in both).
    console_users_file: Path | None = None
    # Key signing session and CSRF cookies; share it between console replicas. Unset: a
    # random key per process (everyone signs in again after a restart).
    console_session_secret: SecretStr | None = None
    # Lifetime of a sign-in, in seconds (a shift).
    console_session_ttl_s: int = Field(default=12 * 3600, ge=60)
    # Mark cookies Secure: set when the console is served over HTTPS (behind a proxy).
    console_secure_cookies: bool = False
    # Alerts read back per partition when the console starts, so a new page is not empty.
    console_lookback: int = Field(default=200, ge=0, le=100_000)
    # Decided alerts kept in memory and sent to a page when it connects (the newest);
    # open alerts are all kept, whatever their number, until decided.
    console_max_alerts: int = Field(default=2000, ge=10, le=100_000)
    # Seconds an analyst's claim on an alert lasts without activity (each step renews it);
    # then anyone may claim it. Claims live in Redis, shared by the console's replicas.
    console_claim_ttl_s: int = Field(default=15 * 60, ge=30, le=24 * 3600)
    # Seconds during which an analyst may undo their own last step (0: no undo).
    console_undo_window_s: float = Field(default=10.0, ge=0, le=300)
    # Confirming a critical alert needs two different analysts (four eyes).
    console_four_eyes: bool = True
    # Most alerts one search in the console returns (the newest first).
    console_search_max_results: int = Field(default=50, ge=1, le=1000)

    # Log level of this project's loggers; library loggers stay at WARNING.
    log_level: str = "INFO"
    # Logs as JSON lines (for collectors) instead of key=value.
    log_json: bool = False

    # -- signed watchlist data --
    # Trusted feed public keys, JSON lines (watchlists/signing.py). None configured: the
    # worker refuses every update and `watchlists load` every file (fail closed).
    feed_keys_file: str | None = None
    # The same lines inline (tests); trusted together with feed_keys_file's.
    feed_keys: str | None = None
    # The feed's Ed25519 private key (PEM, mode 0600) for `watchlists sign|publish`.
    feed_signing_key_file: str | None = None
    # The same key inline (PEM or base64 seed; tests), kept out of reprs and logs.
    feed_signing_key: SecretStr | None = None

    # -- console sessions --
    # (Sessions live in Redis under {console:redis_prefix}:*, for console_session_ttl_s.)
    # Sign-in attempts one address may make a minute (each costs ~0.1 s of scrypt).
    console_signin_per_address: int = Field(default=20, ge=1, le=10_000)
    # Failed sign-ins one address may make for one analyst name in 15 minutes.
    console_signin_per_address_name: int = Field(default=5, ge=1, le=10_000)
    # Failures for one name (from every address) in 15 minutes before sign-ins for it are
    # slowed down; past them each failure doubles the delay. Never a refusal.
    console_signin_name_free: int = Field(default=10, ge=0)
    # Longest delay a sign-in for a much-guessed name waits, in seconds.
    console_signin_name_max_delay_s: float = Field(default=3.0, ge=0, le=30)
    # Proxies in front of the console that append the client to X-Forwarded-For; 0: the
    # TCP peer is the client (the header is then ignored: clients can write it).
    console_trusted_proxy_hops: int = Field(default=0, ge=0, le=10)
    # Seconds between two reads of the site registry, which maps an alert's checkpoint to
    # its site (what an analyst may see); a new site's alerts reach its analysts this soon.
    console_sites_refresh_s: float = Field(default=10.0, gt=0, le=3600)
    # Most audit records the auditor view shows for one search (the newest are kept).
    console_audit_max_results: int = Field(default=500, ge=1, le=100_000)

    # -- audit --
    # Key of the audit's query digests (HMAC-SHA-256): a file of at least 16 random
    # characters (mode 0600; `security init` writes 64 to <secrets_dir>/audit.key).
    # Whoever holds it can test a guess of a document number against the audit: give it
    # to workers, the console and the auditor only.
    audit_key_file: Path | None = None
    # The same key inline (tests), kept out of reprs and logs; audit_key_file wins.
    audit_key: SecretStr | None = None
    # Write a `search` audit record for every screened scan; on, a worker without an audit
    # key refuses to start. Off only for the benchmark's comparison: searches unaudited.
    audit_searches: bool = True

    # -- the edge (`screening edge`: HTTPS for one site's terminals, offline answers) --
    # The site whose terminals this edge serves; it connects to Kafka as that site's
    # principal (site-<site>), given by the kafka_* settings.
    edge_site: str = "default"
    # Address and port the edge binds to (HTTPS only).
    edge_host: str = "127.0.0.1"
    edge_port: int = Field(default=8443, ge=0, le=65535)
    # The edge's TLS certificate and key (PEM). None: one signed by the local CA in
    # secrets_dir, made on first start (<secrets_dir>/edge/<site>.crt).
    edge_tls_cert_file: Path | None = None
    edge_tls_key_file: Path | None = None
    # Host names and addresses the made certificate names besides loopback (comma-separated).
    edge_tls_hosts: str = ""
    # The CA (PEM) terminals' client certificates must be signed by (`screening security
    # add-terminal --cert`). None: the local CA (<secrets_dir>/ca.crt) if there is one.
    edge_client_ca_file: Path | None = None
    # The site's terminals and their token hashes (`screening security add-terminal`).
    # None: <secrets_dir>/edge/<site>.terminals.
    edge_terminals_file: Path | None = None
    # How long a terminal waits for the central worker's answer before the edge answers
    # from its own snapshot (OFFLINE), in seconds. The worker answers in ~10-30 ms.
    edge_budget_s: float = Field(default=0.3, gt=0, le=30)
    # Scans a second one terminal may post (a token bucket), and the burst it may send at once.
    edge_rate_per_terminal: float = Field(default=20.0, gt=0)
    edge_burst_per_terminal: int = Field(default=40, ge=1)
    # Where the edge keeps scans answered offline until they are forwarded (SQLite, WAL).
    edge_data_dir: Path = Path(".local/edge")
    # Folder of signed bulk list files (NDJSON with their .sig manifests) the edge screens
    # against when offline. None: offline answers are `unverified`.
    edge_snapshot_dir: Path | None = None
    # Seconds between two attempts to reach the broker (and forward stored scans) while
    # the link is down.
    edge_retry_s: float = Field(default=1.0, gt=0, le=60)
    # Seconds between two looks at the lists' current version in Redis (as the read-only
    # `edge` user); when it moved on, the edge copies it and swaps. 0: never (files only).
    edge_refresh_s: float = Field(default=30.0, ge=0)
    # The key the edge signs its saved copy of the lists with (HMAC-SHA-256, 64 hex
    # digits). None: <secrets_dir>/edge/<site>.snapshot.key, made on first need.
    edge_snapshot_key_file: Path | None = None
    # How long a worker remembers a scan an edge forwarded (hours), to answer a second
    # copy of it with nothing (screening/forwarded.py): longer than an edge keeps scans
    # it could not forward.
    forwarded_memory_h: float = Field(default=7 * 24.0, gt=0)

    @field_validator("secrets_dir", mode="before")
    @classmethod
    def _secrets_dir_set(cls, value: Any) -> Any:
        """An empty SCREENING_SECRETS_DIR means unset: never the working directory, where
        `security init` would write keys and passwords beside the code."""
        if isinstance(value, str) and not value.strip():
            return Path(".local/secrets")
        return value
    # -- correlation across checkpoints and time (screening/correlation/) --
    # Correlate scans (contract v2 "Alerts v2", kind `correlation`); needs the audit key,
    # whose keyed digests are the correlation keys (no plaintext in the state).
    correlation: bool = True
    # Speed no traveller beats between two sites, km/h: the same document at two sites
    # sooner than their distance takes at this speed is DOCUMENT_SIMULTANEOUS_USE.
    correlation_travel_kmh: float = Field(default=80.0, gt=0)
    # The same document at two checkpoints of one venue (site) within this many seconds
    # is DOCUMENT_SIMULTANEOUS_USE (nobody walks between gates that fast).
    correlation_same_venue_s: float = Field(default=60.0, ge=0)
    # A person or document referred at one gate and seen at another within this many
    # seconds is GATE_SHOPPING.
    correlation_gate_shopping_s: float = Field(default=30 * 60.0, gt=0)
    # How long a document's sightings are remembered, in hours (its key's TTL): bounds
    # the travel-time rule and gate shopping.
    correlation_document_window_h: float = Field(default=24.0, gt=0)
    # How long a person's documents are remembered, in hours: the event's length, for
    # PERSON_MULTIPLE_DOCUMENTS.
    correlation_person_window_h: float = Field(default=14 * 24.0, gt=0)
    # How long a plate's VINs are remembered, in hours, for PLATE_VIN_MISMATCH.
    correlation_plate_window_h: float = Field(default=14 * 24.0, gt=0)
    # Retroactive screening: a record added or changed by a live update is checked
    # against the sightings of this many hours (the keys live at least this long).
    retroactive_window_h: float = Field(default=72.0, ge=0)
    # Most sightings kept per correlation key (the oldest go first): bounds memory and
    # the work per scan when one key is seen very often (a fleet's shared plate).
    correlation_max_sightings: int = Field(default=32, ge=2, le=1000)

    # -- modes (contract v2 "Modes"; screening/modes/) --
    # Trusted supervisor public keys, JSON lines as feed keys are: a ModeChange signed by
    # none of them is not applied. None configured: every mode change is refused.
    control_keys_file: str | None = None
    # The same lines inline (tests); trusted together with control_keys_file's.
    control_keys: str | None = None
    # The supervisor's Ed25519 private key (PEM, mode 0600) for `screening mode set`.
    control_signing_key_file: str | None = None
    # The same key inline (PEM or base64 seed; tests), kept out of reprs and logs.
    control_signing_key: SecretStr | None = None

    @model_validator(mode="after")
    def _heartbeats_within_session(self) -> Settings:
        if self.heartbeat_interval_s * 3 > self.session_timeout_s:
            raise ValueError("heartbeat_interval_s must be at most a third of "
                             "session_timeout_s (missed beats then still leave time)")
        return self

    @model_validator(mode="after")
    def _read_secret_files(self) -> Settings:
        # *_FILE settings win over inline ones: secrets come from files in deployments.
        for name in ("kafka_password", "redis_password", "audit_key"):
            path = getattr(self, f"{name}_file")
            if path is not None:
                try:
                    value = Path(path).read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise ValueError(f"{name}_file {path}: {exc.strerror}") from None
                object.__setattr__(self, name, SecretStr(value))
        return self

    def topic(self, name: str) -> str:
        """Full topic name with the deployment's prefix."""
        return f"{self.topic_prefix}{name}"

    @property
    def broker_hosts(self) -> list[str]:
        """Bootstrap servers as host:port, for plain aiokafka clients."""
        hosts = []
        for url in self.broker.split(";"):
            url = url.strip()
            hosts.append(url.split("://", 1)[1] if "://" in url else url)
        return hosts
