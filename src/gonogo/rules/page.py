"""The page every header check judges: the site's document, reached through same-origin redirects.

Not a check of its own: the guard of ``headers.*`` (and ``headers.csp``, ``headers.grade``).
``http.fetch_page`` follows same-origin redirects from ``[web] base_url``, as the HTTP
Observatory judges its final response. The headers of a redirect or of an error page say
nothing about what the document is served with (nginx adds the same headers to a 302 or a 503
with ``always``), so a page that did not end on a 2xx is *not verified* (an error, with the
route followed as evidence), never judged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec
from urllib.parse import urljoin

from gonogo.endpoints import origin
from gonogo.model import ErrorReason, Finding, info

if TYPE_CHECKING:
    from gonogo.facts.http import HttpFacts

P = ParamSpec("P")
Rule = Callable[Concatenate["HttpFacts", P], list[Finding]]


def route(facts: HttpFacts) -> list[str]:
    """The responses from the URL asked for to the page judged: ``status URL`` each."""
    return [f"{h.status} {h.url}" for h in facts.redirects] + [f"{facts.status} {facts.url}"]


def not_a_document(facts: HttpFacts) -> Finding | None:
    """Why the page cannot be judged (an unverified finding), or None when it ended on a 2xx."""
    if 200 <= facts.status < 300:
        return None
    status = facts.status
    location = facts.header("location")
    reason = ErrorReason.CONFIG
    if 300 <= status < 400 and location:
        target = urljoin(facts.url, location.strip())
        if origin(target) != origin(facts.url):
            why = (
                f"redirects ({status}) to another origin, {target}, which is not followed; "
                "set [web] base_url to the page users land on"
            )
        else:
            why = f"still redirecting ({status}) after {len(facts.redirects)} redirects (a loop?)"
    elif status in (401, 403, 407):
        reason = ErrorReason.AUTH
        why = f"answered {status} (login required): set [web] base_url to a public page"
    elif status >= 500:
        reason = ErrorReason.CONNECTIVITY
        why = f"answered {status}: the site does not serve its page"
    else:
        why = f"answered {status}: set [web] base_url to the site's page"
    first = facts.redirects[0].url if facts.redirects else facts.url
    return Finding(
        "page",
        False,
        f"headers not verified: {first} {why} (headers of a redirect or an error page are "
        "not those of the document)",
        measured=route(facts),
        threshold="a 2xx document",
        unverified=reason,
    )


def on_document(rule: Rule[P]) -> Rule[P]:
    """Judge with ``rule`` only a page that ended on a 2xx; name the redirects followed."""

    @functools.wraps(rule)
    def judged(facts: HttpFacts, /, *args: P.args, **kwargs: P.kwargs) -> list[Finding]:
        problem = not_a_document(facts)
        if problem is not None:
            return [problem]
        findings = rule(facts, *args, **kwargs)
        if facts.redirects:
            note = info("page", "judged after redirects: " + " -> ".join(route(facts)))
            findings = [note, *findings]
        return findings

    return judged
