"""Prometheus (HTTP API v1), Alertmanager (API v2 and ``amtool``) and ``promtool``: read-only.

Every call is one bounded HTTP exchange (:func:`gonogo.probes.http.exchange`); an answer that
is not the API's JSON envelope (``{"status": "success", "data": ...}``) is an error naming the
URL, never an empty list that would pass. Alertmanager's routing is decided by Alertmanager's
own code (``amtool config routes test`` against the running server), not re-implemented here.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import yaml

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.facts.monitoring import (
    AlertFacts,
    AlertmanagerFacts,
    EndpointFacts,
    PrometheusFacts,
    QueryFacts,
    RouteFacts,
    RuleFacts,
    RuleFileFacts,
    SampleFacts,
    SilenceFacts,
    TargetFacts,
)
from gonogo.model import ErrorReason
from gonogo.probes import http
from gonogo.schema.monitoring import MonitoringConfig, PostdeployConfig, Query

API_LIMIT = 16 * 1024 * 1024  # a large rules or targets listing is still read whole


def _get(cfg: MonitoringConfig, url: str, key: str) -> tuple[int, bytes, float]:
    """GET ``url``; connection errors name the ``[monitoring]`` key instead of ``[web]``."""
    with http.open_client(cfg.ca_bundle, cfg.timeout_s) as client:
        try:
            response, data, elapsed = http.exchange(client, url, cfg.timeout_s, limit=API_LIMIT)
        except ProbeError as err:
            text = str(err).replace("[web] base_url/http_url", f"[monitoring] {key}")
            raise type(err)(text.replace("[web]", "[monitoring]"), reason=err.reason) from err
    return response.status_code, data, elapsed


def _api(cfg: MonitoringConfig, base: str, path: str, key: str) -> Any:
    """The ``data`` of a Prometheus API answer (``status`` must be ``success``)."""
    url = base.rstrip("/") + path
    status, data, _ = _get(cfg, url, key)
    try:
        body = json.loads(data)
    except ValueError as err:
        raise ProbeError(
            f"{url}: HTTP {status}, not JSON; is [monitoring] {key} a Prometheus?"
        ) from err
    if not isinstance(body, dict) or body.get("status") != "success" or "data" not in body:
        error = body.get("error") if isinstance(body, dict) else None
        raise ProbeError(f"{url}: HTTP {status}, the API answered {error or 'no data'}")
    return body["data"]


def _json(cfg: MonitoringConfig, base: str, path: str, key: str) -> Any:
    """A plain JSON answer (Alertmanager API v2 has no envelope)."""
    url = base.rstrip("/") + path
    status, data, _ = _get(cfg, url, key)
    if status != 200:
        raise ProbeError(f"{url}: HTTP {status}; is [monitoring] {key} an Alertmanager?")
    try:
        return json.loads(data)
    except ValueError as err:
        raise ProbeError(f"{url}: not JSON; is [monitoring] {key} an Alertmanager?") from err


def collect(cfg: MonitoringConfig) -> PrometheusFacts:
    """Build info, readiness, active targets, loaded rules and active alerts of Prometheus."""
    base, key = cfg.prometheus_url, "prometheus_url"
    info = _api(cfg, base, "/api/v1/status/buildinfo", key)
    ready_status, _, _ = _get(cfg, base.rstrip("/") + "/-/ready", key)
    targets = _api(cfg, base, "/api/v1/targets?state=active", key)
    rules = _api(cfg, base, "/api/v1/rules", key)
    alerts = _api(cfg, base, "/api/v1/alerts", key)
    return PrometheusFacts(
        url=base,
        version=str(info.get("version", "")),
        ready=ready_status == 200,
        targets=tuple(
            TargetFacts(
                job=str(t.get("labels", {}).get("job") or t.get("scrapePool", "")),
                url=str(t.get("scrapeUrl", "")),
                health=str(t.get("health", "unknown")),
                error=str(t.get("lastError", "")),
            )
            for t in targets.get("activeTargets", [])
        ),
        rules=tuple(
            RuleFacts(
                name=str(r.get("name", "")),
                kind=str(r.get("type", "")),
                query=str(r.get("query", "")),
                health=str(r.get("health", "unknown")),
                error=str(r.get("lastError", "")),
                group=str(g.get("name", "")),
                file=str(g.get("file", "")),
            )
            for g in rules.get("groups", [])
            for r in g.get("rules", [])
        ),
        alerts=tuple(
            AlertFacts(
                name=str(a.get("labels", {}).get("alertname", "")),
                state=str(a.get("state", "")),
                severity=str(a.get("labels", {}).get("severity", "")),
                summary=str(a.get("annotations", {}).get("summary", "")),
                instance=str(a.get("labels", {}).get("instance", "")),
                active_at=str(a.get("activeAt", "")),
            )
            for a in alerts.get("alerts", [])
        ),
    )


DATA_WAIT_S = 10.0  # how long a query answering no data or 0/0 is asked again
DATA_POLL_S = 1.0


def run_queries(
    cfg: MonitoringConfig, post: PostdeployConfig, queries: Iterable[Query]
) -> tuple[QueryFacts, ...]:
    """Each query as an instant query at Prometheus' now (``/api/v1/query``).

    A query that answers no data or NaN (0/0) is asked again every second for up to
    ``DATA_WAIT_S`` (Prometheus may not have scraped the window yet); what it answers then is
    judged, empty or not: the rule makes no data and 0/0 an error, never a pass."""
    out = []
    for q in queries:
        deadline = time.monotonic() + DATA_WAIT_S
        answer = _run_query(cfg, post, q)
        while not _measured(answer, q) and time.monotonic() < deadline:
            time.sleep(DATA_POLL_S)
            answer = _run_query(cfg, post, q)
        out.append(answer)
    return tuple(out)


def _measured(answer: QueryFacts, q: Query) -> bool:
    """Data to judge: a value that is a number (no data counts when it reads as zero)."""
    if not answer.samples:
        return q.if_empty == "zero"
    return not any(math.isnan(s.value) for s in answer.samples)


def _run_query(cfg: MonitoringConfig, post: PostdeployConfig, q: Query) -> QueryFacts:
    promql = post.promql(q)
    data = _api(
        cfg,
        cfg.prometheus_url,
        "/api/v1/query?" + urlencode({"query": promql}),
        "prometheus_url",
    )
    kind, result = data.get("resultType"), data.get("result", [])
    if kind == "scalar":
        result = [{"metric": {}, "value": result}]
    elif kind != "vector":
        raise ProbeError(f"query {q.name}: answered a {kind}, not an instant vector or scalar")
    samples = tuple(
        SampleFacts(
            labels=",".join(f"{k}={v}" for k, v in sorted(s.get("metric", {}).items())),
            value=float(s["value"][1]),
        )
        for s in result
    )
    stamp = float(result[0]["value"][0]) if result else 0.0
    return QueryFacts(q.name, promql, post.window, samples, stamp)


def alertmanager(cfg: MonitoringConfig) -> AlertmanagerFacts:
    """Status, the receivers each declared severity routes to, and the active silences."""
    assert cfg.alertmanager_url is not None  # the gate test requires it
    base, key = cfg.alertmanager_url, "alertmanager_url"
    status = _json(cfg, base, "/api/v2/status", key)
    try:
        config = yaml.safe_load(status.get("config", {}).get("original", "")) or {}
    except yaml.YAMLError as err:
        raise ProbeError(f"{base}: the configuration in /api/v2/status does not parse") from err
    integrations = {
        str(r.get("name")): sum(
            len(v) for k, v in r.items() if k.endswith("_configs") and isinstance(v, list)
        )
        for r in config.get("receivers", []) or []
    }
    routes = []
    for severity in cfg.alert_severities:
        receivers = _route(cfg, f"severity={severity}")
        routes.append(
            RouteFacts(severity, receivers, tuple(integrations.get(r, 0) for r in receivers))
        )
    silences = _json(cfg, base, "/api/v2/silences", key)
    return AlertmanagerFacts(
        url=base,
        version=str(status.get("versionInfo", {}).get("version", "")),
        cluster=str(status.get("cluster", {}).get("status", "")),
        routes=tuple(routes),
        silences=tuple(
            SilenceFacts(
                id=str(s.get("id", "")),
                matchers=tuple(_matcher(m) for m in s.get("matchers", [])),
                created_by=str(s.get("createdBy", "")),
                comment=str(s.get("comment", "")),
            )
            for s in silences
            if s.get("status", {}).get("state") == "active"
        ),
    )


def _matcher(m: dict[str, Any]) -> str:
    op = ("=" if m.get("isEqual", True) else "!") + ("~" if m.get("isRegex") else "")
    op = {"=": "=", "=~": "=~", "!": "!=", "!~": "!~"}[op]
    return f'{m.get("name")}{op}"{m.get("value")}"'


def _route(cfg: MonitoringConfig, label: str) -> tuple[str, ...]:
    """The receivers ``amtool`` says an alert with ``label`` goes to (in routing-tree order)."""
    amtool = shutil.which("amtool")
    if amtool is None:
        raise ProbeError(
            "amtool not found (Debian: prometheus-alertmanager)", reason=ErrorReason.CONFIG
        )
    cmd = [
        amtool,
        "config",
        "routes",
        "test",
        f"--alertmanager.url={cfg.alertmanager_url}",
        f"--timeout={cfg.timeout_s:g}s",
        label,
    ]
    done = _run(cmd, cfg.timeout_s + 5, "amtool config routes test")
    if done.returncode != 0:
        raise ProbeError(f"amtool config routes test {label}: {done.stderr.strip()[-300:]}")
    return tuple(name.strip() for name in done.stdout.strip().split(",") if name.strip())


def check_rule_files(cfg: MonitoringConfig) -> RuleFileFacts:
    """``promtool check rules`` over ``rules_dir``/``rules_glob`` (no file matched: an error)."""
    assert cfg.rules_dir is not None  # the gate test requires it
    files = sorted(str(p) for p in cfg.rules_dir.glob(cfg.rules_glob) if p.is_file())
    if not files:
        raise ProbeError(
            f"no rule file matches {cfg.rules_glob} in {cfg.rules_dir} ([monitoring] rules_dir)",
            reason=ErrorReason.CONFIG,
        )
    promtool = shutil.which(str(cfg.promtool))
    if promtool is None:
        raise ProbeError(
            f"{cfg.promtool} not found (Debian: prometheus); set [monitoring] promtool",
            reason=ErrorReason.CONFIG,
        )
    done = _run([promtool, "check", "rules", *files], 60.0, "promtool check rules")
    return RuleFileFacts(tuple(files), done.returncode, (done.stdout + done.stderr)[-2000:])


def fetch_endpoint(cfg: MonitoringConfig, url: str, key: str) -> EndpointFacts:
    """One GET of a declared endpoint (no redirect followed)."""
    status, _, elapsed = _get(cfg, url, key)
    return EndpointFacts(url, status, round(elapsed, 1))


def _run(cmd: list[str], timeout_s: float, what: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as err:
        raise ProbeTimeout(f"{what}: no answer within {timeout_s:g} s") from err
    except OSError as err:
        raise ProbeError(f"{what}: cannot run {cmd[0]}: {err}", reason=ErrorReason.CONFIG) from err
