"""The grading table: header, cookie, CORS and redirect situations, gonogo's result next to the
HTTP Observatory's and MDN's guidance, and why where they differ.

One row per situation. ``tests/rules/test_grading_table.py`` runs each through gonogo's rule
(the result the engine makes of its findings: ``pass``, ``warn`` = a minor failure that does
not block, ``major``, ``blocker``) and through gonogo's emulation of the Observatory's analyzer
(:mod:`gonogo.rules.observatory`, its result code and score modifier), and holds both to the
row. ``docs/security-grading.md`` is rendered from it: ``python tests/rules/grading_table.py``
(``make docs``).

Agreement with the Observatory, per row: its modifier >= 0 is a pass, -5 a warning, -10 a
warning or a major (a small deduction: not blocker-level), -20 and below a failure at the
check's severity; a row whose result differs names the reason (``why``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factories import chain, cookies, cors_facts, cors_seen, good_page, page

from gonogo import catalogue
from gonogo.facts.cookies import CookieFacts
from gonogo.facts.cors import FOREIGN_ORIGIN, CorsFacts
from gonogo.facts.http import HttpFacts, RedirectChain
from gonogo.model import Finding, Severity
from gonogo.rules import cookies as cookie_rules
from gonogo.rules import cors, csp, grade, headers, hsts, observatory, redirect
from gonogo.schema.security import CookiesConfig, CorsConfig, HeadersConfig

ROOT = Path(__file__).resolve().parents[2]
STS, CSP, XFO, XCTO, RP = (
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
)
A = "app.example.com"
APP = f"https://{A}"
LOGIN = "POST /login"
SAFE = "object-src 'none'; base-uri 'self'"
NO_FA = f"{CSP}: default-src 'self'; {SAFE}"  # a strict policy without frame-ancestors
GOOD_CHAIN = chain(f"301 http://{A}/ -> https://{A}/", f"200 https://{A}/")

# MDN's guidance (developer.mozilla.org: HTTP headers reference and the practical security
# implementation guides), as a strict gate reads it: pass, warn (recommended) or fail.
MDN: dict[str, tuple[str, str]] = {
    "hsts-ok": ("pass", "HSTS with a long max-age (two years recommended) and includeSubDomains"),
    "hsts-sub": ("warn", "includeSubDomains recommended (needed for preload)"),
    "hsts-year": ("warn", "max-age of two years recommended (one year needed for preload)"),
    "hsts-short": ("fail", "a max-age of days or minutes gives next to no protection"),
    "hsts-off": ("fail", "max-age=0 expires the policy: HSTS off"),
    "hsts-missing": ("fail", "HTTPS sites should send HSTS"),
    "hsts-invalid": ("fail", "a header that does not parse is ignored by browsers"),
    "hsts-http": ("fail", "browsers ignore HSTS received over plain HTTP"),
    "hsts-dup": ("pass", "browsers apply the first header (RFC 6797 §8.1)"),
    "hsts-dup-differ": ("warn", "send one header; a proxy folding two makes it invalid"),
    "csp-ok": ("pass", "a policy that blocks inline and foreign script"),
    "csp-missing": ("fail", "CSP is the main defence against XSS"),
    "csp-report-only": ("fail", "Report-Only enforces nothing"),
    "csp-unsafe": ("fail", "unsafe-inline, wildcards or scheme sources in script-src allow XSS"),
    "csp-eval": ("fail", "avoid 'unsafe-eval'"),
    "csp-strict-dynamic": ("pass", "nonce + 'strict-dynamic' (strict CSP) recommended"),
    "csp-base-uri": ("warn", "base-uri 'none' or 'self' recommended (strict CSP)"),
    "csp-object-src": ("fail", "object-src 'none' recommended; plugins run script"),
    "csp-passive": ("warn", "mixed passive content is blocked or upgraded by browsers"),
    "csp-style": ("pass", "inline styles are a lesser risk"),
    "csp-meta-body": ("fail", "a <meta> CSP outside <head> is ignored"),
    "csp-dup": ("pass", "browsers ignore a repeated directive"),
    "frame-ok": ("pass", "frame-ancestors, or X-Frame-Options DENY/SAMEORIGIN"),
    "frame-missing": ("fail", "clickjacking protection recommended on every page"),
    "frame-allow-from": ("fail", "ALLOW-FROM is obsolete; browsers ignore it"),
    "frame-invalid": ("fail", "an invalid value is ignored"),
    "frame-wide": ("fail", "frame-ancestors * lets any site frame the page"),
    "frame-meta": ("fail", "frame-ancestors is ignored in a <meta> policy"),
    "frame-dup": ("pass", "conflicting X-Frame-Options values block framing (HTML)"),
    "xcto-ok": ("pass", "X-Content-Type-Options: nosniff"),
    "xcto-missing": ("warn", "nosniff recommended"),
    "ref-ok": ("pass", "strict-origin-when-cross-origin or stricter"),
    "ref-absent": ("pass", "browsers default to strict-origin-when-cross-origin"),
    "ref-unsafe": ("warn", "unsafe-url, origin, no-referrer-when-downgrade leak paths or origins"),
    "ref-invalid": ("warn", "an unknown value is ignored"),
    "iso-ok": ("pass", "a valid policy (optional header)"),
    "iso-invalid": ("fail", "values are case-sensitive tokens; an invalid value is ignored"),
    "iso-absent": ("pass", "optional"),
    "cookie-ok": ("pass", "Secure, HttpOnly for sessions, SameSite"),
    "cookie-session": ("fail", "session cookies: Secure and HttpOnly"),
    "cookie-secure": ("warn", "Secure recommended for every cookie"),
    "cookie-samesite": ("warn", "SameSite recommended (browsers default to Lax)"),
    "cookie-invalid": ("fail", "browsers reject or ignore the attribute or the cookie"),
    "cookie-prefix": ("fail", "a broken __Host-/__Secure- prefix: browsers reject the cookie"),
    "cookie-token": ("warn", "cookies holding tokens should be HttpOnly"),
    "cors-ok": ("pass", "grant only the origins that need it"),
    "cors-public": ("pass", "* is fine for public resources without credentials"),
    "cors-reflect": ("warn", "reflecting any origin is * in disguise"),
    "cors-creds": ("fail", "credentials only for trusted, specific origins"),
    "cors-invalid": ("fail", "* with credentials is refused by browsers"),
    "redir-ok": ("pass", "301 from http:// to https:// on the same host"),
    "redir-missing": ("fail", "redirect all HTTP to HTTPS"),
    "redir-temp": ("warn", "use a permanent (301/308) redirect"),
    "redir-host": ("warn", "redirect to HTTPS on the same host first, then elsewhere"),
    "redir-http": ("fail", "never redirect to or through plain HTTP"),
    "redir-none": ("pass", "no HTTP listener: nothing to redirect (HSTS pins HTTPS)"),
    "redir-loop": ("fail", "a loop never shows the page"),
}

# The reasons gonogo differs from the Observatory, by kind.
WHY: dict[str, str] = {
    "sub": "MDN recommends includeSubDomains: a warning here; the Observatory does not score it",
    "year": "the plans and MDN ask for a year or more: a warning from six months on, where the "
    "Observatory passes",
    "zero": "max-age=0 switches HSTS off (RFC 6797 §6.1.1): as bad as none; the Observatory "
    "reads it as a short max-age (-10)",
    "grammar": "browsers ignore a header that breaks RFC 6797's grammar; the Observatory reads "
    "max-age with parseInt",
    "spaces": "RFC 6797 allows spaces around '=' and browsers accept them; the Observatory does "
    "not find max-age",
    "dup": "browsers read duplicate lines per header (HSTS: the first; X-Frame-Options: the set "
    "of values; nosniff: the first token); the Observatory's client joins them into one invalid "
    "value",
    "dup-differ": "two differing HSTS lines: browsers apply the first (a warning: a proxy may "
    "fold them); the Observatory calls the joined value invalid (-20)",
    "meta": "browsers ignore a <meta> CSP outside <head> and frame-ancestors in <meta>; the "
    "Observatory counts them",
    "nonce": "a malformed nonce is ignored by browsers, so 'unsafe-inline' stays active; the "
    "Observatory only checks the 'nonce- prefix",
    "scheme": "blob: and other scheme-only sources load any script of that scheme; the "
    "Observatory lists only data:, http:, https:, ftp:",
    "hostwild": "host * with a port or path, or a wildcard over a public suffix, is every site; "
    "the Observatory compares source strings exactly",
    "strict": "a strict extra this environment opted into ([headers]/[cookies]/[cors] require_*, "
    "forbid_*): the weakness fails at the check's severity",
    "base-uri": "MDN's strict CSP sets base-uri; a warning here, not scored by the Observatory",
    "multi": "a resource must pass every enforced policy, so one strict policy is enough; the "
    "Observatory merges the policies",
    "dupdir": "browsers ignore a repeated directive (the first applies); the Observatory calls "
    "the policy invalid (-25)",
    "attr": "script-src-attr 'unsafe-inline' lets injected onclick= run; the Observatory reads "
    "script-src and default-src only",
    "allow-from": "no current browser implements ALLOW-FROM: the page can be framed; the "
    "Observatory passes it",
    "frame-wide": "frame-ancestors * (or a scheme or public-suffix wildcard) lets any site frame "
    "the page; the Observatory credits any frame-ancestors (+5)",
    "samesite": "MDN recommends SameSite: a warning here; the Observatory only withholds its +5",
    "session-hsts": "a session cookie without Secure is sent in clear on the first plain-HTTP "
    "request or to a subdomain: a stolen session, whatever HSTS does later",
    "prefix": "browsers reject a cookie that breaks its __Host-/__Secure- prefix; the "
    "Observatory does not check prefixes",
    "anticsrf": "browsers default a cookie without SameSite to Lax (Chromium) and a CSRF token "
    "cookie is meant to be read: a warning here, -20 in the Observatory",
    "token": "a cookie only named like a token (jwt, access_token) may be meant for scripts: "
    "a warning; the Observatory does not look at such names",
    "names": "a framework's auth cookie (.AspNetCore.Cookies) is a session cookie whatever its "
    "name; the Observatory guesses sessions from 'sess' and 'login'",
    "login": "every cookie the login sets is what it hands out: a session cookie; the "
    "Observatory guesses from the name",
    "deleted": "a Set-Cookie that deletes a cookie carries nothing to protect; the Observatory "
    "judges its flags",
    "plain-http-cookie": "a cookie without Secure set on a plain-HTTP page: a warning (headers.hsts "
    "and redirect.https fail the plain-HTTP site itself)",
    "wildcard": "the plans say 'remove the * wildcard': a warning ([cors] allow_wildcard passes "
    "it); the Observatory passes public access",
    "reflect": "any origin reflected without credentials reads what * would: a warning, like *",
    "null": "Origin: null is sent by any sandboxed iframe: with credentials a blocker, without a "
    "warning; the Observatory only sends its own origin",
    "outside": "an origin outside [cors] allowed_origins: a warning without credentials, the "
    "check's severity with them; the Observatory has no allow-list",
    "star-creds": "* with credentials is refused by browsers (an invalid grant, a failure); the "
    "Observatory scores public access",
    "methods": "the preflight allows methods outside [cors] allowed_methods; the Observatory "
    "does not send preflights",
    "permanent": "MDN asks for 301/308: a temporary first hop is a warning; the Observatory does "
    "not look at the status",
    "offsite": "a first hop to another site never lets this host set HSTS and hands the first "
    "request to another party: major; the Observatory deducts 5",
    "downgrade": "an HTTPS -> HTTP hop can be intercepted even when the chain ends on HTTPS; the "
    "Observatory only looks at the first and last hops",
    "loop": "a loop or a chain past the bound never shows the page; the Observatory scores the "
    "hops it saw",
    "nolisten": "no HTTP listener and no HSTS: a visitor typing the name is unprotected (a "
    "warning; headers.hsts fails the missing HSTS)",
    "corp-case": "Fetch compares CORP byte for byte: browsers ignore Same-Origin; the Observatory "
    "lower-cases it",
    "required": "required by this environment ([headers] require_coop): fails at the check's "
    "severity",
    "minimum": "this environment raised [headers] hsts_min_max_age: a warning below it",
}


@dataclass(frozen=True)
class Row:
    """One situation.

    Attributes:
        situation: its name (the test id). check: the gonogo check id.
        facts: what the probe would have seen. expected: gonogo's result.
        code: the Observatory's result code (None: it has no such test).
        mdn: key of :data:`MDN`. why: key of :data:`WHY` when gonogo differs from the
            Observatory. config: the section's settings for this row.
    """

    situation: str
    check: str
    facts: Any
    expected: str
    code: str | None
    mdn: str
    why: str = ""
    config: dict[str, Any] = field(default_factory=dict)


def _hsts(situation: str, lines: list[str], expected: str, code: str, mdn: str, why: str = "",
          **config: Any) -> Row:
    facts = good_page(*(f"{STS}: {v}" for v in lines), without=[STS])
    return Row(situation, "headers.hsts", facts, expected, code, mdn, why, config)


def _csp(situation: str, facts: HttpFacts | str, expected: str, code: str, mdn: str,
         why: str = "", **config: Any) -> Row:
    if isinstance(facts, str):
        facts = good_page(f"{CSP}: {facts}", without=[CSP])
    return Row(situation, "headers.csp", facts, expected, code, mdn, why, config)


def _frame(situation: str, lines: list[str], expected: str, code: str, mdn: str, why: str = "",
           **config: Any) -> Row:
    csp_lines = [] if any(x.startswith(CSP) for x in lines) else [NO_FA]
    facts = good_page(*csp_lines, *lines, without=[CSP, XFO])
    return Row(situation, "headers.frame", facts, expected, code, mdn, why, config)


def _hdr(check: str, situation: str, lines: list[str], expected: str, code: str | None,
         mdn: str, why: str = "", without: tuple[str, ...] = (), **config: Any) -> Row:
    names = {x.split(":", 1)[0] for x in lines} | set(without)
    facts = good_page(*lines, without=names)
    return Row(situation, check, facts, expected, code, mdn, why, config)


def _cookie(situation: str, set_cookie: str | list[str], expected: str, code: str, mdn: str,
            why: str = "", step: str = "GET /", url: str = f"{APP}/", **config: Any) -> Row:
    values = [set_cookie] if isinstance(set_cookie, str) else set_cookie
    facts = cookies(*values, step=step, url=url)
    if step == LOGIN:
        config = {"login_path": "/login", **config}
    return Row(situation, "cookies.flags", facts, expected, code, mdn, why, config)


def _cors(situation: str, seen: list[Any], expected: str, code: str, mdn: str, why: str = "",
          **config: Any) -> Row:
    return Row(situation, "cors.policy", cors_facts(*seen), expected, code, mdn, why,
               {"allowed_origins": [APP], **config})


def _redir(situation: str, hops: list[str] | None, expected: str, code: str, mdn: str,
           why: str = "", truncated: bool = False, **config: Any) -> Row:
    facts = chain(*hops, truncated=truncated) if hops is not None else None
    return Row(situation, "redirect.https", facts, expected, code, mdn, why, config)


AT_LEAST, LESS = "hsts-implemented-max-age-at-least-six-months", "hsts-implemented-max-age-less-than-six-months"
HSTS_INVALID, NO_UNSAFE = "hsts-header-invalid", "csp-implemented-with-no-unsafe"
UNSAFE_INLINE = "csp-implemented-with-unsafe-inline"
STYLE_ONLY = "csp-implemented-with-unsafe-inline-in-style-src-only"  # no style-src: * (scores 0)
YEAR, TWO_YEARS, EIGHT_MONTHS, SIX_MONTHS = 31536000, 63072000, 20736000, 15552000
ISD, PRELOAD = "; includeSubDomains", "; preload"

ROWS: list[Row] = [
    # --- HSTS: every max-age band with every includeSubDomains/preload combination ---------
    *[
        _hsts(
            f"max-age-{label}{'-subdomains' if sub else ''}{'-preload' if pre else ''}",
            [f"max-age={age}{ISD if sub else ''}{PRELOAD if pre else ''}"],
            expected,
            code,
            mdn,
            why,
        )
        for label, age in (("two-years", TWO_YEARS), ("one-year", YEAR), ("eight-months", EIGHT_MONTHS),
                           ("six-months", SIX_MONTHS), ("one-day", 86400), ("zero", 0))
        for sub in (True, False)
        for pre in (True, False)
        for expected, code, mdn, why in [
            ("blocker", LESS, "hsts-off", "zero") if age == 0
            else ("major", LESS, "hsts-short", "") if age < SIX_MONTHS
            else ("warn", AT_LEAST, "hsts-year", "year") if age < YEAR
            else ("pass", AT_LEAST, "hsts-ok", "") if sub
            else ("warn", AT_LEAST, "hsts-sub", "sub")
        ]
    ],
    _hsts("five-minutes", ["max-age=300; includeSubDomains"], "major", LESS, "hsts-short"),
    _hsts("just-under-six-months", ["max-age=15551999; includeSubDomains"], "major", LESS, "hsts-short"),
    _hsts("missing", [], "blocker", "hsts-not-implemented", "hsts-missing"),
    _hsts("no-max-age", ["includeSubDomains"], "blocker", HSTS_INVALID, "hsts-invalid"),
    _hsts("folded-with-a-comma", ["max-age=31536000, max-age=0"], "blocker", HSTS_INVALID, "hsts-invalid"),
    _hsts("repeated-directive", ["max-age=31536000; max-age=31536000"], "blocker", AT_LEAST, "hsts-invalid",
          "grammar"),
    _hsts("plus-sign", ["max-age=+31536000; includeSubDomains"], "blocker", AT_LEAST, "hsts-invalid", "grammar"),
    _hsts("negative", ["max-age=-1; includeSubDomains"], "blocker", LESS, "hsts-invalid", "grammar"),
    _hsts("unit-suffix", ["max-age=1y; includeSubDomains"], "blocker", LESS, "hsts-invalid", "grammar"),
    _hsts("unbalanced-quote", ['max-age="31536000; includeSubDomains'], "blocker", AT_LEAST, "hsts-invalid",
          "grammar"),
    _hsts("superscript-digits", ["max-age=³¹⁵³⁶⁰⁰⁰; includeSubDomains"], "blocker", AT_LEAST, "hsts-invalid",
          "grammar"),
    _hsts("quoted-max-age", ['max-age="31536000"; includeSubDomains'], "pass", AT_LEAST, "hsts-ok"),
    _hsts("spaces-around-equals", ["max-age = 31536000 ; includeSubDomains"], "pass", HSTS_INVALID, "hsts-ok",
          "spaces"),
    _hsts("upper-case-directives", ["MAX-AGE=31536000; INCLUDESUBDOMAINS"], "pass", AT_LEAST, "hsts-ok"),
    _hsts("unknown-directive", ["max-age=31536000; includeSubDomains; future=1"], "pass", AT_LEAST, "hsts-ok"),
    _hsts("trailing-semicolon", ["max-age=31536000; includeSubDomains;"], "pass", AT_LEAST, "hsts-ok"),
    _hsts("two-identical-lines", ["max-age=31536000; includeSubDomains"] * 2, "pass", HSTS_INVALID, "hsts-dup",
          "dup"),
    _hsts("two-lines-first-good", ["max-age=31536000; includeSubDomains", "max-age=0"], "warn", HSTS_INVALID,
          "hsts-dup-differ", "dup-differ"),
    _hsts("two-lines-first-zero", ["max-age=0", "max-age=31536000; includeSubDomains"], "blocker", HSTS_INVALID,
          "hsts-off"),
    Row("only-over-plain-http", "headers.hsts", page(f"{STS}: max-age=31536000", url=f"http://{A}/"), "blocker",
        "hsts-not-implemented-no-https", "hsts-http"),
    _hsts("strict-subdomains-opted-in", ["max-age=31536000"], "blocker", AT_LEAST, "hsts-sub", "strict",
          require_include_subdomains=True),
    _hsts("strict-max-age-opted-in", [f"max-age={EIGHT_MONTHS}; includeSubDomains"], "blocker", AT_LEAST,
          "hsts-year", "strict", require_hsts_min_max_age=True),
    _hsts("two-years-minimum-configured", ["max-age=31536000; includeSubDomains"], "warn", AT_LEAST, "hsts-ok",
          "minimum", hsts_min_max_age=TWO_YEARS),
    # --- CSP: source lists, nonces, hashes, strict-dynamic, wildcards, schemes, meta -------
    _csp("strict-self", f"default-src 'self'; {SAFE}; frame-ancestors 'none'", "pass", NO_UNSAFE, "csp-ok"),
    _csp("default-src-none", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'", "pass",
         "csp-implemented-with-no-unsafe-default-src-none", "csp-ok"),
    _csp("missing", good_page(without=[CSP]), "major", "csp-not-implemented", "csp-missing"),
    _csp("report-only-alone", good_page(f"{CSP}-Report-Only: default-src 'self'; {SAFE}", without=[CSP]), "major",
         "csp-not-implemented-but-reporting-enabled", "csp-report-only"),
    _csp("report-only-beside-enforced", good_page(f"{CSP}-Report-Only: default-src 'none'"), "pass", NO_UNSAFE,
         "csp-ok"),
    _csp("meta-in-head", good_page(without=[CSP], meta=[("content-security-policy", f"default-src 'self'; {SAFE}")]),
         "pass", NO_UNSAFE, "csp-ok"),
    _csp("meta-outside-head", good_page(without=[CSP], body_meta=[("content-security-policy",
                                                                   f"default-src 'self'; {SAFE}")]),
         "major", NO_UNSAFE, "csp-meta-body", "meta"),
    _csp("header-and-meta", good_page(meta=[("content-security-policy", "img-src 'self'")]), "pass", NO_UNSAFE,
         "csp-ok"),
    _csp("unsafe-inline", f"script-src 'self' 'unsafe-inline'; {SAFE}", "major", UNSAFE_INLINE, "csp-unsafe"),
    _csp("unsafe-inline-with-nonce", f"script-src 'nonce-R4nd0m' 'unsafe-inline'; {SAFE}", "pass", STYLE_ONLY,
         "csp-ok"),
    _csp("unsafe-inline-with-hash", f"script-src 'sha256-AbC+/=' 'unsafe-inline'; {SAFE}", "pass", STYLE_ONLY,
         "csp-ok"),
    _csp("unsafe-inline-with-empty-nonce", f"script-src 'nonce-' 'unsafe-inline'; {SAFE}", "major", STYLE_ONLY,
         "csp-unsafe", "nonce"),
    _csp("unsafe-inline-with-template-nonce", f"script-src 'nonce-{{{{nonce}}}}' 'unsafe-inline'; {SAFE}", "major",
         STYLE_ONLY, "csp-unsafe", "nonce"),
    _csp("unsafe-eval", f"script-src 'self' 'unsafe-eval'; {SAFE}", "major", "csp-implemented-with-unsafe-eval",
         "csp-eval"),
    _csp("wasm-unsafe-eval", f"script-src 'self' 'wasm-unsafe-eval'; {SAFE}", "pass", STYLE_ONLY, "csp-ok"),
    _csp("strict-dynamic-nonce-with-fallbacks",
         f"script-src 'strict-dynamic' 'nonce-R4nd0m' 'unsafe-inline' https: http:; {SAFE}", "pass", STYLE_ONLY,
         "csp-strict-dynamic"),
    _csp("strict-dynamic-with-hash", f"script-src 'strict-dynamic' 'sha384-xyz'; {SAFE}", "pass", STYLE_ONLY,
         "csp-strict-dynamic"),
    _csp("strict-dynamic-without-nonce", f"script-src 'strict-dynamic' 'self'; {SAFE}", "major",
         "csp-header-invalid", "csp-unsafe"),
    _csp("strict-csp-nonce-only", "script-src 'nonce-R4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
         "pass", STYLE_ONLY, "csp-strict-dynamic"),
    _csp("wildcard-script-src", f"script-src *; {SAFE}", "major", UNSAFE_INLINE, "csp-unsafe"),
    _csp("scheme-https", f"script-src 'self' https:; {SAFE}", "major", UNSAFE_INLINE, "csp-unsafe"),
    _csp("scheme-data", f"script-src 'self' data:; {SAFE}", "major", UNSAFE_INLINE, "csp-unsafe"),
    _csp("scheme-blob", f"script-src 'self' blob:; {SAFE}", "major", STYLE_ONLY, "csp-unsafe", "scheme"),
    _csp("host-wildcard-https", f"script-src https://*; {SAFE}", "major", UNSAFE_INLINE, "csp-unsafe"),
    _csp("host-wildcard-with-port", f"script-src https://*:443; {SAFE}", "major", STYLE_ONLY, "csp-unsafe",
         "hostwild"),
    _csp("wildcard-over-tld", f"script-src *.com; {SAFE}", "major", STYLE_ONLY, "csp-unsafe", "hostwild"),
    _csp("wildcard-over-shared-hosting", f"script-src https://*.github.io; {SAFE}", "major", STYLE_ONLY,
         "csp-unsafe", "hostwild"),
    _csp("own-subdomain-wildcard", f"script-src https://*.example.com; {SAFE}", "pass", STYLE_ONLY, "csp-ok"),
    _csp("plain-http-script-host", f"script-src 'self' http://cdn.example.com; {SAFE}", "major",
         "csp-implemented-with-insecure-scheme", "csp-unsafe"),
    _csp("https-script-host", f"script-src 'self' https://cdn.example.com; {SAFE}", "pass", STYLE_ONLY, "csp-ok"),
    _csp("plain-http-images", f"default-src 'self'; img-src http:; {SAFE}", "warn",
         "csp-implemented-with-insecure-scheme-in-passive-content-only", "csp-passive"),
    _csp("unsafe-inline-styles", f"default-src 'self'; style-src 'self' 'unsafe-inline'; {SAFE}", "pass",
         "csp-implemented-with-unsafe-inline-in-style-src-only", "csp-style"),
    _csp("unsafe-inline-styles-forbidden", f"default-src 'self'; style-src 'self' 'unsafe-inline'; {SAFE}", "major",
         "csp-implemented-with-unsafe-inline-in-style-src-only", "csp-style", "strict",
         forbid_unsafe_inline_style=True),
    _csp("object-src-missing", "script-src 'self'; base-uri 'self'", "major", UNSAFE_INLINE, "csp-object-src"),
    _csp("base-uri-missing", "default-src 'self'", "warn", NO_UNSAFE, "csp-base-uri", "base-uri"),
    _csp("base-uri-missing-required", "default-src 'self'", "major", NO_UNSAFE, "csp-base-uri", "strict",
         require_base_uri=True),
    _csp("base-uri-wildcard", "default-src 'self'; base-uri *", "warn", NO_UNSAFE, "csp-base-uri", "base-uri"),
    _csp("no-script-or-default-src", f"img-src 'self'; {SAFE}", "major", UNSAFE_INLINE, "csp-unsafe"),
    _csp("two-policies-one-strict", good_page(f"{CSP}: script-src 'unsafe-inline' 'self'",
                                              f"{CSP}: default-src 'self'; {SAFE}", without=[CSP]),
         "pass", UNSAFE_INLINE, "csp-ok", "multi"),
    _csp("repeated-directive", f"default-src 'self'; default-src *; {SAFE}", "pass", "csp-header-invalid",
         "csp-dup", "dupdir"),
    _csp("script-src-attr-unsafe-inline", f"script-src 'self'; script-src-attr 'unsafe-inline'; {SAFE}", "major",
         STYLE_ONLY, "csp-unsafe", "attr"),
    # --- framing: X-Frame-Options vs frame-ancestors -----------------------------------------
    _frame("xfo-deny", [f"{XFO}: DENY"], "pass", "x-frame-options-sameorigin-or-deny", "frame-ok"),
    _frame("xfo-sameorigin-lower-case", [f"{XFO}: sameorigin"], "pass", "x-frame-options-sameorigin-or-deny",
           "frame-ok"),
    _frame("nothing", [], "major", "x-frame-options-not-implemented", "frame-missing"),
    _frame("xfo-allow-from", [f"{XFO}: ALLOW-FROM https://partner.example"], "major",
           "x-frame-options-allow-from-origin", "frame-allow-from", "allow-from"),
    _frame("xfo-allowall", [f"{XFO}: ALLOWALL"], "major", "x-frame-options-header-invalid", "frame-invalid"),
    _frame("xfo-two-deny-lines", [f"{XFO}: DENY", f"{XFO}: DENY"], "pass", "x-frame-options-header-invalid",
           "frame-dup", "dup"),
    _frame("xfo-deny-and-sameorigin-lines", [f"{XFO}: DENY", f"{XFO}: SAMEORIGIN"], "pass",
           "x-frame-options-header-invalid", "frame-dup", "dup"),
    _frame("xfo-deny-sameorigin-one-line", [f"{XFO}: DENY, SAMEORIGIN"], "pass", "x-frame-options-header-invalid",
           "frame-dup", "dup"),
    _frame("frame-ancestors-none", [f"{CSP}: default-src 'self'; {SAFE}; frame-ancestors 'none'"], "pass",
           "x-frame-options-implemented-via-csp", "frame-ok"),
    _frame("frame-ancestors-self-and-xfo", [f"{CSP}: default-src 'self'; {SAFE}; frame-ancestors 'self'",
                                            f"{XFO}: DENY"], "pass", "x-frame-options-implemented-via-csp", "frame-ok"),
    _frame("frame-ancestors-star-overrides-xfo", [f"{CSP}: default-src 'self'; {SAFE}; frame-ancestors *",
                                                  f"{XFO}: DENY"], "major", "x-frame-options-implemented-via-csp",
           "frame-wide", "frame-wide"),
    _frame("frame-ancestors-scheme-only", [f"{CSP}: default-src 'self'; {SAFE}; frame-ancestors https:"], "major",
           "x-frame-options-implemented-via-csp", "frame-wide", "frame-wide"),
    _frame("frame-ancestors-partner-subdomains",
           [f"{CSP}: default-src 'self'; {SAFE}; frame-ancestors https://*.partner.example"], "pass",
           "x-frame-options-implemented-via-csp", "frame-ok"),
    Row("frame-ancestors-only-in-meta", "headers.frame",
        good_page(NO_FA, without=[CSP, XFO], meta=[("content-security-policy", "frame-ancestors 'none'")]), "major",
        "x-frame-options-implemented-via-csp", "frame-meta", "meta"),
    _frame("frame-ancestors-report-only", [NO_FA, f"{CSP}-Report-Only: frame-ancestors 'none'"], "major",
           "x-frame-options-not-implemented", "frame-missing"),
    _frame("xfo-required-beside-frame-ancestors", [f"{CSP}: default-src 'self'; {SAFE}; frame-ancestors 'none'"],
           "major", "x-frame-options-implemented-via-csp", "frame-ok", "strict", require_x_frame_options=True),
    # --- X-Content-Type-Options ------------------------------------------------------------
    _hdr("headers.content-type-options", "nosniff", [f"{XCTO}: nosniff"], "pass", "x-content-type-options-nosniff",
         "xcto-ok"),
    _hdr("headers.content-type-options", "nosniff-mixed-case", [f"{XCTO}: NoSniff"], "pass",
         "x-content-type-options-nosniff", "xcto-ok"),
    _hdr("headers.content-type-options", "missing", [], "warn", "x-content-type-options-not-implemented",
         "xcto-missing", without=(XCTO,)),
    _hdr("headers.content-type-options", "invalid-value", [f"{XCTO}: sniff"], "warn",
         "x-content-type-options-header-invalid", "xcto-missing"),
    _hdr("headers.content-type-options", "two-nosniff-lines", [f"{XCTO}: nosniff", f"{XCTO}: nosniff"], "pass",
         "x-content-type-options-header-invalid", "xcto-ok", "dup"),
    _hdr("headers.content-type-options", "first-token-invalid", [f"{XCTO}: foo", f"{XCTO}: nosniff"], "warn",
         "x-content-type-options-header-invalid", "xcto-missing"),
    _hdr("headers.content-type-options", "missing-required", [], "major", "x-content-type-options-not-implemented",
         "xcto-missing", "strict", without=(XCTO,), require_nosniff=True),
    # --- Referrer-Policy -------------------------------------------------------------------
    _hdr("headers.referrer-policy", "strict-origin-when-cross-origin", [f"{RP}: strict-origin-when-cross-origin"],
         "pass", "referrer-policy-private", "ref-ok"),
    _hdr("headers.referrer-policy", "no-referrer", [f"{RP}: no-referrer"], "pass", "referrer-policy-private",
         "ref-ok"),
    _hdr("headers.referrer-policy", "absent", [], "pass", "referrer-policy-not-implemented", "ref-absent",
         without=(RP,)),
    _hdr("headers.referrer-policy", "unsafe-url", [f"{RP}: unsafe-url"], "warn", "referrer-policy-unsafe",
         "ref-unsafe"),
    _hdr("headers.referrer-policy", "no-referrer-when-downgrade", [f"{RP}: no-referrer-when-downgrade"], "warn",
         "referrer-policy-unsafe", "ref-unsafe"),
    _hdr("headers.referrer-policy", "unknown-token", [f"{RP}: same-site"], "warn", "referrer-policy-header-invalid",
         "ref-invalid"),
    _hdr("headers.referrer-policy", "fallback-list-last-unsafe", [f"{RP}: no-referrer, unsafe-url"], "warn",
         "referrer-policy-unsafe", "ref-unsafe"),
    _hdr("headers.referrer-policy", "two-lines-last-unsafe", [f"{RP}: no-referrer", f"{RP}: unsafe-url"], "warn",
         "referrer-policy-unsafe", "ref-unsafe"),
    Row("meta-overrides-header", "headers.referrer-policy",
        good_page(f"{RP}: no-referrer", without=[RP], meta=[("referrer", "unsafe-url")]), "warn",
        "referrer-policy-unsafe", "ref-unsafe"),
    Row("meta-legacy-always", "headers.referrer-policy",
        good_page(f"{RP}: no-referrer", without=[RP], meta=[("referrer", "always")]), "warn",
        "referrer-policy-private", "ref-unsafe", "meta"),
    # --- COOP, COEP, CORP: exact tokens, one line --------------------------------------------
    *[
        _hdr("headers.cross-origin", f"{key}-{label}", [f"{name}: {v}" for v in values], expected, code, mdn, why)
        for key, name in (("coop", "Cross-Origin-Opener-Policy"), ("coep", "Cross-Origin-Embedder-Policy"))
        for label, values, expected, suffix, mdn, why in (
            ("strong", ["same-origin" if key == "coop" else "require-corp"], "pass",
             "implemented-with-same-origin" if key == "coop" else "implemented-with-require-corp", "iso-ok", ""),
            ("with-report-to", ['same-origin; report-to="r"' if key == "coop" else 'require-corp; report-to="r"'],
             "pass", "implemented-with-same-origin" if key == "coop" else "implemented-with-require-corp",
             "iso-ok", ""),
            ("unsafe-none", ["unsafe-none"], "pass", "implemented-with-unsafe-none", "iso-ok", ""),
            ("title-case", ["Same-Origin" if key == "coop" else "Require-Corp"], "warn", "header-invalid",
             "iso-invalid", ""),
            ("two-lines", ["same-origin" if key == "coop" else "require-corp"] * 2, "warn", "header-invalid",
             "iso-invalid", ""),
            ("quoted", ['"same-origin"' if key == "coop" else '"require-corp"'], "warn", "header-invalid",
             "iso-invalid", ""),
            ("unknown", ["isolate"], "warn", "header-invalid", "iso-invalid", ""),
        )
        for expected, code in [(expected, f"{key}-{suffix}")]
    ],
    _hdr("headers.cross-origin", "coep-credentialless", ["Cross-Origin-Embedder-Policy: credentialless"], "pass",
         "coep-implemented-with-credentialless", "iso-ok"),
    _hdr("headers.cross-origin", "coop-absent", [], "pass", "coop-not-implemented", "iso-absent"),
    _hdr("headers.cross-origin", "coop-absent-required", [], "warn", "coop-not-implemented", "iso-absent",
         "required", require_coop=True),
    _hdr("headers.cross-origin", "corp-same-origin", ["Cross-Origin-Resource-Policy: same-origin"], "pass",
         "cross-origin-resource-policy-implemented-with-same-origin", "iso-ok"),
    _hdr("headers.cross-origin", "corp-cross-origin", ["Cross-Origin-Resource-Policy: cross-origin"], "pass",
         "cross-origin-resource-policy-implemented-with-cross-origin", "iso-ok"),
    _hdr("headers.cross-origin", "corp-title-case", ["Cross-Origin-Resource-Policy: Same-Origin"], "warn",
         "cross-origin-resource-policy-implemented-with-same-origin", "iso-invalid", "corp-case"),
    _hdr("headers.cross-origin", "corp-two-lines", ["Cross-Origin-Resource-Policy: same-origin"] * 2, "warn",
         "cross-origin-resource-policy-header-invalid", "iso-invalid"),
    _hdr("headers.cross-origin", "corp-unknown", ["Cross-Origin-Resource-Policy: same"], "warn",
         "cross-origin-resource-policy-header-invalid", "iso-invalid"),
    # --- cookies: flags, prefixes, SameSite, what is a session cookie ------------------------
    _cookie("login-session-all-flags", "session=a; Path=/; Secure; HttpOnly; SameSite=Lax", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok", step=LOGIN),
    _cookie("login-session-without-samesite", "session=a; Secure; HttpOnly", "warn",
            "cookies-secure-with-httponly-sessions", "cookie-samesite", "samesite", step=LOGIN),
    _cookie("login-session-without-secure", "session=a; HttpOnly; SameSite=Lax", "blocker",
            "cookies-session-without-secure-flag-but-protected-by-hsts", "cookie-session", "session-hsts",
            step=LOGIN),
    _cookie("login-session-without-httponly", "session=a; Secure; SameSite=Lax", "blocker",
            "cookies-session-without-httponly-flag", "cookie-session", step=LOGIN),
    _cookie("login-session-samesite-none-secure", "session=a; Secure; HttpOnly; SameSite=None", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok", step=LOGIN),
    _cookie("login-session-host-prefix", "__Host-session=a; Path=/; Secure; HttpOnly; SameSite=Strict", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok", step=LOGIN),
    _cookie("login-sets-oddly-named-cookie", "acct=a; Secure; SameSite=Lax", "blocker",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-session", "login", step=LOGIN),
    _cookie("login-sets-readable-csrf-token", "csrftoken=a; Secure; SameSite=Lax", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok", step=LOGIN),
    _cookie("preference-all-flags", "theme=dark; Secure; SameSite=Lax", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok"),
    _cookie("preference-without-secure", "theme=dark; SameSite=Lax", "warn",
            "cookies-without-secure-flag-but-protected-by-hsts", "cookie-secure"),
    _cookie("preference-without-samesite", "theme=dark; Secure", "warn", "cookies-secure-with-httponly-sessions",
            "cookie-samesite", "samesite"),
    _cookie("preference-without-secure-or-samesite", "theme=dark", "warn",
            "cookies-without-secure-flag-but-protected-by-hsts", "cookie-secure"),
    _cookie("preference-without-secure-required", "theme=dark; SameSite=Lax", "major",
            "cookies-without-secure-flag-but-protected-by-hsts", "cookie-secure", "strict", require_secure=True),
    _cookie("preference-without-samesite-required", "theme=dark; Secure", "major",
            "cookies-secure-with-httponly-sessions", "cookie-samesite", "strict", require_samesite=True),
    _cookie("samesite-none-with-secure", "widget=1; Secure; SameSite=None", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok"),
    _cookie("samesite-none-without-secure", "widget=1; SameSite=None", "major", "cookies-samesite-flag-invalid",
            "cookie-invalid"),
    _cookie("samesite-unknown-value", "theme=dark; Secure; SameSite=Bogus", "major", "cookies-samesite-flag-invalid",
            "cookie-invalid"),
    _cookie("samesite-without-value", "theme=dark; Secure; SameSite", "major", "cookies-samesite-flag-invalid",
            "cookie-invalid"),
    _cookie("host-prefix-valid", "__Host-pref=1; Secure; Path=/; SameSite=Strict", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok"),
    _cookie("host-prefix-with-domain", "__Host-pref=1; Secure; Path=/; Domain=example.com; SameSite=Lax", "major",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-prefix", "prefix"),
    _cookie("host-prefix-without-path", "__Host-pref=1; Secure; SameSite=Lax", "major",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-prefix", "prefix"),
    _cookie("secure-prefix-without-secure", "__Secure-pref=1; SameSite=Lax", "major",
            "cookies-without-secure-flag-but-protected-by-hsts", "cookie-prefix", "prefix"),
    _cookie("secure-prefix-valid", "__Secure-pref=1; Secure; SameSite=Lax", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok"),
    _cookie("csrf-token-with-samesite", "csrftoken=a; Secure; SameSite=Strict", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok"),
    _cookie("csrf-token-without-samesite", "csrftoken=a; Secure", "warn", "cookies-anticsrf-without-samesite-flag",
            "cookie-samesite", "anticsrf"),
    _cookie("jwt-readable-by-scripts", "jwt=eyJ.x.y; Secure; SameSite=Lax", "warn",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-token", "token"),
    _cookie("access-token-readable-by-scripts", "app_access_token=x; Secure; SameSite=Lax", "warn",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-token", "token"),
    _cookie("remember-me-readable-by-scripts", "remember_me=x; Secure; SameSite=Lax", "warn",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-token", "token"),
    _cookie("access-token-httponly", "access_token=x; Secure; HttpOnly; SameSite=Lax", "pass",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-ok"),
    _cookie("jwt-named-a-session-cookie", "jwt=eyJ.x.y; Secure; SameSite=Lax", "blocker",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-token", "strict",
            session_cookie_names=["jwt"]),
    _cookie("laravel-session-readable", "laravel_session=x; Secure; SameSite=Lax", "blocker",
            "cookies-session-without-httponly-flag", "cookie-session"),
    _cookie("jsessionid-without-secure", "JSESSIONID=x; HttpOnly; SameSite=Lax", "blocker",
            "cookies-session-without-secure-flag-but-protected-by-hsts", "cookie-session", "session-hsts"),
    _cookie("aspnetcore-auth-readable", ".AspNetCore.Cookies=x; Secure; SameSite=Lax", "blocker",
            "cookies-secure-with-httponly-sessions-and-samesite", "cookie-session", "names"),
    _cookie("deleted-session", "session=; Max-Age=0", "pass", "cookies-session-without-httponly-flag", "cookie-ok",
            "deleted"),
    _cookie("set-on-plain-http-page", "theme=dark; SameSite=Lax", "warn", "cookies-without-secure-flag",
            "cookie-secure", "plain-http-cookie", url=f"http://{A}/"),
    _cookie("good-preference-and-bad-session", ["theme=dark; Secure; SameSite=Lax", "sessionid=x; SameSite=Lax"],
            "blocker", "cookies-session-without-httponly-flag", "cookie-session"),
    # --- CORS: reflection, null, wildcard, with and without credentials -----------------------
    _cors("no-cors-anywhere", [cors_seen(FOREIGN_ORIGIN), cors_seen("null"), cors_seen(APP, APP)], "pass",
          "cross-origin-resource-sharing-not-implemented", "cors-ok"),
    _cors("allow-listed-with-credentials", [cors_seen(FOREIGN_ORIGIN), cors_seen(APP, APP, creds="true")], "pass",
          "cross-origin-resource-sharing-not-implemented", "cors-ok"),
    _cors("reflected-with-credentials", [cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN, creds="true")], "blocker",
          "cross-origin-resource-sharing-implemented-with-universal-access", "cors-creds"),
    _cors("reflected-without-credentials", [cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN)], "warn",
          "cross-origin-resource-sharing-implemented-with-restricted-access", "cors-reflect", "reflect"),
    _cors("reflected-without-credentials-forbidden", [cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN)], "major",
          "cross-origin-resource-sharing-implemented-with-restricted-access", "cors-reflect", "strict",
          forbid_wildcard=True),
    _cors("wildcard-public", [cors_seen(FOREIGN_ORIGIN, "*"), cors_seen(APP, "*")], "warn",
          "cross-origin-resource-sharing-implemented-with-public-access", "cors-public", "wildcard"),
    _cors("wildcard-allowed-by-config", [cors_seen(FOREIGN_ORIGIN, "*"), cors_seen(APP, "*")], "pass",
          "cross-origin-resource-sharing-implemented-with-public-access", "cors-public", allow_wildcard=True),
    _cors("wildcard-forbidden-by-config", [cors_seen(FOREIGN_ORIGIN, "*"), cors_seen(APP, "*")], "major",
          "cross-origin-resource-sharing-implemented-with-public-access", "cors-public", "strict",
          forbid_wildcard=True),
    _cors("wildcard-with-credentials", [cors_seen(FOREIGN_ORIGIN, "*", creds="true"), cors_seen(APP, APP)], "major",
          "cross-origin-resource-sharing-implemented-with-public-access", "cors-invalid", "star-creds"),
    _cors("null-without-credentials", [cors_seen(FOREIGN_ORIGIN), cors_seen("null", "null"), cors_seen(APP, APP)],
          "warn", "cross-origin-resource-sharing-not-implemented", "cors-reflect", "null"),
    _cors("null-with-credentials", [cors_seen(FOREIGN_ORIGIN), cors_seen("null", "null", creds="true"),
                                    cors_seen(APP, APP)], "blocker",
          "cross-origin-resource-sharing-not-implemented", "cors-creds", "null"),
    _cors("other-origin-without-credentials", [cors_seen(FOREIGN_ORIGIN, "https://partner.example")], "warn",
          "cross-origin-resource-sharing-implemented-with-restricted-access", "cors-ok", "outside"),
    _cors("other-origin-with-credentials", [cors_seen(FOREIGN_ORIGIN, "https://partner.example", creds="true")],
          "major", "cross-origin-resource-sharing-implemented-with-restricted-access", "cors-creds", "outside"),
    _cors("allow-listed-origin-for-everyone", [cors_seen(FOREIGN_ORIGIN, APP)], "pass",
          "cross-origin-resource-sharing-implemented-with-restricted-access", "cors-ok"),
    _cors("suffix-look-alike-reflected-with-credentials",
          [cors_seen(f"{APP}.gonogo-probe.example", f"{APP}.gonogo-probe.example", creds="true")], "blocker",
          "cross-origin-resource-sharing-implemented-with-universal-access", "cors-creds"),
    _cors("plain-http-twin-with-credentials", [cors_seen("http://app.example.com", "http://app.example.com",
                                                         creds="true")], "major",
          "cross-origin-resource-sharing-implemented-with-universal-access", "cors-creds",
          allowed_origins=[APP, "http://app.example.com"]),
    _cors("preflight-method-outside-plan", [cors_seen(FOREIGN_ORIGIN), cors_seen(APP, APP, method="OPTIONS",
                                                                               methods="GET, PATCH")],
          "major", "cross-origin-resource-sharing-not-implemented", "cors-ok", "methods",
          allowed_methods=["GET", "POST"]),
    _cors("reflected-on-api-path-only", [cors_seen(FOREIGN_ORIGIN), cors_seen(APP, APP),
                                         cors_seen(FOREIGN_ORIGIN, FOREIGN_ORIGIN, creds="true", path="/api/me")],
          "blocker", "cross-origin-resource-sharing-not-implemented", "cors-creds", "null"),
    _cors("two-grant-headers", [cors_seen(FOREIGN_ORIGIN), cors_seen(APP, (APP, APP))], "pass",
          "cross-origin-resource-sharing-not-implemented", "cors-ok"),
    # --- redirects: first hop, hosts, downgrades, loops, long chains, no listener -----------
    _redir("same-host-301", [f"301 http://{A}/ -> https://{A}/", f"200 https://{A}/"], "pass",
           "redirection-to-https", "redir-ok"),
    _redir("same-host-308", [f"308 http://{A}/ -> https://{A}/", f"200 https://{A}/"], "pass",
           "redirection-to-https", "redir-ok"),
    _redir("same-host-302", [f"302 http://{A}/ -> https://{A}/", f"200 https://{A}/"], "warn",
           "redirection-to-https", "redir-temp", "permanent"),
    _redir("same-host-307-permanent-required", [f"307 http://{A}/ -> https://{A}/", f"200 https://{A}/"],
           "blocker", "redirection-to-https", "redir-temp", "strict", redirect_require_permanent=True),
    _redir("no-redirect", [f"200 http://{A}/"], "blocker", "redirection-missing", "redir-missing"),
    _redir("http-then-https", [f"301 http://{A}/ -> http://{A}/x", f"301 http://{A}/x -> https://{A}/x",
                               f"200 https://{A}/x"], "major", "redirection-not-to-https-on-initial-redirection",
           "redir-http"),
    _redir("apex-to-www", ["301 http://example.com/ -> https://www.example.com/", "200 https://www.example.com/"],
           "warn", "redirection-off-host-from-http", "redir-host"),
    _redir("www-to-apex", ["301 http://www.example.com/ -> https://example.com/", "200 https://example.com/"],
           "warn", "redirection-off-host-from-http", "redir-host"),
    _redir("apex-to-www-co-uk", ["301 http://example.co.uk/ -> https://www.example.co.uk/",
                                 "200 https://www.example.co.uk/"], "warn", "redirection-off-host-from-http",
           "redir-host"),
    _redir("to-sibling-host", [f"301 http://{A}/ -> https://login.example.com/", "200 https://login.example.com/"],
           "warn", "redirection-off-host-from-http", "redir-host"),
    _redir("to-another-site", [f"301 http://{A}/ -> https://sso.example.net/", "200 https://sso.example.net/"],
           "major", "redirection-off-host-from-http", "redir-host", "offsite"),
    _redir("same-host-then-another-site", [f"301 http://{A}/ -> https://{A}/", f"302 https://{A}/ -> "
                                           "https://sso.example.net/", "200 https://sso.example.net/"], "pass",
           "redirection-to-https", "redir-ok"),
    _redir("ends-on-plain-http", [f"301 http://{A}/ -> https://{A}/", f"302 https://{A}/ -> http://{A}/login",
                                  f"200 http://{A}/login"], "blocker", "redirection-not-to-https", "redir-http"),
    _redir("downgrade-then-upgrade", [f"301 http://{A}/ -> https://{A}/", f"302 https://{A}/ -> http://{A}/x",
                                      f"301 http://{A}/x -> https://{A}/x", f"200 https://{A}/x"], "major",
           "redirection-to-https", "redir-http", "downgrade"),
    _redir("loop", [f"301 http://{A}/ -> https://{A}/", *[f"301 https://{A}/ -> https://{A}/"] * 10], "blocker",
           "redirection-to-https", "redir-loop", "loop", truncated=True),
    _redir("eleven-hops", [f"301 http://{A}/ -> https://{A}/1",
                           *[f"301 https://{A}/{i} -> https://{A}/{i + 1}" for i in range(1, 11)]], "blocker",
           "redirection-to-https", "redir-loop", "loop", truncated=True),
    _redir("five-hops-within-bound", [f"301 http://{A}/ -> https://{A}/1",
                                      *[f"302 https://{A}/{i} -> https://{A}/{i + 1}" for i in range(1, 5)],
                                      f"200 https://{A}/5"], "pass", "redirection-to-https", "redir-ok"),
    _redir("ports-differ-same-host", ["301 http://127.0.0.1:8080/ -> https://127.0.0.1:8443/",
                                      "200 https://127.0.0.1:8443/"], "pass", "redirection-to-https", "redir-ok"),
    _redir("host-case-differs", [f"301 http://APP.example.com/ -> https://{A}/", f"200 https://{A}/"], "pass",
           "redirection-to-https", "redir-ok"),
    _redir("ends-on-https-404", [f"301 http://{A}/x -> https://{A}/x", f"404 https://{A}/x"], "pass",
           "redirection-to-https", "redir-ok"),
    _redir("no-http-listener-with-hsts", None, "pass", "redirection-not-needed-no-http", "redir-none"),
    Row("no-http-listener-without-hsts", "redirect.https", None, "warn", "redirection-not-needed-no-http",
        "redir-none", "nolisten", {"page": good_page(without=[STS])}),
]


# -- judging a row ------------------------------------------------------------------------------


def severities() -> dict[str, Severity]:
    """Each check's catalogue severity (what a finding without its own weighs)."""
    return {cid: entry.spec.severity for cid, entry in catalogue.load(ROOT / "catalogue").items()}


def findings(row: Row) -> list[Finding]:
    """gonogo's findings for the row, with its settings."""
    config = dict(row.config)
    page_facts = config.pop("page", good_page())
    judges: dict[str, Callable[[], list[Finding]]] = {
        "headers.hsts": lambda: hsts.evaluate_hsts(row.facts, HeadersConfig(**config)),
        "headers.csp": lambda: csp.evaluate_csp(row.facts, HeadersConfig(**config)),
        "headers.frame": lambda: headers.evaluate_frame(row.facts, HeadersConfig(**config)),
        "headers.content-type-options": lambda: headers.evaluate_content_type_options(
            row.facts, HeadersConfig(**config)
        ),
        "headers.referrer-policy": lambda: headers.evaluate_referrer_policy(row.facts, HeadersConfig(**config)),
        "headers.cross-origin": lambda: headers.evaluate_cross_origin(row.facts, HeadersConfig(**config)),
        "cookies.flags": lambda: cookie_rules.evaluate_cookies(row.facts, CookiesConfig(**config)),
        "cors.policy": lambda: cors.evaluate_cors(row.facts, CorsConfig(**config)),
        "redirect.https": lambda: redirect.evaluate_redirect(row.facts, HeadersConfig(**config), page_facts),
    }
    return judges[row.check]()


_TESTS = {
    "headers.hsts": "strict-transport-security",
    "headers.csp": "content-security-policy",
    "headers.frame": "x-frame-options",
    "headers.content-type-options": "x-content-type-options",
    "headers.referrer-policy": "referrer-policy",
    "cookies.flags": "cookies",
    "cors.policy": "cross-origin-resource-sharing",
    "redirect.https": "redirection",
}


def observatory_code(row: Row) -> str | None:
    """The Observatory's result code for the row, from gonogo's emulation of its analyzer."""
    if row.check == "headers.cross-origin":
        test = {"coop": "cross-origin-opener-policy", "coep": "cross-origin-embedder-policy"}.get(
            row.situation.split("-")[0], "cross-origin-resource-policy"
        )
        return observatory.results(row.facts, GOOD_CHAIN, None, True)[test]
    test = _TESTS[row.check]
    if isinstance(row.facts, HttpFacts):
        return observatory.results(row.facts, GOOD_CHAIN, None, True)[test]
    if isinstance(row.facts, CookieFacts):
        url = row.facts.observations[0].url
        lines = [f"Set-Cookie: {o.set_cookie}" for o in row.facts.observations]
        return observatory.results(good_page(*lines, url=url), GOOD_CHAIN, None, True)[test]
    if isinstance(row.facts, CorsFacts):
        return observatory.results(good_page(), GOOD_CHAIN, row.facts, True)[test]
    if row.facts is None or isinstance(row.facts, RedirectChain):
        return observatory.results(good_page(), row.facts, None, True)[test]
    raise TypeError(row.facts)


def observatory_class(code: str | None) -> str | None:
    """pass (modifier >= 0), warn (-5, -10: a small deduction) or fail (-20 and below)."""
    if code is None:
        return None
    modifier = grade.MODIFIERS[code]
    return "pass" if modifier >= 0 else "warn" if modifier > -20 else "fail"


def agrees(expected: str, code: str | None) -> bool | None:
    """Whether gonogo's result agrees with the Observatory's (None: no such test there)."""
    if code is None:
        return None
    modifier = grade.MODIFIERS[code]
    if modifier >= 0:
        return expected == "pass"
    if modifier == -5:
        return expected == "warn"
    if modifier > -20:  # -10: a small deduction, not blocker-level
        return expected in ("warn", "major")
    return expected in ("major", "blocker")


# -- the document -----------------------------------------------------------------------------

_SECTIONS = {
    "headers.hsts": "Strict-Transport-Security (`headers.hsts`, blocker)",
    "headers.csp": "Content-Security-Policy (`headers.csp`, major)",
    "headers.frame": "Framing: X-Frame-Options and frame-ancestors (`headers.frame`, major)",
    "headers.content-type-options": "X-Content-Type-Options (`headers.content-type-options`, major)",
    "headers.referrer-policy": "Referrer-Policy (`headers.referrer-policy`, minor)",
    "headers.cross-origin": "COOP, COEP, CORP (`headers.cross-origin`, info)",
    "cookies.flags": "Cookies (`cookies.flags`, major)",
    "cors.policy": "CORS (`cors.policy`, major)",
    "redirect.https": "HTTP to HTTPS redirection (`redirect.https`, blocker)",
}

HEAD = """# Security grading: gonogo next to the HTTP Observatory and MDN

Generated from `tests/rules/grading_table.py` (`make docs`); `tests/rules/test_grading_table.py`
runs every row through gonogo's rule and through gonogo's emulation of the Observatory's
analyzer (`src/gonogo/rules/observatory.py`, algorithm version 6) and holds both to this table.

**gonogo's result** is what the engine makes of the check's findings with default settings
(unless the row names a setting): **pass**; **warn**: the check fails with a *minor* finding,
which never blocks a release (GO, named in the verdict line); **major**: CONDITIONAL;
**blocker**: NO-GO. Each finding carries its severity (`Finding.severity`) and the verdict
follows the worst one. The strict extras make a warning fail at the check's own severity:
`[headers] require_include_subdomains`, `require_hsts_min_max_age`, `require_base_uri`,
`require_nosniff`, `redirect_require_permanent`, `forbid_unsafe_inline_style`;
`[cookies] require_secure`, `require_samesite`, `session_cookie_names`; `[cors]
forbid_wildcard` ([environment-file.md](environment-file.md)).

**The Observatory's result** is its result code and score modifier. It *agrees* with gonogo when
a modifier of 0 or more meets a pass, -5 a warning, -10 a warning or a major (a small deduction,
never blocker-level), -20 or less a failure at the check's severity. **MDN** is its guidance
(HTTP header reference, practical security implementation guides) read as a strict gate: pass,
warn (recommended) or fail.

Duplicate header lines are read per header as browsers read them: HSTS applies the first line
(RFC 6797 §8.1; differing lines are a warning); X-Frame-Options takes the set of all values
(HTML: conflicting values block framing); every CSP line and comma-separated policy is enforced;
X-Content-Type-Options reads the first token of the joined lines; Referrer-Policy the last
valid token of the joined lines; COOP, COEP and CORP are read from the joined lines (two lines
are one invalid value); Permissions-Policy joins the lines into one dictionary; several
`Access-Control-Allow-Origin` lines make browsers refuse the response. The Observatory joins
every duplicate with ", " (its Node client), hence several rows below.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    """The rule table as markdown."""
    lines = [HEAD]
    agree = compared = mdn_agree = 0
    for check, title in _SECTIONS.items():
        rows = [r for r in ROWS if r.check == check]
        lines += [
            f"## {title}",
            "",
            "| situation | gonogo | Observatory | MDN | why gonogo differs |",
            "|---|---|---|---|---|",
        ]
        for row in rows:
            code = row.code
            obs = "not tested" if code is None else f"`{code}` ({grade.MODIFIERS[code]:+d})"
            mdn_class, mdn_text = MDN[row.mdn]
            setting = ", ".join(f"`{k} = {v!r}`" for k, v in row.config.items() if k not in ("allowed_origins",
                                                                                             "page"))
            result = row.expected + (f" ({setting})" if setting else "")
            lines.append(
                f"| {_cell(row.situation)} | {result} | {obs} | {mdn_class}: {_cell(mdn_text)} | "
                f"{_cell(WHY[row.why]) if row.why else ''} |"
            )
            verdict = agrees(row.expected, code)
            if verdict is not None:
                compared += 1
                agree += verdict
            mdn_agree += _mdn_agrees(row.expected, mdn_class)
        lines.append("")
    lines.append("## Agreement")
    lines.append("")
    defaults = [r for r in ROWS if r.why not in OPTED_IN]
    either = sum(
        bool(agrees(r.expected, r.code)) or _mdn_agrees(r.expected, MDN[r.mdn][0]) for r in defaults
    )
    lines.append(
        f"{len(ROWS)} situations; the Observatory tests {compared} of them, and gonogo's result "
        f"agrees with it on {agree} ({100 * agree / compared:.0f}%), each other row giving its "
        f"reason above; it agrees with MDN's guidance on {mdn_agree} of {len(ROWS)} "
        f"({100 * mdn_agree / len(ROWS):.0f}%). With default settings ({len(defaults)} "
        f"situations, leaving out the {len(ROWS) - len(defaults)} that opt into a strict extra), "
        f"gonogo agrees with at least one of the two references on {either} "
        f"({100 * either / len(defaults):.0f}%); the others follow the deployment plans (no "
        "CORS `*`, `[cors]`'s allow-list and methods) or what browsers do, each with its reason "
        "above."
    )
    return "\n".join(lines) + "\n"


OPTED_IN = ("strict", "required", "minimum")  # rows whose settings differ from the defaults


def _mdn_agrees(expected: str, mdn_class: str) -> bool:
    if mdn_class == "pass":
        return expected == "pass"
    if mdn_class == "warn":
        return expected == "warn"
    return expected in ("major", "blocker")


if __name__ == "__main__":
    sys.stdout.write(render())
