"""Every form of a secret is masked, short secrets do not mask ordinary text, credentials seen
at run time are learned, and a URL's user:password is never quoted by a configuration error."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import quote

import pytest

from gonogo.config import credentials, load
from gonogo.errors import ConfigError
from gonogo.redact import Redactor, listen, observe
from gonogo.redact import credentials as header_credentials
from gonogo.schema.base import hide_userinfo, url_port_problem, userinfo

ORIGIN = "https://Tenant-Qx43SECRETkk.Example.COM"
IDN_ORIGIN = "https://Geheim-Bücher-Zq8.Example"
PASSWORD = "Wq7/Zx#k9@Lm"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("secret", "text"),
    [
        (ORIGIN, "origin https://tenant-qx43secretkk.example.com not allowed"),
        (ORIGIN, "ORIGIN HTTPS://TENANT-QX43SECRETKK.EXAMPLE.COM"),
        (ORIGIN, "look-alike http://tenant-qx43secretkk.example.com (downgrade)"),
        (ORIGIN, "look-alike https://gonogotenant-qx43secretkk.example.com"),
        (ORIGIN + "/", "allowed_origins = ['https://tenant-qx43secretkk.example.com']"),
        (IDN_ORIGIN, "origin https://xn--geheim-bcher-zq8-qzb.example sent"),
        (IDN_ORIGIN, "origin https://geheim-bücher-zq8.example sent"),
        ("https://xn--geheim-bcher-zq8-qzb.example", "origin geheim-bücher-zq8.example"),
        ("Straße-Geheim-7", "STRASSE-GEHEIM-7 upper-cased"),
        (PASSWORD, "dsn postgresql://app:" + quote(PASSWORD, safe="") + "@db/app"),
        (PASSWORD, "lower-case escapes " + quote(PASSWORD, safe="").lower()),
        (PASSWORD, "query ?p=" + quote(PASSWORD, safe="").replace("%2F", "/")),
        (PASSWORD, "json " + '"Wq7/Zx#k9@Lm"'),
        (PASSWORD, "base64 " + b64(PASSWORD)),
        (PASSWORD, "urlsafe " + base64.urlsafe_b64encode(PASSWORD.encode()).decode().rstrip("=")),
        ("  padded-secret-1  ", "stripped padded-secret-1 by pydantic"),
        ("Qx43kk", "port 'Qx43kk' is not a number"),
        ("Qx43kk", "lower qx43kk alone"),
    ],
    ids=[
        "origin-lower",
        "origin-upper",
        "origin-host-downgrade",
        "origin-host-look-alike",
        "origin-trailing-slash",
        "idn-punycode",
        "idn-lower-unicode",
        "punycode-decoded",
        "casefold-longer",
        "url-encoded",
        "url-encoded-lower-hex",
        "url-encoded-partly",
        "json",
        "base64",
        "base64-urlsafe-unpadded",
        "whitespace-stripped",
        "short-mixed-alone",
        "short-mixed-lower",
    ],
)
def test_every_form_is_masked(secret: str, text: str) -> None:
    """A secret is masked as it appears after normalisation: case, URL-encoding, IDNA, base64."""
    masked = Redactor([secret]).text(text)
    assert "***" in masked, masked
    core = secret.strip().split("//")[-1].lower().split(".")[0]
    assert core not in masked.lower(), masked


@pytest.mark.parametrize(
    ("secret", "text"),
    [
        ("test", "checks/test_tls.py::test_protocols passed"),
        ("Admin", "the admin role and ADMIN"),
        ("abc", "abc is too short to register"),
        ("Qx43kk", "inside a word: aQx43kkb"),
        ("https://localhost:8443", "localhost answered on 127.0.0.1"),
    ],
    ids=["short-inside-words", "short-word-other-case", "too-short", "short-inside", "loopback"],
)
def test_short_secrets_do_not_mask_ordinary_text(secret: str, text: str) -> None:
    """A value under 8 characters is masked only standing alone (a word of letters only as
    written); under 4, never; a loopback origin's host is not a secret of its own."""
    assert Redactor([secret]).text(text) == text


def test_short_secret_is_masked_standing_alone_as_written() -> None:
    """A short letters-only secret is still masked where it stands alone, in its own case."""
    assert Redactor(["Admin"]).text("password Admin, role admin") == "password ***, role admin"


def test_redaction_of_mixed_content_keeps_the_rest() -> None:
    """Masking a form keeps every character around it (positions stay aligned, even with İ)."""
    redactor = Redactor(["Secret-Token-99"])
    assert redactor.text("İİ x SECRET-TOKEN-99 y İ") == "İİ x *** y İ"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set_cookie='session=eyJ1Ijo.sig; Path=/'", "set_cookie='***'"),
        ("session_cookie = 'sid=abc123'", "session_cookie = '***'"),
        ("cookies = None", "cookies = None"),
        ("    cookies: CookieTypes | None = None,", "    cookies: CookieTypes | None = None,"),
        ("<Cookie session=abc123xyz for localhost />", "<Cookie session=*** for localhost />"),
        ("value = 'Basic d2VidXNlcjpXcHc='", "value = 'Basic ***'"),
        ("uses Basic Authentication for the API", "uses Basic Authentication for the API"),
        ("authorization = 'Basic d2VidXNlcjpXcHc='", "authorization = '***'"),
    ],
    ids=[
        "set-cookie-local",
        "cookie-local",
        "cookie-none",
        "cookie-annotation",
        "httpx-cookie-repr",
        "basic-credential",
        "basic-words",
        "authorization-local",
    ],
)
def test_locals_shaped_credentials(text: str, expected: str) -> None:
    """Cookie and Authorization values are masked in the shapes -l shows locals in."""
    assert Redactor().text(text) == expected


def test_credentials_seen_at_run_time_are_learned() -> None:
    """Set-Cookie values and Authorization credentials a probe sees mask every later form of
    them; a word-like cookie value (theme=dark) is not learned."""
    redactor = Redactor()
    stop = listen(redactor)
    try:
        observe(
            [("Set-Cookie", "session=eyJhbGci.Zm9vYmFy; HttpOnly"), ("set-cookie", "theme=dark")]
        )
        observe([("Authorization", "Basic " + b64("webuser:Wpw-Sec7Ret9x"))])
    finally:
        stop()
    observe([("Set-Cookie", "late=after-the-run-123")])  # nobody listens: not learned
    text = "v='eyJhbGci.Zm9vYmFy' theme=dark pw Wpw-Sec7Ret9x late=after-the-run-123"
    assert redactor.text(text) == "v='***' theme=dark pw *** late=after-the-run-123"


def test_header_credentials() -> None:
    """Cookie values, Authorization credentials (Basic decoded) and API keys are credentials."""
    found = header_credentials(
        [
            ("cookie", "a=1; sid=xyz"),
            ("Authorization", "Basic " + b64("u:p-w")),
            ("X-API-Key", "k-1"),
            ("Accept", "text/html"),
        ]
    )
    assert found == ["1", "xyz", b64("u:p-w"), "u:p-w", "p-w", "k-1"]


@pytest.mark.parametrize(
    ("url", "info", "problem"),
    [
        ("postgresql://app:Qx43kk/ab@db:5432/app", "app:Qx43kk/ab", "not percent-encoded"),
        ("postgresql://app:Qx43kk#ab@db:5432/app", "app:Qx43kk#ab", "not percent-encoded"),
        ("postgresql://app:12/34@db/app", "app:12/34", "not percent-encoded"),
        ("postgresql://app:p@ss@db/app", "app:p@ss", "not percent-encoded"),
        ("redis://:p@ss@cache:6379/0", ":p@ss", None),
        ("redis://:pa?ss@cache:6379/0", ":pa?ss", "not percent-encoded"),
        ("https://u:pa/ss@site", "u:pa/ss", "not percent-encoded"),
        ("https://site:8443/users/@me", None, None),
        ("postgresql://u:pw-1@h:notaport/db", "u:pw-1", "port 'notaport' is not a number"),
        ("postgresql://app:p%2Fss@db/app", "app:p%2Fss", None),
    ],
    ids=[
        "slash",
        "hash",
        "slash-numeric-port",
        "at-libpq",
        "at-redis",
        "question",
        "web-slash",
        "web-at-in-path",
        "bad-port-after-userinfo",
        "encoded",
    ],
)
def test_userinfo_is_read_conservatively(url: str, info: str | None, problem: str | None) -> None:
    """A password holding '/', '#', '?' (or '@' for libpq) is the user part, never a port."""
    assert userinfo(url) == info
    found = url_port_problem(url)
    assert (found is None) if problem is None else (problem in str(found))
    if info:
        assert info.partition(":")[2] not in hide_userinfo(url)
        assert info.partition(":")[2] not in str(found)


def test_connection_string_credentials() -> None:
    """A URL's password (raw and decoded) and base64 of user:password, a keyword DSN's password."""
    found = credentials("https://webuser:W%40pw-1@localhost")
    assert {"W%40pw-1", "W@pw-1", b64("webuser:W@pw-1"), b64("webuser:W%40pw-1")} <= set(found)
    assert credentials("host=db password='a b\\'c' dbname=app") == ["a b'c"]


PASSWORD_PARTS = ("Qx43", "kkZr", "9Wm2", "Pt7v")


@pytest.mark.parametrize(
    "password",
    [
        "Qx43kkZr/9Wm2Pt7v",
        "Qx43kkZr#9Wm2Pt7v",
        "Qx43kkZr?9Wm2Pt7v",
        "Qx43kkZr${9Wm2Pt7v",
        "Qx43kkZr${9Wm2}Pt7v",
        "Qx43kkZr@9Wm2Pt7v",
        "Qx43kkZr'9Wm2 Pt7v",
    ],
    ids=["slash", "hash", "question", "placeholder-open", "placeholder-unset", "at", "quote-space"],
)
@pytest.mark.parametrize(
    ("table", "template"),
    [
        ("postgres", 'dsn = "postgresql://app:{pw}@db.example:5432/app"'),
        ("redis", 'url = "redis://default:{pw}@cache.example:6379/0"'),
        ("web", 'base_url = "https://webuser:{pw}@site.example"'),
    ],
    ids=["dsn", "redis-url", "base-url"],
)
def test_parse_errors_never_quote_userinfo(
    tmp_path: Path, password: str, table: str, template: str
) -> None:
    """A DSN or URL whose password holds '/', '#', '?', '@', '${' or a quote either loads or
    fails with an error that quotes no part of the password."""
    value = template.format(pw=password).replace("'", "\\u0027")
    path = tmp_path / "t.toml"
    path.write_text(f'release = "1"\n[{table}]\n{value}\n')
    try:
        load(path, environ={})
    except ConfigError as err:
        message = str(err)
        assert message.startswith(str(path)), message
        for part in PASSWORD_PARTS:
            assert part not in message, message
