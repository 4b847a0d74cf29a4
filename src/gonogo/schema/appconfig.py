"""``[app_config]``: the application's own environment file (``.env.production``), linted.

The file is read on the gate's machine or on a host of a ``[hosts.<role>]`` (its first target).
Defaults come from the deployment plans: ``DEBUG=False``, ``NODE_ENV=production``, a JWT secret
of 64 characters, explicit CORS origins. Values are never shown: evidence says "set, 64
characters".
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from gonogo.schema.base import Section

_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
# names of variables that hold secrets unless [app_config] sensitive_vars lists them
SENSITIVE_NAME = re.compile(r"(?i)(secret|passw|pwd|token|key|private|credential|auth|salt)")


def is_sensitive(name: str, cfg: AppConfigConfig) -> bool:
    """Whether the variable ``name`` holds a secret: listed in ``sensitive_vars``, else by name."""
    if cfg.sensitive_vars is not None:
        return name in cfg.sensitive_vars or name in cfg.long_vars
    return bool(SENSITIVE_NAME.search(name))


class AppConfigConfig(Section):
    """The application's environment file and what production demands of it (``config.*``)."""

    env_file: Path = Field(
        description="the application's dotenv file, e.g. /srv/app/.env.production (absolute "
        "when read on a host)"
    )
    host: str | None = Field(
        default=None,
        description="role of [hosts.<role>] whose first target holds the file (default: the "
        "gate's machine)",
    )
    staging_file: Path | None = Field(
        default=None,
        description="the staging environment's file, read the same way: a secret that is the "
        "same in both fails",
    )
    max_file_bytes: int = Field(default=1024 * 1024, ge=1, le=64 * 1024 * 1024)
    required_vars: list[str] = Field(default_factory=list, description="keys that must be set")
    sensitive_vars: list[str] | None = Field(
        default=None,
        description="keys holding secrets (default: names with SECRET, PASSWORD, TOKEN, KEY, "
        "PRIVATE, CREDENTIAL)",
    )
    min_secret_length: int = Field(
        default=32, ge=1, le=4096, description="characters of every secret"
    )
    long_vars: list[str] = Field(
        default_factory=lambda: ["JWT_SECRET", "JWT_SECRET_KEY"],
        description="secrets held to min_long_length instead (plans: JWT secret 64 characters)",
    )
    min_long_length: int = Field(default=64, ge=1, le=4096)
    production_values: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "DEBUG": ["false", "0", "no", "off"],
            "NODE_ENV": ["production"],
            "APP_ENV": ["production", "prod"],
            "FLASK_ENV": ["production"],
            "RAILS_ENV": ["production"],
        },
        description="keys that, when set, must have one of these values (case-insensitive)",
    )
    log_level_vars: list[str] = Field(
        default_factory=lambda: ["LOG_LEVEL", "LOGLEVEL", "APP_LOG_LEVEL"],
        description="keys of the log level: never debug or trace in production",
    )
    cors_vars: list[str] = Field(
        default_factory=lambda: ["CORS_ALLOWED_ORIGINS", "CORS_ORIGINS", "CORS_ORIGIN"],
        description="keys listing allowed CORS origins: never *",
    )

    @field_validator("required_vars", "sensitive_vars", "long_vars", "log_level_vars", "cors_vars")
    @classmethod
    def _keys(cls, value: list[str] | None) -> list[str] | None:
        for key in value or ():
            if not re.fullmatch(_KEY, key):
                raise ValueError(f"{key!r} is not an environment variable name")
        return value

    @model_validator(mode="after")
    def _absolute_on_host(self) -> AppConfigConfig:
        if self.host is not None:
            for name in ("env_file", "staging_file"):
                path = getattr(self, name)
                if path is not None and not path.is_absolute():
                    raise ValueError(f"{name} must be an absolute path on host {self.host}")
        return self
