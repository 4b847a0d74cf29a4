"""monitoring.logs / monitoring.error-tracking against a real HTTP server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gonogo.demo.stack import DemoStack
from gonogo.probes import monitoring
from gonogo.rules import monitoring as rules
from gonogo.schema.monitoring import MonitoringConfig


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 503 if self.path.startswith("/down") else 200
        self.send_response(status)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(("path", "ok"), [("/ready", True), ("/down", False)])
def test_endpoint_status_is_judged(server: str, path: str, ok: bool) -> None:
    """A declared endpoint passes when it answers below 400 and fails on a 503."""
    cfg = MonitoringConfig(prometheus_url=server, log_url=server + path)
    facts = monitoring.fetch_endpoint(cfg, server + path, "log_url")
    assert rules.evaluate_endpoint(facts, "log aggregation")[0].ok is ok


def test_refused_endpoint_names_the_monitoring_key() -> None:
    """A closed port is a connectivity error naming [monitoring], not [web]."""
    from gonogo.errors import ProbeRefused
    from loopback import refusing_port

    with refusing_port() as port:
        url = f"http://127.0.0.1:{port}/ready"
        cfg = MonitoringConfig(prometheus_url=url)
        with pytest.raises(ProbeRefused, match=r"\[monitoring\] log_url"):
            monitoring.fetch_endpoint(cfg, url, "log_url")


def test_a_server_that_is_not_prometheus_is_an_error(server: str) -> None:
    """An answer that is not the API's JSON envelope is an error naming the URL, never an
    empty list of targets or rules that would pass."""
    from gonogo.errors import ProbeError

    with pytest.raises(ProbeError, match=r"not JSON; is \[monitoring\] prometheus_url"):
        monitoring.collect(MonitoringConfig(prometheus_url=server))


def test_refused_prometheus_names_its_key() -> None:
    """A Prometheus that refuses connections is a connectivity error naming prometheus_url."""
    from gonogo.errors import ProbeRefused
    from loopback import refusing_port

    with refusing_port() as port:
        cfg = MonitoringConfig(prometheus_url=f"http://127.0.0.1:{port}")
        with pytest.raises(ProbeRefused, match=r"\[monitoring\] prometheus_url"):
            monitoring.collect(cfg)


def test_firing_alert_has_its_start_time(demo_stack: DemoStack) -> None:
    """Against the demo's real Prometheus with a critical rule firing: the alert's facts carry
    when it became active (``activeAt``), which the message shows."""
    import datetime as dt

    cfg = MonitoringConfig(prometheus_url=demo_stack.variables()["GONOGO_DEMO_PROMETHEUS_URL"])
    with demo_stack.fault("critical-alert-firing"):
        facts = monitoring.collect(cfg)
    (alert,) = [a for a in facts.alerts if a.name == "QueueBacklogCritical"]
    assert alert.state == "firing"
    since = dt.datetime.fromisoformat(alert.active_at[:19])
    assert abs((dt.datetime.now(dt.UTC).replace(tzinfo=None) - since).total_seconds()) < 600
    assert f"since {alert.active_at[:19]}Z" in str(
        rules.evaluate_alerts(facts, ["critical"])[0].message
    )
