"""Table tests of the CORS rule: what each probe origin was granted, judged against the allow-list."""


from __future__ import annotations

from typing import Any

import pytest
from factories import cors_facts, cors_seen, failing, not_verified, verdict

from gonogo.facts.cors import FOREIGN_ORIGIN, CorsFacts
from gonogo.model import ErrorReason, Severity
from gonogo.rules import cors
from gonogo.schema.security import CorsConfig

APP = "https://app.example.com"
ALLOWED = {"allowed_origins": [APP, "https://admin.example.com"]}


def case(name: str, facts: CorsFacts, ok: bool, **config: Any) -> Any:
    return pytest.param(facts, {**ALLOWED, **config}, ok, id=name)


CASES = [
    case("no-cors-at-all-without-allow-list", cors_facts(cors_seen(FOREIGN_ORIGIN), cors_seen("null")), True,
         allowed_origins=[]),
    case("allow-listed-origin-granted", cors_facts(cors_seen(FOREIGN_ORIGIN), cors_seen(APP, APP, creds="true")), True),
    case("reflected-with-credentials", cors_facts(cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN, creds="true")), False),
    case("reflected-without-credentials", cors_facts(cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN)), False),
    case("wildcard", cors_facts(cors_seen(FOREIGN_ORIGIN, "*")), False),
    case("wildcard-allowed-public", cors_facts(cors_seen(FOREIGN_ORIGIN, "*")), True, allow_wildcard=True),
    case("wildcard-with-credentials", cors_facts(cors_seen(FOREIGN_ORIGIN, "*", creds="true")), False,
         allow_wildcard=True),
    case("null-allowed", cors_facts(cors_seen("null", "null")), False),
    case("null-allowed-with-credentials", cors_facts(cors_seen("null", "null", creds="true")), False),
    case("fixed-origin-outside-list", cors_facts(cors_seen(FOREIGN_ORIGIN, "https://partner.example")), False),
    case("fixed-allow-listed-origin-for-everyone", cors_facts(cors_seen(FOREIGN_ORIGIN, APP)), True),
    case("suffix-look-alike-reflected",
         cors_facts(cors_seen(f"{APP}.gonogo-probe.example", f"{APP}.gonogo-probe.example", creds="true")), False),
    case("prefix-look-alike-reflected",
         cors_facts(cors_seen("https://gonogoapp.example.com", "https://gonogoapp.example.com")), False),
    case("http-downgrade-of-allowed-origin", cors_facts(cors_seen("http://app.example.com", "http://app.example.com")),
         False),
    case("trailing-slash-in-grant", cors_facts(cors_seen(APP, APP + "/")), True),
    case("no-allow-list-configured", cors_facts(cors_seen(APP, APP)), False, allowed_origins=[]),
    case("duplicate-grant-headers", cors_facts(cors_seen(APP, (APP, APP))), True),
    case("preflight-methods-within-plan", cors_facts(cors_seen(APP, APP, method="OPTIONS", methods="GET, POST, PUT")),
         True, allowed_methods=["GET", "POST", "PUT", "DELETE"]),
    case("preflight-extra-method", cors_facts(cors_seen(APP, APP, method="OPTIONS", methods="GET, PATCH")), False,
         allowed_methods=["GET", "POST", "PUT", "DELETE"]),
    case("preflight-wildcard-methods", cors_facts(cors_seen(APP, APP, method="OPTIONS", methods="*")), False,
         allowed_methods=["GET", "POST"]),
    case("preflight-methods-unchecked-by-default", cors_facts(cors_seen(APP, APP, method="OPTIONS", methods="*")),
         True),
    case("preflight-reflects-foreign-origin",
         cors_facts(cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN, method="OPTIONS", creds="true")), False),
    case("null-with-credentials-on-api-path-only",
         cors_facts(cors_seen(APP, APP), cors_seen("null", "null", creds="true", path="/api/products")), False),
    case("one-of-two-allowed-granted", cors_facts(cors_seen(APP, APP), cors_seen("https://admin.example.com")), True),
    case("allowed-granted-on-api-path-only",
         cors_facts(cors_seen(APP), cors_seen(APP, APP, creds="true", path="/api/products")), True),
    case("allow-listed-plain-http-origin-with-credentials",
         cors_facts(cors_seen("http://legacy.example.com", "http://legacy.example.com", creds="true")), False,
         allowed_origins=["http://legacy.example.com"]),
    case("allow-listed-plain-http-origin-without-credentials",
         cors_facts(cors_seen("http://legacy.example.com", "http://legacy.example.com")), True,
         allowed_origins=["http://legacy.example.com"]),
    case("reflection-on-second-path-only",
         cors_facts(cors_seen(FOREIGN_ORIGIN), cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN, path="/api/me")), False),
]


# an allow-list that no probe saw granted: nothing shows the policy at work (error, not a pass)
UNVERIFIED = [
    pytest.param(cors_facts(cors_seen(FOREIGN_ORIGIN), cors_seen("null"), cors_seen(APP)), id="no-cors-at-all"),
    pytest.param(cors_facts(cors_seen(APP), cors_seen(APP, path="/health"), cors_seen(APP, path="/api/")),
                 id="allowed-origin-silent-on-every-path"),
    pytest.param(cors_facts(cors_seen(APP, method="OPTIONS")), id="preflight-refused-for-allowed-origin"),
]


@pytest.mark.parametrize("facts", UNVERIFIED)
def test_allow_list_never_granted_is_not_verified(facts: CorsFacts) -> None:
    """Allowed origins configured but none granted on any probed path: a config error naming the paths."""
    found = not_verified(cors.evaluate_cors(facts, CorsConfig(**ALLOWED)))
    assert "CORS not verified" in found.message and found.unverified is ErrorReason.CONFIG


def test_failure_wins_over_not_verified() -> None:
    """A bad grant fails the check even when no allowed origin was granted (a failure says more)."""
    findings = cors.evaluate_cors(cors_facts(cors_seen("null", "null"), cors_seen(APP)), CorsConfig(**ALLOWED))
    assert any(f.unverified is None for f in findings if not f.ok)


def test_null_with_credentials_is_a_blocker() -> None:
    """Origin null allowed with credentials escalates to blocker like a reflected origin."""
    findings = cors.evaluate_cors(cors_facts(cors_seen(APP, APP), cors_seen("null", "null", creds="true")),
                                  CorsConfig(**ALLOWED))
    [bad] = [f for f in findings if not f.ok]
    assert bad.severity is Severity.BLOCKER and "null" in bad.message


def test_default_probe_paths_include_the_api() -> None:
    """By default /, the health path and the API path are probed; probe_paths replaces them all."""
    assert CorsConfig().paths("/health") == ["/", "/health", "/api/"]
    assert CorsConfig(api_path="/api/products").paths("/") == ["/", "/api/products"]
    assert CorsConfig(probe_paths=["/x"]).paths("/health") == ["/x"]


@pytest.mark.parametrize(("facts", "config", "ok"), CASES)
def test_cors_table(facts: CorsFacts, config: dict[str, Any], ok: bool) -> None:
    """Each CORS observation set passes or fails against the allow-list."""
    findings = cors.evaluate_cors(facts, CorsConfig(**config))
    assert verdict(findings) is ok, [f.message for f in findings]


def test_reflection_with_credentials_is_a_blocker() -> None:
    """An arbitrary origin reflected with credentials escalates the finding to blocker."""
    findings = cors.evaluate_cors(cors_facts(cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN, creds="true")),
                                  CorsConfig(**ALLOWED))
    [bad] = [f for f in findings if not f.ok]
    assert bad.severity is Severity.BLOCKER and "reflects the arbitrary origin" in bad.message


def test_missing_vary_is_noted() -> None:
    """A per-origin grant without Vary: Origin passes, with a note about shared caches."""
    findings = cors.evaluate_cors(cors_facts(cors_seen(APP, APP, vary=None)), CorsConfig(**ALLOWED))
    assert not failing(findings) and any("Vary: Origin" in f.message for f in findings)


def test_allow_listed_origins_are_reported() -> None:
    """Each allow-listed origin says whether the probe saw it granted."""
    findings = cors.evaluate_cors(cors_facts(cors_seen(APP, APP)), CorsConfig(**ALLOWED))
    notes = {f.name: f.message for f in findings}
    assert "is granted access" in notes[f"allowed {APP}"]
    assert "no CORS grant" in notes["allowed https://admin.example.com"]


def test_allow_list_must_hold_origins() -> None:
    """The allow-list rejects a wildcard or a URL with a path."""
    with pytest.raises(ValueError, match="not an origin"):
        CorsConfig(allowed_origins=["https://app.example.com/path"])


def test_plain_http_origin_with_credentials_is_named() -> None:
    """An allow-listed http:// origin granted with credentials on an HTTPS site fails (major): a
    network attacker owns that origin."""
    findings = cors.evaluate_cors(
        cors_facts(cors_seen("http://legacy.example.com", "http://legacy.example.com", creds="true")),
        CorsConfig(allowed_origins=["http://legacy.example.com"]),
    )
    [bad] = [f for f in findings if not f.ok]
    assert bad.severity is None and "plain-HTTP origin" in bad.message
