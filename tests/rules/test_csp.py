"""Table tests of the CSP rule: policies as browsers enforce them, judged for script safety."""


from __future__ import annotations

from typing import Any

import pytest
from factories import failing, not_verified, page, verdict

from gonogo.rules import csp, csp_parse
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
    case("base-uri-missing-is-a-warning", page(f"{H}: default-src 'self'"), False, require_base_uri=False),
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
    case("passive-http-images-warned", page(f"{H}: default-src 'self'; img-src http:; {SAFE}"), False),
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
    # --- host sources parsed: host * is every host whatever its port or path ---------------
    case("wildcard-host-with-port", page(f"{H}: script-src https://*:443; {SAFE}"), False),
    case("star-with-port", page(f"{H}: script-src *:443; {SAFE}"), False),
    case("star-with-any-port", page(f"{H}: script-src https://*:*; {SAFE}"), False),
    case("wildcard-host-with-path", page(f"{H}: script-src https://*/js/; {SAFE}"), False),
    case("star-with-path", page(f"{H}: script-src */js/app.js; {SAFE}"), False),
    case("wildcard-over-tld", page(f"{H}: script-src *.com; {SAFE}"), False),
    case("wildcard-over-tld-https", page(f"{H}: script-src https://*.com; {SAFE}"), False),
    case("wildcard-over-co-uk", page(f"{H}: script-src https://*.co.uk; {SAFE}"), False),
    case("wildcard-over-shared-hosting", page(f"{H}: script-src https://*.github.io; {SAFE}"), False),
    case("wildcard-over-trailing-dot-tld", page(f"{H}: script-src https://*.com.; {SAFE}"), False),
    case("wildcard-own-domain-with-port-and-path", page(f"{H}: script-src https://*.example.co.uk:443/js/; {SAFE}"),
         True),
    case("host-with-port-is-specific", page(f"{H}: script-src https://cdn.example.com:8443/js/; {SAFE}"), True),
    case("object-src-wildcard-port", page(f"{H}: default-src 'self'; object-src https://*:443; base-uri 'self'"),
         False),
    case("base-uri-wildcard-path", page(f"{H}: default-src 'self'; object-src 'none'; base-uri https://*/"), False),
    # --- only a well-formed nonce or hash makes 'unsafe-inline' inert -----------------------
    case("empty-nonce", page(f"{H}: script-src 'self' 'unsafe-inline' 'nonce-'; {SAFE}"), False),
    case("template-placeholder-nonce", page(f"{H}: script-src 'unsafe-inline' 'nonce-{{{{nonce}}}}'; {SAFE}"), False),
    case("unclosed-nonce", page(f"{H}: script-src 'unsafe-inline' 'nonce-abc; {SAFE}"), False),
    case("empty-hash", page(f"{H}: script-src 'unsafe-inline' 'sha256-'; {SAFE}"), False),
    case("unknown-hash-algorithm", page(f"{H}: script-src 'unsafe-inline' 'sha1-AbCd'; {SAFE}"), False),
    case("nonce-with-padding", page(f"{H}: script-src 'unsafe-inline' 'nonce-AbC+/9=='; {SAFE}"), True),
    case("nonce-url-safe-base64", page(f"{H}: script-src 'unsafe-inline' 'nonce-a_b-C'; {SAFE}"), True),
    case("nonce-upper-case-prefix", page(f"{H}: script-src 'unsafe-inline' 'NONCE-R4nd0m'; {SAFE}"), True),
    case("nonce-too-much-padding", page(f"{H}: script-src 'unsafe-inline' 'nonce-abc==='; {SAFE}"), False),
    case("strict-dynamic-with-malformed-nonce", page(f"{H}: script-src 'strict-dynamic' 'nonce-{{{{n}}}}'; {SAFE}"),
         False),
    case("style-unsafe-inline-with-empty-nonce-forbidden",
         page(f"{H}: default-src 'self'; style-src 'unsafe-inline' 'nonce-'; {SAFE}"), False,
         forbid_unsafe_inline_style=True),
    # --- a <meta> policy only counts inside <head> ------------------------------------------
    case("meta-in-body-ignored", page(body_meta=[("content-security-policy", f"default-src 'self'; {SAFE}")]), False),
    case("meta-in-body-does-not-tighten", page(f"{H}: script-src * 'unsafe-inline'; {SAFE}",
                                               body_meta=[("content-security-policy", f"default-src 'self'; {SAFE}")]),
         False),
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
    assert csp_parse.frame_ancestors(facts) == []


def test_script_failure_names_every_weakness() -> None:
    """The script finding lists each weakness that every enforced policy shares."""
    findings = csp.evaluate_csp(page(f"{H}: script-src * 'unsafe-inline' 'unsafe-eval'; {SAFE}"), HeadersConfig())
    assert failing(findings) == {"script_src"}
    message = next(f.message for f in findings if f.name == "script_src")
    assert "'unsafe-inline'" in message and "'unsafe-eval'" in message and "wildcard" in message


def test_parser_keeps_nonce_case_and_first_directive() -> None:
    """Keywords are lower-cased, nonce values are not, and repeated directives are recorded."""
    policy = csp_parse.parse_policy("Script-Src 'SELF' 'nonce-AbCd'; script-src *")
    assert policy.get("script-src") == ("'self'", "'nonce-AbCd'")
    assert policy.duplicates == ("script-src",)


def test_elem_override_is_named_in_the_failure() -> None:
    """A weak script-src-elem fails with a message naming <script> elements and both lists shown."""
    facts = page(f"{H}: script-src 'self'; script-src-elem * 'unsafe-inline'; {SAFE}")
    finding = next(f for f in csp.evaluate_csp(facts, HeadersConfig()) if f.name == "script_src")
    assert not finding.ok and "<script> elements" in finding.message
    assert finding.measured == ["elem: * 'unsafe-inline' | attr: 'self'"]


def test_malformed_nonce_is_named() -> None:
    """A malformed nonce is named in the failure: browsers ignore it, 'unsafe-inline' stays active."""
    facts = page(f"{H}: script-src 'unsafe-inline' 'nonce-{{{{nonce}}}}'; {SAFE}")
    finding = next(f for f in csp.evaluate_csp(facts, HeadersConfig()) if f.name == "script_src")
    assert not finding.ok and "'nonce-{{nonce}}'" in finding.message and "ignored by browsers" in finding.message


NONCED = f"{H}: script-src 'nonce-R4nd0mOne' 'strict-dynamic'; {SAFE}"


@pytest.mark.parametrize(
    ("second", "ok"),
    [
        (page(NONCED), False),
        (page(f"{H}: script-src 'nonce-0therN0nce' 'strict-dynamic'; {SAFE}"), True),
        (page(f"{H}: script-src 'nonce-0therN0nce' 'strict-dynamic'", f"{H}: script-src 'nonce-R4nd0mOne'"), False),
    ],
    ids=["same-nonce-twice", "fresh-nonce", "old-nonce-in-a-second-policy"],
)
def test_fixed_nonce_fails(second: Any, ok: bool) -> None:
    """A nonce repeated on a second response of the page fails (an attacker can reuse it); the
    evidence shows fingerprints of both, never the nonces."""
    findings = csp.evaluate_csp(page(NONCED), HeadersConfig(), second)
    nonce = next(f for f in findings if f.name == "nonce")
    assert nonce.ok is ok and verdict(findings) is ok
    assert "R4nd0mOne" not in str(nonce.measured) and "sha256:" in str(nonce.measured)


def test_nonce_reuse_needs_a_second_page() -> None:
    """A second response that is not a document leaves the nonce check not verified."""
    findings = csp.evaluate_csp(page(NONCED), HeadersConfig(), page(NONCED, status=503))
    assert not_verified(findings).name == "nonce"


def test_no_nonce_no_second_look() -> None:
    """A policy without a nonce records nothing about nonce reuse."""
    findings = csp.evaluate_csp(page(f"{H}: default-src 'self'; {SAFE}"), HeadersConfig(), None)
    assert verdict(findings) and not any(f.name == "nonce" for f in findings)


def test_meta_outside_head_is_noted() -> None:
    """A CSP <meta> in the body is reported as ignored, beside the policy that does count."""
    facts = page(f"{H}: default-src 'self'; {SAFE}", body_meta=[("content-security-policy", "script-src *")])
    findings = csp.evaluate_csp(facts, HeadersConfig())
    assert verdict(findings) and any(f.name == "meta_outside_head" for f in findings)


@pytest.mark.parametrize(
    ("source", "broad"),
    [("*", True), ("https://*", True), ("https://*:443", True), ("*/path/", True), ("wss://*", True),
     ("https:", True), ("data:", True), ("*.com", True), ("https://*.co.uk", True), ("*.herokuapp.com", True),
     ("https://*.example.com", False), ("https://a.example.com:*", False), ("https://*.example.co.uk", False),
     ("'self'", False), ("'nonce-abc'", False), ("example.com", False), ("https://*.com.evil.example", False)],
)
def test_is_broad(source: str, broad: bool) -> None:
    """A host source allows every site when its host is *, or a wildcard over a public suffix."""
    assert csp_parse.is_broad(source) is broad
