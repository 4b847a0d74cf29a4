"""``[monitoring]`` and ``[postdeploy]``: Prometheus, Alertmanager and the post-deploy gate.

Defaults come from the deployment plans: the alert rules APIDown, DatabaseDown, HighErrorRate,
HighResponseTime, HighMemoryUsage and HighDiskUsage; after the deploy a 5xx ratio under 0.1 %,
p95 latency under 500 ms, no restarts and saturation under its limit; roll back when the error
rate passes 1 % or p95 passes 500 ms.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from gonogo.schema.base import MustExist, Section

PLAN_ALERTS = (
    "APIDown",
    "DatabaseDown",
    "HighErrorRate",
    "HighResponseTime",
    "HighMemoryUsage",
    "HighDiskUsage",
)
# a PromQL range duration: 30s, 5m, 1h30m
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
COMPARISONS = ("<", "<=", ">", ">=", "==")
WINDOW = "$window"


def _http_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


class RequiredRule(Section):
    """An alert rule Prometheus must have loaded: by name, or by (part of) its expression."""

    alert: str = Field(min_length=1, description="alert name, e.g. APIDown")
    expr: str | None = Field(
        default=None,
        description="a rule whose expression contains this (whitespace ignored) also matches, "
        'e.g. up{job="api"} == 0',
    )


class MonitoringConfig(Section):
    """Prometheus (HTTP API) and Alertmanager (API v2) of the system (``monitoring.*``)."""

    prometheus_url: str = Field(description="Prometheus base URL, e.g. http://prometheus:9090")
    alertmanager_url: str | None = Field(
        default=None,
        description="Alertmanager base URL, e.g. http://alertmanager:9093 (unset: "
        "monitoring.alertmanager is not applicable)",
    )
    ca_bundle: Annotated[Path | None, MustExist("pem")] = Field(
        default=None, description="PEM CA bundle for https:// URLs (default: system)"
    )
    timeout_s: float = Field(default=5.0, gt=0, le=120, description="limit of each API call")
    jobs: list[str] = Field(
        default_factory=list,
        description="scrape jobs whose every target must be up (a job without targets fails); "
        "empty: every job Prometheus scrapes",
    )
    required_rules: list[RequiredRule] = Field(
        default_factory=lambda: [RequiredRule(alert=name) for name in PLAN_ALERTS],
        description='alert rules that must be loaded and healthy: names ("APIDown") or tables '
        '{ alert = "APIDown", expr = "up{job=\\"api\\"} == 0" } (default: the plans\' six)',
    )
    critical_severities: list[str] = Field(
        default_factory=lambda: ["critical"],
        min_length=1,
        description="values of an alert's severity label that block while it fires",
    )
    rules_dir: Annotated[Path | None, MustExist("dir")] = Field(
        default=None,
        description="directory of the rule files Prometheus loads, checked with promtool "
        "check rules (unset: monitoring.rule-files is not applicable)",
    )
    rules_glob: str = Field(default="*.yml", description="rule files in rules_dir")
    promtool: Path = Field(default=Path("promtool"), description="promtool binary (PATH)")
    alert_severities: list[str] = Field(
        default_factory=lambda: ["critical", "warning"],
        description="severities Alertmanager must route to a receiver with an integration",
    )
    log_url: str | None = Field(
        default=None,
        description="log aggregation endpoint that must answer (e.g. Loki's /ready); unset: "
        "monitoring.logs is not applicable",
    )
    error_tracking_url: str | None = Field(
        default=None,
        description="error tracking endpoint that must answer (e.g. Sentry's "
        "/_health/); unset: monitoring.error-tracking is not applicable",
    )

    @field_validator("required_rules", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"alert": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("prometheus_url", "alertmanager_url", "log_url", "error_tracking_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _http_url(value)


class Query(Section):
    """One PromQL expression judged against a threshold (``$window`` is replaced)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="e.g. error_ratio")
    query: str = Field(min_length=1, description="PromQL; $window is the section's window")
    comparison: Literal["<", "<=", ">", ">=", "=="] = Field(
        description="every series' value must satisfy: value <comparison> threshold"
    )
    threshold: float = Field(ge=-1e18, le=1e18)
    unit: str = Field(default="", description="shown with the value, e.g. ms, ratio")
    if_empty: Literal["error", "zero"] = Field(
        default="error",
        description="an empty answer (no series): error (cannot check) or read as 0",
    )


def _q(
    name: str, query: str, comparison: str, threshold: float, unit: str, if_empty: str = "error"
) -> Query:
    return Query.model_validate(
        {
            "name": name,
            "query": query,
            "comparison": comparison,
            "threshold": threshold,
            "unit": unit,
            "if_empty": if_empty,
        }
    )


ERROR_RATIO = (
    '(sum(rate(http_requests_total{status=~"5.."}[$window])) or vector(0)) '
    "/ sum(rate(http_requests_total[$window]))"
)
P95_MS = (
    "histogram_quantile(0.95, sum by (le) "
    "(rate(http_request_duration_seconds_bucket[$window]))) * 1000"
)


def _default_checks() -> list[Query]:
    return [
        _q("error_ratio", ERROR_RATIO, "<", 0.001, "ratio"),
        _q("p95_latency", P95_MS, "<", 500.0, "ms"),
        _q("restarts", "sum(changes(process_start_time_seconds[$window]))", "==", 0.0, "restarts"),
        _q("saturation", "max(process_open_fds / process_max_fds)", "<", 0.8, "ratio"),
    ]


def _default_rollback() -> list[Query]:
    return [
        _q("error_ratio", ERROR_RATIO, "<=", 0.01, "ratio"),
        _q("p95_latency", P95_MS, "<=", 500.0, "ms"),
    ]


class PostdeployConfig(Section):
    """The post-deploy gate (``postdeploy.*``): PromQL over ``[monitoring] prometheus_url``."""

    window: str = Field(
        default="5m", description="PromQL range the queries look back over ($window)"
    )
    checks: list[Query] = Field(
        default_factory=_default_checks,
        min_length=1,
        description="postdeploy.metrics: 5xx ratio < 0.1 %, p95 < 500 ms, no restarts, "
        "open-fd saturation < 0.8 by default",
    )
    rollback: list[Query] = Field(
        default_factory=_default_rollback,
        min_length=1,
        description="postdeploy.rollback, the rollback criteria (error ratio <= 1 %, p95 <= 500 "
        "ms by default): a breach makes the verdict ROLL BACK",
    )

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        if not DURATION.match(value):
            raise ValueError("must be a PromQL duration such as 30s, 5m or 1h")
        return value

    @model_validator(mode="after")
    def _unique(self) -> PostdeployConfig:
        for key in ("checks", "rollback"):
            names = [q.name for q in getattr(self, key)]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{key}: query names must be unique; repeated: {twice}")
        return self

    def promql(self, query: Query) -> str:
        return query.query.replace(WINDOW, self.window)
