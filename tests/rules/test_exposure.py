"""Table tests of the exposure rules: sensitive paths, source maps, debug output."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from factories import SPA, exposure, failing, not_verified, probe, verdict

from gonogo.facts.exposure import ExposureFacts, PathProbe, ScriptMaps, SourceMapFacts, Technique
from gonogo.model import ErrorReason, Severity
from gonogo.rules import exposure as rules
from gonogo.schema.security import ExposureConfig

SPA_BASELINE = probe("/gonogo-x-not-found", 200, SPA.format(n="a1b2c3d4e5f6a7b8c9d0"))
ENV = "DATABASE_URL=postgres://app:secret@db/app\nSECRET_KEY=abc\n"
MAP = '{"version":3,"sources":["src/app.ts"],"names":[],"mappings":"AAAA"}'


def case(name: str, facts: ExposureFacts, ok: bool) -> Any:
    return pytest.param(facts, ok, id=name)


SENSITIVE = [
    case("nothing-served", exposure(probe("/.env"), probe("/.git/config"), probe("/backup.sql")), True),
    case("env-file-served", exposure(probe("/.env", 200, ENV, "text/plain")), False),
    case("env-behind-spa-catch-all", exposure(probe("/.env", 200, SPA.format(n="ffeeddccbbaa99887766")),
                                              baseline=SPA_BASELINE), True),
    case("env-served-despite-spa", exposure(probe("/.env", 200, ENV, "application/octet-stream"),
                                            baseline=SPA_BASELINE), False),
    case("identical-to-baseline", exposure(probe("/.env", 200, "Not Found")), True),
    case("git-config", exposure(probe("/.git/config", 200, "[core]\n\trepositoryformatversion = 0\n", "text/plain")),
         False),
    case("git-head", exposure(probe("/.git/HEAD", 200, "ref: refs/heads/main\n", "text/plain")), False),
    case("git-forbidden", exposure(probe("/.git/config", 403, "Forbidden")), True),
    case("soft-404-html-page", exposure(probe("/.env", 200, "<html><h1>Page not found</h1></html>")), True),
    case("zip-backup", exposure(probe("/backup.zip", 200, "", "application/zip", head=b"PK\x03\x04rest")), False),
    case("gzip-dump", exposure(probe("/db.sql.gz", 200, "", "application/gzip", head=b"\x1f\x8b\x08\x00")), False),
    case("backup-is-html", exposure(probe("/backup.zip", 200, "<html>shop</html>")), True),
    case("sql-dump", exposure(probe("/dump.sql", 200, "-- PostgreSQL database dump\nCREATE TABLE t();", "text/plain")),
         False),
    case("apache-status", exposure(probe("/server-status", 200, "<h1>Apache Server Status for x</h1>")), False),
    case("nginx-stub-status", exposure(probe("/nginx_status", 200, "Active connections: 1 \n", "text/plain")), False),
    case("actuator-env", exposure(probe("/actuator/env", 200, '{"activeProfiles":[],"propertySources":[]}',
                                        "application/json")), False),
    case("werkzeug-console", exposure(probe("/console", 200, "<title>Console // Werkzeug Debugger</title>")), False),
    case("extra-path-json", exposure(probe("/internal/metrics", 200, '{"up":1}', "application/json")), False),
    case("extra-path-html", exposure(probe("/internal/admin", 200, "<html>login</html>")), True),
    # --- backups by name and by content, metrics and status pages ---------------------------
    case("pg-dump-custom-format", exposure(probe("/backup.dump", 200, "", "application/octet-stream",
                                                 head=b"PGDMP\x01\x0e\x00")), False),
    case("dump-name-but-html", exposure(probe("/backup.dump", 200, "<html>shop</html>")), True),
    case("dump-name-plain-sql", exposure(probe("/app.dump", 200, "--\n-- PostgreSQL database dump\n--\n", "text/plain")),
         False),
    case("dumpall-sql-gz", exposure(probe("/backup.sql.gz", 200, "", "application/gzip", head=b"\x1f\x8b\x08")), False),
    case("mysql-dump-bak", exposure(probe("/db.bak", 200, "-- MySQL dump 10.13  Distrib 8.0", "text/plain")), False),
    case("copy-statement-sql", exposure(probe("/backup.sql", 200, 'COPY public.orders (id, total) FROM stdin;\n1\t2',
                                              "text/plain")), False),
    case("sql-name-with-unrelated-text", exposure(probe("/backup.sql", 200, "nothing to see", "text/plain")), True),
    case("xz-archive", exposure(probe("/backup.tar.gz", 200, "", "application/x-xz", head=b"\xfd7zXZ\x00")), False),
    case("backups-directory-listing", exposure(probe("/backups/", 200,
         '<html><head><title>Index of /backups/</title></head><body><a href="app-20261201T120000Z.dump">', "text/html")),
         False),
    case("listing-without-dumps", exposure(probe("/backups/", 200, "<title>Index of /backups/</title>")), True),
    case("extra-path-pg-dump", exposure(probe("/exports/app-2026.dump", 200, "", "application/octet-stream",
                                              head=b"PGDMP\x01")), False),
    case("prometheus-metrics", exposure(probe("/metrics", 200,
         '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n', "text/plain")), False),
    case("metrics-json-health-is-not-prometheus", exposure(probe("/metrics", 200, '{"status":"ok"}', "application/json")),
         True),
    case("actuator-prometheus", exposure(probe("/actuator/prometheus", 200, "# HELP jvm_threads Threads.\n", "text/plain")),
         False),
    case("actuator-mappings", exposure(probe("/actuator/mappings", 200, '{"contexts":{"app":{}}}', "application/json")),
         False),
    case("nginx-stub-status-path", exposure(probe("/stub_status", 200, "Active connections: 2\n", "text/plain")), False),
]
SOURCE_MAPS = [
    ("no-scripts", SourceMapFacts("https://app.example.com/", ()), True),
    ("map-not-found", SourceMapFacts("https://app.example.com/", (
        ScriptMaps("https://app.example.com/static/app.js", 200, None,
                   (probe("/static/app.js.map", 404, "Not Found"),)),)), True),
    ("map-served", SourceMapFacts("https://app.example.com/", (
        ScriptMaps("https://app.example.com/static/app.js", 200, "https://app.example.com/static/app.js.map",
                   (probe("/static/app.js.map", 200, MAP, "application/json"),)),)), False),
    ("map-url-is-spa-index", SourceMapFacts("https://app.example.com/", (
        ScriptMaps("https://app.example.com/static/app.js", 200, None,
                   (probe("/static/app.js.map", 200, SPA.format(n="x")),)),)), True),
    ("map-with-xssi-prefix", SourceMapFacts("https://app.example.com/", (
        ScriptMaps("https://app.example.com/static/app.js", 200, None,
                   (probe("/static/app.js.map", 200, ")]}'\n" + MAP, "application/json"),)),)), False),
    ("inline-data-map", SourceMapFacts("https://app.example.com/", (
        ScriptMaps("https://app.example.com/static/app.js", 200, "data:application/json;base64,eyJ9", ()),)), False),
    ("page-503-lists-no-scripts", SourceMapFacts("https://app.example.com/", (), page_status=503), False),
]
TRACEBACK = 'Traceback (most recent call last):\n  File "/app/main.py", line 10, in boom\nZeroDivisionError'
GENERIC_500 = probe("/api/boom", 500, '{"error":"internal server error"}', "application/json")
DEBUG = [
    case("generic-500", exposure(probe("/api/boom", 500, "Internal Server Error")), True),
    case("clean-404-and-clean-500", exposure(probe("/api/gonogo-x", 404, '{"detail":"Not Found"}'), GENERIC_500), True),
    case("malformed-json-provokes-clean-500", exposure(probe("POST /login (malformed JSON)", 500, "Oops")), True),
    case("traceback-on-a-400", exposure(probe("POST /login (malformed JSON)", 400, TRACEBACK), GENERIC_500), False),
    case("traceback-beside-nothing-else", exposure(probe("GET /x", 404, TRACEBACK)), False),
    case("werkzeug-debugger", exposure(probe("/api/boom", 500, "<title>Werkzeug Debugger</title>")), False),
    case("python-traceback", exposure(probe("/api/boom", 500, TRACEBACK)), False),
    case("traceback-on-not-found-page", exposure(baseline=probe("/gonogo-x", 404, TRACEBACK)), False),
    case("java-stack", exposure(probe("/api/boom", 500, "at com.example.Boom.run(Boom.java:42)")), False),
    case("node-stack", exposure(probe("/api/boom", 500, "Error: x\n    at handler (/srv/app/index.js:12:7)")), False),
    case("django-debug", exposure(probe("/x", 404, "You're seeing this error because you have <code>DEBUG = True</code>")),
         False),
    case("sql-error", exposure(probe("/api/boom", 500, 'ERROR: syntax error at or near "FROM"')), False),
    case("go-panic", exposure(probe("/api/boom", 500, "panic: x\n\ngoroutine 1 [running]:")), False),
]


@pytest.mark.parametrize(("facts", "ok"), SENSITIVE)
def test_sensitive_paths_table(facts: ExposureFacts, ok: bool) -> None:
    """A path fails only when it serves what the path name promises, not a catch-all page."""
    assert verdict(rules.evaluate_sensitive_paths(facts, ExposureConfig())) is ok


@pytest.mark.parametrize(("facts", "ok"), [pytest.param(f, ok, id=i) for i, f, ok in SOURCE_MAPS])
def test_source_maps_table(facts: SourceMapFacts, ok: bool) -> None:
    """A source map fails when one is reachable (judged by content) or inlined."""
    assert verdict(rules.evaluate_source_maps(facts, ExposureConfig())) is ok


# provoking requests as a static site on nginx answers them (Mozilla's and h5bp's configs)
NGINX_400 = "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>"
NOT_FOUND = probe("GET /api/gonogo-x", 404, "Not Found", technique="not-found path")
ENCODING = probe("GET /api/%zz%E0%A4 (bad percent-encoding)", 400, NGINX_400, technique="bad percent-encoding")
LONG_PATH = probe("GET /gonogo-aaa... (9 kB path)", 414, "414 Request-URI Too Large", technique="over-long path")
BIG_HEADER = probe("GET / (32 kB header)", 400, "400 Request Header Or Cookie Too Large", technique="oversized header")
METHOD = probe("GONOGO / (unknown method)", 405, "405 Not Allowed", technique="unsupported method")
BODY_404 = probe("POST /api (malformed JSON)", 404, "Not Found", technique="malformed body")
ACCEPTED = probe("GET /api?q=%zz%&page=-1 (bad query)", 200, "<html>home</html>", technique="bad percent-encoding")
NO_ANSWER = probe("GET / (32 kB header) (no answer)", 0, technique="oversized header")


def declared(status: int, body: str = "") -> PathProbe:
    return probe("GET /api/boom (error_paths)", status, body, technique="error_paths")


# no 5xx, no debug output, malformed requests refused with clean error pages: passed, with a note
DEBUG_NOTED = [
    pytest.param(exposure(NOT_FOUND, ENCODING, LONG_PATH, BIG_HEADER, METHOD, BODY_404), "bad percent-encoding 400",
                 id="static-site-on-nginx"),
    pytest.param(exposure(NOT_FOUND, ACCEPTED, ENCODING), "bad percent-encoding 400", id="one-query-ignored"),
    pytest.param(exposure(probe("GONOGO / (unknown method)", 501, "Not Implemented", technique="unsupported method")),
                 "unsupported method 501", id="501-is-the-server-refusing"),
    pytest.param(exposure(NO_ANSWER, METHOD), "unsupported method 405", id="a-closed-connection-shows-nothing"),
]
# nothing failed, but no error page was provoked (or a declared failing path does not fail): not
# verified (error), not a pass
DEBUG_UNVERIFIED = [
    pytest.param(exposure(NOT_FOUND), "answered 404, no application 5xx", id="only-clean-404s"),
    pytest.param(exposure(probe("POST /login (malformed JSON)", 400, "bad"), probe("GONOGO / (unknown method)", 405)),
                 "no malformed request refused", id="4xx-of-unknown-technique"),
    pytest.param(exposure(NOT_FOUND, ACCEPTED, BODY_404), "no malformed request refused", id="malformed-accepted-or-404"),
    pytest.param(exposure(NO_ANSWER), "no malformed request refused", id="only-no-answer"),
    pytest.param(exposure(NOT_FOUND, ENCODING, declared(404)), "GET /api/boom (error_paths) answered 404",
                 id="stale-error-paths"),
    pytest.param(exposure(declared(502, "<center>nginx</center>")), "answered 502", id="502-bad-gateway-is-not-the-app"),
]


@pytest.mark.parametrize(("facts", "ok"), DEBUG)
def test_debug_table(facts: ExposureFacts, ok: bool) -> None:
    """Error and not-found pages fail when they show traces, debuggers or SQL errors."""
    assert verdict(rules.evaluate_debug(facts, ExposureConfig())) is ok


@pytest.mark.parametrize(("facts", "said"), DEBUG_UNVERIFIED)
def test_debug_without_an_error_page_is_not_verified(facts: ExposureFacts, said: str) -> None:
    """With no application 5xx and no malformed request refused with an error page (or with
    error_paths that do not fail), exposure.debug is a config error telling to set error_paths."""
    found = not_verified(rules.evaluate_debug(facts, ExposureConfig()))
    assert re.search(r"no error page could be provoked.*error_paths", found.message)
    assert said in found.message
    assert found.unverified is ErrorReason.CONFIG


@pytest.mark.parametrize(("facts", "said"), DEBUG_NOTED)
def test_debug_of_a_site_that_cannot_crash_passes_with_a_note(facts: ExposureFacts, said: str) -> None:
    """No 5xx could be provoked, but malformed requests were refused with clean error pages:
    the check passes, with a note naming the techniques and that a crash page was not seen."""
    findings = rules.evaluate_debug(facts, ExposureConfig())
    assert verdict(findings)
    note = next(f for f in findings if f.name == "note")
    assert said in note.message and "what a crash shows was not seen" in note.message


def test_debug_techniques_match_the_probe() -> None:
    """The rule's technique names are the probe's (a str enum), in the same order."""
    assert tuple(t.value for t in Technique) == rules.TECHNIQUES


def test_served_path_is_named_with_evidence() -> None:
    """A served .env fails under its own path; its evidence is size, digest, type and the
    variable names, never a value."""
    findings = rules.evaluate_sensitive_paths(exposure(probe("/.env", 200, ENV, "text/plain")), ExposureConfig())
    assert failing(findings) == {"/.env"}
    measured = next(f for f in findings if not f.ok).measured
    assert measured == {
        "bytes_read": len(ENV),
        "sha256": hashlib.sha256(ENV.encode()).hexdigest(),
        "content_type": "text/plain",
        "names": ["DATABASE_URL", "SECRET_KEY"],
    }


def test_path_list_follows_configuration() -> None:
    """extra_paths are added, skip_paths removed; body_paths default to the login and API paths."""
    cfg = ExposureConfig(extra_paths=["/internal"], skip_paths=["/console"])
    paths = rules.sensitive_paths(cfg)
    assert "/internal" in paths and "/console" not in paths and "/.env" in paths
    assert rules.body_paths(cfg, "/login", None, "/api/products") == ["/login", "/api/products"]
    assert rules.body_paths(ExposureConfig(body_paths=[]), "/login") == []


@pytest.mark.parametrize(
    ("path", "body", "head", "severity"),
    [("/metrics", "# HELP up Up.\n", None, Severity.MAJOR),
     ("/server-status", "Apache Server Status", None, Severity.MAJOR),
     ("/backup.dump", "", b"PGDMP\x01", Severity.BLOCKER),
     ("/.env", ENV, None, Severity.BLOCKER)],
    ids=["metrics-major", "status-major", "dump-blocker", "env-blocker"],
)
def test_served_path_severity(path: str, body: str, head: bytes | None, severity: Severity) -> None:
    """Status and metrics pages are major (internals); secrets, VCS data and dumps are blockers."""
    findings = rules.evaluate_sensitive_paths(exposure(probe(path, 200, body, "text/plain", head=head)), ExposureConfig())
    [bad] = [f for f in findings if not f.ok]
    assert bad.severity is severity


def test_dump_evidence_is_the_magic_not_the_data() -> None:
    """A served pg_dump archive is shown by its format, not by bytes of its content."""
    facts = exposure(probe("/backup.dump", 200, "PGDMP\x01\x0e\x00\ufffd\ufffdcustomers", "application/octet-stream"))
    [bad] = [f for f in rules.evaluate_sensitive_paths(facts, ExposureConfig()) if not f.ok]
    assert bad.measured["format"] == "pg_dump custom-format archive (PGDMP)"
    assert "customers" not in json.dumps(bad.measured)


# Secrets of the target planted in what it serves. Django-style keys mix in punctuation, so
# masking must not leave fragments: no five characters of one may reach a finding.
PLANTED = (
    "q8#kZ2!v$w9zp@x7Lm%t",  # Django SECRET_KEY
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE",  # AWS secret access key
    "Hunter2Pw!x",  # a short database password
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",  # an API key
    "ghp_16C7e42F292c6912E7710c8383",  # a Git token
)
S_KEY, S_AWS, S_PW, S_API, S_GIT = PLANTED
PEM_TAIL = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk=\nAbCdEfGh="
SERVED_SECRETS = [
    ("/.env", "text/plain", f"SECRET_KEY=django-insecure-{S_KEY}\nexport AWS_SECRET_ACCESS_KEY={S_AWS}\n"
     f"DATABASE_URL=postgres://app:{S_PW}@db:5432/app\nSTRIPE_KEY=\"{S_API}\"\n"
     f"JWT_PRIVATE=\"-----BEGIN PRIVATE KEY-----\n{PEM_TAIL}\n-----END PRIVATE KEY-----\"\n",
     ["SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL", "STRIPE_KEY", "JWT_PRIVATE"]),
    ("/.env.production", "application/octet-stream", f"SECRET_KEY = '{S_KEY}'\nDB_PASSWORD:{S_PW}\n",
     ["SECRET_KEY", "DB_PASSWORD"]),
    ("/.git/config", "text/plain", f'[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n'
     f"\turl = https://x-access-token:{S_GIT}@github.com/o/r.git\n[url \"https://u:{S_GIT}@git.internal/\"]\n"
     "\tinsteadOf = https://git.internal/\n",
     ["[core]", "repositoryformatversion", "[remote]", "url", "[url]", "insteadOf"]),
    ("/.aws/credentials", "text/plain", f"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
     f"aws_secret_access_key = {S_AWS}\n", ["[default]", "aws_access_key_id", "aws_secret_access_key"]),
    ("/.npmrc", "text/plain", f"//registry.npmjs.org/:_authToken={S_GIT}\n", []),
    ("/docker-compose.yml", "text/plain", f"services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD={S_PW}\n"
     f"      API_KEY: {S_API}\n", ["services", "db", "environment", "POSTGRES_PASSWORD", "API_KEY"]),
    ("/.ssh/id_rsa", "application/octet-stream", f"-----BEGIN OPENSSH PRIVATE KEY-----\n{PEM_TAIL}\n", []),
    ("/wp-config.php.bak", "text/plain", f"<?php define('DB_PASSWORD', '{S_PW}');", None),
    ("/backup.sql", "text/plain", f"CREATE TABLE users (name text, pw text);\nINSERT INTO users VALUES ('a', '{S_PW}');",
     []),
    ("/actuator/env", "application/json",
     f'{{"activeProfiles":[],"propertySources":[{{"properties":{{"spring.datasource.password":{{"value":"{S_PW}"}}}}}}]}}',
     []),
    ("/phpinfo.php", "text/html", f"<title>PHP 8.2.1 - phpinfo()</title><tr><td>DB_PASSWORD</td><td>{S_PW}</td></tr>",
     None),
    ("/console", "text/html", f"<title>OperationalError: connection to postgresql://app:{S_PW}@db/app failed "
     f"(token {S_API}) // Werkzeug Debugger</title>", None),
]


def leaked(findings: list[Any]) -> list[str]:
    """The planted secrets of which five consecutive characters reach a message or a value."""
    shown = json.dumps([(f.name, f.message, f.measured, f.threshold) for f in findings])
    return [s for s in PLANTED if any(s[i : i + 5] in shown for i in range(len(s) - 4))]


@pytest.mark.parametrize(("path", "ctype", "body", "names"), SERVED_SECRETS, ids=[p for p, *_ in SERVED_SECRETS])
def test_served_secrets_stay_out_of_the_evidence(path: str, ctype: str, body: str, names: list[str] | None) -> None:
    """A served file's secrets (values no redactor knows) are in no finding: the evidence holds
    its size, digest and type, and for configuration-like text the names only."""
    findings = rules.evaluate_sensitive_paths(exposure(probe(path, 200, body, ctype)), ExposureConfig())
    [bad] = [f for f in findings if not f.ok]
    assert bad.name == path and leaked(findings) == []
    assert bad.measured["sha256"] == hashlib.sha256(body.encode()).hexdigest()
    if names is not None:
        assert bad.measured["names"] == names


def test_status_page_is_shown_by_its_title() -> None:
    """An HTML page served at a sensitive path is shown by its (masked) title."""
    body = "<html><head><title>Apache Status</title></head><h1>Apache Server Status for x</h1>"
    findings = rules.evaluate_sensitive_paths(exposure(probe("/server-status", 200, body)), ExposureConfig())
    assert next(f for f in findings if not f.ok).measured["title"] == "Apache Status"


DEBUG_SECRETS = [
    ("python", f'Traceback (most recent call last):\n  File "/app/db.py", line 12, in connect\n'
     f'    conn = psycopg.connect("postgresql://app:{S_PW}@db:5432/app")\n'
     f'  File "/app/pay.py", line 3, in <module>\n    stripe.set_key("{S_API}")\n'
     f"psycopg.OperationalError: connection failed: password={S_PW} host=db\n"),
    ("django", "<p>You're seeing this error because you have <code>DEBUG = True</code> in your settings</p>"
     f'<table><tr><td>SECRET_KEY</td><td class="code"><pre>&#39;django-insecure-{S_KEY}&#39;</pre></td></tr>'),
    ("java", f"java.sql.SQLException: Access denied; url=jdbc:mysql://app:{S_PW}@db:3306/app password {S_PW}\n"
     "\tat com.example.Db.connect(Db.java:42)\n"),
    ("php", f"<b>Fatal error</b>: Uncaught PDOException: SQLSTATE[HY000] dsn mysql:host=db;password={S_PW} "
     "in /var/www/db.php on line 12"),
    ("node", f"Error: auth failed for token {S_GIT}\n    at connect (/srv/app/db.js:12:7)\n    key: '{S_AWS}'\n"),
    ("sql", f"ERROR: syntax error at or near \"{S_KEY}\" in UPDATE users SET api_key='{S_API}'"),
]


@pytest.mark.parametrize(("kind", "body"), DEBUG_SECRETS, ids=[k for k, _ in DEBUG_SECRETS])
def test_debug_evidence_is_masked(kind: str, body: str) -> None:
    """A debug page fails by its signature with a masked excerpt: connection strings, keys and
    quoted literals in a stack trace or settings table reach no finding."""
    findings = rules.evaluate_debug(exposure(probe("/api/boom", 500, body)), ExposureConfig())
    [bad] = [f for f in findings if not f.ok]
    assert bad.severity is Severity.BLOCKER and leaked(findings) == []
    assert isinstance(bad.measured, str) and bad.measured.strip()


def test_debug_excerpt_keeps_what_locates_the_fault() -> None:
    """The masked excerpt keeps the matched line, file paths and line numbers."""
    findings = rules.evaluate_debug(exposure(probe("/api/boom", 500, DEBUG_SECRETS[0][1])), ExposureConfig())
    [bad] = [f for f in findings if not f.ok]
    assert bad.measured.startswith('Traceback (most recent call last):\n  File "/app/db.py", line 12')


def test_source_maps_of_an_error_page_are_not_verified() -> None:
    """A page that answered an error lists no scripts, which proves nothing: not verified."""
    found = not_verified(rules.evaluate_source_maps(SourceMapFacts("https://app.example.com/", (), 503),
                                                    ExposureConfig()))
    assert found.unverified is ErrorReason.CONNECTIVITY and "503" in found.message


@pytest.mark.parametrize("body", [TRACEBACK, "<title>Werkzeug Debugger</title>", 'syntax error at or near "x"'],
                         ids=["traceback", "debugger", "sql-error"])
def test_debug_output_is_a_blocker(body: str) -> None:
    """A stack trace, debug console or SQL error on an error page escalates to blocker (the plans
    require DEBUG=False; it hands an attacker the code's map), whatever the check's severity."""
    findings = rules.evaluate_debug(exposure(probe("/api/boom", 500, body)), ExposureConfig())
    [bad] = [f for f in findings if not f.ok]
    assert bad.severity is Severity.BLOCKER
