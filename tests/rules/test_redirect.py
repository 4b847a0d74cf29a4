"""Table tests of the HTTP → HTTPS redirect rule, on whole redirect chains."""


from __future__ import annotations

from typing import Any

import pytest
from factories import chain, failing, verdict

from gonogo.facts.http import RedirectChain
from gonogo.rules import redirect
from gonogo.schema.security import HeadersConfig

A, B = "app.example.com", "www.example.com"


def case(name: str, facts: RedirectChain, ok: bool, **config: Any) -> Any:
    return pytest.param(facts, config, ok, id=name)


CASES = [
    case("plans-nginx-301", chain(f"301 http://{A}/ -> https://{A}/", f"200 https://{A}/"), True),
    case("permanent-308", chain(f"308 http://{A}/ -> https://{A}/", f"200 https://{A}/"), True),
    case("temporary-302", chain(f"302 http://{A}/ -> https://{A}/", f"200 https://{A}/"), False),
    case("temporary-307-required-permanent", chain(f"307 http://{A}/ -> https://{A}/", f"200 https://{A}/"), False,
         redirect_require_permanent=True),
    case("no-redirect", chain(f"200 http://{A}/"), False),
    case("http-then-https", chain(f"301 http://{A}/ -> http://{A}/x", f"301 http://{A}/x -> https://{A}/x",
                                  f"200 https://{A}/x"), False),
    case("across-hosts-first-hop", chain(f"301 http://{A}/ -> https://{B}/", f"200 https://{B}/"), False),
    case("same-host-then-other-host", chain(f"301 http://{A}/ -> https://{A}/", f"301 https://{A}/ -> https://{B}/",
                                            f"200 https://{B}/"), True),
    case("downgrade-at-the-end", chain(f"301 http://{A}/ -> https://{A}/", f"302 https://{A}/ -> http://{A}/login",
                                       f"200 http://{A}/login"), False),
    case("downgrade-then-upgrade", chain(f"301 http://{A}/ -> https://{A}/", f"302 https://{A}/ -> http://{B}/",
                                         f"301 http://{B}/ -> https://{B}/", f"200 https://{B}/"), False),
    case("redirect-loop", chain(f"301 http://{A}/ -> https://{A}/", f"301 https://{A}/ -> https://{A}/",
                                truncated=True), False),
    case("ports-differ-same-host", chain("301 http://127.0.0.1:8080/ -> https://127.0.0.1:8443/",
                                         "200 https://127.0.0.1:8443/"), True),
    case("host-case-differs", chain(f"301 http://APP.example.com/ -> https://{A}/", f"200 https://{A}/"), True),
    case("starts-at-https", chain(f"200 https://{A}/"), False),
    case("ends-on-https-error-page", chain(f"301 http://{A}/x -> https://{A}/x", f"404 https://{A}/x"), True),
]


@pytest.mark.parametrize(("facts", "config", "ok"), CASES)
def test_redirect_table(facts: RedirectChain, config: dict[str, Any], ok: bool) -> None:
    """Each redirect chain passes or fails the HTTPS redirect check."""
    findings = redirect.evaluate_redirect(facts, HeadersConfig(**config))
    assert verdict(findings) is ok, [f.message for f in findings]


@pytest.mark.parametrize(
    ("facts", "names"),
    [
        (chain(f"302 http://{A}/ -> https://{A}/", f"200 https://{A}/"), {"permanent"}),
        (chain(f"301 http://{A}/ -> https://{B}/", f"200 https://{B}/"), {"first_hop_host"}),
        (chain(f"301 http://{A}/ -> http://{A}/x", f"301 http://{A}/x -> https://{A}/", f"200 https://{A}/"),
         {"first_hop_scheme"}),
        (chain(f"301 http://{A}/ -> https://{A}/", f"302 https://{A}/ -> http://{A}/", f"200 http://{A}/"),
         {"no_downgrade", "final"}),
    ],
    ids=["temporary", "off-host", "http-first", "downgrade"],
)
def test_redirect_failures_are_named(facts: RedirectChain, names: set[str]) -> None:
    """A failing chain names exactly the property it breaks."""
    assert failing(redirect.evaluate_redirect(facts, HeadersConfig())) == names


def test_chain_is_evidence() -> None:
    """The whole chain is recorded, hop by hop."""
    findings = redirect.evaluate_redirect(chain(f"301 http://{A}/ -> https://{A}/", f"200 https://{A}/"), HeadersConfig())
    assert findings[0].measured == [f"301 http://{A}/ -> https://{A}/", f"200 https://{A}/"]
