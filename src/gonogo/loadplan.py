"""The load plan: what ``load/locustfile.py`` runs, as a JSON file named by ``GONOGO_LOAD_PLAN``.

The gate writes it from ``[web]`` and ``[load]`` of the environment file (``gonogo load plan``
writes the same file for a standalone or distributed run). It is plain data, and this module
never imports locust or gevent: it is read inside the locust process and written in pytest's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gonogo.errors import ConfigError
from gonogo.schema.load import LoadConfig
from gonogo.schema.smoke import Endpoint

PLAN_ENV = "GONOGO_LOAD_PLAN"
# stopped early: the locustfile writes the reason here (one line) before it quits
ABORT_ENV = "GONOGO_LOAD_ABORT_FILE"
# distributed audit: a worker appends every stats report it sends to its master here (JSONL)
SENT_ENV = "GONOGO_LOAD_SENT_FILE"


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    """One request of the plan (a scenario, or the login step).

    Attributes:
        name: the name its statistics are kept under. method, path: the request.
        weight: relative frequency among the scenarios. headers, json_body: sent as given.
        expect_status: answers that count as success. think_time_s: pause after it.
    """

    name: str
    method: str
    path: str
    weight: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    expect_status: tuple[int, ...] = (200,)
    think_time_s: float = 0.0


@dataclass(frozen=True, slots=True)
class AbortRule:
    """Stop the run when a breach lasts ``window_s`` (k6's abortOnFail).

    Attributes:
        window_s: how long a breach must last (0: never abort). p95_ms, error_ratio: the
        overall thresholds (None: not watched). min_requests: fewer requests in the window
        prove nothing either way.
    """

    window_s: float = 0.0
    p95_ms: float | None = None
    error_ratio: float | None = None
    min_requests: int = 20


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """Everything the locustfile needs: scenarios, optional login, TLS trust, abort rule."""

    scenarios: tuple[PlannedRequest, ...]
    login: PlannedRequest | None = None
    ca_bundle: str | None = None
    abort: AbortRule = AbortRule()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> LoadPlan:
        data = json.loads(text)

        def request(item: dict[str, Any]) -> PlannedRequest:
            return PlannedRequest(**{**item, "expect_status": tuple(item["expect_status"])})

        return cls(
            scenarios=tuple(request(s) for s in data["scenarios"]),
            login=request(data["login"]) if data.get("login") else None,
            ca_bundle=data.get("ca_bundle"),
            abort=AbortRule(**data.get("abort", {})),
        )

    @classmethod
    def read(cls, path: Path) -> LoadPlan:
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ConfigError(f"{path}: not a load plan ({err})") from err


# without a plan (``locust -f load/locustfile.py --host URL`` alone): the home page
DEFAULT_PLAN = LoadPlan(scenarios=(PlannedRequest("home", "GET", "/"),))


def plan_of(
    cfg: LoadConfig, ca_bundle: Path | None, endpoints: Sequence[Endpoint] = ()
) -> LoadPlan:
    """The plan of an environment's ``[load]`` (its ``[web] ca_bundle`` trusted for TLS), with
    the ``[[smoke.endpoints]]`` (``endpoints``) that ``smoke_endpoints`` names as scenarios."""
    reused = {e.name: e for e in endpoints}
    from_smoke = tuple(
        PlannedRequest(
            name=name,
            method=reused[name].method,
            path=reused[name].path,
            headers=dict(reused[name].headers),
            json_body=reused[name].body,
            expect_status=(reused[name].status,),
            think_time_s=cfg.think_time_s,
        )
        for name in cfg.smoke_endpoints
        if name in reused
    )
    scenarios = from_smoke + tuple(
        PlannedRequest(
            name=s.name,
            method=s.method,
            path=s.path,
            weight=s.weight,
            headers=dict(s.headers),
            json_body=s.json_body,
            expect_status=tuple(s.expect_status),
            think_time_s=cfg.think_time_s if s.think_time_s is None else s.think_time_s,
        )
        for s in cfg.scenarios
    )
    login = None
    if cfg.login is not None:
        login = PlannedRequest(
            name="login",
            method=cfg.login.method,
            path=cfg.login.path,
            json_body=cfg.login.json_body,
            expect_status=tuple(cfg.login.expect_status),
        )
    limits = cfg.thresholds
    return LoadPlan(
        scenarios=scenarios,
        login=login,
        ca_bundle=str(ca_bundle) if ca_bundle else None,
        abort=AbortRule(
            window_s=cfg.abort_window_s, p95_ms=limits.p95_ms, error_ratio=limits.error_ratio
        ),
    )
