"""Content-Security-Policy as browsers parse it: policies, directives, sources, nonces.

The parsing half of ``headers.csp`` (:mod:`.csp` judges); ``headers.frame`` and the grade read
policies through it too. Pure functions of the response's headers and ``<head>`` metas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gonogo.facts.http import HttpFacts

NONCE_HASH = ("'nonce-", "'sha256-", "'sha384-", "'sha512-")
_NONCE_LIKE = tuple(p.rstrip("-") for p in NONCE_HASH)
META_IGNORED = ("frame-ancestors", "report-uri", "sandbox")
_SCHEME_ONLY = re.compile(r"^[a-z][a-z0-9+.-]*:$")
# CSP3 §2.3.1 source grammar; only these count as a nonce or hash (browsers ignore the rest)
_NONCE_HASH = re.compile(r"'(nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'")
_HOST_SOURCE = re.compile(
    r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?"
    r"(?P<host>\*(?:\.\*)?|(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)"
    r"(?::(?P<port>[0-9]+|\*))?(?P<path>/[^?#]*)?$"
)
# Without the public-suffix list: a wildcard over one label (*.com) or over a country code's
# generic second level (*.co.uk) is every site there; so is one over a shared-hosting suffix
# where anyone can publish (*.github.io).
_GENERIC_SLD = frozenset(
    {
        "ac", "co", "com", "edu", "gob", "gov", "govt", "gouv", "int", "ltd", "mil", "ne", "net",
        "nic", "nom", "or", "org", "plc", "sch", "web",
    }
)  # fmt: skip
SHARED_HOSTING = frozenset(
    {
        "amazonaws.com", "appspot.com", "azureedge.net", "azurewebsites.net", "blogspot.com",
        "cloudfront.net", "firebaseapp.com", "fly.dev", "github.io", "gitlab.io", "glitch.me",
        "googleusercontent.com", "herokuapp.com", "netlify.app", "ngrok.io", "ngrok-free.app",
        "onrender.com", "pages.dev", "s3.amazonaws.com", "surge.sh", "trycloudflare.com",
        "vercel.app", "web.app", "windows.net", "workers.dev",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Policy:
    """One parsed policy.

    Attributes:
        directives: (name, sources) in order, first occurrence of each name only.
        origin: ``header``, ``meta`` or ``report-only``.
        duplicates: directive names that were repeated (browsers ignore the repeats).
        raw: the policy text as received.
    """

    directives: tuple[tuple[str, tuple[str, ...]], ...]
    origin: str
    duplicates: tuple[str, ...] = ()
    raw: str = ""

    def get(self, name: str) -> tuple[str, ...] | None:
        for key, sources in self.directives:
            if key == name:
                return sources
        return None

    def first(self, *names: str) -> tuple[str, ...] | None:
        """The sources of the first of ``names`` the policy sets (the fallback chain)."""
        return next((found for n in names if (found := self.get(n)) is not None), None)

    def script_sources(self, kind: str = "elem") -> tuple[str, ...] | None:
        """Effective script sources for ``elem`` (``<script>``), ``attr`` (event handlers)
        or ``eval`` (string compilation, which only ``script-src`` governs)."""
        if kind == "eval":
            return self.first("script-src", "default-src")
        return self.first(f"script-src-{kind}", "script-src", "default-src")


def parse_policy(text: str, origin: str = "header") -> Policy:
    """Parse one serialized policy (``;``-separated directives)."""
    directives: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for part in text.split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if origin == "meta" and name in META_IGNORED:
            continue
        if name in seen:
            duplicates.append(name)
            continue
        seen.add(name)
        directives.append((name, tuple(_source(t) for t in tokens[1:])))
    return Policy(tuple(directives), origin, tuple(duplicates), text.strip())


def _source(token: str) -> str:
    lower = token.lower()
    # keywords and hosts are case-insensitive; the base64 of a nonce or hash is not
    for prefix in NONCE_HASH:
        if lower.startswith(prefix):
            return prefix + token[len(prefix) :]
    return lower


def policies(facts: HttpFacts, *, body_meta: bool = False) -> list[Policy]:
    """Every policy the response declares: headers, report-only headers, ``<meta>`` tags of the
    head (``body_meta``: also those outside it, which only the Observatory's reading counts)."""
    found = [
        parse_policy(p, "header")
        for v in facts.values("content-security-policy")
        for p in v.split(",")
    ]
    found += [
        parse_policy(p, "report-only")
        for v in facts.values("content-security-policy-report-only")
        for p in v.split(",")
    ]
    metas = facts.metas("content-security-policy", body=body_meta)
    found += [parse_policy(c, "meta") for c in metas]
    return [p for p in found if p.directives]


def enforced(facts: HttpFacts) -> list[Policy]:
    return [p for p in policies(facts) if p.origin != "report-only"]


def is_broad(source: str) -> bool:
    """A source that allows every site: a scheme-only source (``https:``, ``data:``), host
    ``*`` whatever its scheme, port or path (``*``, ``https://*:443``, ``*/js/``), or a
    wildcard over a public suffix (``*.com``, ``https://*.co.uk``, ``*.github.io``)."""
    if _SCHEME_ONLY.match(source):
        return True
    parsed = _HOST_SOURCE.match(source)
    if parsed is None:  # a keyword, a nonce/hash, or a source browsers ignore
        return False
    host = parsed["host"].rstrip(".")
    if host.startswith("*") and "." not in host.removeprefix("*.").removeprefix("*"):
        return True  # "*", "*.*" or "*.<one label>"
    return host.startswith("*.") and is_public_suffix(host[2:])


def is_public_suffix(domain: str) -> bool:
    """Whether anyone can have a site under ``domain`` (an approximation of the PSL)."""
    labels = domain.split(".")
    if len(labels) == 1 or domain in SHARED_HOSTING:
        return True
    return len(labels) == 2 and len(labels[1]) == 2 and labels[0] in _GENERIC_SLD


def is_nonce_hash(source: str) -> bool:
    """A well-formed ``'nonce-...'`` or ``'sha256|384|512-...'`` source (CSP3 grammar)."""
    return _NONCE_HASH.fullmatch(source) is not None


def malformed_nonce_hash(sources: tuple[str, ...]) -> list[str]:
    """Sources that look like a nonce or hash but that browsers ignore."""
    return [s for s in sources if s.lower().startswith(_NONCE_LIKE) and not is_nonce_hash(s)]


def nonces(facts: HttpFacts) -> set[str]:
    """The nonce values of the enforced policies (empty when none uses a nonce)."""
    return policy_nonces(enforced(facts))


def policy_nonces(found: list[Policy]) -> set[str]:
    """The nonce values of policies already parsed (well-formed ``'nonce-...'`` sources only)."""
    return {
        s[len("'nonce-") : -1]
        for p in found
        for _, sources in p.directives
        for s in sources
        if s.startswith("'nonce-") and is_nonce_hash(s)
    }


def frame_ancestors(facts: HttpFacts) -> list[tuple[str, ...]]:
    """``frame-ancestors`` of every enforced header policy (``<meta>`` cannot set it)."""
    found = [p.get("frame-ancestors") for p in enforced(facts) if p.origin == "header"]
    return [f for f in found if f is not None]
