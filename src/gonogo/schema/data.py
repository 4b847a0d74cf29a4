"""``[postgres]``, ``[redis]`` and ``[backup]``: the data stores of the system under test.

Defaults come from the deployment plans: PostgreSQL 13+, Redis 6.0+ with AOF, daily encrypted
backups, RPO 1 h (WAL) / 24 h (full backups), RTO 4 h, a backup before every deploy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from gonogo.schema.base import DAY, TIB, WEEK, YEAR, MustExist, Section

_MIB = 1024 * 1024
# backup location schemes a BackupSource exists for (probes/backup.py: SOURCES)
SOURCE_KINDS = ("file",)
# OpenPGP symmetric ciphers: the RFC 4880 / RFC 9580 algorithm id gpg's DECRYPTION_INFO reports
# (read by probes/gpg.py) -> gpg's name for it (what [backup] ciphers lists)
OPENPGP_CIPHER_IDS = {
    1: "IDEA",
    2: "3DES",
    3: "CAST5",
    4: "BLOWFISH",
    7: "AES128",
    8: "AES192",
    9: "AES256",
    10: "TWOFISH",
    11: "CAMELLIA128",
    12: "CAMELLIA192",
    13: "CAMELLIA256",
}
OPENPGP_CIPHERS = tuple(OPENPGP_CIPHER_IDS.values())


class PostgresConfig(Section):
    """The primary PostgreSQL database, reached read-only (``pg.*`` checks)."""

    dsn: str = Field(
        description="application DSN (libpq URL), e.g. postgresql://gonogo:${PGPASSWORD}@db:5432/app: "
        "pg.connect, pg.version, pg.schema, pg.migrations (its role needs SELECT on the "
        "migrations table), pg.app-role and the restore drill's source row counts"
    )
    monitor_dsn: str | None = Field(
        default=None,
        description="monitoring DSN of a role with pg_monitor, when the application role lacks "
        "it: pg.replication, pg.capacity, pg.archiving, pg.slow-query-log and the restore "
        "drill's check of the source's identity (default: dsn)",
    )
    min_version: int = Field(
        default=13, ge=9, le=99, description="minimum server major version (plans: 13+)"
    )
    connect_timeout_s: float = Field(
        default=3.0,
        gt=0,
        le=60,
        description="wall-clock limit of each connection attempt, login included "
        "(libpq counts whole seconds, at least 2)",
    )
    statement_timeout_ms: int = Field(
        default=5000,
        gt=0,
        le=600_000,
        description="per statement, on the server; the client also gives up on any answer "
        "2 s after it (wall clock: a stalled or trickling server)",
    )
    require_tls: bool = Field(default=False, description="the gate's own connection must use TLS")
    max_rtt_ms: float = Field(default=200.0, gt=0, le=60_000, description="round trip of SELECT 1")
    required_tables: list[str] = Field(
        default_factory=list, description="'table' (public) or 'schema.table'"
    )
    required_indexes: list[str] = Field(
        default_factory=list, description="'index' (public) or 'schema.index'"
    )
    migrations_query: str = Field(
        default="SELECT max(version) FROM schema_migrations",
        description="read-only query whose first column of the first row is the schema head",
    )
    expected_migration: str | None = Field(default=None, description="expected schema head")
    min_standbys: int = Field(
        default=0, ge=0, le=100, description="streaming standbys (plans: replication)"
    )
    max_replay_lag_s: float = Field(default=30.0, ge=0, le=DAY)
    max_replay_lag_bytes: int = Field(
        default=16 * _MIB, ge=0, le=TIB, description="used when no lag time is reported"
    )
    max_slot_retained_bytes: int = Field(
        default=1024 * _MIB, ge=0, le=16 * TIB, description="WAL a slot holds back"
    )
    max_connections_ratio: float = Field(default=0.8, gt=0, le=1)
    max_xact_age_s: float = Field(
        default=300.0, gt=0, le=WEEK, description="oldest open or prepared transaction"
    )
    max_lock_wait_s: float = Field(default=60.0, gt=0, le=DAY, description="oldest ungranted lock")
    require_archiving: bool = Field(default=True, description="plans: WAL archiving enabled")
    max_archive_age_s: float = Field(
        default=3600.0,
        gt=0,
        le=WEEK,
        description="age of the last archived WAL while WAL is waiting (RPO 1 h)",
    )
    max_slow_query_ms: int | None = Field(
        default=None,
        ge=0,
        le=DAY * 1000,
        description="log_min_duration_statement must also be at most this",
    )
    app_role: str | None = Field(
        default=None,
        description="application role that must not be superuser (default: the DSN user)",
    )

    @field_validator("dsn", "monitor_dsn")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @property
    def monitoring(self) -> tuple[str, str]:
        """``(key, DSN)`` the monitoring views are read over: ``monitor_dsn``, else ``dsn``."""
        if self.monitor_dsn is not None:
            return "monitor_dsn", self.monitor_dsn
        return "dsn", self.dsn

    @field_validator("expected_migration", mode="before")
    @classmethod
    def _head_text(cls, value: object) -> object:
        # TOML writes 20240101 as an integer; the head is compared as text
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# Redis's memory units (redis.conf): k/m/g are powers of 1000, kb/mb/gb powers of 1024
_REDIS_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2}
_REDIS_UNITS |= {"g": 1000**3, "gb": 1024**3}


def redis_bytes(text: str) -> int:
    """``"256mb"`` -> 268435456, as Redis reads a memory size (case-insensitive)."""
    number = text.strip().lower().rstrip("bgkm")
    unit = text.strip().lower()[len(number) :]
    if not number.isdigit() or unit not in _REDIS_UNITS:
        raise ValueError(f"{text!r} is not a memory size; use bytes or 64mb, 4gb...")
    return int(number) * _REDIS_UNITS[unit]


class RedisConfig(Section):
    """The Redis cache / queue (``redis.*`` checks)."""

    url: str = Field(
        description="redis:// or rediss:// URL, e.g. redis://:${REDIS_PASSWORD}@cache:6379/0"
    )
    min_version: str = Field(default="6.0", description="minimum server version (plans: 6.0+)")
    timeout_s: float = Field(
        default=3.0,
        gt=0,
        le=60,
        description="limit of the connect and of each read; the whole probe gets this + 2 s, "
        "wall clock (a server that trickles bytes is cut there)",
    )
    max_rtt_ms: float = Field(default=100.0, gt=0, le=60_000, description="round trip of PING")
    require_auth: bool = Field(default=True, description="an unauthenticated connection is refused")
    require_aof: bool = Field(default=True, description="plans: persistence AOF enabled")
    max_rdb_age_s: float = Field(
        default=86400.0, gt=0, le=YEAR, description="last RDB save, when RDB is configured"
    )
    role: Literal["master", "replica"] = Field(
        default="master", description="expected role of the target"
    )
    min_replicas: int = Field(
        default=0, ge=0, le=100, description="online replicas (plans: master-slave)"
    )
    max_replica_lag_s: float = Field(
        default=10.0, ge=0, le=DAY, description="seconds since a replica's last ack"
    )
    max_replica_offset_lag: int = Field(
        default=_MIB, ge=0, le=TIB, description="bytes behind the master"
    )
    require_maxmemory: bool = Field(default=True, description="a maxmemory limit must be set")
    min_maxmemory: int = Field(
        default=1024 * _MIB,
        ge=0,
        le=16 * TIB,
        description="smallest acceptable maxmemory when a limit is set (plans: a Redis host of "
        '4 GB minimum; default 1 GiB): bytes, or Redis\'s units ("256mb", "3gb"; "1m" is '
        "1,000,000 bytes); 0 accepts any limit",
    )
    maxmemory_policy: str | None = Field(default=None, description="e.g. allkeys-lru; None = any")
    max_memory_ratio: float = Field(default=0.9, gt=0, le=1, description="used_memory / maxmemory")
    max_rejected_connections: int = Field(
        default=0, ge=0, le=10**12, description="since the server started"
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("min_maxmemory", mode="before")
    @classmethod
    def _memory(cls, value: object) -> object:
        return redis_bytes(value) if isinstance(value, str) else value

    @field_validator("min_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not all(part.isdigit() for part in value.split(".")):
            raise ValueError("must be a dotted version such as 6.0")
        return value


class BackupConfig(Section):
    """Database backups (``backup.*`` checks): where they are and what they must satisfy."""

    location: str | None = Field(
        default=None,
        description="where the backups are: file:///var/backups/app or a directory path "
        "(object stores can be added later as new sources)",
    )
    directory: Path | None = Field(
        default=None, description="same as location for a local directory (older files)"
    )
    pattern: str = Field(default="*.dump", description="glob of backup files, e.g. app-*.dump.gpg")
    max_age_hours: float = Field(
        default=24.0, gt=0, le=YEAR // 3600, description="RPO of full backups (plans: daily)"
    )
    min_size_ratio: float = Field(
        default=0.5, ge=0, le=1, description="newest size / previous size below this is suspicious"
    )
    require_checksum: bool = Field(default=False, description="a <file>.sha256 must exist")
    encrypted: bool = Field(
        default=False, description="backups must be OpenPGP-encrypted (plans: AES-256)"
    )
    ciphers: list[str] = Field(
        default_factory=lambda: ["AES256"],
        min_length=1,
        description="ciphers an encrypted backup may use, by gpg's names (plans: AES-256; "
        'add "AES128", "AES192" to accept any AES)',
    )
    passphrase: SecretStr | None = Field(
        default=None, description="from secrets: ${BACKUP_PASSPHRASE}"
    )
    gnupg_home: Annotated[Path | None, MustExist("dir")] = Field(
        default=None, description="keyring for public-key encrypted backups"
    )
    scratch_dsn: str | None = Field(
        default=None,
        description="a separate server for the restore drill (never the source under any name, "
        "a standby or its primary; a clone built from a snapshot of the source is fine); its "
        "role needs CREATEDB (see the catalogue for amcheck grants)",
    )
    rto_s: float = Field(
        default=14400.0,
        gt=0,
        le=WEEK,
        description="restore-time objective (plans: 4 h); the drill's restore is stopped there "
        '(keep [checks."backup.restore"] timeout_s above it)',
    )
    exact_within_minutes: float = Field(
        default=5.0,
        ge=0,
        le=DAY // 60,
        description="a dump younger than this may differ from the source by row_slack rows "
        "per table only (no relative tolerance)",
    )
    row_slack: int = Field(
        default=100,
        ge=0,
        le=10**12,
        description="rows per table a restored table may differ from the live source by, "
        "always (writes since the dump; small tables)",
    )
    row_tolerance: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="relative row-count difference per table allowed, besides row_slack, "
        "for a dump older than exact_within_minutes",
    )
    exact_count_max_rows: int = Field(
        default=1_000_000,
        ge=0,
        le=10**15,
        description="source tables estimated above this are not count(*)-ed: their estimate "
        "(pg_stat_user_tables.n_live_tup) is compared instead",
    )
    estimate_tolerance: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="relative difference allowed where the source count is an estimate",
    )
    predeploy_window_minutes: float = Field(
        default=60.0,
        gt=0,
        le=WEEK // 60,
        description="a backup this recent must exist before the deploy",
    )
    pg_bin_dir: Annotated[Path | None, MustExist("dir")] = Field(
        default=None, description="where pg_restore/pg_amcheck live (default: PATH)"
    )
    amcheck: bool = Field(
        default=True,
        description="run pg_amcheck on the restored database; if it cannot run, the drill fails",
    )
    command_timeout_s: float = Field(
        default=600.0, gt=0, le=DAY, description="gpg, pg_restore read-through, pg_amcheck"
    )
    work_dir: Path | None = Field(
        default=None,
        description="where decrypted copies go, 0600 in a 0700 dir each (default: a private "
        "gonogo-<uid> dir in the system temp dir)",
    )

    @property
    def source(self) -> tuple[str, str]:
        """``(kind, where)`` of the backup location, e.g. ``("file", "/var/backups/app")``."""
        if self.directory is not None:
            return "file", str(self.directory)
        assert self.location is not None  # the validator requires one of them
        scheme, sep, rest = self.location.partition("://")
        return (scheme.lower(), rest) if sep else ("file", self.location)

    @field_validator("ciphers")
    @classmethod
    def _ciphers(cls, value: list[str]) -> list[str]:
        names = [v.upper().replace("-", "") for v in value]
        unknown = [v for v, n in zip(value, names, strict=True) if n not in OPENPGP_CIPHERS]
        if unknown:
            raise ValueError(f"unknown cipher(s) {unknown}; known: {', '.join(OPENPGP_CIPHERS)}")
        return names

    @field_validator("scratch_dsn")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @model_validator(mode="after")
    def _can_decrypt(self) -> BackupConfig:
        if self.encrypted and self.passphrase is None and self.gnupg_home is None:
            raise ValueError("encrypted = true needs passphrase (from secrets) or gnupg_home")
        return self

    @model_validator(mode="after")
    def _one_location(self) -> BackupConfig:
        if (self.location is None) == (self.directory is None):
            raise ValueError("set exactly one of location (file:///path) and directory")
        kind, where = self.source
        if kind not in SOURCE_KINDS:
            raise ValueError(
                f"location {kind}:// is not supported; supported: "
                + ", ".join(f"{k}://" for k in SOURCE_KINDS)
            )
        if self.location is not None and not where.startswith("/"):
            raise ValueError("location must be an absolute path (file:///var/backups/app)")
        return self
