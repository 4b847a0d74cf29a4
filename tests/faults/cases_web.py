"""Fault cases of the web stack: smoke, TLS and HTTP security (see cases.py for the contract)."""

from __future__ import annotations

from faults.cases import case

SMOKE = [
    case("health-degraded", "smoke.health", "smoke/test_smoke.py"),
    case("slow-health", "smoke.health", "smoke/test_smoke.py"),
    case("wrong-version", "smoke.version", "smoke/test_smoke.py"),
]

TLS = [
    case("tls10-enabled", "tls.protocols", "checks/test_tls.py"),
    case("tls11-enabled", "tls.protocols", "checks/test_tls.py"),
    case("weak-ciphers", "tls.ciphers", "checks/test_tls.py"),
    # 20 days left is a major finding of a blocker check (plans: blocker under 7, major under 30)
    case("cert-expiring", "tls.cert-expiry", "checks/test_tls.py"),
    case("cert-expiring-soon", "tls.cert-expiry", "checks/test_tls.py"),
    case("cert-expired", ("tls.cert-expiry", "tls.certificate"), "checks/test_tls.py"),
    case("cert-self-signed", "tls.certificate", "checks/test_tls.py"),
    case("cert-hostname-mismatch", "tls.certificate", "checks/test_tls.py"),
    case("cert-weak-key", "tls.certificate", "checks/test_tls.py"),
]

SECURITY = [
    case("hsts-missing", "headers.hsts", "checks/test_headers.py"),
    # five minutes: a major finding of a blocker check (the Observatory: -10)
    case("hsts-short", "headers.hsts", "checks/test_headers.py"),
    case("hsts-zero", "headers.hsts", "checks/test_headers.py"),
    # MDN recommends includeSubDomains, the Observatory does not score it: a minor warning
    case("hsts-no-subdomains", "headers.hsts", "checks/test_headers.py"),
    case("no-redirect", "redirect.https", "checks/test_redirect.py"),
    # a first hop to another plain-HTTP URL: major (the Observatory: -10)
    # (with the header checks: a run in which nothing passed is NO-GO whatever failed)
    case(
        "redirect-downgrade",
        "redirect.https",
        "checks/test_redirect.py",
        "checks/test_headers.py",
    ),
    # issue 10, class 1: what MDN recommends or the Observatory barely scores only warns (GO)
    case("hsts-eight-months", "headers.hsts", "checks/test_headers.py"),
    case("csp-no-base-uri", "headers.csp", "checks/test_headers.py"),
    case(
        "redirect-temporary",
        "redirect.https",
        "checks/test_redirect.py",
        "checks/test_headers.py",
    ),
    case("cors-public", "cors.policy", "checks/test_cors.py", "checks/test_headers.py"),
    case(
        "cookies-lax",
        "cookies.flags",
        "checks/test_cookies.py",
        "checks/test_headers.py",
    ),
    # class 3: duplicates read per header (only HSTS's differing second line warns)
    case("duplicate-headers", "headers.hsts", "checks/test_headers.py"),
    # class 2: values browsers compare exactly (COOP Same-Origin, CORP on two lines) fail
    case("isolation-invalid", "headers.cross-origin", "checks/test_headers.py"),
    case("xfo-missing", "headers.frame", "checks/test_headers.py"),
    case("frame-weak", "headers.frame", "checks/test_headers.py"),
    # recommended (the Observatory: -5): a minor warning unless [headers] require_nosniff
    case("nosniff-missing", "headers.content-type-options", "checks/test_headers.py"),
    case(
        "csp-missing",
        ("headers.csp", "headers.grade"),
        "checks/test_headers.py",
    ),
    case("csp-unsafe", "headers.csp", "checks/test_headers.py"),
    case("csp-fixed-nonce", "headers.csp", "checks/test_headers.py"),
    # / answers 503 with every header: nothing about the page is verified (hsts is a blocker)
    case(
        "home-unavailable",
        ("headers.hsts", "headers.csp", "headers.frame", "headers.grade", "exposure.source-maps"),
        "checks/test_headers.py",
        "checks/test_exposure.py",
        outcome="error",
    ),
    case("referrer-unsafe", "headers.referrer-policy", "checks/test_headers.py"),
    case(
        "permissions-policy-missing",
        "headers.permissions-policy",
        "checks/test_headers.py",
    ),
    case(
        "permissions-policy-open",
        "headers.permissions-policy",
        "checks/test_headers.py",
    ),
    case("coop-missing", "headers.cross-origin", "checks/test_headers.py"),
    case("xss-protection-invalid", "headers.xss-protection", "checks/test_headers.py"),
    case("server-version-disclosed", "headers.disclosure", "checks/test_headers.py"),
    # a session cookie without Secure/HttpOnly is exploitable: a blocker finding (NO-GO)
    case("cookie-insecure", "cookies.flags", "checks/test_cookies.py", "smoke/test_smoke.py"),
    case("cors-permissive", "cors.policy", "checks/test_cors.py"),
    case("env-exposed", "exposure.sensitive-paths", "checks/test_exposure.py"),
    case("git-exposed", "exposure.sensitive-paths", "checks/test_exposure.py"),
    case("dump-exposed", "exposure.sensitive-paths", "checks/test_exposure.py"),
    # metrics reveal internals, not secrets: a major finding of a blocker check
    case(
        "metrics-exposed",
        "exposure.sensitive-paths",
        "checks/test_exposure.py",
    ),
    case(
        "source-map-served",
        "exposure.source-maps",
        "checks/test_exposure.py",
    ),
    # a stack trace on an error page is exploitable (plans: DEBUG=False): a blocker finding
    case("debug-errors", "exposure.debug", "checks/test_exposure.py"),
    case(
        "no-rate-limit",
        "ratelimit.login",
        "checks/test_ratelimit.py",
        "smoke/test_smoke.py",
    ),
    # refused at the sixth attempt, but 3 s later a login goes through: the window fails
    case(
        "ratelimit-per-second",
        "ratelimit.login",
        "checks/test_ratelimit.py",
        "smoke/test_smoke.py",
    ),
]
