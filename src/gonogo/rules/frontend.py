"""Front-end smoke rules. Check ids: ``smoke.index-cache``, ``smoke.assets``,
``smoke.mixed-content``.

Graded like the references: MDN's caching guide (an index revalidated on every load, hashed
assets ``max-age=31536000, immutable``), Lighthouse's text-compression audit, and the mixed
content spec (active content is blocked by browsers: the page breaks; passive content is
upgraded or warned about: a minor finding).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gonogo.model import Comparison, Finding, Severity, compare, expect, info

if TYPE_CHECKING:
    from gonogo.facts.frontend import Asset, FrontendFacts, Ref
    from gonogo.schema.smoke import Frontend

COMPRESSED = frozenset({"gzip", "br", "zstd", "deflate"})
TEXT_TYPES = re.compile(
    r"^(text/|application/(javascript|json|xml|manifest\+json)|image/svg\+xml)", re.IGNORECASE
)
# a content hash in a file name: app.3f2a9c1b.js, main-5XK2QZ7A.css, chunk_1a2b3c4d5e.js
_HASH = re.compile(
    r"[.\-_~]([0-9a-f]{8,}|(?=[A-Za-z0-9_]*\d)(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{8,})[.\-_~]"
)
_QUERY_HASH = re.compile(r"(^|&)(v|ver|version|h|hash|rev)=[\w.-]{6,}(&|$)")
# active mixed content (blocked): what can run code or change the page
_ACTIVE = frozenset({"script", "iframe", "object", "embed"})


def directives(header: str) -> dict[str, str]:
    """``Cache-Control`` as ``{directive: value}`` (names lower-cased)."""
    found = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name:
            found[name.strip().lower()] = value.strip().strip('"')
    return found


def max_age(header: str) -> int | None:
    """The freshness lifetime ``Cache-Control`` gives (s-maxage first), None when not stated."""
    found = directives(header)
    for key in ("s-maxage", "max-age"):
        if found.get(key, "").isdigit():
            return int(found[key])
    return None


def evaluate_index_cache(facts: FrontendFacts, frontend: Frontend) -> list[Finding]:
    """The index answers 200 and is revalidated on every load (no-cache, no-store, or a max-age
    within ``max_index_max_age_s``): after a deploy every user gets the new index."""
    findings = [compare("status", facts.status, Comparison.EQ, 200, what=f"GET {facts.url}")]
    header = facts.cache_control
    found = directives(header)
    age = max_age(header)
    fresh = "no-cache" in found or "no-store" in found
    ok = fresh or (age is not None and age <= frontend.max_index_max_age_s)
    shown = f"Cache-Control: {header}" if header else "no Cache-Control header"
    why = (
        ""
        if ok
        else (
            ": browsers may cache it heuristically"
            if not header
            else f": a cached index outlives a deploy by up to {age if age is not None else '?'} s"
        )
    )
    findings.append(
        Finding(
            "index_cache",
            ok,
            f"index {shown}{why}",
            measured=header or None,
            threshold=f"no-cache or max-age <= {frontend.max_index_max_age_s}",
            comparison=Comparison.EQ,
        )
    )
    return findings


def hashed(url: str) -> bool:
    """Whether the asset's name (or its query) carries a content hash or version."""
    parts = urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    return bool(_HASH.search(name) or _QUERY_HASH.search(parts.query))


def _asset(asset: Asset, frontend: Frontend) -> list[Finding]:
    name = urlsplit(asset.url).path
    if asset.status != 200:
        return [
            Finding(
                f"{name}:status",
                False,
                f"{name} answers {asset.status}: the page loads without it",
                asset.status,
                200,
                comparison=Comparison.EQ,
                severity=Severity.MAJOR,
            )
        ]
    found = []
    if not hashed(asset.url):
        found.append(
            expect(
                f"{name}:hashed",
                False,
                f"{name} has no content hash in its name: it cannot be "
                "cached long without serving stale code after a deploy",
                False,
                True,
            )
        )
    else:
        age = max_age(asset.cache_control)
        cached = "no-store" not in directives(asset.cache_control) and "no-cache" not in directives(
            asset.cache_control
        )
        found.append(
            compare(
                f"{name}:max_age",
                age if cached else 0,
                Comparison.GE,
                frontend.min_asset_max_age_s,
                unit="s",
                what=f"{name} cache max-age (Cache-Control: {asset.cache_control or 'absent'})",
            )
        )
    if TEXT_TYPES.match(asset.content_type) and asset.size >= frontend.min_compress_bytes:
        encoding = asset.content_encoding or "identity"
        found.append(
            expect(
                f"{name}:compressed",
                encoding in COMPRESSED,
                f"{name} ({asset.size} bytes of {asset.content_type}) served with "
                f"Content-Encoding {encoding}",
                encoding,
                sorted(COMPRESSED),
            )
        )
    return found


def evaluate_assets(facts: FrontendFacts, frontend: Frontend) -> list[Finding]:
    """Each same-origin script and stylesheet loads, is hashed and cached for
    ``min_asset_max_age_s``, and is compressed when it is text of ``min_compress_bytes`` or more."""
    if not facts.assets:
        return [info("assets", f"{facts.url} links no same-origin scripts or stylesheets", 0)]
    findings = [f for asset in facts.assets for f in _asset(asset, frontend)]
    findings.append(
        info(
            "assets",
            f"{len(facts.assets)} assets checked, {facts.left_out} not fetched",
            [a.url for a in facts.assets],
        )
    )
    return findings


def _mixed(ref: Ref) -> Finding:
    active = ref.tag in _ACTIVE or (ref.tag == "link" and "icon" not in ref.rel.split())
    kind = "active" if active else ("form" if ref.tag == "form" else "passive")
    severity = {"active": Severity.BLOCKER, "form": Severity.MAJOR, "passive": Severity.MINOR}[kind]
    effect = {
        "active": "browsers block it and the page breaks",
        "form": "the form submits in clear text",
        "passive": "browsers upgrade or flag it",
    }[kind]
    return Finding(
        f"mixed:{ref.tag}",
        False,
        f"<{ref.tag} {ref.attr}={ref.url}> on an https page ({kind} mixed content: {effect})",
        measured=ref.url,
        threshold="https://",
        severity=severity,
    )


def evaluate_mixed_content(facts: FrontendFacts) -> list[Finding]:
    """No subresource of an https page over plain http (active: blocker, form: major, passive
    such as images: minor)."""
    if not facts.url.startswith("https://"):
        return [info("https", f"{facts.url} is not served over https: no mixed content", 0)]
    mixed = [_mixed(r) for r in facts.refs if r.url.lower().startswith("http://")]
    return mixed or [
        info(
            "mixed",
            f"{len(facts.refs)} subresources of {facts.url}, all over https",
            len(facts.refs),
        )
    ]
