"""``[headers]``, ``[cookies]``, ``[cors]``, ``[exposure]``, ``[ratelimit]``: web security.

Every section except ``[ratelimit]`` has working defaults, so the header, cookie, CORS and
exposure checks run as soon as ``[web]`` is declared. ``[ratelimit]`` is intrusive (it sends
failed logins) and is only applicable when the environment declares it.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import idna
from pydantic import Field, field_validator, model_validator

from gonogo.schema.base import YEAR, Section, url_path

# Below six months HSTS protects too briefly to matter (the HTTP Observatory's line, which
# uses 180 days rather than 182.5 because so many sites send 15552000).
HSTS_SIX_MONTHS = 15_552_000
GRADES = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")
# 429; 503 is nginx limit_req's default; 423 an account lock
REFUSAL_STATUSES = (429, 503, 423)


class HeadersConfig(Section):
    """Thresholds for the security-header, redirect and grade checks."""

    hsts_min_max_age: int = Field(
        default=31536000,
        le=10 * YEAR,
        description="HSTS max-age in seconds the site should send (plans: one year); between six "
        "months and this is a minor warning unless require_hsts_min_max_age; below six months "
        "fails (major)",
    )
    require_hsts_min_max_age: bool = Field(
        default=False,
        description="strict: an HSTS max-age below hsts_min_max_age fails headers.hsts at its "
        "severity (default: a minor warning from six months on, as the Observatory passes it)",
    )
    require_include_subdomains: bool = Field(
        default=False,
        description="strict: HSTS without includeSubDomains fails headers.hsts at its severity "
        "(default: a minor warning; MDN recommends it, the Observatory does not score it)",
    )
    require_object_src: bool = Field(
        default=True,
        description="CSP must restrict plugins (object-src, or default-src, without wildcards)",
    )
    require_base_uri: bool = Field(
        default=False,
        description="strict: a CSP without a restrictive base-uri fails headers.csp at its "
        "severity (default: a minor warning; the Observatory does not score base-uri)",
    )
    require_nosniff: bool = Field(
        default=False,
        description="strict: X-Content-Type-Options missing or invalid fails its check at its "
        "severity (default: a minor warning, as the Observatory's -5)",
    )
    require_x_frame_options: bool = Field(
        default=False,
        description="headers.frame: require X-Frame-Options even with CSP frame-ancestors",
    )
    forbid_unsafe_inline_style: bool = Field(
        default=False, description="also fail 'unsafe-inline' in style-src (scripts always fail)"
    )
    safe_referrer_policies: list[str] = Field(
        default_factory=lambda: [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin",
        ],
        description="Referrer-Policy values accepted as safe",
    )
    require_referrer_policy: bool = Field(
        default=False,
        description="fail when absent (browsers default to strict-origin-when-cross-origin)",
    )
    require_permissions_policy: bool = True
    restricted_features: list[str] = Field(
        default_factory=lambda: [
            "camera",
            "microphone",
            "geolocation",
            "payment",
            "usb",
            "serial",
            "hid",
            "bluetooth",
            "display-capture",
            "midi",
        ],
        description="Permissions-Policy features that must not be granted to every origin (*)",
    )
    require_coop: bool = Field(
        default=False, description="headers.cross-origin: require Cross-Origin-Opener-Policy"
    )
    require_coep: bool = Field(
        default=False, description="headers.cross-origin: require Cross-Origin-Embedder-Policy"
    )
    require_corp: bool = Field(
        default=False, description="headers.cross-origin: require Cross-Origin-Resource-Policy"
    )
    disclosure_headers: list[str] = Field(
        default_factory=lambda: [
            "Server",
            "X-Powered-By",
            "X-AspNet-Version",
            "X-AspNetMvc-Version",
            "X-Generator",
        ],
        description="response headers that must not reveal product versions",
    )
    redirect_require_permanent: bool = Field(
        default=False,
        description="strict: a temporary first http -> https hop (302/307) fails redirect.https "
        "at its severity (default: a minor warning; browsers and the Observatory accept it)",
    )
    max_redirects: int = Field(default=10, ge=1, le=30, description="redirect chain length bound")
    min_grade: str | None = Field(
        default=None,
        description="headers.grade fails below this Observatory-style grade, e.g. 'B+'",
    )

    @field_validator("hsts_min_max_age")
    @classmethod
    def _six_months(cls, value: int) -> int:
        if value < HSTS_SIX_MONTHS:
            raise ValueError(
                f"must be at least six months ({HSTS_SIX_MONTHS} s); plans ask for 31536000"
            )
        return value

    @field_validator("min_grade")
    @classmethod
    def _grade(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in GRADES:
            raise ValueError(f"must be one of {', '.join(GRADES)}")
        return value.upper() if value else value

    @field_validator("safe_referrer_policies", "restricted_features")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value]


class _LoginFlow(Section):
    login_path: str | None = Field(default=None, description="login endpoint, e.g. /login")
    login_method: Literal["POST", "PUT"] = "POST"
    login_format: Literal["form", "json"] = Field(
        default="form", description="how the fields are sent"
    )
    login_fields: dict[str, str] = Field(
        default_factory=dict,
        description='body fields, e.g. {username = "demo", password = "${DEMO_PASSWORD}"}',
    )

    @field_validator("login_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return url_path(value)


class CookiesConfig(_LoginFlow):
    """``cookies.flags``: which pages to visit and which cookies are session cookies.

    Every cookie the login sets is a session cookie unless ``non_session_cookies`` names it;
    cookies set elsewhere are session cookies when ``session_cookie_names`` matches them.
    """

    pages: list[str] = Field(
        default_factory=lambda: ["/"], description="paths whose Set-Cookie headers are judged"
    )
    session_cookie_names: list[str] = Field(
        default_factory=lambda: [
            "session",
            "sessionid",
            "sid",
            "connect.sid",
            "jsessionid",
            "phpsessid",
            "asp.net_sessionid",
            "*session*",
            "*sess",
            "*_sess_*",
            "*login*",
            "sess*",
            "ssess*",
            # frameworks' auth cookies whose names say neither "session" nor "login"
            ".aspnetcore.cookies*",
            ".aspnetcore.identity.*",
            ".aspnetcore.session",
            "wordpress_logged_in_*",
            "wordpress_sec_*",
            "_oauth2_proxy*",
            "keycloak_identity*",
        ],
        description="session cookie names (globs, any case) among cookies set outside the login: "
        "without Secure or HttpOnly they fail as blockers (every cookie the login sets is one)",
    )
    token_cookie_names: list[str] = Field(
        default_factory=lambda: [
            # names that suggest a bearer token or credential, but that many sites use for
            # values scripts must read (not *token*: a CSRF token cookie is meant to be read)
            "*auth*",
            "remember_*",
            "*remember*",
            "*_identity",
            "jwt",
            "*jwt*",
            "*access_token*",
            "*access-token*",
            "*accesstoken*",
            "*refresh_token*",
            "*refresh-token*",
            "*refreshtoken*",
            "id_token",
            "*_id_token",
            "*-id-token",
            "*bearer*",
            "*api_key*",
            "*apikey*",
        ],
        description="cookie names (globs, any case) that look like a token: readable by scripts "
        "(no HttpOnly) is a minor warning; name them in session_cookie_names to make it a blocker",
    )
    non_session_cookies: list[str] = Field(
        default_factory=lambda: ["*csrf*", "*xsrf*"],
        description="cookies that are not session cookies even when the login sets them (globs, "
        "any case), e.g. a CSRF token scripts must read: they need not be HttpOnly",
    )
    require_samesite: bool = Field(
        default=False,
        description="strict: a cookie without an explicit SameSite fails cookies.flags at its "
        "severity (default: a minor warning; browsers default to Lax)",
    )
    require_secure: bool = Field(
        default=False,
        description="strict: a cookie other than a session cookie without Secure fails "
        "cookies.flags at its severity (default: a minor warning; session cookies always fail)",
    )


class CorsConfig(Section):
    """``cors.policy``: the origins that may read responses cross-origin."""

    allowed_origins: list[str] = Field(
        default_factory=list,
        description=(
            "exact origins, e.g. https://app.example.com (plans: CORS_ALLOWED_ORIGINS); compared "
            "lower-cased, an IDN host in punycode as browsers send it"
        ),
    )
    probe_paths: list[str] | None = Field(
        default=None,
        description="paths probed with foreign origins (default: /, [web] health_path if set, api_path)",
    )
    api_path: str | None = Field(
        default="/api/",
        description="a JSON API endpoint probed by default (the paths CORS usually guards)",
    )
    allow_wildcard: bool = Field(
        default=False,
        description="pass Access-Control-Allow-Origin: * without credentials (a public API); "
        "default: a minor warning (plans: remove *)",
    )
    forbid_wildcard: bool = Field(
        default=False,
        description="strict: *, null or a reflected origin without credentials fails cors.policy "
        "at its severity (default: a minor warning; any site reads only what is public)",
    )
    allowed_methods: list[str] | None = Field(
        default=None,
        description="if set, preflights may allow no other method (plans: GET, POST, PUT, DELETE)",
    )

    @model_validator(mode="after")
    def _wildcard(self) -> CorsConfig:
        if self.allow_wildcard and self.forbid_wildcard:
            raise ValueError("allow_wildcard and forbid_wildcard cannot both be true")
        return self

    def paths(self, health_path: str | None) -> list[str]:
        """The paths probed: ``probe_paths``, else ``/``, the health path and ``api_path``."""
        if self.probe_paths:
            return list(self.probe_paths)
        return list(dict.fromkeys(p for p in ("/", health_path, self.api_path) if p))

    @field_validator("api_path")
    @classmethod
    def _api_path(cls, value: str | None) -> str | None:
        return url_path(value)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or "://" not in origin or origin.count("/") > 2:
                raise ValueError(f"{origin!r} is not an origin such as https://app.example.com")
        return [_ascii_origin(o) for o in value]

    @field_validator("allowed_methods")
    @classmethod
    def _methods(cls, value: list[str] | None) -> list[str] | None:
        return [m.upper() for m in value] if value is not None else None


def _ascii_origin(origin: str) -> str:
    """An origin as browsers send it: lower case, no trailing ``/``, the host in punycode
    (``https://Bücher.example`` -> ``https://xn--bcher-kva.example``)."""
    origin = origin.lower().rstrip("/")
    if origin.isascii():
        return origin
    scheme, _, netloc = origin.partition("://")
    host, sep, port = netloc.partition(":")  # an IPv6 literal is ASCII: not here
    try:
        host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as err:
        raise ValueError(f"{origin!r} has a host name that is not valid ({err})") from err
    return f"{scheme}://{host}{sep}{port}"


class ExposureConfig(Section):
    """``exposure.*``: extra paths to probe and error pages to provoke."""

    extra_paths: list[str] = Field(
        default_factory=list, description="more paths that must not be served"
    )
    skip_paths: list[str] = Field(default_factory=list, description="built-in paths not to probe")
    error_paths: list[str] = Field(
        default_factory=list,
        description="paths known to raise server errors (e.g. /api/boom in the demo), so that "
        "exposure.debug sees a crash page; without one it passes with a note when malformed "
        "requests get clean error pages, and a set path that does not fail is not verified",
    )
    body_paths: list[str] | None = Field(
        default=None,
        description="paths sent malformed JSON/form bodies by exposure.debug "
        "(default: [cookies] login_path and [cors] api_path)",
    )
    max_scripts: int = Field(
        default=20, ge=1, le=200, description="scripts checked for source maps"
    )


class RateLimitConfig(_LoginFlow):
    """``ratelimit.login`` (intrusive): failed logins must be refused within ``max_attempts``."""

    login_path: str = "/login"  # required here, optional for [cookies]
    login_fields: dict[str, str] = Field(
        default_factory=lambda: {
            "username": "gonogo-ratelimit-probe",
            "password": "not-the-password",
        },
        description="body of each failed attempt (use a throw-away account)",
    )
    max_attempts: int = Field(
        default=5, ge=1, le=100, description="attempts allowed per window (plans: 5)"
    )
    window: str = Field(
        default="15 minutes",
        description="the window, e.g. '15 minutes', '1 hour', '900 s' (plans: 15 minutes): a "
        "Retry-After shorter than window / max_attempts fails",
    )
    recheck_after_s: float = Field(
        default=3.0,
        ge=0.5,
        le=10.0,
        description="when a refusal carries no Retry-After, one more attempt is sent this long "
        "after it: processed means the limit lasts seconds, not the window",
    )
    extra_attempts: int = Field(
        default=2, ge=1, le=20, description="attempts sent beyond max_attempts before giving up"
    )
    refusal_statuses: list[Annotated[int, Field(ge=100, le=599)]] = Field(
        default_factory=lambda: list(REFUSAL_STATUSES),
        description="statuses (100-599) that count as refused (nginx limit_req answers 503 by "
        "default)",
    )

    @property
    def window_s(self) -> float:
        """The window in seconds."""
        return _seconds(self.window)

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        _seconds(value)
        return value


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(
    r"\s*(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)?\s*",
    re.IGNORECASE,
)


def _seconds(text: str) -> float:
    found = _DURATION.fullmatch(text)
    if found is None or float(found[1]) <= 0:
        raise ValueError(f"{text!r} is not a duration such as '15 minutes', '1 hour' or '900 s'")
    return float(found[1]) * _UNITS[(found[2] or "s")[0].lower()]
