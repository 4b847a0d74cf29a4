"""Every form a planted secret could leak in, and a scan of a run's output and artefacts for them."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote, urlsplit

import idna

MIN_FORM = 6  # shorter forms would be found by chance in a report


def forms(secret: str) -> set[str]:
    """The secret raw, lower, upper, URL-encoded, JSON, HTML, base64 and (for a URL) its host
    alone and in IDNA punycode: what a leak would look like after normalisation."""
    base = {secret, unquote(secret)}
    try:
        host = urlsplit(secret).hostname
    except ValueError:
        host = None
    if host and "://" in secret and "@" not in secret:
        base.add(host)
        if not host.isascii():
            punycode = idna.encode(host, uts46=True).decode()
            base |= {punycode, secret.lower().replace(host, punycode)}
    found: set[str] = set()
    for value in base:
        for cased in (value, value.lower(), value.upper()):
            found |= {cased, quote(cased, safe=""), quote(cased), quote_plus(cased)}
            found |= {json.dumps(cased)[1:-1], html.escape(cased), repr(cased)[1:-1]}
        raw = value.encode()
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            found |= {encoded.decode(), encoded.decode().rstrip("=")}
    return {f for f in found if len(f) >= MIN_FORM}


def basic_credential(user: str, password: str) -> str:
    """What ``Authorization: Basic`` carries for a URL's ``user:password``."""
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def leaks(output: str, roots: Iterable[Path], secrets: dict[str, str]) -> list[str]:
    """``"<name> as <form> in <where>"`` for every form of every secret found; [] when clean."""
    wanted = {form: name for name, secret in secrets.items() for form in forms(secret)}
    places = [("terminal", output)]
    for root in roots:
        places += [
            (str(path), path.read_bytes().decode("utf-8", "replace"))
            for path in sorted(root.rglob("*"))
            if path.is_file()
        ]
    return [
        f"{name} as {form!r} in {where}"
        for where, text in places
        for form, name in wanted.items()
        if form in text
    ]


def artefacts(roots: Iterable[Path]) -> set[str]:
    """The names of the files written under ``roots`` (to prove each kind was scanned)."""
    return {path.name for root in roots for path in root.rglob("*") if path.is_file()}
