"""Content-Security-Policy: parse what a browser enforces, then judge how well it stops XSS.

Check ids: ``headers.csp``.

Semantics follow CSP Level 3 as browsers apply it, not a string match:

- every ``Content-Security-Policy`` header (and each comma-separated policy inside one) is
  enforced; a resource must pass *all* of them, so a weakness counts only when every enforced
  policy has it;
- a repeated directive is ignored after its first occurrence;
- ``script-src`` falls back to ``default-src``; ``script-src-elem`` (``<script>`` elements) and
  ``script-src-attr`` (event-handler attributes) fall back to ``script-src``, and each list is
  judged on its own; ``eval()`` is governed by ``script-src`` alone; ``base-uri`` does not
  fall back;
- a well-formed nonce or hash (``'nonce-<base64>'``, ``'sha256-<base64>'``...) makes
  ``'unsafe-inline'`` inert; a malformed one (``'nonce-'``, ``'nonce-{{nonce}}'``, an unclosed
  quote) is ignored by browsers and leaves ``'unsafe-inline'`` active; ``'strict-dynamic'``
  with a nonce or hash makes host, scheme and ``'self'`` sources inert (CSP2 fallbacks);
- a nonce is only worth something when it changes on every response: the page is fetched a
  second time and a repeated nonce fails;
- a host source is parsed (scheme, host, port, path): host ``*`` allows every host whatever the
  port or path (``https://*:443``, ``*/js/``), and so does a wildcard over a public suffix
  (``*.com``, ``https://*.co.uk``, ``*.github.io``);
- ``Content-Security-Policy-Report-Only`` enforces nothing; a ``<meta>`` policy is enforced only
  inside ``<head>`` (CSP3 §3.3), and ``frame-ancestors``, ``report-uri`` and ``sandbox`` are
  ignored there.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from gonogo.model import ErrorReason, Finding, Severity, info
from gonogo.rules.csp_parse import (
    META_IGNORED,
    Policy,
    is_broad,
    is_nonce_hash,
    malformed_nonce_hash,
    nonces,
    policies,
    policy_nonces,
)
from gonogo.rules.page import on_document

if TYPE_CHECKING:
    from gonogo.facts.http import HttpFacts
    from gonogo.schema.security import HeadersConfig

PASSIVE = ("img-src", "media-src")
SCRIPT_RULE = (
    "no 'unsafe-inline' without nonce/hash, no 'unsafe-eval', no wildcard/scheme-only source"
)


def script_problems(sources: tuple[str, ...] | None, *, https: bool = True) -> dict[str, str]:
    """Weaknesses of one policy's effective script sources, keyed by a stable code."""
    if sources is None:
        return {"unrestricted": "no script-src or default-src: scripts load from anywhere"}
    problems: dict[str, str] = {}
    nonce_hash = any(is_nonce_hash(s) for s in sources)
    strict_dynamic = "'strict-dynamic'" in sources
    if strict_dynamic and not nonce_hash:
        problems["strict-dynamic"] = "'strict-dynamic' without a nonce or hash blocks every script"
    if "'unsafe-eval'" in sources:
        problems["unsafe-eval"] = "'unsafe-eval' allows eval()"
    if not strict_dynamic:
        if "'unsafe-inline'" in sources and not nonce_hash:
            bad = malformed_nonce_hash(sources)
            ignored = f" (malformed, ignored by browsers: {' '.join(bad)})" if bad else ""
            problems["unsafe-inline"] = (
                f"'unsafe-inline' without a valid nonce or hash{ignored} allows injected scripts"
            )
        broad = [s for s in sources if is_broad(s)]
        if broad:
            problems["broad"] = f"wildcard or scheme-only source {' '.join(broad)}"
        plain = [s for s in sources if s.startswith("http://") and not is_broad(s)]
        if https and plain:
            problems["insecure"] = f"scripts over plain HTTP from {' '.join(plain)}"
    return problems


def policy_script_problems(policy: Policy, *, https: bool = True) -> dict[str, str]:
    """Script weaknesses of one policy: elements, event-handler attributes and eval, each
    judged on its own effective list (``script-src-elem``/``-attr`` override ``script-src``)."""
    elem, attr = policy.script_sources("elem"), policy.script_sources("attr")
    problems = {
        code: f"<script> elements: {why}" if policy.get("script-src-elem") is not None else why
        for code, why in script_problems(elem, https=https).items()
        if code != "unsafe-eval"
    }
    evaluated = policy.script_sources("eval")
    if evaluated is not None and "'unsafe-eval'" in evaluated:
        problems["unsafe-eval"] = "'unsafe-eval' allows eval()"
    if attr != elem and attr is not None:
        # only inline behaviour matters for attributes: they load nothing from a URL
        weak = script_problems(attr, https=https)
        if "unsafe-inline" in weak:
            problems["unsafe-inline-attr"] = (
                "event-handler attributes: 'unsafe-inline' without a nonce or hash "
                "lets injected onclick=... handlers run"
            )
    elif attr is None and elem is not None:
        problems["unrestricted-attr"] = "no script-src or default-src for event-handler attributes"
    return problems


def _shown_sources(policy: Policy) -> str | None:
    elem, attr = policy.script_sources("elem"), policy.script_sources("attr")
    if elem is None and attr is None:
        return None
    shown = " ".join(elem) if elem is not None else "(none)"
    if attr != elem:
        shown = f"elem: {shown} | attr: {' '.join(attr) if attr is not None else '(none)'}"
    return shown


@on_document
def evaluate_csp(
    facts: HttpFacts, thresholds: HeadersConfig, again: HttpFacts | None = None
) -> list[Finding]:
    """Judge the enforced policies of one HTTPS page; ``again``, a second response of the same
    page, shows whether its nonce changes per response."""
    every = policies(facts)
    active = [p for p in every if p.origin != "report-only"]
    report_only = [p for p in every if p.origin == "report-only"]
    if not active:
        why = (
            "only Content-Security-Policy-Report-Only, which reports but blocks nothing"
            if report_only
            else "no Content-Security-Policy header or <meta> policy"
        )
        if any(n == "content-security-policy" for n, _ in facts.body_meta):
            why += " (a <meta> policy outside <head> is ignored by browsers, CSP3 §3.3)"
        return [
            Finding(
                "policy", False, f"CSP: {why}", measured=_raw(every), threshold="an enforced policy"
            )
        ]
    findings = [_presence(active, report_only)]
    findings += _notes(facts, active)

    # A weakness is real only when every enforced policy has it (a resource must pass all).
    per_policy = [policy_script_problems(p, https=facts.https) for p in active]
    common = set.intersection(*(set(p) for p in per_policy))
    broken = {code for p in per_policy for code in p if code.startswith("strict-dynamic")}
    codes = sorted(common | broken)
    messages = [next(p[c] for p in per_policy if c in p) for c in codes]
    sources = [_shown_sources(p) for p in active]
    findings.append(
        Finding(
            "script_src",
            not codes,
            "CSP script sources: "
            + ("; ".join(messages) if codes else "no unsafe-inline, unsafe-eval or wildcard"),
            measured=sources,
            threshold=SCRIPT_RULE,
        )
    )
    if thresholds.require_object_src:
        objects = [p.first("object-src", "default-src") for p in active]
        ok = any(o is not None and not any(is_broad(s) for s in o) for o in objects)
        findings.append(_restricted("object_src", ok, objects, "object-src (or default-src)"))
    bases = [p.get("base-uri") for p in active]
    ok = any(b is not None and not any(is_broad(s) for s in b) for b in bases)
    base_uri = _restricted("base_uri", ok, bases, "base-uri")
    if not ok and not thresholds.require_base_uri:
        # MDN recommends base-uri; the Observatory does not score it: a warning by default
        base_uri = replace(
            base_uri,
            message=f"{base_uri.message} (a warning: an injected <base> can redirect relative "
            "script URLs; [headers] require_base_uri makes it fail)",
            severity=Severity.MINOR,
        )
    findings.append(base_uri)
    findings.append(_styles(active, thresholds))
    findings.append(_mixed(active, facts.https))
    findings += _nonce_reuse(active, again)
    return findings


def _nonce_reuse(active: list[Policy], again: HttpFacts | None) -> list[Finding]:
    # A nonce an attacker can read once and reuse (a template's constant, a cached page) lets
    # injected <script nonce=...> run: it must differ on every response.
    first = policy_nonces(active)
    if not first:
        return []
    if again is None:
        return [info("nonce", "CSP nonce not compared with a second response")]
    if not 200 <= again.status < 300:
        return [
            Finding(
                "nonce",
                False,
                f"CSP nonce reuse not verified: the second fetch of {again.url} answered "
                f"{again.status}",
                measured=again.status,
                unverified=ErrorReason.CONNECTIVITY,
            )
        ]
    second = nonces(again)
    repeated = first & second
    shown = sorted(_fingerprint(n) for n in first | second)
    if repeated:
        return [
            Finding(
                "nonce",
                False,
                "CSP nonce repeated on two responses of the page: a fixed nonce lets injected "
                "<script nonce=...> run; generate a fresh one per response",
                measured={"first": sorted(map(_fingerprint, first)), "second": shown},
                threshold="a different nonce on every response",
            )
        ]
    return [info("nonce", "CSP nonce differs between two responses", measured=shown)]


def _fingerprint(nonce: str) -> str:
    # enough to compare two responses in the evidence, not the value itself
    return "sha256:" + hashlib.sha256(nonce.encode()).hexdigest()[:12]


def _presence(active: list[Policy], report_only: list[Policy]) -> Finding:
    where = sorted({p.origin for p in active})
    extra = f" (+{len(report_only)} report-only, not counted)" if report_only else ""
    return info(
        "policy",
        f"CSP: {len(active)} enforced polic{'y' if len(active) == 1 else 'ies'} "
        f"from {', '.join(where)}{extra}",
        measured=_raw(active),
    )


def _notes(facts: HttpFacts, active: list[Policy]) -> list[Finding]:
    notes: list[Finding] = []
    if all(p.origin == "meta" for p in active):
        notes.append(
            info(
                "meta_only",
                "CSP only in a <meta> tag: enforced from that point of the page on; "
                "frame-ancestors, report-uri and sandbox are ignored there",
            )
        )
    meta_ignored = [
        d
        for n, c in facts.meta
        if n == "content-security-policy"
        for d in META_IGNORED
        if re.search(rf"(^|;)\s*{d}\b", c, re.I)
    ]
    if meta_ignored:
        notes.append(
            info(
                "meta_ignored",
                f"CSP <meta> directives ignored by browsers: {', '.join(meta_ignored)}",
            )
        )
    outside = [c for n, c in facts.body_meta if n == "content-security-policy"]
    if outside:
        notes.append(
            info(
                "meta_outside_head",
                f"{len(outside)} CSP <meta> outside <head> ignored by browsers (CSP3 §3.3)",
                measured=[c[:300] for c in outside],
            )
        )
    duplicates = sorted({d for p in active for d in p.duplicates})
    if duplicates:
        notes.append(
            info(
                "duplicates",
                f"CSP directives repeated (browsers use the first): {', '.join(duplicates)}",
                measured=duplicates,
            )
        )
    return notes


def _restricted(name: str, ok: bool, values: list[tuple[str, ...] | None], what: str) -> Finding:
    shown = [" ".join(v) if v is not None else None for v in values]
    state = "restricted" if ok else "missing or allows wildcard/scheme-only sources"
    return Finding(
        name, ok, f"CSP {what}: {state}", measured=shown, threshold=f"{what} set without wildcards"
    )


def _styles(active: list[Policy], thresholds: HeadersConfig) -> Finding:
    def weak(p: Policy) -> bool:
        styles = p.first("style-src", "default-src")
        if styles is None:
            return True
        nonce_hash = any(is_nonce_hash(s) for s in styles)
        return ("'unsafe-inline'" in styles and not nonce_hash) or any(is_broad(s) for s in styles)

    unsafe = all(weak(p) for p in active)
    if not thresholds.forbid_unsafe_inline_style:
        return info(
            "style_src",
            "CSP style sources allow inline styles or any source (allowed by [headers])"
            if unsafe
            else "CSP style sources restricted",
        )
    return Finding(
        "style_src",
        not unsafe,
        "CSP style sources " + ("unrestricted" if unsafe else "restricted"),
        threshold="no 'unsafe-inline' without nonce/hash, no wildcard",
    )


def _mixed(active: list[Policy], https: bool) -> Finding:
    # Active content over plain HTTP on an HTTPS page is an injection path; passive content
    # (images, media) only leaks, so it is noted, as the Observatory scores it lower. Script
    # sources are judged by script_problems (where 'strict-dynamic' can make http: inert).
    def plain(p: Policy, passive: bool) -> list[str]:
        return [
            s
            for name, sources in p.directives
            if (name in PASSIVE) == passive
            and name.endswith("-src")
            and not name.startswith("script-src")
            for s in sources
            if s.startswith(("http:", "http://", "ws:", "ws://"))
        ]

    active_http = all(plain(p, False) for p in active) and https
    passive_http = sorted({s for p in active for s in plain(p, True)})
    if active_http:
        found = sorted({s for p in active for s in plain(p, False)})
        return Finding(
            "mixed_content",
            False,
            f"CSP allows active content over plain HTTP: {' '.join(found)}",
            measured=found,
            threshold="https sources only",
        )
    if passive_http and https:  # the Observatory: -10, a warning here
        return Finding(
            "mixed_content",
            False,
            f"CSP allows images/media over plain HTTP: {' '.join(passive_http)} (a warning: "
            "passive content only leaks and can be altered on the way)",
            measured=passive_http,
            threshold="https sources only",
            severity=Severity.MINOR,
        )
    return info("mixed_content", "CSP allows no plain-HTTP sources")


def _raw(found: list[Policy]) -> list[str]:
    return [f"{p.origin}: {p.raw[:300]}" for p in found]
