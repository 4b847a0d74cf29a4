"""The monitoring faults: each rewrites the Prometheus or Alertmanager configuration from the
run's active faults, reloads the server and waits until its API shows the result.

- ``alert-rule-missing``: HighErrorRate removed from the plans' rules.
- ``scrape-target-down``: a second app target on a port that never listens.
- ``critical-alert-firing``: a critical rule that fires at once (QueueBacklogCritical).
- ``alertmanager-null-route``: critical alerts routed to a receiver without integrations.
- ``error-spike``: the checkout answers 503 and a synthetic job requests it every 3 s, so
  the 5xx ratio stays above the rollback criterion for as long as the fault is active.
- ``prometheus-down``: Prometheus stopped (restarted on revert, same storage).
- ``rule-file-invalid``: a rule file with a syntax error beside the loaded ones (not reloaded).
- ``telemetry-degraded``: the log aggregation and error tracking stand-ins answer 503.
- ``previous-release-missing``: the previous release's tarball moved away (rollback.artefact).
- ``rollback-not-executable``: the rollback script loses its execute bits (rollback.command).
"""

from __future__ import annotations

from gonogo.demo import releases
from gonogo.demo.app_support import write_fault_flags
from gonogo.demo.components import Components, RunState
from gonogo.demo.monitoring import FIRING_RULE, SPIKE_PATH, WINDOW, Monitoring

NAMES = (
    "alert-rule-missing",
    "scrape-target-down",
    "critical-alert-firing",
    "alertmanager-null-route",
    "error-spike",
    "prometheus-down",
    "rule-file-invalid",
    "telemetry-degraded",
    "previous-release-missing",
    "rollback-not-executable",
)
# the demo's post-deploy error ratio (environments/demo.toml), without /api/boom, which the
# gate's own exposure.debug probe makes fail on purpose
ERRORS = f'sum(rate(http_requests_total{{status=~"5..",path!="/api/boom"}}[{WINDOW}]))'


def effect(c: Components, state: RunState, name: str, *, apply: bool) -> None:
    """Bring the servers to what ``state.faults`` says (``name`` already added or removed)."""
    m, faults = c.monitoring, set(state.faults)
    if name in _SIMPLE:
        _SIMPLE[name](c, state, apply)
        return
    if name == "error-spike":
        write_fault_flags(c.layout.app_faults_file, frozenset(state.faults))
    if name == "alertmanager-null-route":
        m.write_alertmanager(null_route=apply)
        m.reload("alertmanager")
        wanted = "receiver: blackhole" if apply else "receiver: ops-webhook"
        m.wait_for(
            "alertmanager",
            "configuration reloaded",
            lambda: wanted in _critical_route(m.alertmanager_config()),
        )
        return
    m.write_prometheus(dead_target="scrape-target-down" in faults, spike="error-spike" in faults)
    m.write_rules(
        without="HighErrorRate" if "alert-rule-missing" in faults else "",
        firing="critical-alert-firing" in faults,
    )
    m.reload("prometheus")
    if name == "alert-rule-missing":
        if apply:
            m.wait_rules(present=set(), absent={"HighErrorRate"})
        else:
            m.wait_rules(present={"HighErrorRate"}, absent=set())
    elif name == "scrape-target-down":
        m.wait_settled(targets=2 if apply else 1, firing="critical-alert-firing" in faults)
    elif name == "critical-alert-firing":
        m.wait_settled(targets=2 if "scrape-target-down" in faults else 1, firing=apply)
    elif name == "error-spike":
        _wait_errors(m, present=apply)


def _prometheus_down(c: Components, state: RunState, apply: bool) -> None:
    m = c.monitoring
    if apply:
        m.stop(state.pids.get("prometheus", 0))
        state.pids["prometheus"] = 0
        return
    state.pids["prometheus"] = m.start_prometheus()
    faults = set(state.faults)
    m.wait_settled(
        targets=2 if "scrape-target-down" in faults else 1,
        firing="critical-alert-firing" in faults,
    )


def _rule_file_invalid(c: Components, state: RunState, apply: bool) -> None:
    c.monitoring.write_broken_rules(apply)


def _telemetry_degraded(c: Components, state: RunState, apply: bool) -> None:
    m = c.monitoring
    if apply:
        m.telemetry_down_flag.touch()
    else:
        m.telemetry_down_flag.unlink(missing_ok=True)
    want = 503 if apply else 200
    m.wait_for("webhook", "stand-ins answering", lambda: m.status(m.webhook_url + "/ready") == want)


def _previous_release_missing(c: Components, state: RunState, apply: bool) -> None:
    path = releases.artefact(c.layout)
    stash = c.layout.stash / path.name
    if apply:
        stash.parent.mkdir(parents=True, exist_ok=True)
        path.rename(stash)
    else:
        stash.rename(path)


def _rollback_not_executable(c: Components, state: RunState, apply: bool) -> None:
    releases.command(c.layout).chmod(0o644 if apply else 0o755)


_SIMPLE = {
    "rollback-not-executable": _rollback_not_executable,
    "previous-release-missing": _previous_release_missing,
    "prometheus-down": _prometheus_down,
    "rule-file-invalid": _rule_file_invalid,
    "telemetry-degraded": _telemetry_degraded,
}


def _critical_route(config: str) -> str:
    """The receiver of the critical route in Alertmanager's running configuration."""
    import yaml

    try:
        routes = (yaml.safe_load(config) or {}).get("route", {}).get("routes", [])
    except yaml.YAMLError:
        return ""
    for route in routes:
        if any("critical" in str(m) for m in route.get("matchers", [])):
            return f"receiver: {route.get('receiver')}"
    return ""


def _wait_errors(m: Monitoring, *, present: bool) -> None:
    """Until Prometheus sees the 5xx of the checkout in the window (or none left in it)."""

    def ready() -> bool:
        spike = m.query(
            f'sum(rate(http_requests_total{{path="{SPIKE_PATH}",status="503"}}[{WINDOW}]))'
        )
        errors = m.query(ERRORS)
        if spike is None or errors is None:
            return False
        if present:
            return bool(spike) and spike[0] > 0
        return not any(v > 0 for v in errors)

    what = "5xx of the checkout in the window" if present else "no 5xx left in the window"
    m.wait_for("prometheus", what, ready, timeout=90.0)


__all__ = ["FIRING_RULE", "NAMES", "effect"]
