"""``[postgres]`` and ``[redis]``: the data stores of the system under test."""

from __future__ import annotations

from pydantic import Field, field_validator

from gonogo.schema.base import Section


class PostgresConfig(Section):
    """The primary PostgreSQL database, reached read-only."""

    dsn: str = Field(description="libpq URL, e.g. postgresql://app:${PGPASSWORD}@db:5432/app")
    min_version: int = Field(default=13, ge=9, description="minimum server major version (plans: 13+)")
    connect_timeout_s: float = Field(default=3.0, gt=0, le=60)

    @field_validator("dsn")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value


class RedisConfig(Section):
    """The Redis cache / queue."""

    url: str = Field(description="redis:// or rediss:// URL, e.g. redis://:${REDIS_PASSWORD}@cache:6379/0")
    min_version: str = Field(default="6.0", description="minimum server version (plans: 6.0+)")
    timeout_s: float = Field(default=3.0, gt=0, le=60)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value
