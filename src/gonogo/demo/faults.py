"""The catalogue of faults the demo stack can inject, and the checks each should flip.

A fault is applied to the running stack and fully reverted (``DemoStack.fault(name)``). The
effects live with their component: nginx faults are parameters of the one nginx template
(``nginx.FAULT_PARAMS``), app faults are flags the app reads per request, data faults are
small operations in ``effects.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gonogo.errors import ConfigError
from gonogo.model import Outcome, Severity

if TYPE_CHECKING:
    from gonogo.catalogue import Catalogue

BLOCKER, MAJOR, MINOR = Severity.BLOCKER, Severity.MAJOR, Severity.MINOR


@dataclass(frozen=True, slots=True)
class Fault:
    """One injectable misconfiguration.

    Attributes:
        name: stable name (``--fault NAME``, ``[demo] faults``).
        component: what it changes: ``nginx``, ``app``, ``postgres``, ``redis``, ``backups`` or
            ``monitoring`` (or ``dns``...: one per component with faults).
        description: one line saying what is wrong while it is active.
        checks: ids of the checks it flips: they fail, or end as errors when it takes away what
            they verify (a component stopped).
        severity: the severity its findings give those checks when it is not their catalogue
            severity (findings escalate or lower their check: 20 days left is a major finding
            of the blocker check ``tls.cert-expiry``; a traceback is a blocker finding of the
            major check ``exposure.debug``); None: the catalogue's.
    """

    name: str
    component: str
    description: str
    checks: tuple[str, ...]
    severity: Severity | None = None


def _f(
    name: str, component: str, description: str, *checks: str, severity: Severity | None = None
) -> tuple[str, Fault]:
    return name, Fault(name, component, description, checks, severity)


FAULTS: dict[str, Fault] = dict(
    [
        # --- dns (demo/dns.py: the zone file is read per query) ---------------------------
        _f(
            "dns-record-missing", "dns", "www.gonogo.test has no A record (NXDOMAIN)", "dns.records"
        ),
        _f(
            "dns-record-wrong",
            "dns",
            "www.gonogo.test points at 192.0.2.66, not at the site",
            "dns.records",
        ),
        # --- nginx / TLS ---------------------------------------------------------------
        _f("hsts-missing", "nginx", "no Strict-Transport-Security header", "headers.hsts"),
        _f(
            "hsts-short",
            "nginx",
            "HSTS max-age=300 (five minutes: major, under six months)",
            "headers.hsts",
            severity=MAJOR,
        ),
        _f("hsts-zero", "nginx", "HSTS max-age=0 (HSTS switched off)", "headers.hsts"),
        _f(
            "hsts-no-subdomains",
            "nginx",
            "HSTS without includeSubDomains (a minor warning: MDN recommends it)",
            "headers.hsts",
            severity=MINOR,
        ),
        _f(
            "no-redirect",
            "nginx",
            "plain HTTP serves the site (200) instead of 301 to https",
            "redirect.https",
        ),
        _f(
            "redirect-downgrade",
            "nginx",
            "HTTP redirects to another http:// port before https",
            "redirect.https",
            severity=MAJOR,
        ),
        _f("tls10-enabled", "nginx", "TLS 1.0 and 1.1 accepted (SECLEVEL=0)", "tls.protocols"),
        _f("tls11-enabled", "nginx", "TLS 1.1 accepted (SECLEVEL=0)", "tls.protocols"),
        _f(
            "weak-ciphers",
            "nginx",
            "non-forward-secret suites (AES128-SHA, AES256-SHA) offered",
            "tls.ciphers",
        ),
        _f(
            "cert-expiring",
            "nginx",
            "certificate valid but expires in 20 days",
            "tls.cert-expiry",
            severity=MAJOR,
        ),
        _f("cert-expiring-soon", "nginx", "certificate expires in 3 days", "tls.cert-expiry"),
        _f(
            "cert-expired",
            "nginx",
            "certificate expired 2 days ago",
            "tls.cert-expiry",
            "tls.certificate",
        ),
        _f(
            "cert-self-signed",
            "nginx",
            "self-signed certificate, not issued by the run's CA",
            "tls.certificate",
        ),
        _f(
            "cert-hostname-mismatch",
            "nginx",
            "certificate SAN is only wrong.example",
            "tls.certificate",
        ),
        _f(
            "cert-weak-key",
            "nginx",
            "RSA 1024-bit certificate key (served at SECLEVEL=0)",
            "tls.certificate",
        ),
        _f("xfo-missing", "nginx", "no X-Frame-Options header", "headers.frame"),
        _f(
            "frame-weak",
            "nginx",
            "X-Frame-Options ALLOW-FROM (ignored by browsers) and no CSP frame-ancestors",
            "headers.frame",
        ),
        _f(
            "nosniff-missing",
            "nginx",
            "no X-Content-Type-Options header",
            "headers.content-type-options",
            severity=MINOR,
        ),
        _f("csp-missing", "nginx", "no Content-Security-Policy header", "headers.csp"),
        _f("csp-unsafe", "nginx", "CSP allows 'unsafe-inline', 'unsafe-eval' and *", "headers.csp"),
        _f("referrer-unsafe", "nginx", "Referrer-Policy unsafe-url", "headers.referrer-policy"),
        _f(
            "permissions-policy-missing",
            "nginx",
            "no Permissions-Policy header",
            "headers.permissions-policy",
        ),
        _f(
            "permissions-policy-open",
            "nginx",
            "Permissions-Policy camera=(self *): the camera granted to every origin",
            "headers.permissions-policy",
        ),
        _f("coop-missing", "nginx", "no Cross-Origin-Opener-Policy header", "headers.cross-origin"),
        _f(
            "xss-protection-invalid",
            "nginx",
            "X-XSS-Protection: 1; mode=blocked (not a valid value)",
            "headers.xss-protection",
        ),
        _f(
            "server-version-disclosed",
            "nginx",
            "Server: nginx/<version> and X-Powered-By: Starlette/<version>",
            "headers.disclosure",
        ),
        _f(
            "no-rate-limit",
            "nginx",
            "no login limit: nginx flood guard and the app's per-account lockout both off",
            "ratelimit.login",
        ),
        _f(
            "metrics-exposed",
            "nginx",
            "/metrics (Prometheus) published on the site",
            "exposure.sensitive-paths",
            severity=MAJOR,
        ),
        _f(
            "ratelimit-per-second",
            "nginx",
            "login limited to 1r/s burst=4 (nginx limit_req): the sixth attempt is refused, "
            "then one a second goes through",
            "ratelimit.login",
        ),
        _f(
            "csp-fixed-nonce",
            "nginx",
            "CSP script-src nonce is the same on every response",
            "headers.csp",
        ),
        _f(
            "home-unavailable",
            "nginx",
            "/ answers 503 (with every security header): the headers cannot be verified",
            "headers.hsts",
            "headers.csp",
            "headers.frame",
            "headers.grade",
            "exposure.source-maps",
        ),
        _f(
            "hsts-eight-months",
            "nginx",
            "HSTS max-age of eight months (a minor warning: a year is recommended)",
            "headers.hsts",
            severity=MINOR,
        ),
        _f(
            "csp-no-base-uri",
            "nginx",
            "CSP without base-uri (a minor warning: MDN's strict CSP sets it)",
            "headers.csp",
            severity=MINOR,
        ),
        _f(
            "redirect-temporary",
            "nginx",
            "HTTP redirects to HTTPS with 302 (a minor warning: 301/308 recommended)",
            "redirect.https",
            severity=MINOR,
        ),
        _f(
            "duplicate-headers",
            "nginx",
            "HSTS, X-Frame-Options, nosniff and CSP each sent twice, the second line weaker "
            "(browsers apply HSTS's first line and every CSP: only HSTS warns)",
            "headers.hsts",
            severity=MINOR,
        ),
        _f(
            "isolation-invalid",
            "nginx",
            "COOP 'Same-Origin' (values are case-sensitive) and CORP sent on two lines: both "
            "ignored by browsers",
            "headers.cross-origin",
            severity=MINOR,
        ),
        # --- app -----------------------------------------------------------------------
        _f(
            "cookie-insecure",
            "app",
            "session cookie without Secure, HttpOnly, SameSite",
            "cookies.flags",
            severity=BLOCKER,
        ),
        _f(
            "cors-permissive",
            "app",
            "any Origin reflected with Access-Control-Allow-Credentials",
            "cors.policy",
            severity=BLOCKER,
        ),
        _f(
            "cors-public",
            "app",
            "Access-Control-Allow-Origin: * without credentials for other origins (a minor "
            "warning: public data only)",
            "cors.policy",
            severity=MINOR,
        ),
        _f(
            "cookies-lax",
            "app",
            "/ sets theme without Secure or SameSite and a token-named cookie scripts can read "
            "(minor warnings)",
            "cookies.flags",
            severity=MINOR,
        ),
        _f(
            "env-exposed",
            "app",
            "/.env serves the .env.production file",
            "exposure.sensitive-paths",
        ),
        _f(
            "git-exposed",
            "app",
            "/.git/config and /.git/HEAD are served",
            "exposure.sensitive-paths",
        ),
        _f(
            "dump-exposed",
            "app",
            "/backup.dump serves the newest pg_dump archive",
            "exposure.sensitive-paths",
        ),
        _f(
            "source-map-served",
            "app",
            "app.js references app.js.map, which is served",
            "exposure.source-maps",
        ),
        _f(
            "debug-errors",
            "app",
            "errors (/api/boom) answer 500 with a Python traceback",
            "exposure.debug",
            severity=BLOCKER,
        ),
        _f(
            "health-degraded",
            "app",
            "/health reports the cache down (503)",
            "smoke.health",
            "smoke.readiness",
        ),
        _f("slow-health", "app", "/health answers after about 2 s", "smoke.health"),
        _f(
            "wrong-version", "app", "/version reports 1.4.1 instead of the release", "smoke.version"
        ),
        # --- app: the smoke journeys (demo/app_api.py) --------------------------------------
        _f(
            "login-broken",
            "app",
            "the log-in API (/api/session) answers 500: the synthetic account cannot log in",
            "smoke.login",
            "smoke.logout",
        ),
        _f("endpoint-missing", "app", "/api/orders/recent answers 404", "smoke.endpoint"),
        _f(
            "json-wrong-value",
            "app",
            '/api/status answers currency "USD" where "EUR" is expected',
            "smoke.endpoint",
        ),
        _f(
            "index-cached",
            "app",
            "the index is served with Cache-Control: public, max-age=86400 (cached for a day)",
            "smoke.index-cache",
        ),
        _f(
            "assets-uncached",
            "nginx",
            "hashed assets served no-cache and uncompressed (nginx gzip off)",
            "smoke.assets",
        ),
        _f(
            "index-mixed-script",
            "app",
            "the index loads a script over plain http:// (active mixed content)",
            "smoke.mixed-content",
            "e2e.mixed-content",  # a browser blocks it: a failed request and a console error
            "e2e.page",
            "e2e.console",
            severity=BLOCKER,
        ),
        _f(
            "websocket-silent",
            "app",
            "the bidding WebSocket accepts the upgrade and never answers",
            "smoke.websocket",
        ),
        _f(
            "smtp-no-starttls",
            "smtp",
            "the mail relay offers no STARTTLS (mail would cross the network in clear)",
            "smoke.smtp",
        ),
        _f(
            "endpoint-flaky",
            "app",
            "/api/status answers 503 to every other request (passes on a retry: flaky, major)",
            "smoke.endpoint",
            severity=MAJOR,
        ),
        _f(
            "slow-api",
            "app",
            "/api/search answers after about 2 s (p95 over the 1500 ms budget; the run stops "
            "early, so the planned throughput is not sustained either)",
            "load.latency",
            "load.throughput",
        ),
        _f(
            "errors-api",
            "app",
            "/api/search answers 503 (error ratio over budget: the load run stops early)",
            "load.errors",
        ),
        _f(
            "api-regression",
            "app",
            "/api/search 0.8 s slower: under every threshold, over an accepted baseline",
            "load.regression",
        ),
        # --- browser (e2e): what the storefront page gives a browser --------------------
        _f("console-error", "app", "a script of the home page logs a console error", "e2e.console"),
        _f(
            "failing-asset",
            "app",
            "the home page links a stylesheet that answers 404",
            "e2e.page",
            "e2e.console",
            "smoke.assets",
        ),
        _f(
            "mixed-content",
            "app",
            "the home page shows an image over plain http (the CSP blocks it: it never loads)",
            "e2e.mixed-content",
            "e2e.page",
            "e2e.console",
            "smoke.mixed-content",
        ),
        _f(
            "slow-lcp",
            "app",
            "the home page's hero image arrives after 3 s (LCP over 2.5 s)",
            "e2e.vitals",
        ),
        _f(
            "layout-shift",
            "app",
            "a banner pushes the home page down after it rendered (CLS over 0.1)",
            "e2e.vitals",
        ),
        _f(
            "signin-form-broken",
            "app",
            "the home page's sign-in form posts to an endpoint that does not exist (404)",
            "e2e.journey",
            "e2e.signup",
        ),
        _f(
            "mobile-overflow",
            "app",
            "the header is 720 px wide: the home page scrolls sideways on a phone",
            "e2e.mobile",
        ),
        _f(
            "a11y-violations",
            "app",
            "an image without alt text, a field without label, a button without name",
            "e2e.a11y",
        ),
        # --- postgres ------------------------------------------------------------------
        _f(
            "postgres-down",
            "postgres",
            "the primary is stopped",
            "pg.connect",
            "pg.schema",
            "pg.migrations",
            "pg.replication",
            "pg.archiving",
            "smoke.health",
        ),
        _f("missing-table", "postgres", "table orders renamed away", "pg.schema"),
        _f("missing-index", "postgres", "index orders_created_at_idx dropped", "pg.schema"),
        _f(
            "migrations-behind",
            "postgres",
            "head migration row missing from schema_migrations",
            "pg.migrations",
        ),
        _f("standby-stopped", "postgres", "the streaming standby is stopped", "pg.replication"),
        _f("app-superuser", "postgres", "the application role app is a superuser", "pg.app-role"),
        _f(
            "slow-query-log-off",
            "postgres",
            "log_min_duration_statement = -1 (slow queries not logged)",
            "pg.slow-query-log",
        ),
        _f(
            "connections-exhausted",
            "postgres",
            "idle sessions hold 90% of max_connections",
            "pg.capacity",
        ),
        _f(
            "archiving-broken",
            "postgres",
            "archive_command = 'false'; a WAL archive attempt failed",
            "pg.archiving",
        ),
        # --- redis ---------------------------------------------------------------------
        _f(
            "redis-down",
            "redis",
            "the Redis master is stopped",
            "redis.ping",
            "redis.persistence",
            "redis.replication",
            "redis.memory",
            "redis.auth",
            "smoke.health",
        ),
        _f(
            "aof-off", "redis", "appendonly no on the master", "redis.persistence", severity=BLOCKER
        ),
        _f("no-replica", "redis", "replica detached (REPLICAOF NO ONE)", "redis.replication"),
        _f("no-maxmemory", "redis", "maxmemory 0 (unbounded) on the master", "redis.memory"),
        _f(
            "small-maxmemory",
            "redis",
            "maxmemory 8mb on the master, below demo.toml's min_maxmemory (64mb)",
            "redis.memory",
        ),
        _f("redis-no-auth", "redis", "requirepass removed on the master", "redis.auth"),
        # --- backups -------------------------------------------------------------------
        _f(
            "stale-backup",
            "backups",
            "every backup (name and mtime) 3 days older",
            "backup.freshness",
        ),
        _f(
            "truncated-backup",
            "backups",
            "newest dump cut in half, with a matching .sha256",
            "backup.integrity",
            "backup.restore",
            severity=BLOCKER,
        ),
        _f("wrong-checksum", "backups", "newest dump's .sha256 does not match", "backup.integrity"),
        _f(
            "backup-unencrypted",
            "backups",
            "encryption skipped: each .gpg holds the plain dump",
            "backup.encryption",
        ),
        _f(
            "backup-undecryptable",
            "backups",
            "newest .gpg encrypted with another passphrase",
            "backup.encryption",
            "backup.integrity",
            "backup.restore",
        ),
        _f(
            "backup-weak-cipher",
            "backups",
            "newest .gpg encrypted with CAST5 instead of AES-256",
            "backup.encryption",
        ),
        _f(
            "no-backup",
            "backups",
            "backups directory empty",
            "backup.freshness",
            "backup.predeploy",
            "rollback.backup",
        ),
        _f(
            "backup-shrunk",
            "backups",
            "newest dump holds the schema but no rows (checksums and encryption right)",
            "backup.integrity",
            "backup.restore",
            severity=BLOCKER,
        ),
        _f(
            "restore-target-is-source",
            "backups",
            "the drill's scratch_dsn names the primary (localhost, database postgres)",
            "backup.restore",
        ),
        # --- monitoring ----------------------------------------------------------------
        _f(
            "alert-rule-missing",
            "monitoring",
            "the plans' HighErrorRate alert rule is not loaded",
            "monitoring.rules",
        ),
        _f(
            "scrape-target-down",
            "monitoring",
            "a second target of the app job on a port that never listens",
            "monitoring.targets",
        ),
        _f(
            "critical-alert-firing",
            "monitoring",
            "a critical alert (QueueBacklogCritical) is firing",
            "monitoring.alerts",
        ),
        _f(
            "alertmanager-null-route",
            "monitoring",
            "critical alerts routed to a receiver without integrations (blackhole)",
            "monitoring.alertmanager",
        ),
        _f(
            "error-spike",
            "monitoring",
            "/api/checkout answers 503 and gets a request every 3 s: the 5xx ratio is far "
            "above 1 %",
            "postdeploy.metrics",
            "postdeploy.rollback",
        ),
        _f(
            "prometheus-down",
            "monitoring",
            "Prometheus is stopped (postdeploy.* cannot be evaluated either: NO-GO, never ROLL "
            "BACK)",
            "monitoring.prometheus",
            "monitoring.targets",
            "monitoring.rules",
            "monitoring.alerts",
        ),
        _f(
            "rule-file-invalid",
            "monitoring",
            "a rule file with a PromQL syntax error in the rules directory (not loaded yet)",
            "monitoring.rule-files",
        ),
        _f(
            "telemetry-degraded",
            "monitoring",
            "the log aggregation and error tracking endpoints answer 503",
            "monitoring.logs",
            "monitoring.error-tracking",
        ),
        _f(
            "previous-release-missing",
            "monitoring",
            "the previous release's tarball (app-1.4.1.tar.gz) was deleted",
            "rollback.artefact",
        ),
        _f(
            "rollback-not-executable",
            "monitoring",
            "the rollback script is mode 0644 (not executable) on the host",
            "rollback.command",
        ),
        # --- hosts (demo/host_faults.py) ---------------------------------------------------
        _f(
            "secrets-world-readable",
            "host",
            "the app's .env.production is mode 0644 (readable by every user)",
            "host.secrets-files",
        ),
        _f(
            "process-stopped",
            "host",
            "the run's worker process (a required process) is stopped",
            "host.processes",
        ),
        # --- the app's .env.production (config.*, demo/host_faults.py) -------------------
        _f("required-missing", "config", "JWT_SECRET is not set", "config.required"),
        _f(
            "placeholder-secret",
            "config",
            "JWT_SECRET=[generate-strong-secret-64-chars], as the plans' template writes it",
            "config.placeholders",
        ),
        _f("debug-true", "config", "DEBUG=True in .env.production", "config.production-mode"),
        _f("log-level-debug", "config", "LOG_LEVEL=debug in .env.production", "config.log-level"),
        _f(
            "short-jwt-secret",
            "config",
            "JWT_SECRET of 32 characters (the plans ask for 64)",
            "config.secret-strength",
        ),
        _f("test-key", "config", "STRIPE_SECRET_KEY is a sk_test_ key", "config.test-keys"),
        _f(
            "cors-wildcard-config",
            "config",
            "CORS_ALLOWED_ORIGINS=* in .env.production (the running app is unchanged)",
            "config.cors",
        ),
    ]
)


def get(name: str) -> Fault:
    """The fault called ``name``; a one-line ConfigError listing the known ones otherwise."""
    try:
        return FAULTS[name]
    except KeyError as err:
        raise ConfigError(
            f"unknown demo fault {name!r}; known faults: {', '.join(sorted(FAULTS))}"
        ) from err


def validate(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    for name in names:
        get(name)
    return tuple(dict.fromkeys(names))


def severities(fault: Fault, catalogue: Catalogue) -> dict[str, Severity]:
    """The severity each check ``fault`` flips counts with: the fault's, else the catalogue's."""
    return {c: fault.severity or catalogue.spec(c).severity for c in fault.checks}


def expected_verdict(fault: Fault, catalogue: Catalogue) -> str:
    """The verdict of a full run of the demo with only ``fault`` injected, as the engine decides
    it (``verdict.decide``): every catalogue check passed but the flipped ones."""
    from gonogo.verdict import CheckResult, RunState, decide

    flipped: Mapping[str, Severity] = severities(fault, catalogue)
    results = [
        CheckResult(
            id=check_id,
            title=entry.spec.title,
            severity=flipped.get(check_id, entry.spec.severity),
            outcome=Outcome.FAILED if check_id in flipped else Outcome.PASSED,
            nodeid=check_id,
            markers=entry.markers,
        )
        for check_id, entry in catalogue.items()
    ]
    return decide(results, RunState()).verdict.value
