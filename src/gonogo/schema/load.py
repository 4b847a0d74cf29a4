"""``[load]``: the load stage (locust): scenarios, run size, ceilings, thresholds, regression.

Defaults of ``[load.thresholds]`` are the plans' numbers (average < 500 ms, p95 < 1500 ms,
p99 < 3000 ms, error rate < 0.1 %, throughput > 100 req/s). ``users`` and ``duration_s`` must
stay under the file's own ceilings (``max_users``, ``max_duration_s``): a typo of 10000 users
for 100 is a configuration error, not a load test of production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from gonogo.schema.base import HOUR, Section, url_path

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class LoadThresholds(Section):
    """Latency, error and throughput limits of one run (overall) or of one scenario."""

    avg_ms: float | None = Field(default=500.0, gt=0, le=HOUR * 1000, description="average")
    p50_ms: float | None = Field(default=None, gt=0, le=HOUR * 1000, description="median")
    p95_ms: float | None = Field(default=1500.0, gt=0, le=HOUR * 1000, description="95th pct")
    p99_ms: float | None = Field(default=3000.0, gt=0, le=HOUR * 1000, description="99th pct")
    max_ms: float | None = Field(default=None, gt=0, le=HOUR * 1000, description="slowest")
    error_ratio: float | None = Field(
        default=0.001, ge=0, le=1, description="failed / all requests (0.001 = 0.1 %)"
    )
    min_rps: float | None = Field(
        default=100.0, ge=0, le=10_000_000, description="requests per second, at least"
    )


class ScenarioThresholds(LoadThresholds):
    """``[load.thresholds.scenarios.NAME]``: one scenario's limits (unset: not judged alone)."""

    avg_ms: float | None = Field(default=None, gt=0, le=HOUR * 1000)
    p95_ms: float | None = Field(default=None, gt=0, le=HOUR * 1000)
    p99_ms: float | None = Field(default=None, gt=0, le=HOUR * 1000)
    error_ratio: float | None = Field(default=None, ge=0, le=1)
    min_rps: float | None = Field(default=None, ge=0, le=10_000_000)


class OverallThresholds(LoadThresholds):
    """``[load.thresholds]``: the whole run's limits, and per scenario under ``scenarios``."""

    scenarios: dict[str, ScenarioThresholds] = Field(
        default_factory=dict,
        description="[load.thresholds.scenarios.NAME]: the same keys for one scenario "
        "(unset: that scenario is judged only as part of the whole run)",
    )


class Scenario(Section):
    """``[[load.scenarios]]``: one weighted request a simulated user makes."""

    name: str = Field(pattern=_NAME, description="names the scenario in stats and findings")
    path: str = Field(description="path on [web] base_url, e.g. /api/products?page=1")
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "GET"
    weight: int = Field(default=1, ge=1, le=1000, description="relative frequency")
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: dict[str, Any] | list[Any] | None = Field(
        default=None, description="JSON request body (TOML table)"
    )
    expect_status: list[int] = Field(
        default_factory=lambda: [200], description="answers that count as success"
    )
    think_time_s: float | None = Field(
        default=None, ge=0, le=60, description="pause after this request (else [load])"
    )

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return str(url_path(value))

    @field_validator("expect_status")
    @classmethod
    def _statuses(cls, value: list[int]) -> list[int]:
        if not value or any(not 100 <= s <= 599 for s in value):
            raise ValueError("must list HTTP statuses from 100 to 599")
        return value


class LoadLogin(Section):
    """``[load.login]``: a request each simulated user makes once before its scenarios."""

    path: str
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "POST"
    json_body: dict[str, Any] | None = Field(
        default=None, description="e.g. { username = ..., password = '${SECRET}' }"
    )
    expect_status: list[int] = Field(default_factory=lambda: [200])

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return str(url_path(value))


class LoadRegression(Section):
    """``[load.regression]``: how much worse than the accepted baseline a run may be."""

    p95_increase: float = Field(default=0.20, ge=0, le=100, description="0.2 = +20 %")
    avg_increase: float = Field(default=0.20, ge=0, le=100)
    throughput_decrease: float = Field(default=0.15, ge=0, le=1, description="0.15 = -15 %")
    error_ratio_increase: float = Field(
        default=0.001, ge=0, le=1, description="absolute: 0.001 = +0.1 percentage point"
    )
    min_delta_ms: float = Field(
        default=50.0,
        ge=0,
        le=HOUR * 1000,
        description="latency changes smaller than this are noise, never a regression",
    )
    required: bool = Field(
        default=False, description="no accepted baseline is an error (else not applicable)"
    )


class LoadConfig(Section):
    """``[load]``: the locust run of the load stage (intrusive)."""

    scenarios: list[Scenario] = Field(
        default_factory=list,
        max_length=200,
        description="[[load.scenarios]]: name, path, method (GET), weight (1), headers, "
        "json_body, expect_status ([200]), think_time_s (else think_time_s of [load])",
    )
    smoke_endpoints: list[str] = Field(
        default_factory=list,
        description="names of [[smoke.endpoints]] run as scenarios too (weight 1; their method, "
        "headers, body and status): a request written once serves both stages",
    )
    users: int = Field(default=10, ge=1, le=1_000_000, description="simulated users")
    spawn_rate: float = Field(default=10.0, gt=0, le=100_000, description="users started per s")
    duration_s: float = Field(default=30.0, gt=0, le=24 * HOUR, description="run time")
    time_limit_s: float | None = Field(
        default=None,
        gt=0,
        le=25 * HOUR,
        description="hard wall-clock limit of the locust process (default: duration + 60 s)",
    )
    think_time_s: float = Field(default=0.0, ge=0, le=60, description="pause between requests")
    processes: int = Field(default=1, ge=1, le=256, description="locust --processes")
    max_users: int = Field(default=100, ge=1, le=1_000_000, description="ceiling on users")
    max_duration_s: float = Field(
        default=300.0, gt=0, le=24 * HOUR, description="ceiling on duration_s"
    )
    abort_window_s: float = Field(
        default=5.0,
        ge=0,
        le=HOUR,
        description="stop early when the error ratio or p95 breaches its threshold for this "
        "long (0: never)",
    )
    locustfiles: list[Path] = Field(
        default_factory=list, description="hand-written locustfiles run beside the scenarios"
    )
    baseline_file: Path | None = Field(
        default=None, description="accepted baseline (default load/baselines/<env>.json)"
    )
    login: LoadLogin | None = None
    thresholds: OverallThresholds = OverallThresholds()
    regression: LoadRegression = LoadRegression()

    @field_validator("locustfiles", mode="before")
    @classmethod
    def _relative(cls, value: Any, info: ValidationInfo) -> Any:
        # relative to the environment file, as every other path of the file
        base = (info.context or {}).get("base")
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [base / Path(v) if base is not None else Path(v) for v in value]
        return value

    @field_validator("locustfiles")
    @classmethod
    def _files(cls, value: list[Path]) -> list[Path]:
        for path in value:
            if not path.is_file():
                raise ValueError(f"{path} is not a file")
        return value

    @model_validator(mode="after")
    def _within_ceilings(self) -> LoadConfig:
        if self.users > self.max_users:
            raise ValueError(
                f"users = {self.users} is over the ceiling max_users = {self.max_users}"
            )
        if self.duration_s > self.max_duration_s:
            raise ValueError(
                f"duration_s = {self.duration_s:g} is over the ceiling "
                f"max_duration_s = {self.max_duration_s:g}"
            )
        names = [s.name for s in self.scenarios] + self.smoke_endpoints
        if not names:
            raise ValueError("declares no scenario: add [[load.scenarios]] or smoke_endpoints")
        if len(set(names)) != len(names):
            raise ValueError("scenario names (with smoke_endpoints) must be unique")
        unknown = sorted(set(self.thresholds.scenarios) - set(names))
        if unknown and not self.locustfiles:  # else: names of hand-written requests
            raise ValueError(f"thresholds.scenarios names unknown scenarios: {', '.join(unknown)}")
        if self.time_limit_s is not None and self.time_limit_s <= self.duration_s:
            raise ValueError("time_limit_s must be longer than duration_s")
        return self

    @property
    def hard_limit_s(self) -> float:
        """The wall-clock limit of the whole locust run."""
        return self.time_limit_s if self.time_limit_s is not None else self.duration_s + 60.0
