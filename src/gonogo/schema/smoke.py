"""``[smoke]``: what the smoke journeys check right after a deploy (readiness, declared API
endpoints, the authenticated flow, the front end, WebSocket and SMTP), on ``[web]``'s site."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from gonogo.schema.base import DAY, MINUTE, YEAR, MustExist, Section, url_path

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,47}")
SELECTOR = re.compile(r"^\$?(\.[A-Za-z0-9_-]+|\[[0-9]+\])*$|^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
Method = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _selector(value: str) -> str:
    if not value or not SELECTOR.match(value):
        raise ValueError(f"{value!r} is not a selector such as $.products[0].sku or products.0.sku")
    return value


class Endpoint(Section):
    """``[[smoke.endpoints]]``: one API call and what its answer must hold (``smoke.endpoint``)."""

    name: str = Field(description="names the test instance: smoke.endpoint[<name>]")
    path: str = Field(description="path on [web] base_url, e.g. /api/products")
    method: Method = "GET"
    headers: dict[str, str] = Field(default_factory=dict, description="request headers")
    body: dict[str, Any] | list[Any] | None = Field(
        default=None, description='JSON request body, e.g. {items = [{sku = "A1"}]}'
    )
    status: int = Field(default=200, ge=100, le=599, description="expected HTTP status")
    keys: list[str] = Field(
        default_factory=list,
        description="selectors that must exist in the JSON answer, e.g. $.products[0].sku",
    )
    values: dict[str, Any] = Field(
        default_factory=dict,
        description='selector -> expected value, e.g. {"$.products[0].sku" = "SKU-1"}',
    )
    budget_ms: float = Field(default=1500.0, gt=0, le=120_000, description="latency budget")
    auth: bool = Field(default=False, description="call with the [smoke.login] session")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.fullmatch(value):
            raise ValueError("must be a short name: lower-case letters, digits, '-', '_'")
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return str(url_path(value))

    @field_validator("keys")
    @classmethod
    def _keys(cls, value: list[str]) -> list[str]:
        return [_selector(v) for v in value]

    @field_validator("values")
    @classmethod
    def _values(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            _selector(key)
        return value


class Login(Section):
    """``[smoke.login]``: the synthetic account's log-in, reused by endpoints with ``auth``."""

    path: str = Field(description="log-in endpoint, e.g. /api/session")
    method: Literal["POST", "PUT"] = "POST"
    format: Literal["json", "form"] = "json"
    fields: dict[str, str] = Field(
        description='body fields, e.g. {username = "smoke", password = "${SMOKE_PASSWORD}"}'
    )
    status: int = Field(default=200, ge=100, le=599, description="expected status of the log-in")
    logout_path: str | None = Field(default=None, description="log-out endpoint (default: path)")
    logout_method: Method = "DELETE"
    check_path: str | None = Field(
        default=None,
        description="an endpoint that needs the session: refused (401/403) after the log-out",
    )

    @field_validator("path", "logout_path", "check_path")
    @classmethod
    def _paths(cls, value: str | None) -> str | None:
        return url_path(value)


class Frontend(Section):
    """``[smoke.frontend]``: the index and the static assets it links (``smoke.index-cache``,
    ``smoke.assets``, ``smoke.mixed-content``)."""

    index_path: str = Field(default="/", description="the page whose assets are judged")
    min_asset_max_age_s: int = Field(
        default=YEAR,
        ge=MINUTE,
        le=2 * YEAR,
        description="least Cache-Control max-age of a hashed asset (MDN: a year, immutable)",
    )
    max_index_max_age_s: int = Field(
        default=0,
        ge=0,
        le=DAY,
        description="most an index may be cached without revalidation (0: no-cache)",
    )
    min_compress_bytes: int = Field(
        default=1024, ge=0, le=1_000_000, description="text assets this large must be compressed"
    )

    @field_validator("index_path")
    @classmethod
    def _path(cls, value: str) -> str:
        return str(url_path(value))


class WebSocket(Section):
    """``[smoke.websocket]``: a handshake and one message round trip (``smoke.websocket``)."""

    path: str = Field(description="WebSocket path on [web] base_url (wss://), e.g. /ws/bids")
    send: str = Field(default="ping", description="text message sent after the handshake")
    expect: str = Field(default="", description="text the answer must contain ('': any answer)")
    timeout_s: float = Field(default=5.0, gt=0, le=120, description="limit of each step")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return str(url_path(value))


class Smtp(Section):
    """``[smoke.smtp]``: the relay answers, offers STARTTLS and accepts the sender and a
    recipient; no mail is ever sent (RSET and QUIT after RCPT TO) (``smoke.smtp``)."""

    url: str = Field(description="the relay, smtp://host:port (port default 587)")
    sender: str = Field(description="MAIL FROM address, e.g. noreply@example.com")
    recipient: str = Field(description="RCPT TO address (nothing is sent)")
    starttls: bool = Field(default=True, description="STARTTLS must be offered and succeed")
    ca_bundle: Annotated[Path | None, MustExist("pem")] = Field(
        default=None, description="PEM CA bundle of the relay's certificate (default: system)"
    )
    timeout_s: float = Field(default=5.0, gt=0, le=120, description="limit of each step")

    @field_validator("url")
    @classmethod
    def _smtp(cls, value: str) -> str:
        if not value.startswith("smtp://"):
            raise ValueError("must start with smtp:// (e.g. smtp://mail.example.com:587)")
        return value

    @field_validator("sender", "recipient")
    @classmethod
    def _address(cls, value: str) -> str:
        if "@" not in value or any(c in value for c in "<>\r\n "):
            raise ValueError("must be a plain address such as noreply@example.com")
        return value


class SmokeConfig(Section):
    """``[smoke]``: readiness, retries and the opt-in journeys (absent tables: not applicable)."""

    ready_timeout_s: float = Field(
        default=60.0, gt=0, le=30 * MINUTE, description="how long to wait for /health to be ok"
    )
    ready_interval_s: float = Field(
        default=1.0, gt=0, le=MINUTE, description="pause between readiness polls"
    )
    retries: int = Field(
        default=2,
        ge=0,
        le=5,
        description="extra attempts after a transient error (refused, timeout, 502/503/504); "
        "a check that passed only on a retry is flaky (a major finding)",
    )
    retry_delay_s: float = Field(default=0.5, ge=0, le=MINUTE)
    endpoints: list[Endpoint] | None = None
    login: Login | None = None
    frontend: Frontend | None = None
    websocket: WebSocket | None = None
    smtp: Smtp | None = None

    @model_validator(mode="after")
    def _unique(self) -> SmokeConfig:
        names = [e.name for e in self.endpoints or []]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"endpoint names must be unique: {', '.join(doubled)}")
        if any(e.auth for e in self.endpoints or []) and self.login is None:
            raise ValueError("an endpoint with auth = true needs [smoke.login]")
        return self
