"""nginx in front of the app: config rendering from fault parameters, start, reload, stop.

nginx runs unprivileged-style (``-p PREFIX``, ``daemon off``, everything under the run dir) as a
child of this process and is stopped with SIGQUIT to its master. A reload renders a new
*generation*, checks it with ``nginx -t``, sends SIGHUP, and waits until the control listener
serves the new generation and the old workers are gone: only then does every new connection
see the new configuration.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.demo.layout import Layout, Ports
from gonogo.demo.pki import Pki
from gonogo.demo.procs import Processes, children
from gonogo.errors import DemoError

BINARY = "/usr/sbin/nginx"
COMPONENT = "nginx"
MOZILLA_INTERMEDIATE = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
)
# OpenSSL 3 refuses TLS 1.0/1.1 (and RSA-1024 keys) unless the security level is lowered
LEGACY_CIPHERS = "HIGH:!aNULL:!MD5:!kRSA:@SECLEVEL=0"  # !kRSA: keep key exchange forward-secret
CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
FIXED_NONCE = "ZGVtby1maXhlZC1ub25jZQ"  # the csp-fixed-nonce fault: the same on every response

_PROXY = """proxy_pass http://app;
proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header Host $host;
proxy_set_header X-Real-IP $remote_addr;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_connect_timeout 5s;
proxy_read_timeout 30s;
"""


@dataclass(frozen=True, slots=True)
class NginxParams:
    """Every knob of the nginx config that a fault can turn (defaults: the clean site).

    Attributes:
        protocols: ``ssl_protocols``.
        ciphers: ``ssl_ciphers``.
        certificate: certificate variant served (see ``pki.VARIANTS``).
        hsts, frame_options, content_type_options, csp, referrer_policy, permissions_policy,
            opener_policy, xss_protection: header values, or ``None`` to leave the header out.
        server_tokens: ``server_tokens on`` (discloses the nginx version).
        http_mode: ``redirect`` (301 to https), ``temporary`` (302 to https), ``serve`` (no
            redirect), ``downgrade`` (301 to another plain-HTTP port first).
        resource_policy: ``Cross-Origin-Resource-Policy`` value, or ``None`` (not sent).
        login_rate_limit: ``limit_req`` flood guard on ``/login``.
        login_per_second: ``limit_req`` 1r/s burst=4 on ``/login`` (refuses the sixth quick
            attempt, lets one through every second after).
        metrics_public: ``/metrics`` proxied to the app instead of answering 404.
        home: ``app`` (``/`` is the app's page) or ``unavailable`` (``/`` answers 503, with
            every security header).
        extra_headers: more header lines after those above (a header sent twice).
        gzip: compress text answers (off: the assets-uncached fault).
    """

    protocols: str = "TLSv1.2 TLSv1.3"
    ciphers: str = MOZILLA_INTERMEDIATE
    certificate: str = "server"
    hsts: str | None = "max-age=31536000; includeSubDomains"
    frame_options: str | None = "DENY"
    content_type_options: str | None = "nosniff"
    csp: str | None = CSP
    referrer_policy: str | None = "strict-origin-when-cross-origin"
    permissions_policy: str | None = "camera=(), microphone=(), geolocation=()"
    opener_policy: str | None = "same-origin"
    xss_protection: str | None = "0"
    server_tokens: bool = False
    http_mode: str = "redirect"
    login_rate_limit: bool = True
    login_per_second: bool = False
    metrics_public: bool = False
    home: str = "app"
    resource_policy: str | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    gzip: bool = True

    def headers(self) -> list[tuple[str, str]]:
        optional = [
            ("Strict-Transport-Security", self.hsts),
            ("X-Frame-Options", self.frame_options),
            ("X-Content-Type-Options", self.content_type_options),
            ("Content-Security-Policy", self.csp),
            ("Referrer-Policy", self.referrer_policy),
            ("Permissions-Policy", self.permissions_policy),
            ("Cross-Origin-Opener-Policy", self.opener_policy),
            ("X-XSS-Protection", self.xss_protection),
            ("Cross-Origin-Resource-Policy", self.resource_policy),
        ]
        return [(name, value) for name, value in optional if value is not None] + list(
            self.extra_headers
        )


# What each nginx fault changes, as overrides of the clean parameters.
FAULT_PARAMS: dict[str, dict[str, Any]] = {
    "hsts-missing": {"hsts": None},
    "hsts-short": {"hsts": "max-age=300"},
    "hsts-zero": {"hsts": "max-age=0; includeSubDomains"},
    "hsts-no-subdomains": {"hsts": "max-age=31536000"},
    "no-redirect": {"http_mode": "serve"},
    "redirect-downgrade": {"http_mode": "downgrade"},
    "tls10-enabled": {"protocols": "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", "ciphers": LEGACY_CIPHERS},
    "tls11-enabled": {"protocols": "TLSv1.1 TLSv1.2 TLSv1.3", "ciphers": LEGACY_CIPHERS},
    "weak-ciphers": {"ciphers": MOZILLA_INTERMEDIATE + ":AES128-SHA:AES256-SHA:AES128-GCM-SHA256"},
    "cert-expiring": {"certificate": "expiring"},
    "cert-expiring-soon": {"certificate": "expiring-soon"},
    "cert-expired": {"certificate": "expired"},
    "cert-self-signed": {"certificate": "self-signed"},
    "cert-hostname-mismatch": {"certificate": "hostname-mismatch"},
    "cert-weak-key": {"certificate": "weak-key", "ciphers": MOZILLA_INTERMEDIATE + ":@SECLEVEL=0"},
    "xfo-missing": {"frame_options": None},
    "frame-weak": {
        "frame_options": "ALLOW-FROM https://partner.example",
        "csp": CSP.replace(" frame-ancestors 'none';", ""),
    },
    "nosniff-missing": {"content_type_options": None},
    "csp-missing": {"csp": None},
    "csp-unsafe": {
        "csp": "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' *; "
        "object-src 'none'"
    },
    "referrer-unsafe": {"referrer_policy": "unsafe-url"},
    "permissions-policy-missing": {"permissions_policy": None},
    "permissions-policy-open": {
        "permissions_policy": "camera=(self *), microphone=(), geolocation=()"
    },
    "coop-missing": {"opener_policy": None},
    "xss-protection-invalid": {"xss_protection": "1; mode=blocked"},
    "server-version-disclosed": {"server_tokens": True},
    "no-rate-limit": {"login_rate_limit": False},
    "ratelimit-per-second": {"login_rate_limit": False, "login_per_second": True},
    "csp-fixed-nonce": {
        "csp": CSP.replace("script-src 'self'", f"script-src 'self' 'nonce-{FIXED_NONCE}'")
    },
    "home-unavailable": {"home": "unavailable"},
    "hsts-eight-months": {"hsts": "max-age=20736000; includeSubDomains"},
    "csp-no-base-uri": {"csp": CSP.replace(" base-uri 'self';", "")},
    "redirect-temporary": {"http_mode": "temporary"},
    # class 3 of issue 10: what browsers make of a header sent twice
    "duplicate-headers": {
        "extra_headers": (
            ("Strict-Transport-Security", "max-age=0"),
            ("X-Frame-Options", "SAMEORIGIN"),
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "script-src * 'unsafe-inline'"),
        )
    },
    "isolation-invalid": {
        "opener_policy": "Same-Origin",
        "resource_policy": "same-origin",
        "extra_headers": (("Cross-Origin-Resource-Policy", "same-origin"),),
    },
    "metrics-exposed": {"metrics_public": True},
    "assets-uncached": {"gzip": False},  # and the app sends no-cache (demo/app_assets.py)
}


def params_for(faults: Iterable[str]) -> NginxParams:
    overrides: dict[str, Any] = {}
    for name in sorted(faults):
        overrides.update(FAULT_PARAMS.get(name, {}))
    return dataclasses.replace(NginxParams(), **overrides)


@functools.cache
def _template() -> Any:
    """The nginx.conf template (jinja2 is imported here: a gate run attached to a running stack
    never renders one)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gonogo.demo", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return env.get_template("nginx.conf")


class Nginx:
    """The nginx instance of one run."""

    def __init__(self, layout: Layout, ports: Ports, pki: Pki, procs: Processes) -> None:
        self.prefix = layout.nginx
        self.ports = ports
        self.pki = pki
        self.procs = procs
        self.log = layout.log(COMPONENT)

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    def render(self, faults: Iterable[str], generation: int) -> str:
        params = params_for(faults)
        cert, key = self.pki.ensure(params.certificate)
        return _template().render(
            p=params,
            headers=params.headers(),
            prefix=self.prefix,
            ports=self.ports,
            generation=generation,
            cert=cert,
            key=key,
        )

    def write(self, faults: Iterable[str], generation: int) -> None:
        """Render, test with ``nginx -t``, and only then replace the live config."""
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        (self.prefix / "proxy.conf").write_text(_PROXY)
        candidate = self.prefix / "nginx.conf.next"
        candidate.write_text(self.render(faults, generation))
        test = [
            BINARY,
            "-t",
            "-q",
            "-p",
            str(self.prefix),
            "-c",
            str(candidate),
            "-e",
            str(self.log),
        ]
        done = self.procs.run(COMPONENT, test, timeout=15, log=self.log, capture=True, check=False)
        if done.returncode != 0:
            raise DemoError(
                f"nginx: generation {generation} rejected by nginx -t: "
                f"{done.stderr.decode(errors='replace').strip()} (config: {candidate})"
            )
        os.replace(candidate, self.conf)

    def start(self, generation: int, timeout: float = 15.0) -> int:
        pid = self.procs.spawn(
            COMPONENT,
            [BINARY, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.log)],
            self.log,
            cwd=self.prefix,
            stop=signal.SIGQUIT,
        )
        self.procs.wait_until(
            COMPONENT,
            f"serving generation {generation}",
            lambda: self.serving() == generation,
            timeout=timeout,
            log=self.log,
            gone=lambda: self.procs.exited(pid),
        )
        return pid

    def reload(self, pid: int, generation: int, timeout: float = 15.0) -> None:
        old_workers = set(children(pid))
        try:
            os.kill(pid, signal.SIGHUP)
        except ProcessLookupError as err:
            raise DemoError(f"nginx: master {pid} is not running (log: {self.log})") from err
        self.procs.wait_until(
            COMPONENT,
            f"serving generation {generation}",
            lambda: self.serving() == generation,
            timeout=timeout,
            log=self.log,
        )
        # old workers close their listeners on SIGQUIT from the master; wait for them to go
        self.procs.wait_until(
            COMPONENT,
            "old workers gone",
            lambda: not old_workers & set(children(pid)),
            timeout=timeout,
            log=self.log,
            interval=0.02,
        )

    def serving(self) -> int | None:
        import httpx

        try:
            response = httpx.get(f"http://127.0.0.1:{self.ports.control}/__generation", timeout=1.0)
        except httpx.HTTPError:
            return None
        return (
            int(response.text) if response.status_code == 200 and response.text.isdigit() else None
        )

    def stop(self, pid: int) -> None:
        # SIGQUIT: graceful shutdown of the master and its workers
        self.procs.stop(pid, signal.SIGQUIT, timeout=10.0)
