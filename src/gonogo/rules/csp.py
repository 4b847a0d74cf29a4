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
- a nonce or hash makes ``'unsafe-inline'`` inert; ``'strict-dynamic'`` with a nonce or hash
  makes host, scheme and ``'self'`` sources inert (they are CSP2 fallbacks, not weaknesses);
- ``Content-Security-Policy-Report-Only`` enforces nothing; a ``<meta>`` policy is enforced,
  but ``frame-ancestors``, ``report-uri`` and ``sandbox`` are ignored there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gonogo.model import Finding, info

if TYPE_CHECKING:
    from gonogo.probes.http import HttpFacts
    from gonogo.schema.security import HeadersConfig

NONCE_HASH = ("'nonce-", "'sha256-", "'sha384-", "'sha512-")
META_IGNORED = ("frame-ancestors", "report-uri", "sandbox")
PASSIVE = ("img-src", "media-src")
_SCHEME_ONLY = re.compile(r"^[a-z][a-z0-9+.-]*:$")
SCRIPT_RULE = (
    "no 'unsafe-inline' without nonce/hash, no 'unsafe-eval', no wildcard/scheme-only source"
)
_WILD_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?\*(?:\.\*)?(?::\*)?/?$")


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


def policies(facts: HttpFacts) -> list[Policy]:
    """Every policy the response declares: headers, report-only headers, ``<meta>`` tags."""
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
    found += [parse_policy(c, "meta") for n, c in facts.meta if n == "content-security-policy"]
    return [p for p in found if p.directives]


def enforced(facts: HttpFacts) -> list[Policy]:
    return [p for p in policies(facts) if p.origin != "report-only"]


def is_broad(source: str) -> bool:
    """``*``, ``https://*``, or a scheme-only source such as ``https:`` or ``data:``."""
    return bool(_WILD_HOST.match(source) or _SCHEME_ONLY.match(source))


def script_problems(sources: tuple[str, ...] | None, *, https: bool = True) -> dict[str, str]:
    """Weaknesses of one policy's effective script sources, keyed by a stable code."""
    if sources is None:
        return {"unrestricted": "no script-src or default-src: scripts load from anywhere"}
    problems: dict[str, str] = {}
    nonce_hash = any(s.startswith(NONCE_HASH) for s in sources)
    strict_dynamic = "'strict-dynamic'" in sources
    if strict_dynamic and not nonce_hash:
        problems["strict-dynamic"] = "'strict-dynamic' without a nonce or hash blocks every script"
    if "'unsafe-eval'" in sources:
        problems["unsafe-eval"] = "'unsafe-eval' allows eval()"
    if not strict_dynamic:
        if "'unsafe-inline'" in sources and not nonce_hash:
            problems["unsafe-inline"] = (
                "'unsafe-inline' without a nonce or hash allows injected scripts"
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


def frame_ancestors(facts: HttpFacts) -> list[tuple[str, ...]]:
    """``frame-ancestors`` of every enforced header policy (``<meta>`` cannot set it)."""
    found = [p.get("frame-ancestors") for p in enforced(facts) if p.origin == "header"]
    return [f for f in found if f is not None]


def evaluate_csp(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """Judge the enforced policies of one HTTPS page."""
    every = policies(facts)
    active = [p for p in every if p.origin != "report-only"]
    report_only = [p for p in every if p.origin == "report-only"]
    if not active:
        why = (
            "only Content-Security-Policy-Report-Only, which reports but blocks nothing"
            if report_only
            else "no Content-Security-Policy header or <meta> policy"
        )
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
        objects = [
            p.get("object-src") if p.get("object-src") is not None else p.get("default-src")
            for p in active
        ]
        ok = any(o is not None and not any(is_broad(s) for s in o) for o in objects)
        findings.append(_restricted("object_src", ok, objects, "object-src (or default-src)"))
    if thresholds.require_base_uri:
        bases = [p.get("base-uri") for p in active]
        ok = any(b is not None and not any(is_broad(s) for s in b) for b in bases)
        findings.append(_restricted("base_uri", ok, bases, "base-uri"))
    findings.append(_styles(active, thresholds))
    findings.append(_mixed(active, facts.https))
    return findings


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
        styles = p.get("style-src") if p.get("style-src") is not None else p.get("default-src")
        if styles is None:
            return True
        nonce_hash = any(s.startswith(NONCE_HASH) for s in styles)
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
    if passive_http and https:
        return info(
            "mixed_content", f"CSP allows images/media over plain HTTP: {' '.join(passive_http)}"
        )
    return info("mixed_content", "CSP allows no plain-HTTP sources")


def _raw(found: list[Policy]) -> list[str]:
    return [f"{p.origin}: {p.raw[:300]}" for p in found]
