"""Things a production site must not serve: secrets, VCS data, dumps, status pages, debug output.

Check ids: ``exposure.sensitive-paths``, ``exposure.source-maps``, ``exposure.debug``.

A status code alone proves little: single-page apps answer 200 with ``index.html`` for every
path. A path counts as served only when its body differs from the answer to a path that cannot
exist (compared after masking nonce-like tokens) *and* looks like what the path would hold
(``KEY=value`` lines for ``/.env``, ``[core]`` for ``/.git/config``, archive magic numbers...).
Paths without a signature (``[exposure] extra_paths``) count when they differ from the
not-found page and are not HTML.

What such a page holds is the target's secrets, values the redactor cannot know: findings show
sizes, digests, variable names and masked excerpts only (``rules/_excerpt.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gonogo.model import ErrorReason, Finding, Severity, info
from gonogo.rules import _excerpt as excerpt

if TYPE_CHECKING:
    from gonogo.facts.exposure import ExposureFacts, PathProbe, SourceMapFacts
    from gonogo.schema.security import ExposureConfig

_ENV = r"(?m)^\s*(export\s+)?[A-Z_][A-Z0-9_]*\s*="
_SQL = (
    r"(?i)(CREATE TABLE|INSERT INTO|COPY [\w.\"]+ \(|PostgreSQL database (cluster )?dump"
    r"|MySQL dump|MariaDB dump|-- Dump)"
)
# first bytes (hex) of the binary files a served path is recognised by, and their names in
# the evidence (which never shows the file itself)
_PGDMP, _DS_STORE = "5047444d50", "0000000142756431"
_ARCHIVES = {
    "504b0304": "zip archive",
    "1f8b": "gzip data",
    "377abcaf": "7z archive",
    "425a68": "bzip2 data",
    "fd377a585a": "xz data",
}
_FORMATS = {
    _PGDMP: "pg_dump custom-format archive (PGDMP)",
    **_ARCHIVES,
    _DS_STORE: ".DS_Store",
}
# a database dump by content: pg_dump custom format ("PGDMP"), an archive, or SQL text
_DUMP = f"magic:{'|'.join((_PGDMP, *_ARCHIVES))} || {_SQL}"
_METRICS = r"(?m)^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* "
_LISTING = r"(?is)Index of /.*?\.(dump|sql|bak|backup|gz|tgz|tar|zip|7z|xz)\b"
# path -> what its content looks like ("magic:" hex prefixes of the first bytes, else a regex)
# fmt: off
SENSITIVE: dict[str, str] = {
    "/.env": _ENV, "/.env.production": _ENV, "/.env.local": _ENV, "/.env.backup": _ENV,
    "/.git/config": r"\[core\]|repositoryformatversion",
    "/.git/HEAD": r"^(ref: refs/|[0-9a-f]{40}\s*$)",
    "/.svn/entries": r"\A\s*(8|9|10|11|12)\s*\n", "/.hg/hgrc": r"\[paths\]|\[ui\]",
    "/.DS_Store": f"magic:{_DS_STORE}",
    "/.htpasswd": r"(?m)^[^:\s]+:(\$apr1\$|\$2[aby]\$|\{SHA\})",
    "/.aws/credentials": r"aws_access_key_id", "/.npmrc": r"_authToken|_auth\s*=",
    "/.ssh/id_rsa": r"PRIVATE KEY", "/docker-compose.yml": r"(?m)^services:",
    "/web.config": r"<configuration", "/wp-config.php.bak": r"DB_PASSWORD",
    "/config.php.bak": r"<\?php",
    "/backup.sql": _DUMP, "/dump.sql": _DUMP, "/db.sql": _DUMP, "/database.sql": _DUMP,
    "/app.sql": _DUMP, "/backup.zip": _DUMP, "/backup.tar.gz": _DUMP, "/site.tar.gz": _DUMP,
    "/backup.sql.gz": _DUMP, "/dump.sql.gz": _DUMP, "/db.sql.gz": _DUMP,
    "/database.sql.gz": _DUMP, "/backup.dump": _DUMP, "/db.dump": _DUMP, "/app.dump": _DUMP,
    "/database.dump": _DUMP, "/latest.dump": _DUMP, "/backup.bak": _DUMP, "/db.bak": _DUMP,
    "/database.bak": _DUMP, "/backup.backup": _DUMP, "/db.backup": _DUMP,
    "/backup/": _LISTING, "/backups/": _LISTING, "/dumps/": _LISTING,
    "/server-status": r"Apache Server Status|Server Version:",
    "/server-info": r"Apache Server Information", "/nginx_status": r"Active connections:",
    "/stub_status": r"Active connections:", "/status.php": r"(?i)pool:\s+\S+",
    "/fpm-status": r"(?i)pool:\s+\S+", "/metrics": _METRICS, "/prometheus": _METRICS,
    "/actuator/prometheus": _METRICS, "/actuator/metrics": r'"names"\s*:',
    "/actuator/configprops": r'"contexts"', "/actuator/mappings": r'"contexts"',
    "/actuator/beans": r'"contexts"|"beans"', "/actuator/threaddump": r'"threads"',
    "/actuator/loggers": r'"loggers"', "/actuator/httptrace": r'"traces"',
    "/actuator/httpexchanges": r'"exchanges"',
    "/phpinfo.php": r"phpinfo\(\)|PHP Version", "/info.php": r"phpinfo\(\)|PHP Version",
    "/actuator": r'"_links"', "/actuator/env": r"propertySources|activeProfiles",
    "/actuator/heapdump": r"JAVA PROFILE", "/debug/pprof/": r"(?i)profiles|goroutine",
    "/debug/vars": r'"memstats"|"cmdline"', "/console": r"(?i)werkzeug|interactive console",
    "/_profiler/": r"(?i)symfony profiler", "/__debug__/": r"(?i)djdt|debug toolbar",
    "/elmah.axd": r"(?i)error log for", "/trace.axd": r"(?i)application trace",
    "/rails/info/properties": r"Rails version", "/telescope": r"(?i)laravel telescope",
}
# fmt: on
# Operational pages: they reveal internals (traffic, versions, paths) but no secret, so a served
# one is a major finding; everything else in SENSITIVE leaks secrets or data (blocker).
# fmt: off
INFORMATIONAL = frozenset({
    "/server-status", "/server-info", "/nginx_status", "/stub_status", "/status.php",
    "/fpm-status", "/metrics", "/prometheus", "/actuator", "/actuator/prometheus",
    "/actuator/metrics", "/actuator/mappings", "/actuator/beans", "/actuator/loggers",
})
# fmt: on
# An error page must not show code, paths or configuration.
DEBUG_SIGNATURES: dict[str, str] = {
    "Python traceback": r"Traceback \(most recent call last\)",
    "Werkzeug debugger": r"Werkzeug Debugger|__debugger__",
    "Django debug page": r"You're seeing this error because you have <code>DEBUG = True</code>",
    "Java stack trace": r"\bat [\w$.]+\([\w$]+\.java:\d+\)|java\.lang\.\w+(Exception|Error)",
    ".NET error page": r"Server Error in '/' Application|System\.[\w.]+Exception",
    "PHP error": r"(Fatal error|Parse error|Warning)(</b>)?:.* on line|Stack trace:\s*#0",
    "Node.js stack trace": r"\bat .+ \((/|[A-Za-z]:\\)[^)]+\.[cm]?[jt]s:\d+:\d+\)",
    "Ruby/Rails error": r"Action Controller: Exception caught|\.rb:\d+:in `",
    "Go panic": r"goroutine \d+ \[running\]",
    "Laravel/Symfony debug": r"Whoops, looks like something went wrong|Symfony\\Component\\|Illuminate\\",
    "SQL error": r"SQLSTATE\[|syntax error at or near|ORA-\d{5}|error in your SQL syntax",
}
# Technique values of probes/exposure.py (a str enum: equal to these strings), in report order
NOT_FOUND, DECLARED = "not-found path", "error_paths"
TECHNIQUES = (
    NOT_FOUND,
    "malformed body",
    "bad percent-encoding",
    "over-long path",
    "oversized header",
    "unsupported method",
    DECLARED,
)
# 5xx answers that are not the application's error page: the server refusing a method it does
# not implement, and a proxy whose upstream did not answer
NOT_APP_ERRORS = (501, 502, 504)
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{16,}")


def sensitive_paths(thresholds: ExposureConfig) -> list[str]:
    """The paths to probe: the built-in list minus ``skip_paths`` plus ``extra_paths``."""
    return [p for p in SENSITIVE if p not in thresholds.skip_paths] + list(thresholds.extra_paths)


def body_paths(thresholds: ExposureConfig, *defaults: str | None) -> list[str]:
    """Paths sent malformed bodies: ``[exposure] body_paths``, else the login and API paths."""
    if thresholds.body_paths is not None:
        return list(thresholds.body_paths)
    return list(dict.fromkeys(p for p in defaults if p))


def like_not_found(probe: PathProbe, baseline: PathProbe) -> bool:
    """The answer is the site's not-found page (or its SPA catch-all)."""
    if probe.sha256 == baseline.sha256:
        return True
    if probe.status != baseline.status or probe.content_type != baseline.content_type:
        return False
    # SPA shells differ per request only by nonces and build hashes: mask long tokens
    return _TOKEN.sub("~", probe.excerpt) == _TOKEN.sub("~", baseline.excerpt)


def served(probe: PathProbe, baseline: PathProbe, signature: str | None) -> tuple[bool, str]:
    """Whether ``probe`` serves the sensitive content, and why."""
    if not 200 <= probe.status < 300:
        return False, f"{probe.status}"
    if like_not_found(probe, baseline):
        return False, f"{probe.status}, same body as a non-existent path (catch-all)"
    if signature is None:
        html = "html" in probe.content_type
        return (
            not html,
            f"{probe.status} {probe.content_type or '?'}, {probe.length} bytes, unlike not-found",
        )
    hit = any(_matches(part, probe) for part in signature.split(" || "))
    return hit, f"{probe.status} {probe.content_type or '?'}, {probe.length} bytes, " + (
        "content matches" if hit else "content does not look like it (probably a soft 404)"
    )


def _matches(signature: str, probe: PathProbe) -> bool:
    if signature.startswith("magic:"):
        return any(probe.head_hex.startswith(m) for m in signature[6:].split("|"))
    return re.search(signature, probe.excerpt) is not None


def evaluate_sensitive_paths(facts: ExposureFacts, thresholds: ExposureConfig) -> list[Finding]:
    findings = [
        info(
            "baseline",
            f"a non-existent path answers {facts.baseline.status} ({facts.baseline.length} bytes)",
            measured=facts.baseline.url,
        )
    ]
    statuses: dict[str, int] = {}
    for probe in facts.probes:
        hit, why = served(probe, facts.baseline, SENSITIVE.get(probe.path))
        statuses[probe.path] = probe.status
        if hit:
            # every failure carries its severity: the engine takes the worst override
            severity = Severity.MAJOR if probe.path in INFORMATIONAL else Severity.BLOCKER
            findings.append(
                Finding(
                    probe.path,
                    False,
                    f"{probe.path} is served: {why}",
                    measured=_shown(probe),
                    threshold="not served",
                    severity=severity,
                )
            )
        elif 200 <= probe.status < 300:
            findings.append(info(probe.path, f"{probe.path}: {why}"))
    served_count = sum(1 for f in findings if not f.ok)
    findings.append(
        info(
            "probed", f"{len(facts.probes)} paths probed, {served_count} served", measured=statuses
        )
    )
    return findings


def _shown(probe: PathProbe) -> dict[str, object]:
    """What proves ``probe`` served the file, never its content: the file holds the target's
    secrets, values no redactor knows. Size, digest, type; for text, the variable names (a
    ``/.env``) or the masked HTML title (a status page); for binaries, the format's name."""
    shown: dict[str, object] = {
        "bytes_read": probe.length,
        "sha256": probe.sha256,
        "content_type": probe.content_type or "?",
    }
    known = next(
        (name for magic, name in _FORMATS.items() if probe.head_hex.startswith(magic)), None
    )
    if known is not None or "\ufffd" in probe.excerpt[:512]:  # undecodable bytes: not text
        shown["format"] = known or "binary"
    elif "html" in probe.content_type or (not probe.content_type and probe.excerpt[:1] == "<"):
        shown["title"] = excerpt.title(probe.excerpt)
    else:
        shown["names"] = excerpt.names(probe.excerpt)
    return shown


def _looks_like_map(probe: PathProbe) -> bool:
    body = probe.excerpt.lstrip().removeprefix(")]}'").lstrip()
    return (
        body.startswith("{") and re.search(r'"(mappings|sources|sections)"\s*:', body) is not None
    )


def evaluate_source_maps(facts: SourceMapFacts, thresholds: ExposureConfig) -> list[Finding]:
    """No reachable (or inlined) source map for the page's same-origin scripts."""
    if not 200 <= facts.page_status < 300:
        return [
            Finding(
                "page",
                False,
                f"source maps not verified: {facts.page_url} answered {facts.page_status}, "
                "not the site's page, so its scripts are unknown",
                measured=facts.page_status,
                threshold="a 2xx page",
                unverified=ErrorReason.CONNECTIVITY
                if facts.page_status >= 500
                else ErrorReason.CONFIG,
            )
        ]
    if not facts.scripts:
        return [info("scripts", f"{facts.page_url} references no same-origin script")]
    findings: list[Finding] = []
    for script in facts.scripts:
        if script.declared and script.declared.startswith("data:"):
            findings.append(
                Finding(
                    script.script_url,
                    False,
                    f"{script.script_url} embeds its source map inline (sourceMappingURL=data:...)",
                    measured="data:",
                    threshold="no map",
                )
            )
            continue
        maps = [c.url for c in script.candidates if 200 <= c.status < 300 and _looks_like_map(c)]
        tried = {c.url: c.status for c in script.candidates}
        if maps:
            findings.append(
                Finding(
                    script.script_url,
                    False,
                    f"source map served: {', '.join(maps)}",
                    measured=tried,
                    threshold="no source map reachable",
                )
            )
        else:
            note = f" (the script still names {script.declared})" if script.declared else ""
            findings.append(
                info(
                    script.script_url,
                    f"{script.script_url}: no source map reachable{note}",
                    measured=tried,
                )
            )
    return findings


def evaluate_debug(facts: ExposureFacts, thresholds: ExposureConfig) -> list[Finding]:
    """Error pages show no stack trace, debugger or SQL error, and error pages were seen.

    Debug output found is a blocker whatever the check's severity (exploitable information).

    Passing needs evidence. Best: an application error page (a 5xx) was provoked and is clean.
    A well-built site often cannot be made to fail (a static site has no code to crash): when
    no 5xx could be provoked but malformed requests were answered with clean error pages, the
    check passes with a note saying what a crash shows was not seen. It is not verified (an
    error, reason ``config``) when nothing was refused (every answer a 2xx/3xx or a plain
    not-found) or when ``[exposure] error_paths`` are set and none of them failed (stale).
    """
    findings: list[Finding] = []
    clean: dict[str, int] = {}
    for probe in (facts.baseline, *facts.probes):
        hits = [
            name for name, pattern in DEBUG_SIGNATURES.items() if re.search(pattern, probe.excerpt)
        ]
        if hits:
            # exploitable, not hygiene: code paths, configuration and queries hand an attacker
            # the map (the plans require DEBUG=False), so it blocks the release
            findings.append(
                Finding(
                    probe.path,
                    False,
                    f"{probe.path} ({probe.status}) shows {', '.join(hits)}",
                    measured=_snippet(probe.excerpt, hits[0]),
                    threshold="no debug output",
                    severity=Severity.BLOCKER,
                )
            )
        else:
            clean[probe.path] = probe.status
    errors = {p: s for p, s in clean.items() if s >= 500 and s not in NOT_APP_ERRORS}
    shown = ", ".join(f"{p} ({s})" for p, s in errors.items()) or "none"
    findings.append(
        info(
            "provoked",
            f"{len(clean)} of {len(facts.probes) + 1} error/not-found pages show no debug "
            f"output; server errors seen: {shown}",
            measured=clean,
        )
    )
    if not all(f.ok for f in findings) or errors:
        return findings
    return [*findings, _without_server_error(facts)]


def _without_server_error(facts: ExposureFacts) -> Finding:
    """No application 5xx and no debug output: a note when malformed requests were refused
    with clean error pages, else not verified."""
    every = (facts.baseline, *facts.probes)
    statuses = sorted({p.status for p in every})
    declared = {p.path: p.status for p in facts.probes if p.technique == DECLARED}
    if declared:  # a path said to fail that does not: the configuration went stale
        answered = ", ".join(f"{p} answered {s}" for p, s in declared.items())
        return Finding(
            "verified",
            False,
            f"exposure.debug not verified: no error page could be provoked ({answered}, not "
            "the application's error page); set [exposure] error_paths to a path that fails on "
            "purpose",
            measured=declared,
            unverified=ErrorReason.CONFIG,
        )
    refused: dict[str, list[int]] = {}
    for probe in facts.probes:
        # a 404 is the not-found page again: it says nothing about malformed input
        if probe.technique not in (NOT_FOUND, "") and probe.status >= 400 and probe.status != 404:
            refused.setdefault(probe.technique, []).append(probe.status)
    if not refused:
        return Finding(
            "verified",
            False,
            f"exposure.debug not verified: no error page could be provoked "
            f"({len(every)} requests answered {', '.join(map(str, statuses))}, no application "
            "5xx, no malformed request refused); set [exposure] error_paths to a path that fails "
            "on purpose",
            measured=statuses,
            unverified=ErrorReason.CONFIG,
        )
    how = "; ".join(
        f"{t} {', '.join(map(str, sorted(set(refused[t]))))}" for t in TECHNIQUES if t in refused
    )
    return info(
        "note",
        f"no server error could be provoked: every answer was clean and the site refused "
        f"malformed requests with clean error pages ({how}); what a crash shows was not seen "
        "(set [exposure] error_paths to a path that fails on purpose to check it)",
        measured={t: sorted(set(v)) for t, v in refused.items()},
    )


def _snippet(text: str, name: str) -> str:
    """The lines where signature ``name`` matched (and the two after), values masked: a stack
    trace can hold a connection string or a key the redactor does not know."""
    match = re.search(DEBUG_SIGNATURES[name], text)
    start = text.rfind("\n", 0, match.start()) + 1 if match else 0
    # masked before cut: a cut through a quoted value would leave its start unmasked
    lines = excerpt.masked("\n".join(text[start:].splitlines()[:3])).splitlines()
    return "\n".join(line[:160] for line in lines)
