"""Prometheus scraping the demo app with the plans' alert rules, Alertmanager routing to a small
webhook receiver on loopback.

Scrapes run every 3 s (with a 3 s timeout: a scrape slowed by a busy machine must not turn the
target down) and rule evaluations every second, so that the post-deploy window of the demo
(``environments/demo.toml``: 20 s, six samples) fills and drains quickly. Every change (a fault applied or reverted)
rewrites a file, asks the server to reload (``POST /-/reload``) and waits until the server's
own API shows the change: never a fixed sleep.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gonogo.demo.layout import Layout, Ports
from gonogo.demo.procs import LOOPBACK, Processes

PROMETHEUS = "/usr/bin/prometheus"
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
WINDOW = "20s"
SPIKE_PATH = "/api/checkout"
TRAFFIC_PATH = "/api/status"

# the plans' rules (docs: /work/shared/plans), with the demo's job names; DatabaseDown, memory
# and disk rules have no exporter behind them here and stay inactive, but loaded and healthy
PLAN_RULES = {
    "APIDown": ('up{job="app"} == 0', "1m", "critical", "Backend API is down"),
    "DatabaseDown": ('up{job="database"} == 0', "1m", "critical", "Database connection lost"),
    "HighErrorRate": (
        'sum(rate(http_requests_total{status=~"5..",path!="/api/boom"}[5m])) '
        "/ sum(rate(http_requests_total[5m])) > 0.05",
        "5m",
        "critical",
        "High error rate (>5%)",
    ),
    "HighResponseTime": (
        "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 2",
        "5m",
        "warning",
        "High response time (>2s)",
    ),
    "HighMemoryUsage": (
        "(1 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)) > 0.85",
        "5m",
        "warning",
        "High memory usage (>85%)",
    ),
    "HighDiskUsage": (
        "(1 - (node_filesystem_avail_bytes / node_filesystem_size_bytes)) > 0.90",
        "10m",
        "critical",
        "Low disk space (<10% available)",
    ),
}
# the critical-alert-firing fault: a critical rule that fires at its first evaluation
FIRING_RULE = ("QueueBacklogCritical", "vector(1)", "0s", "critical", "Order queue backlog")


def rules_yaml(rules: dict[str, tuple[str, str, str, str]]) -> str:
    lines = ["groups:", "  - name: plans", "    rules:"]
    for name, (expr, for_, severity, summary) in rules.items():
        lines += [
            f"      - alert: {name}",
            f"        expr: {json.dumps(expr)}",
            f"        for: {for_}",
            "        labels:",
            f"          severity: {severity}",
            "        annotations:",
            f"          summary: {json.dumps(summary)}",
        ]
    return "\n".join(lines) + "\n"


class Monitoring:
    """Writes the configs of, starts, reloads and stops Prometheus, Alertmanager and the webhook."""

    def __init__(self, layout: Layout, ports: Ports, procs: Processes) -> None:
        self.dir = layout.run_dir / "monitoring"
        self.ports = ports
        self.procs = procs
        self.layout = layout

    # --- paths and URLs -----------------------------------------------------------------
    @property
    def rules_dir(self) -> Path:
        return self.dir / "rules"

    @property
    def prometheus_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.prometheus}"

    @property
    def alertmanager_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.alertmanager}"

    @property
    def webhook_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.webhook}"

    @property
    def telemetry_down_flag(self) -> Path:
        """While it exists the webhook's log and error-tracking stand-ins answer 503."""
        return self.dir / "webhook.jsonl.down"

    def write_broken_rules(self, broken: bool) -> None:
        """A rule file promtool rejects (not loaded: Prometheus is not reloaded for it)."""
        path = self.rules_dir / "broken.yml"
        if broken:
            path.write_text(
                "groups:\n  - name: broken\n    rules:\n      - alert: OrdersStuck\n"
                "        expr: sum(rate(orders_total[5m]) > 0\n"
            )
        else:
            path.unlink(missing_ok=True)

    # --- configuration ------------------------------------------------------------------
    def write_prometheus(self, *, dead_target: bool = False, spike: bool = False) -> None:
        targets = [f'"{LOOPBACK}:{self.ports.app}"']
        if dead_target:  # a held port that never listens: the scrape is refused
            targets.append(f'"{LOOPBACK}:{self.ports.dead_target}"')
        text = f"""global:
  scrape_interval: 3s
  scrape_timeout: 3s
  evaluation_interval: 1s
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["{LOOPBACK}:{self.ports.alertmanager}"]
rule_files: ["{self.rules_dir}/*.yml"]
scrape_configs:
  - job_name: app
    static_configs:
      - targets: [{", ".join(targets)}]
"""
        # steady synthetic traffic, as a live site has: a request to a healthy API path every
        # scrape, so the post-deploy window is never empty (0/0) right after a cold start
        text += f"""  - job_name: traffic-synthetic
    metrics_path: {TRAFFIC_PATH}
    static_configs:
      - targets: ["{LOOPBACK}:{self.ports.app}"]
"""
        if spike:  # synthetic traffic: a request to the failing checkout every scrape
            text += f"""  - job_name: checkout-synthetic
    metrics_path: {SPIKE_PATH}
    static_configs:
      - targets: ["{LOOPBACK}:{self.ports.app}"]
"""
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "prometheus.yml").write_text(text)

    def write_rules(self, *, without: str = "", firing: bool = False) -> None:
        self.rules_dir.mkdir(parents=True, exist_ok=True)
        rules = {k: v for k, v in PLAN_RULES.items() if k != without}
        (self.rules_dir / "plans.yml").write_text(rules_yaml(rules))
        extra = self.rules_dir / "incident.yml"
        if firing:
            name, *rest = FIRING_RULE
            extra.write_text(rules_yaml({name: tuple(rest)}))  # type: ignore[dict-item]
        else:
            extra.unlink(missing_ok=True)

    def write_alertmanager(self, *, null_route: bool = False) -> None:
        critical = "blackhole" if null_route else "ops-webhook"
        text = f"""route:
  receiver: ops-webhook
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['severity="critical"']
      receiver: {critical}
receivers:
  - name: ops-webhook
    webhook_configs:
      - url: {self.webhook_url}/alerts
        send_resolved: true
  - name: blackhole
"""
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "alertmanager.yml").write_text(text)

    def configure(self) -> None:
        self.write_prometheus()
        self.write_rules()
        self.write_alertmanager()

    # --- processes ----------------------------------------------------------------------
    def start_webhook(self, timeout: float = 15.0) -> int:
        log = self.layout.log("webhook")
        argv = [sys.executable, "-m", "gonogo.demo.webhook", str(self.ports.webhook)]
        argv.append(str(self.dir / "webhook.jsonl"))
        pid = self.procs.spawn("webhook", argv, log)
        self._wait(
            "webhook", "answering", lambda: self.status(self.webhook_url) == 200, log, pid, timeout
        )
        return pid

    def start_alertmanager(self, timeout: float = 30.0) -> int:
        log = self.layout.log("alertmanager")
        argv = [
            ALERTMANAGER,
            f"--config.file={self.dir / 'alertmanager.yml'}",
            f"--storage.path={self.dir / 'alertmanager-data'}",
            f"--web.listen-address={LOOPBACK}:{self.ports.alertmanager}",
            "--cluster.listen-address=",
        ]
        pid = self.procs.spawn("alertmanager", argv, log)
        self._wait(
            "alertmanager",
            "ready",
            lambda: self.status(self.alertmanager_url + "/-/ready") == 200,
            log,
            pid,
            timeout,
        )
        return pid

    def start_prometheus(self, timeout: float = 30.0) -> int:
        log = self.layout.log("prometheus")
        argv = [
            PROMETHEUS,
            f"--config.file={self.dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.dir / 'prometheus-data'}",
            f"--web.listen-address={LOOPBACK}:{self.ports.prometheus}",
            "--web.enable-lifecycle",
        ]
        pid = self.procs.spawn("prometheus", argv, log)
        self._wait(
            "prometheus",
            "ready",
            lambda: self.status(self.prometheus_url + "/-/ready") == 200,
            log,
            pid,
            timeout,
        )
        return pid

    def _wait(
        self,
        component: str,
        what: str,
        ready: Callable[[], bool],
        log: Path,
        pid: int,
        timeout: float,
    ) -> None:
        self.procs.wait_until(
            component,
            what,
            ready,
            timeout=timeout,
            log=log,
            gone=lambda: self.procs.exited(pid),
            interval=0.1,
        )

    def stop(self, pid: int) -> None:
        self.procs.stop(pid, timeout=10.0)

    # --- waiting on the servers' own answers --------------------------------------------
    def reload(self, component: str) -> None:
        import httpx

        url = self.prometheus_url if component == "prometheus" else self.alertmanager_url
        response = httpx.post(url + "/-/reload", timeout=10.0)
        if response.status_code != 200:
            from gonogo.errors import DemoError

            raise DemoError(f"{component}: reload failed: {response.status_code} {response.text}")

    def api(self, path: str) -> Any:
        import httpx

        try:
            body = httpx.get(self.prometheus_url + path, timeout=5.0).json()
        except (httpx.HTTPError, ValueError):
            return None
        return body.get("data") if isinstance(body, dict) else None

    def query(self, promql: str) -> list[float] | None:
        data = self.api("/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
        if not isinstance(data, dict) or data.get("resultType") != "vector":
            return None
        return [float(s["value"][1]) for s in data.get("result", [])]

    def wait_for(
        self, component: str, what: str, ready: Callable[[], bool], timeout: float = 60.0
    ) -> None:
        self.procs.wait_until(
            component, what, ready, timeout=timeout, log=self.layout.log(component), interval=0.2
        )

    def settled(self, *, targets: int = 1, firing: bool = False) -> bool:
        """Prometheus shows the state the configs describe: ``targets`` app targets scraped
        (the first up, others down), every rule evaluated ok, the fault's alert firing or not,
        and enough samples for the demo's post-deploy window."""
        data = self.api("/api/v1/targets?state=active")
        rules = self.api("/api/v1/rules")
        alerts = self.api("/api/v1/alerts")
        if not (isinstance(data, dict) and isinstance(rules, dict) and isinstance(alerts, dict)):
            return False
        active = [
            t for t in data.get("activeTargets", []) if t.get("labels", {}).get("job") == "app"
        ]
        healths = sorted(t.get("health") for t in active)
        want = sorted(["up"] + ["down"] * (targets - 1))
        loaded = [r for g in rules.get("groups", []) for r in g.get("rules", [])]
        names = {
            a.get("labels", {}).get("alertname")
            for a in alerts.get("alerts", [])
            if a.get("state") == "firing"
        }
        traffic = self.query(f'sum(rate(http_requests_total{{job="app"}}[{WINDOW}]))')
        return (
            healths == want
            and bool(loaded)
            and all(r.get("health") == "ok" for r in loaded)
            and (FIRING_RULE[0] in names) == firing
            and bool(traffic)
        )

    def wait_settled(self, *, targets: int = 1, firing: bool = False) -> None:
        self.wait_for(
            "prometheus",
            "targets, rules and alerts settled",
            lambda: self.settled(targets=targets, firing=firing),
        )

    def wait_rules(self, present: set[str], absent: set[str]) -> None:
        def ready() -> bool:
            rules = self.api("/api/v1/rules")
            if not isinstance(rules, dict):
                return False
            loaded = [r for g in rules.get("groups", []) for r in g.get("rules", [])]
            names = {r.get("name") for r in loaded}
            return (
                present <= names
                and not (absent & names)
                and all(r.get("health") == "ok" for r in loaded)
            )

        self.wait_for("prometheus", "rules reloaded", ready)

    def alertmanager_config(self) -> str:
        import httpx

        try:
            body = httpx.get(self.alertmanager_url + "/api/v2/status", timeout=5.0).json()
        except (httpx.HTTPError, ValueError):
            return ""
        return str(body.get("config", {}).get("original", ""))

    @staticmethod
    def status(url: str) -> int:
        import httpx

        try:
            return httpx.get(url, timeout=1.0).status_code
        except httpx.HTTPError:
            return 0
