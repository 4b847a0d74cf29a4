"""``[web]``: the HTTP(S) entry point of the system under test (thresholds of its security
checks are in :mod:`gonogo.schema.security`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator

from gonogo.schema.base import MustExist, Section, url_path


class WebConfig(Section):
    """The public HTTPS entry point (usually the load balancer or nginx)."""

    base_url: str = Field(description="HTTPS URL of the site, e.g. https://app.example.com")
    http_url: str | None = Field(
        default=None, description="plain-HTTP URL used to test the HTTP -> HTTPS redirect"
    )
    ca_bundle: Annotated[Path | None, MustExist("pem")] = Field(
        default=None,
        description="PEM CA bundle to verify the server certificate (default: system)",
    )
    health_path: str | None = Field(
        default=None,
        description="health endpoint, e.g. /health: JSON with a status and its dependencies "
        "(unset: smoke.health is not applicable)",
    )
    version_path: str | None = Field(
        default=None,
        description='version endpoint, e.g. /version: JSON {"version": "..."} '
        "(unset: smoke.version is not applicable)",
    )
    health_budget_ms: float = Field(
        default=1500.0,
        gt=0,
        le=120_000,
        description="latency budget of the health endpoint (plans: p95 < 1500 ms)",
    )
    timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=120,
        description="wall-clock limit of each HTTP exchange (connect to the last body byte) and "
        "of each TLS handshake after connecting",
    )

    def url(self, path: str) -> str:
        """A path of the site (``/health``) on ``base_url``, without a doubled ``/``.

        ``base_url`` and ``http_url`` themselves are requested exactly as written: on a real
        site ``/app`` and ``/app/`` can be different pages (one redirects to the other).
        """
        return self.base_url.rstrip("/") + path

    @field_validator("base_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must start with https:// (the gate checks the TLS entry point)")
        return value

    @field_validator("health_path", "version_path")
    @classmethod
    def _paths(cls, value: str | None) -> str | None:
        return url_path(value)

    @field_validator("http_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("http://"):
            raise ValueError("must start with http://")
        return value
