"""Table tests of the front-end smoke rules: index caching, hashed/cached/compressed assets,
and mixed content graded by kind."""

from __future__ import annotations

import pytest

from gonogo.facts.frontend import Asset, FrontendFacts, Ref
from gonogo.model import Finding, Severity
from gonogo.rules import frontend
from gonogo.schema.smoke import Frontend

CFG = Frontend()
SITE = "https://shop.example.com"
YEAR = "public, max-age=31536000, immutable"


def page(
    cache: str = "no-cache",
    status: int = 200,
    refs: tuple[Ref, ...] = (),
    assets: tuple[Asset, ...] = (),
) -> FrontendFacts:
    return FrontendFacts(f"{SITE}/", status, cache, "", refs, assets)


def asset(
    name: str = "app.3f2a9c1b7d.js",
    cache: str = YEAR,
    encoding: str = "gzip",
    size: int = 5000,
    status: int = 200,
    kind: str = "application/javascript",
) -> Asset:
    return Asset(f"{SITE}/static/{name}", status, cache, encoding, kind, size)


def failed(findings: list[Finding]) -> set[str]:
    return {f.name for f in findings if not f.ok}


@pytest.mark.parametrize(
    ("cache", "ok"),
    [
        ("no-cache", True),
        ("no-store", True),
        ("private, no-cache, must-revalidate", True),
        ("max-age=0, must-revalidate", True),
        ("public, max-age=86400", False),
        ("public, s-maxage=600, max-age=0", False),
        ("", False),
        ("public", False),
    ],
    ids=["no-cache", "no-store", "private-no-cache", "max-age-0", "a-day", "cdn-ten-minutes",
         "absent", "public-heuristic"],
)  # fmt: skip
def test_index_cache(cache: str, ok: bool) -> None:
    """Only an index revalidated on every load passes; a cached or heuristic one fails."""
    assert failed(frontend.evaluate_index_cache(page(cache), CFG)) == (
        set() if ok else {"index_cache"}
    )


def test_index_cache_allows_a_configured_max_age() -> None:
    """``max_index_max_age_s`` lets a short CDN max-age pass."""
    cfg = Frontend(max_index_max_age_s=60)
    assert failed(frontend.evaluate_index_cache(page("max-age=60"), cfg)) == set()
    assert failed(frontend.evaluate_index_cache(page("max-age=61"), cfg)) == {"index_cache"}


def test_index_status_fails_too() -> None:
    """An index that does not answer 200 fails whatever its headers say."""
    assert failed(frontend.evaluate_index_cache(page(status=503), CFG)) == {"status"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/static/app.3f2a9c1b.js", True),
        ("/static/main-5XK2QZ7A.css", True),
        ("/static/chunk_1a2b3c4d5e.js", True),
        ("/static/app.js?v=20261206", True),
        ("/static/app.js", False),
        ("/static/jquery-3.6.0.min.js", False),
        ("/static/app.4f1d2e.css", False),
        ("/static/bootstrap.bundle.js", False),
    ],
    ids=["hex", "base32", "underscore", "query-version", "plain", "semver", "six-hex", "words"],
)
def test_hashed(url: str, expected: bool) -> None:
    """A content hash (8+ hex, or 8+ letters and digits) or a ?v= version marks a hashed asset."""
    assert frontend.hashed(SITE + url) is expected


@pytest.mark.parametrize(
    ("assets", "bad"),
    [
        ((asset(), asset("app.77aa88bb99.css", kind="text/css")), set()),
        ((asset(cache="no-cache"),), {"/static/app.3f2a9c1b7d.js:max_age"}),
        ((asset(cache="public, max-age=3600"),), {"/static/app.3f2a9c1b7d.js:max_age"}),
        ((asset(cache=""),), {"/static/app.3f2a9c1b7d.js:max_age"}),
        ((asset(encoding=""),), {"/static/app.3f2a9c1b7d.js:compressed"}),
        ((asset(encoding="br"),), set()),
        ((asset(encoding="", size=500),), set()),
        ((asset(encoding="", kind="image/png"),), set()),
        ((asset("app.js"),), {"/static/app.js:hashed"}),
        ((asset(status=404),), {"/static/app.3f2a9c1b7d.js:status"}),
        ((), set()),
    ],
    ids=["clean", "no-cache", "an-hour", "no-header", "uncompressed", "brotli", "small",
         "binary", "unhashed", "missing", "no-assets"],
)  # fmt: skip
def test_evaluate_assets(assets: tuple[Asset, ...], bad: set[str]) -> None:
    """Each asset loads, is hashed, cached a year and compressed when large text."""
    assert failed(frontend.evaluate_assets(page(assets=assets), CFG)) == bad


def test_a_failing_asset_is_major() -> None:
    """An asset that does not load is a major finding of the minor check."""
    (bad,) = [
        f for f in frontend.evaluate_assets(page(assets=(asset(status=500),)), CFG) if not f.ok
    ]
    assert bad.severity is Severity.MAJOR


def ref(tag: str, url: str, rel: str = "", attr: str = "src") -> Ref:
    return Ref(tag, attr, rel, url)


@pytest.mark.parametrize(
    ("refs", "severities"),
    [
        ((ref("script", f"{SITE}/a.js"), ref("img", f"{SITE}/b.png")), []),
        ((ref("script", "http://cdn.example.com/a.js"),), [Severity.BLOCKER]),
        ((ref("link", "http://cdn.example.com/a.css", "stylesheet", "href"),), [Severity.BLOCKER]),
        ((ref("iframe", "http://ads.example.com/"),), [Severity.BLOCKER]),
        ((ref("img", "http://cdn.example.com/b.png"),), [Severity.MINOR]),
        ((ref("link", "http://cdn.example.com/i.ico", "icon", "href"),), [Severity.MINOR]),
        ((ref("form", "http://shop.example.com/pay", attr="action"),), [Severity.MAJOR]),
        ((ref("script", "HTTP://cdn.example.com/a.js"),), [Severity.BLOCKER]),
    ],
    ids=["all-https", "script", "stylesheet", "iframe", "image", "icon", "form", "upper-case"],
)
def test_evaluate_mixed_content(refs: tuple[Ref, ...], severities: list[Severity]) -> None:
    """Active mixed content is a blocker, a form major, passive content minor."""
    findings = frontend.evaluate_mixed_content(page(refs=refs))
    assert [f.severity for f in findings if not f.ok] == severities
