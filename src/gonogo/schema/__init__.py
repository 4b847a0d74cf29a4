"""The environment-file schema (validated with pydantic; unknown keys are errors).

Each component has its own table and module: ``[web]`` in :mod:`gonogo.schema.web`,
``[headers]``/``[cookies]``/``[cors]``/``[exposure]``/``[ratelimit]`` in
:mod:`gonogo.schema.security`, ``[postgres]``/``[redis]`` in :mod:`gonogo.schema.data`. A component
that is absent from the file makes the checks of that component *not applicable*.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from gonogo.model import Severity
from gonogo.schema.appconfig import AppConfigConfig
from gonogo.schema.base import WEEK, Section
from gonogo.schema.data import BackupConfig, PostgresConfig, RedisConfig
from gonogo.schema.dns import DnsConfig
from gonogo.schema.e2e import E2eConfig
from gonogo.schema.hosts import HostRoleConfig, role_problem
from gonogo.schema.load import LoadConfig
from gonogo.schema.monitoring import MonitoringConfig, PostdeployConfig
from gonogo.schema.rollback import RollbackConfig
from gonogo.schema.security import (
    CookiesConfig,
    CorsConfig,
    ExposureConfig,
    HeadersConfig,
    RateLimitConfig,
)
from gonogo.schema.smoke import SmokeConfig
from gonogo.schema.tls import TlsConfig
from gonogo.schema.web import WebConfig

__all__ = [
    "CHECK_ID",
    "COMPONENTS",
    "ENV_NAME",
    "AppConfigConfig",
    "CheckOverride",
    "CookiesConfig",
    "CorsConfig",
    "DemoConfig",
    "DnsConfig",
    "E2eConfig",
    "EnvironmentConfig",
    "ExposureConfig",
    "HeadersConfig",
    "HostRoleConfig",
    "LoadConfig",
    "MonitoringConfig",
    "PostdeployConfig",
    "PostgresConfig",
    "RateLimitConfig",
    "RedisConfig",
    "RollbackConfig",
    "Section",
    "SmokeConfig",
    "TlsConfig",
    "Waiver",
    "WebConfig",
    "shown_section",
]

CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")
# an environment name is a directory under reports/: no separator, no "." or "..", no dot first
ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class CheckOverride(Section):
    """``[checks."<check-id>"]``: per-environment adjustments of one check."""

    # strict=False: TOML writes the severity as a string; the enum comes from it
    severity: Severity | None = Field(
        default=None, strict=False, description="replaces the default severity"
    )
    timeout_s: float | None = Field(
        default=None,
        gt=0,
        le=WEEK,
        description="time limit of the check in seconds (replaces the catalogue's timeout_s)",
    )


class Waiver(Section):
    """An accepted, time-boxed risk: a named check is allowed to fail until ``expires``."""

    check: str = Field(description="check id, e.g. tls.cert-expiry")
    reason: str = Field(min_length=3)
    approver: str = Field(min_length=2, description="who accepted the risk")
    ticket: str = Field(min_length=1, description="change or risk ticket, e.g. CHG-1234")
    # strict=False: a quoted "2026-12-31" is accepted as well as a TOML date
    expires: dt.date = Field(
        strict=False, description="last day the waiver applies (TOML date: 2026-12-31)"
    )

    @field_validator("check")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not CHECK_ID.match(value):
            raise ValueError("must be a check id such as tls.cert-expiry")
        return value

    def valid_on(self, today: dt.date) -> bool:
        return today <= self.expires


class DemoConfig(Section):
    """``[demo]``: present only in environments served by the embedded demo stack."""

    faults: list[str] = Field(
        default_factory=list, description="faults to inject, see `gonogo demo faults`"
    )


# the optional sections: a check that needs an absent one is not applicable (catalogue `requires`)
COMPONENTS = (
    "web",
    "ratelimit",
    "postgres",
    "redis",
    "backup",
    "smoke",
    "monitoring",
    "postdeploy",
    "rollback",
    "hosts",
    "app_config",
    "load",
    "e2e",
    "dns",
)


def shown_section(name: str) -> str:
    """A section a check requires, as the file spells it: ``postgres`` as ``[postgres]``, an
    opt-in key ``web.health_path`` as ``[web] health_path``."""
    section, _, key = name.partition(".")
    return f"[{section}] {key}" if key else f"[{section}]"


class EnvironmentConfig(Section):
    """The root of an environment file."""

    name: str | None = Field(
        default=None,
        description="names reports/<name>/ (letters, digits, '.', '_', '-'; at most 64, not "
        "starting with '.'); defaults to the file name without .toml",
    )
    description: str = ""
    sensitive: bool = Field(
        default=False, description="production-like: intrusive checks need --allow-intrusive"
    )
    release: str | None = Field(
        default=None, description="expected deployed version (or --release)"
    )
    secrets_file: Path | None = Field(
        default=None, description="dotenv file of secrets, relative to this file"
    )
    plan: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        max_length=64,
        description="deployment plan the run is judged against: plans/<plan>.toml (or --plan; "
        "docs/plans.md)",
    )
    web: WebConfig | None = None
    tls: TlsConfig = TlsConfig()
    headers: HeadersConfig = HeadersConfig()
    cookies: CookiesConfig = CookiesConfig()
    cors: CorsConfig = CorsConfig()
    exposure: ExposureConfig = ExposureConfig()
    ratelimit: RateLimitConfig | None = None
    postgres: PostgresConfig | None = None
    redis: RedisConfig | None = None
    backup: BackupConfig | None = None
    smoke: SmokeConfig = SmokeConfig()
    monitoring: MonitoringConfig | None = None
    postdeploy: PostdeployConfig | None = None
    rollback: RollbackConfig | None = None
    dns: DnsConfig | None = None
    hosts: dict[str, HostRoleConfig] | None = Field(
        default=None, description="[hosts.<role>]: machines checked by host.* (schema/hosts.py)"
    )
    app_config: AppConfigConfig | None = None
    load: LoadConfig | None = None
    e2e: E2eConfig | None = None
    demo: DemoConfig | None = None
    checks: dict[str, CheckOverride] = Field(default_factory=dict)
    waivers: list[Waiver] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.fullmatch(value):
            raise ValueError(
                "must be a plain name such as 'prod' (letters, digits, '.', '_', '-'; at most "
                "64, not starting with '.'): it names the directory reports/<name>/"
            )
        return value

    @field_validator("hosts")
    @classmethod
    def _roles(cls, value: dict[str, HostRoleConfig] | None) -> dict[str, HostRoleConfig] | None:
        for role in value or {}:
            problem = role_problem(role)
            if problem:
                raise ValueError(f"[hosts.{role}]: {problem}")
        if value is not None and not value:
            raise ValueError("declares no role: write [hosts.<role>] targets = [...]")
        return value

    @model_validator(mode="after")
    def _load_smoke_endpoints(self) -> EnvironmentConfig:
        # [load] smoke_endpoints names [[smoke.endpoints]] entries run as load scenarios
        if self.load is not None and self.load.smoke_endpoints:
            declared = {e.name for e in self.smoke.endpoints or []}
            unknown = [n for n in self.load.smoke_endpoints if n not in declared]
            if unknown:
                raise ValueError(
                    f"load.smoke_endpoints: {', '.join(unknown)} not among [[smoke.endpoints]]"
                )
        return self

    @model_validator(mode="after")
    def _app_config_host(self) -> EnvironmentConfig:
        role = self.app_config.host if self.app_config else None
        if role is not None and role not in (self.hosts or {}):
            raise ValueError(f"app_config.host: no [hosts.{role}] is declared")
        return self

    @field_validator("checks")
    @classmethod
    def _check_ids(cls, value: dict[str, CheckOverride]) -> dict[str, CheckOverride]:
        for key in value:
            if not CHECK_ID.match(key):
                raise ValueError(f"{key!r} is not a check id such as tls.cert-expiry")
        return value
