"""[web] URLs are kept exactly as configured; site paths join onto base_url without a double /."""

from __future__ import annotations

import pytest

from gonogo.schema.web import WebConfig


@pytest.mark.parametrize(
    ("base_url", "http_url"),
    [
        ("https://app.example.com", None),
        ("https://app.example.com/", "http://app.example.com/"),
        ("https://app.example.com/shop/", "http://app.example.com/shop/"),
        ("https://app.example.com/shop", "http://app.example.com/shop"),
    ],
    ids=["bare", "trailing-slash", "path-with-slash", "path-without-slash"],
)
def test_base_and_http_url_are_kept_exactly(base_url: str, http_url: str | None) -> None:
    """A trailing / is not stripped: /shop and /shop/ can be different pages on a real site."""
    web = WebConfig(base_url=base_url, http_url=http_url)
    assert (web.base_url, web.http_url) == (base_url, http_url)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://app.example.com", "https://app.example.com/health"),
        ("https://app.example.com/", "https://app.example.com/health"),
        ("https://app.example.com/shop/", "https://app.example.com/shop/health"),
    ],
    ids=["bare", "trailing-slash", "under-a-path"],
)
def test_site_paths_join_without_a_double_slash(base_url: str, expected: str) -> None:
    """WebConfig.url appends a site path (/health, /login) under base_url with one /."""
    assert WebConfig(base_url=base_url).url("/health") == expected
