"""Permissions-Policy of the HTTPS page, parsed as browsers parse it (an RFC 8941 dictionary).

Check ids: ``headers.permissions-policy``.

Several header lines form one dictionary; a structured-field syntax error makes browsers drop
the whole header; ``*`` anywhere in a feature's allowlist grants it to every origin.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gonogo.model import Finding, info
from gonogo.rules import structured
from gonogo.rules.page import on_document

if TYPE_CHECKING:
    from gonogo.facts.http import HttpFacts
    from gonogo.schema.security import HeadersConfig


@on_document
def evaluate_permissions_policy(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """Permissions-Policy is sent, parses, and grants no restricted feature to every origin."""
    values = facts.values("permissions-policy")
    if not values:
        legacy = facts.header("feature-policy")
        why = "only the legacy Feature-Policy header" if legacy else "no Permissions-Policy header"
        return [
            Finding(
                "permissions_policy",
                not thresholds.require_permissions_policy,
                why,
                measured=legacy,
            )
        ]
    joined = ", ".join(values)  # several field lines form one dictionary (RFC 9110 §5.3)
    try:
        members = structured.parse_dictionary(joined)
    except structured.StructuredFieldError as err:
        # A structured-field parse error makes browsers drop the whole header.
        return [
            Finding(
                "syntax",
                False,
                f"Permissions-Policy does not parse as a structured-field dictionary ({err}): "
                "browsers ignore the whole header",
                measured=joined,
                threshold="RFC 8941 dictionary, e.g. camera=(), geolocation=(self)",
            )
        ]
    allowlists = {name: permissions_allowlist(member) for name, member in members.items()}
    open_to_all = sorted(f for f, allow in allowlists.items() if "*" in allow)
    restricted = sorted(set(open_to_all) & set(thresholds.restricted_features))
    findings = [
        Finding(
            "features",
            not restricted,
            f"Permissions-Policy grants {', '.join(restricted)} to every origin (*)"
            if restricted
            else f"Permissions-Policy sets {len(members)} features, none restricted open to all",
            measured={name: " ".join(allow) or "()" for name, allow in allowlists.items()},
            threshold=f"not * for {', '.join(thresholds.restricted_features)}",
        )
    ]
    ignored = sorted(
        f"{name}: {item!r}"
        for name, member in members.items()
        for item in member.items()
        if not _pp_valid(item)
    )
    if ignored:
        findings.append(
            info(
                "ignored",
                f"Permissions-Policy allowlist entries browsers ignore: {'; '.join(ignored)}",
                measured=ignored,
            )
        )
    return findings


def permissions_allowlist(member: structured.Member) -> list[str]:
    """The allowlist of one feature: ``*`` (every origin), ``self``, ``src`` or origins.

    ``*`` anywhere in the list grants every origin, whatever else the list holds.
    """
    return [str(item) for item in member.items() if _pp_valid(item)]


def _pp_valid(item: object) -> bool:
    # tokens * / self / src, or a string holding an origin; anything else is ignored
    if isinstance(item, structured.Token):
        return item in ("*", "self", "src")
    return isinstance(item, str) and bool(re.match(r"^[a-z][a-z0-9+.-]*://[^/\s]+/?$", item, re.I))
