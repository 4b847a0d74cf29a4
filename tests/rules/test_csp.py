"""Table tests of the CSP rule: policies as browsers enforce them, judged for script safety."""


from __future__ import annotations

from typing import Any

import pytest
from factories import failing, page, verdict

from gonogo.rules import csp
from gonogo.schema.security import HeadersConfig

H = "Content-Security-Policy"
SAFE = "object-src 'none'; base-uri 'self'"  # appended where the case is about script sources


def case(name: str, facts: Any, ok: bool, **config: Any) -> Any:
    return pytest.param(facts, config, ok, id=name)


CASES = [
    case("strict-self", page(f"{H}: default-src 'self'; {SAFE}"), True),
    case("no-policy", page(), False),
    case("report-only-does-not-count", page(f"{H}-Report-Only: default-src 'self'; {SAFE}"), False),
    case("report-only-beside-enforced", page(f"{H}-Report-Only: default-src 'none'", f"{H}: default-src 'self'; {SAFE}"),
         True),
    case("unsafe-inline", page(f"{H}: script-src 'self' 'unsafe-inline'; {SAFE}"), False),
    case("unsafe-inline-with-nonce", page(f"{H}: script-src 'nonce-R4nd0m' 'unsafe-inline'; {SAFE}"), True),
    case("unsafe-inline-with-hash", page(f"{H}: script-src 'sha256-AbC+/=' 'unsafe-inline'; {SAFE}"), True),
    case("unsafe-eval", page(f"{H}: script-src 'self' 'unsafe-eval'; {SAFE}"), False),
    case("wasm-unsafe-eval-is-fine", page(f"{H}: script-src 'self' 'wasm-unsafe-eval'; {SAFE}"), True),
    case("strict-dynamic-with-nonce-and-fallbacks",
         page(f"{H}: script-src 'strict-dynamic' 'nonce-R4nd0m' 'unsafe-inline' https: http:; {SAFE}"), True),
    case("strict-dynamic-with-hash", page(f"{H}: script-src 'strict-dynamic' 'sha384-xyz'; {SAFE}"), True),
    case("strict-dynamic-without-nonce", page(f"{H}: script-src 'strict-dynamic' 'self'; {SAFE}"), False),
    case("strict-dynamic-nonce-still-unsafe-eval",
         page(f"{H}: script-src 'strict-dynamic' 'nonce-R4nd0m' 'unsafe-eval'; {SAFE}"), False),
    case("wildcard", page(f"{H}: script-src *; {SAFE}"), False),
    case("scheme-only-https", page(f"{H}: script-src 'self' https:; {SAFE}"), False),
    case("scheme-only-data", page(f"{H}: script-src 'self' data:; {SAFE}"), False),
    case("scheme-only-http", page(f"{H}: script-src http:; {SAFE}"), False),
    case("scheme-only-blob", page(f"{H}: script-src 'self' blob:; {SAFE}"), False),
    case("wildcard-host-https", page(f"{H}: script-src https://*; {SAFE}"), False),
    case("plain-http-cdn-on-https-page", page(f"{H}: script-src 'self' http://cdn.example.com; {SAFE}"), False),
    case("https-cdn", page(f"{H}: script-src 'self' https://cdn.example.com; {SAFE}"), True),
    case("subdomain-wildcard-host-is-specific", page(f"{H}: script-src https://*.example.com; {SAFE}"), True),
    case("fallback-to-default-src", page(f"{H}: default-src 'self'; base-uri 'none'"), True),
    case("fallback-default-src-unsafe-inline", page(f"{H}: default-src 'self' 'unsafe-inline'; {SAFE}"), False),
    case("no-script-or-default-src", page(f"{H}: img-src 'self'; {SAFE}"), False),
    case("object-src-falls-back-to-wildcard", page(f"{H}: default-src *; script-src 'self'; base-uri 'self'"), False),
    case("object-src-missing", page(f"{H}: script-src 'self'; base-uri 'self'"), False),
    case("object-src-not-required", page(f"{H}: script-src 'self'; base-uri 'self'"), True,
         require_object_src=False),
    case("base-uri-missing", page(f"{H}: default-src 'self'"), False),
    case("base-uri-does-not-fall-back", page(f"{H}: default-src 'none'; script-src 'self'"), False),
    case("base-uri-not-required", page(f"{H}: default-src 'self'"), True, require_base_uri=False),
    case("base-uri-wildcard", page(f"{H}: default-src 'self'; base-uri *"), False),
    case("two-headers-one-strict", page(f"{H}: script-src 'unsafe-inline' 'self'", f"{H}: default-src 'self'; {SAFE}"),
         True),
    case("two-headers-both-unsafe", page(f"{H}: script-src 'unsafe-inline'; {SAFE}", f"{H}: script-src * 'unsafe-inline'"),
         False),
    case("comma-separated-policies", page(f"{H}: script-src 'unsafe-inline', default-src 'self'; {SAFE}"), True),
    case("duplicate-directive-first-wins", page(f"{H}: script-src 'self'; script-src 'unsafe-inline'; {SAFE}"), True),
    case("duplicate-directive-first-unsafe", page(f"{H}: script-src 'unsafe-inline'; script-src 'self'; {SAFE}"),
         False),
    case("meta-only-policy", page(meta=[("content-security-policy", f"default-src 'self'; {SAFE}")]), True),
    case("meta-unsafe-policy", page(meta=[("content-security-policy", f"script-src *; {SAFE}")]), False),
    case("upper-case-names-and-keywords", page("content-security-policy: SCRIPT-SRC 'SELF'; OBJECT-SRC 'NONE'; "
                                               "BASE-URI 'SELF'"), True),
    case("style-unsafe-inline-noted", page(f"{H}: default-src 'self'; style-src 'self' 'unsafe-inline'; {SAFE}"), True),
    case("style-unsafe-inline-forbidden", page(f"{H}: default-src 'self'; style-src 'unsafe-inline'; {SAFE}"), False,
         forbid_unsafe_inline_style=True),
    case("passive-http-images-noted", page(f"{H}: default-src 'self'; img-src http:; {SAFE}"), True),
    case("active-http-connect", page(f"{H}: default-src 'self'; connect-src http://api.example.com; {SAFE}"), False),
    # --- script-src-elem / script-src-attr: each judged on its own effective list -----------
    case("elem-overrides-strict-script-src",
         page(f"{H}: default-src 'self'; script-src 'self'; script-src-elem * 'unsafe-inline'; object-src 'none'; "
              "base-uri 'none'"), False),
    case("elem-unsafe-inline-only", page(f"{H}: script-src 'self'; script-src-elem 'self' 'unsafe-inline'; {SAFE}"),
         False),
    case("elem-scheme-only", page(f"{H}: script-src 'self'; script-src-elem https:; {SAFE}"), False),
    case("attr-unsafe-inline", page(f"{H}: script-src 'self'; script-src-attr 'unsafe-inline'; {SAFE}"), False),
    case("attr-unsafe-inline-despite-nonce-in-script-src",
         page(f"{H}: script-src 'nonce-R4nd0m'; script-src-attr 'unsafe-inline'; {SAFE}"), False),
    case("elem-and-attr-tighten-unsafe-script-src",
         page(f"{H}: script-src 'unsafe-inline'; script-src-elem 'self'; script-src-attr 'none'; {SAFE}"), True),
    case("elem-strict-attr-falls-back-to-unsafe-script-src",
         page(f"{H}: script-src 'self' 'unsafe-inline'; script-src-elem 'self'; {SAFE}"), False),
    case("elem-only-leaves-attributes-unrestricted", page(f"{H}: script-src-elem 'self'; {SAFE}"), False),
    case("elem-strict-dynamic-with-nonce",
         page(f"{H}: script-src 'self'; script-src-elem 'strict-dynamic' 'nonce-R4nd0m' https:; {SAFE}"), True),
    case("unsafe-eval-in-elem-is-inert", page(f"{H}: script-src 'self'; script-src-elem 'self' 'unsafe-eval'; {SAFE}"),
         True),
    case("unsafe-eval-in-script-src-beside-elem",
         page(f"{H}: script-src 'self' 'unsafe-eval'; script-src-elem 'self'; {SAFE}"), False),
    case("attr-with-elem-from-default-src",
         page(f"{H}: default-src 'self'; script-src-attr 'unsafe-inline' 'unsafe-hashes'; {SAFE}"), False),
    case("two-policies-elem-weak-in-one-only",
         page(f"{H}: script-src 'self'; script-src-elem *; {SAFE}", f"{H}: script-src 'self'; {SAFE}"), True),
]


@pytest.mark.parametrize(("facts", "config", "ok"), CASES)
def test_csp_table(facts: Any, config: dict[str, Any], ok: bool) -> None:
    """Each policy passes or fails as the browser would enforce it."""
    findings = csp.evaluate_csp(facts, HeadersConfig(**config))
    assert verdict(findings) is ok, [f.message for f in findings]


def test_report_only_is_named_in_the_failure() -> None:
    """A site with only a Report-Only policy is told that it enforces nothing."""
    [finding] = csp.evaluate_csp(page(f"{H}-Report-Only: default-src 'self'"), HeadersConfig())
    assert not finding.ok and "Report-Only" in finding.message


def test_meta_policy_is_noted() -> None:
    """A policy only in <meta> passes with a note, and its frame-ancestors is reported as ignored."""
    facts = page(meta=[("content-security-policy", f"default-src 'self'; frame-ancestors 'none'; {SAFE}")])
    names = {f.name for f in csp.evaluate_csp(facts, HeadersConfig())}
    assert {"meta_only", "meta_ignored"} <= names
    assert csp.frame_ancestors(facts) == []


def test_script_failure_names_every_weakness() -> None:
    """The script finding lists each weakness that every enforced policy shares."""
    findings = csp.evaluate_csp(page(f"{H}: script-src * 'unsafe-inline' 'unsafe-eval'; {SAFE}"), HeadersConfig())
    assert failing(findings) == {"script_src"}
    message = next(f.message for f in findings if f.name == "script_src")
    assert "'unsafe-inline'" in message and "'unsafe-eval'" in message and "wildcard" in message


def test_parser_keeps_nonce_case_and_first_directive() -> None:
    """Keywords are lower-cased, nonce values are not, and repeated directives are recorded."""
    policy = csp.parse_policy("Script-Src 'SELF' 'nonce-AbCd'; script-src *")
    assert policy.get("script-src") == ("'self'", "'nonce-AbCd'")
    assert policy.duplicates == ("script-src",)


def test_elem_override_is_named_in_the_failure() -> None:
    """A weak script-src-elem fails with a message naming <script> elements and both lists shown."""
    facts = page(f"{H}: script-src 'self'; script-src-elem * 'unsafe-inline'; {SAFE}")
    finding = next(f for f in csp.evaluate_csp(facts, HeadersConfig()) if f.name == "script_src")
    assert not finding.ok and "<script> elements" in finding.message
    assert finding.measured == ["elem: * 'unsafe-inline' | attr: 'self'"]
