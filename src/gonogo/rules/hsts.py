"""Strict-Transport-Security of the HTTPS page, read as browsers read it (RFC 6797).

Check ids: ``headers.hsts``.

Only the first ``Strict-Transport-Security`` header counts (RFC 6797 §8.1; Firefox ignores the
others, Chromium reads the first): a second line that differs is a minor warning (a proxy that
folds them into one line makes the header invalid, and the Observatory reads them so). The
header follows the RFC's grammar or browsers ignore it whole: each directive at most once,
names are tokens, values tokens or quoted strings, ``max-age`` required and made of ASCII
digits (quoted or not: ``max-age="31536000"`` is valid, an unbalanced quote or ``+31536000`` is
not). A comma means two headers folded into one line.

Severity per finding: absent, invalid, ``max-age=0`` or judged over plain HTTP fail at the
check's severity (blocker); a max-age under six months is major (the Observatory: -10);
from six months to ``[headers] hsts_min_max_age`` (a year) and a missing ``includeSubDomains``
are minor warnings (the Observatory passes them, MDN recommends them), unless the strict
``require_hsts_min_max_age`` / ``require_include_subdomains`` make them fail at the check's
severity. (``headers.grade`` reads the header as the HTTP Observatory does, see
:mod:`.observatory`.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, Severity, compare, info
from gonogo.rules.page import on_document
from gonogo.schema.security import HSTS_SIX_MONTHS

if TYPE_CHECKING:
    from gonogo.facts.http import HttpFacts
    from gonogo.schema.security import HeadersConfig

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_VALUE = re.compile(f"{_TOKEN}|{_QUOTED}")
_SECONDS = re.compile(r'[0-9]+|"[0-9]+"')  # ASCII digits only: str.isdigit() takes "³¹"


@dataclass(frozen=True, slots=True)
class Hsts:
    """A parsed ``Strict-Transport-Security`` value; ``error`` set when browsers ignore it."""

    max_age: int | None = None
    include_subdomains: bool = False
    preload: bool = False
    error: str | None = None


def parse_hsts(value: str) -> Hsts:
    """RFC 6797 §6.1: each directive at most once, ``max-age`` required, unknown ones ignored."""
    if "," in value:  # two headers folded into one line by a proxy: not valid STS syntax
        return Hsts(error="several values in one header (folded duplicates)")
    seen: set[str] = set()
    max_age: int | None = None
    for part in value.split(";"):
        name, equals, raw = part.strip().partition("=")
        name, raw = name.strip(), raw.strip()
        if not name and not equals:
            continue
        if not re.fullmatch(_TOKEN, name):
            return Hsts(error=f"directive name {name!r} is not a token")
        if equals and not _VALUE.fullmatch(raw):
            return Hsts(error=f"value {raw!r} of {name} is neither a token nor a quoted string")
        name = name.lower()
        if name in seen:
            return Hsts(error=f"directive {name} repeated")
        seen.add(name)
        if name == "max-age":
            if not _SECONDS.fullmatch(raw):
                return Hsts(error=f"max-age {raw!r} is not a number of seconds")
            max_age = int(raw.strip('"'))
    if max_age is None:
        return Hsts(error="no max-age directive")
    return Hsts(max_age, "includesubdomains" in seen, "preload" in seen)


@on_document
def evaluate_hsts(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """HSTS on the HTTPS response: parseable, long enough, includeSubDomains when required."""
    if not facts.https:
        return [
            Finding(
                "hsts",
                False,
                f"HSTS judged on {facts.url}: browsers ignore HSTS received over plain "
                "HTTP; judge the HTTPS response",
                measured=facts.header("strict-transport-security"),
            )
        ]
    values = facts.values("strict-transport-security")
    if not values:
        return [
            Finding(
                "hsts",
                False,
                "no Strict-Transport-Security header on the HTTPS response",
                threshold=f"max-age >= {thresholds.hsts_min_max_age}",
            )
        ]
    findings = _duplicates(values)
    parsed = parse_hsts(values[0])
    if parsed.error or parsed.max_age is None:
        return [
            *findings,
            Finding(
                "hsts",
                False,
                f"Strict-Transport-Security ignored by browsers: {parsed.error}",
                measured=values[0],
            ),
        ]
    if parsed.max_age == 0:
        return [
            *findings,
            Finding(
                "max_age",
                False,
                "HSTS max-age=0 tells browsers to forget HSTS (disabled)",
                measured=0,
                threshold=thresholds.hsts_min_max_age,
                unit="s",
                comparison=Comparison.GE,
            ),
        ]
    findings.append(_max_age(parsed.max_age, thresholds))
    findings.append(_subdomains(parsed.include_subdomains, thresholds))
    findings.append(
        info(
            "preload",
            f"HSTS preload directive {'present' if parsed.preload else 'absent'}",
            measured=parsed.preload,
        )
    )
    return findings


def _duplicates(values: tuple[str, ...]) -> list[Finding]:
    if len(values) < 2:
        return []
    differ = len({" ".join(v.lower().split()) for v in values}) > 1
    message = f"{len(values)} Strict-Transport-Security headers: browsers apply only the first" + (
        "; they differ, and a proxy folding them into one line makes HSTS invalid: send one"
        if differ
        else " (identical)"
    )
    if not differ:
        return [info("duplicates", message, measured=list(values))]
    return [
        Finding(
            "duplicates",
            False,
            message,
            measured=list(values),
            threshold="one Strict-Transport-Security header",
            severity=Severity.MINOR,
        )
    ]


def _max_age(max_age: int, thresholds: HeadersConfig) -> Finding:
    wanted = max(thresholds.hsts_min_max_age, HSTS_SIX_MONTHS)
    found = compare("max_age", max_age, Comparison.GE, wanted, unit="s", what="HSTS max-age")
    if found.ok:
        return found
    if max_age < HSTS_SIX_MONTHS:  # protects too briefly to matter; the Observatory: -10
        return replace(
            found,
            message=f"{found.message}; under six months ({HSTS_SIX_MONTHS} s) protects too "
            "briefly between visits",
            severity=Severity.MAJOR,
        )
    if thresholds.require_hsts_min_max_age:
        return found
    return replace(
        found,
        message=f"{found.message}: a warning, six months or more is accepted "
        "([headers] require_hsts_min_max_age makes it fail)",
        severity=Severity.MINOR,
    )


def _subdomains(present: bool, thresholds: HeadersConfig) -> Finding:
    if present:
        return info("include_subdomains", "HSTS includeSubDomains present", measured=True)
    strict = thresholds.require_include_subdomains
    return Finding(
        "include_subdomains",
        False,
        "HSTS without includeSubDomains: subdomains stay reachable over plain HTTP"
        + ("" if strict else " (a warning; [headers] require_include_subdomains makes it fail)"),
        measured=False,
        threshold=True,
        comparison=Comparison.EQ,
        severity=None if strict else Severity.MINOR,
    )
