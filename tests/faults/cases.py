"""Fault table: each demo fault and the check ids it must flip, with the gate files to run.

The fault tests inject each fault into the running demo stack, run the real gate over the
listed files, and assert every listed check failed (not errored, not skipped: a check that
cannot see its fault is a defect). Some faults rightly flip more than one check; only the
listed ones are asserted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FaultCase:
    fault: str
    checks: tuple[str, ...]
    files: tuple[str, ...]
    outcome: str = "failed"  # "error" for a component that is down: it could not be checked

    @property
    def id(self) -> str:
        return f"{self.fault}->{','.join(self.checks)}"


def case(
    fault: str, checks: str | tuple[str, ...], *files: str, outcome: str = "failed"
) -> FaultCase:
    return FaultCase(fault, (checks,) if isinstance(checks, str) else checks, files, outcome)


SMOKE = [
    case("health-degraded", "smoke.health", "smoke/test_smoke.py"),
    case("slow-health", "smoke.health", "smoke/test_smoke.py"),
    case("wrong-version", "smoke.version", "smoke/test_smoke.py"),
]

TLS = [
    case("tls10-enabled", "tls.protocols", "checks/test_tls.py"),
    case("tls11-enabled", "tls.protocols", "checks/test_tls.py"),
    case("weak-ciphers", "tls.ciphers", "checks/test_tls.py"),
    case("cert-expiring", "tls.cert-expiry", "checks/test_tls.py"),
    case("cert-expiring-soon", "tls.cert-expiry", "checks/test_tls.py"),
    case("cert-expired", ("tls.cert-expiry", "tls.certificate"), "checks/test_tls.py"),
    case("cert-self-signed", "tls.certificate", "checks/test_tls.py"),
    case("cert-hostname-mismatch", "tls.certificate", "checks/test_tls.py"),
    case("cert-weak-key", "tls.certificate", "checks/test_tls.py"),
]

SECURITY = [
    case("hsts-missing", "headers.hsts", "checks/test_headers.py"),
    case("hsts-short", "headers.hsts", "checks/test_headers.py"),
    case("no-redirect", "redirect.https", "checks/test_redirect.py"),
    case("redirect-downgrade", "redirect.https", "checks/test_redirect.py"),
    case("xfo-missing", "headers.frame", "checks/test_headers.py"),
    case("nosniff-missing", "headers.content-type-options", "checks/test_headers.py"),
    case("csp-missing", ("headers.csp", "headers.grade"), "checks/test_headers.py"),
    case("csp-unsafe", "headers.csp", "checks/test_headers.py"),
    case("referrer-unsafe", "headers.referrer-policy", "checks/test_headers.py"),
    case("permissions-policy-missing", "headers.permissions-policy", "checks/test_headers.py"),
    case("coop-missing", "headers.cross-origin", "checks/test_headers.py"),
    case("xss-protection-invalid", "headers.xss-protection", "checks/test_headers.py"),
    case("server-version-disclosed", "headers.disclosure", "checks/test_headers.py"),
    case("cookie-insecure", "cookies.flags", "checks/test_cookies.py"),
    case("cors-permissive", "cors.policy", "checks/test_cors.py"),
    case("env-exposed", "exposure.sensitive-paths", "checks/test_exposure.py"),
    case("git-exposed", "exposure.sensitive-paths", "checks/test_exposure.py"),
    case("source-map-served", "exposure.source-maps", "checks/test_exposure.py"),
    case("debug-errors", "exposure.debug", "checks/test_exposure.py"),
    case("no-rate-limit", "ratelimit.login", "checks/test_ratelimit.py"),
]

DATA = [
    case(
        "postgres-down",
        ("pg.connect", "pg.version", "pg.schema"),
        "checks/test_postgres.py",
        outcome="error",
    ),
    case("missing-table", "pg.schema", "checks/test_postgres.py"),
    case("missing-index", "pg.schema", "checks/test_postgres.py"),
    case("migrations-behind", "pg.migrations", "checks/test_postgres.py"),
    case("standby-stopped", "pg.replication", "checks/test_postgres.py"),
    case("archiving-broken", "pg.archiving", "checks/test_postgres.py"),
    case("app-superuser", "pg.app-role", "checks/test_postgres.py"),
    case("slow-query-log-off", "pg.slow-query-log", "checks/test_postgres.py"),
    case("connections-exhausted", "pg.capacity", "checks/test_postgres.py"),
    case("redis-down", ("redis.ping", "redis.version"), "checks/test_redis.py", outcome="error"),
    case("aof-off", "redis.persistence", "checks/test_redis.py"),
    case("no-replica", "redis.replication", "checks/test_redis.py"),
    case("no-maxmemory", "redis.memory", "checks/test_redis.py"),
    case("redis-no-auth", "redis.auth", "checks/test_redis.py"),
]

BACKUP = [
    case("stale-backup", "backup.freshness", "checks/test_backup.py"),
    case("truncated-backup", ("backup.integrity", "backup.restore"), "checks/test_backup.py"),
    case("wrong-checksum", "backup.integrity", "checks/test_backup.py"),
    case("backup-unencrypted", "backup.encryption", "checks/test_backup.py"),
    case("backup-undecryptable", "backup.encryption", "checks/test_backup.py"),
    case("no-backup", ("backup.freshness", "backup.predeploy"), "checks/test_backup.py"),
]

ALL = SMOKE + TLS + SECURITY + DATA + BACKUP
