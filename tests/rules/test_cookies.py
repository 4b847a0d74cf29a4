"""Table tests of the cookie rule: Set-Cookie values in, pass/fail verdict out."""


from __future__ import annotations

from typing import Any

import pytest
from factories import cookies, failing, not_verified, verdict

from gonogo.facts.cookies import CookieFacts, CookieObservation
from gonogo.model import Severity
from gonogo.rules import cookies as rules
from gonogo.schema.security import CookiesConfig

DATE = "Sat, 01 Nov 2025 12:00:00 GMT"
LOGIN = "POST /login"


def case(name: str, facts: CookieFacts, ok: bool, **config: Any) -> Any:
    return pytest.param(facts, config, ok, id=name)


CASES = [
    case("demo-session", cookies("session=abc; Path=/; Secure; HttpOnly; SameSite=Lax", step=LOGIN), True),
    case("session-without-secure", cookies("session=abc; HttpOnly; SameSite=Lax"), False),
    case("session-without-httponly", cookies("session=abc; Secure; SameSite=Lax"), False),
    case("preference-cookie-readable-by-js", cookies("theme=dark; Secure; SameSite=Lax"), True),
    case("csrf-token-readable-by-js", cookies("csrftoken=x; Secure; SameSite=Strict"), True),
    case("missing-samesite", cookies("theme=dark; Secure"), False),
    case("missing-samesite-is-a-warning", cookies("theme=dark; Secure"), False, require_samesite=False),
    case("samesite-none-with-secure", cookies("widget=1; Secure; SameSite=None"), True),
    case("samesite-none-without-secure", cookies("widget=1; SameSite=None"), False),
    case("samesite-none-without-secure-not-required", cookies("widget=1; SameSite=None"), False,
         require_samesite=False),
    case("samesite-invalid-value", cookies("theme=dark; Secure; SameSite=Bogus"), False),
    case("samesite-without-value", cookies("theme=dark; Secure; SameSite"), False),
    case("last-samesite-wins", cookies("theme=dark; Secure; SameSite=Bogus; SameSite=Lax"), True),
    case("attributes-any-case", cookies("session=abc; secure; HTTPONLY; samesite=lax"), True),
    case("host-prefix-valid", cookies("__Host-sid=1; Secure; HttpOnly; Path=/; SameSite=Strict"), True),
    case("host-prefix-with-domain", cookies("__Host-sid=1; Secure; HttpOnly; Path=/; Domain=example.com; SameSite=Lax"),
         False),
    case("host-prefix-without-path", cookies("__Host-sid=1; Secure; HttpOnly; SameSite=Lax"), False),
    case("secure-prefix-without-secure", cookies("__Secure-id=1; HttpOnly; SameSite=Lax"), False),
    case("secure-prefix-lower-case", cookies("__secure-id=1; HttpOnly; SameSite=Lax"), False),
    case("set-over-plain-http", cookies("theme=dark; Secure; SameSite=Lax", url="http://app.example.com/"), False),
    case("deleted-with-max-age-0", cookies("session=; Max-Age=0"), True),
    case("deleted-with-past-expires", cookies("session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", date=DATE), True),
    case("deleted-with-dashed-expires", cookies("session=; Expires=Thu, 01-Jan-1970 00:00:00 GMT", date=DATE), True),
    case("future-expires-is-a-cookie", cookies("session=abc; Expires=Thu, 01 Jan 2037 00:00:00 GMT", date=DATE),
         False),
    case("max-age-wins-over-past-expires",
         cookies("session=abc; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT", date=DATE), False),
    case("glob-laravel-session", cookies("laravel_session=x; Secure; SameSite=Lax"), False),
    case("glob-connect-sid", cookies("connect.sid=x; Secure; SameSite=Lax"), False),
    case("glob-jsessionid-upper-case", cookies("JSESSIONID=x; Secure; SameSite=Lax"), False),
    case("jwt-readable-by-js", cookies("jwt=eyJ.x.y; Secure; SameSite=Lax"), False),
    case("access-token-readable-by-js", cookies("app_access_token=x; Secure; SameSite=Lax"), False),
    case("refresh-token-readable-by-js", cookies("Refresh_Token=x; Secure; SameSite=Strict"), False),
    case("id-token-readable-by-js", cookies("id_token=x; Secure; SameSite=Lax"), False),
    case("oidc-id-token-readable-by-js", cookies("oidc_id_token=x; Secure; SameSite=Lax"), False),
    case("next-auth-session-token", cookies("__Secure-next-auth.session-token=x; Secure; Path=/; SameSite=Lax"),
         False),
    case("access-token-httponly", cookies("access_token=x; Secure; HttpOnly; SameSite=Lax"), True),
    case("xsrf-token-readable-by-js", cookies("XSRF-TOKEN=x; Secure; SameSite=Lax"), True),
    case("custom-session-name", cookies("token=x; Secure; SameSite=Lax"), False, session_cookie_names=["token"]),
    case("one-bad-of-two", cookies("theme=dark; Secure; SameSite=Lax", "session=abc; SameSite=Lax"), False),
    # --- every cookie the login sets is a session cookie unless listed non-session ---------
    case("login-sets-oddly-named-auth-cookie", cookies("acct=x; Secure; SameSite=Lax", step=LOGIN), False,
         login_path="/login"),
    case("login-sets-readable-csrf-token", cookies("csrftoken=x; Secure; SameSite=Lax", step=LOGIN), True,
         login_path="/login"),
    case("login-sets-listed-non-session", cookies("lang=en; Secure; SameSite=Lax", step=LOGIN), True,
         login_path="/login", non_session_cookies=["lang"]),
    case("same-name-outside-login-not-session", cookies("acct=x; Secure; SameSite=Lax"), True, login_path="/login"),
    case("aspnetcore-cookies", cookies(".AspNetCore.Cookies=x; Secure; SameSite=Lax"), False),
    case("aspnetcore-chunked-cookie", cookies(".AspNetCore.CookiesC1=x; Secure; SameSite=Lax"), False),
    case("aspnetcore-identity", cookies(".AspNetCore.Identity.Application=x; Secure; SameSite=Lax"), False),
    case("wordpress-logged-in", cookies("wordpress_logged_in_0123abcd=x; Secure; SameSite=Lax"), False),
    case("wordpress-sec", cookies("wordpress_sec_0123abcd=x; Secure; SameSite=Lax"), False),
    case("oauth2-proxy", cookies("_oauth2_proxy=x; Secure; SameSite=Lax"), False),
    case("keycloak-identity", cookies("KEYCLOAK_IDENTITY=x; Secure; SameSite=None"), False),
    case("drupal-https-session", cookies("SSESS0123abcd=x; Secure; SameSite=Lax"), False),
    case("remember-me", cookies("rememberMe=x; Secure; SameSite=Lax"), False),
    case("yii-identity", cookies("_identity=x; Secure; SameSite=Lax"), False),
    case("aspnetcore-antiforgery-is-csrf", cookies(".AspNetCore.Antiforgery.xyz=x; Secure; SameSite=Strict"), True),
    case("no-cookies", CookieFacts(observations=(), steps=("GET / -> 200",)), True),
    case("nameless-cookie", cookies("justavalue; Secure; SameSite=Lax"), True),
]


@pytest.mark.parametrize(("facts", "config", "ok"), CASES)
def test_cookie_table(facts: CookieFacts, config: dict[str, Any], ok: bool) -> None:
    """Each Set-Cookie passes or fails its flags check."""
    findings = rules.evaluate_cookies(facts, CookiesConfig(**config))
    assert verdict(findings) is ok, [f.message for f in findings]


def test_login_that_sets_no_cookie_fails_closed() -> None:
    """A configured login that sets no cookie (wrong fields) fails rather than passing empty."""
    facts = CookieFacts(observations=(), steps=("GET / -> 200", "POST /login -> 401"), login_status=401)
    findings = rules.evaluate_cookies(facts, CookiesConfig(login_path="/login"))
    assert failing(findings) == {"login"}
    assert "401" in next(f.message for f in findings if f.name == "login")


@pytest.mark.parametrize("status", [429, 503, 423])
def test_refused_login_is_not_verified(status: int) -> None:
    """A login answered with any refusal status (rate limited, nginx limit_req, locked) is not
    verified (an error), never a plain failure nor a pass."""
    facts = CookieFacts(observations=(), steps=("GET / -> 200", f"POST /login -> {status}"), login_status=status)
    found = not_verified(rules.evaluate_cookies(facts, CookiesConfig(login_path="/login")))
    assert found.name == "login" and found.measured == status


def test_refusal_statuses_follow_ratelimit() -> None:
    """Only the statuses [ratelimit] counts as refusals make the login not verified."""
    facts = CookieFacts(observations=(), steps=("POST /login -> 503",), login_status=503)
    findings = rules.evaluate_cookies(facts, CookiesConfig(login_path="/login"), [429])
    assert failing(findings) == {"login"} and all(f.unverified is None for f in findings)


@pytest.mark.parametrize(
    ("set_cookie", "severity"),
    [
        ("session=a; HttpOnly; SameSite=Lax", Severity.BLOCKER),
        ("session=a; Secure; SameSite=Lax", Severity.BLOCKER),
        ("session=a; Secure; HttpOnly", Severity.MINOR),  # no SameSite: a warning (browsers: Lax)
        ("theme=dark; SameSite=Lax", Severity.MINOR),  # not a session cookie: a warning
        ("theme=dark; Secure; SameSite=Bogus", None),  # an invalid value: the check's severity
    ],
    ids=["session-without-secure", "session-without-httponly", "session-without-samesite", "preference-without-secure",
         "invalid-samesite"],
)
def test_exploitable_session_cookie_is_a_blocker(set_cookie: str, severity: Severity | None) -> None:
    """A session cookie without Secure or HttpOnly escalates to blocker; an invalid value keeps the
    check's severity (major); what MDN only recommends is a minor warning."""
    [bad] = [f for f in rules.evaluate_cookies(cookies(set_cookie), CookiesConfig()) if not f.ok]
    assert bad.severity is severity


def test_login_cookie_is_attributed_to_the_login_step() -> None:
    """Cookies set by the login are judged with the step that set them."""
    seen = CookieObservation(LOGIN, "https://app.example.com/login", 200, "session=a; HttpOnly; SameSite=Lax")
    facts = CookieFacts(observations=(seen,), steps=("GET / -> 200", "POST /login -> 200"))
    findings = rules.evaluate_cookies(facts, CookiesConfig(login_path="/login"))
    assert failing(findings) == {"cookie session"}
    bad = next(f for f in findings if not f.ok)
    assert "POST /login" in bad.message and "no Secure" in bad.message and bad.measured["session"] is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a=b", ("a", "b", False, False, None)),
        ("a=b=c; Secure", ("a", "b=c", True, False, None)),
        (" sid = 1 ; HttpOnly; SameSite=STRICT", ("sid", "1", False, True, "strict")),
    ],
    ids=["plain", "equals-in-value", "spaces-and-case"],
)
def test_parse_set_cookie(raw: str, expected: tuple[Any, ...]) -> None:
    """Set-Cookie parsing follows RFC 6265 §5.2."""
    c = rules.parse_set_cookie(raw)
    assert (c.name, c.value, c.secure, c.http_only, c.same_site) == expected
