"""Every form a secret value can take on its way into a report, and how strictly to match it.

A value is masked as written and in every form below (the :class:`~gonogo.redact.Redactor`
matches them all, ignoring case):

* normalised: surrounding space and a trailing ``/`` stripped (pydantic strips strings, the
  CORS check strips origins), Unicode NFC/NFKC/NFD, upper-cased and case-folded (``ß`` becomes
  ``SS``/``ss``: longer, so not found by a case-insensitive match of the original), host
  labels to and from IDNA punycode (``bücher.example`` <-> ``xn--bcher-kva.example``, IDNA 2003
  and 2008), and for an origin (``https://host[:port]``, as in ``[cors] allowed_origins``) its
  ``host:port`` and host alone, which probes and messages show without the scheme;
* encoded: base64, standard and URL-safe, with and without padding (``Authorization: Basic``
  is ``base64(user:password)``; the loader registers ``user:password`` of every URL);
* escaped for a report: Python repr, JSON, HTML, URL encoding, up to three layers deep.

Short values would mask ordinary text: a value shorter than :data:`MIN_SECRET_LEN` is never
masked; one shorter than :data:`LONG_SECRET_LEN` is masked only where it stands alone (not
inside a longer run of letters, digits and ``_``: a password ``test`` leaves ``test_tls``
alone) and, when it is only letters, only in the case it was written (``Admin`` does not mask
``admin``).
"""

from __future__ import annotations

import base64
import binascii
import html
import ipaddress
import json
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote, quote_plus, unquote, urlsplit

import idna

MIN_SECRET_LEN = 4  # shorter values would mask ordinary text everywhere
LONG_SECRET_LEN = 8  # from here on a value is masked anywhere, in any case

# How a value is rewritten on its way into a report: Python repr (assertion details), JSON
# (evidence.json, pytest-html's data blob), HTML escaping (report.html), URL encoding (DSNs,
# query strings). Applied up to three deep: an assertion's repr inside pytest-html's JSON inside
# an HTML attribute is ``html(json(repr(secret)))``.
_ENCODINGS: tuple[Callable[[str], str], ...] = (
    lambda v: repr(v)[1:-1],
    lambda v: v.replace("\\", "\\\\").replace("'", "\\'"),
    lambda v: v.replace("\\", "\\\\").replace('"', '\\"'),
    lambda v: json.dumps(v)[1:-1],
    lambda v: json.dumps(v, ensure_ascii=False)[1:-1],
    html.escape,
    lambda v: html.escape(v, quote=False),
    lambda v: v.replace('"', "&#34;").replace("'", "&#39;"),
    lambda v: quote(v, safe=""),
    quote,
    quote_plus,
    unquote,
)
_DEPTH = 3
# what separates host labels (and a host from the rest of a URL)
_LABELS = re.compile(r"([./:@?#\[\]\s]+)")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def variants(value: str) -> set[str]:
    """``value`` and every form it takes once normalised, encoded or escaped for a report."""
    found = normal_forms(value)
    layer = set(found)
    for _ in range(_DEPTH):
        layer = {encode(v) for v in layer for encode in _ENCODINGS} - found
        found |= layer
    return {v for v in found if v}


def normal_forms(value: str) -> set[str]:
    """``value`` as normalisers and encoders rewrite it (before any escaping)."""
    forms = {value, value.strip(), value.strip().rstrip("/")}
    forms |= {unicodedata.normalize(kind, v) for kind in ("NFC", "NFKC", "NFD") for v in forms}
    forms |= {f for v in forms for f in _hosts(v)}
    forms |= {f for v in list(forms) for f in _idna_forms(v)}
    # matching ignores case; these two only matter where they change the length (ß -> SS)
    forms |= {f for v in list(forms) for f in (v.upper(), v.casefold()) if len(f) != len(v)}
    forms |= {f for v in list(forms) if v.isascii() for f in base64_forms(v)}
    return {f for f in forms if f}


def base64_forms(value: str) -> set[str]:
    """Standard and URL-safe base64 of ``value`` (UTF-8), with and without ``=`` padding."""
    raw = value.encode("utf-8")
    forms = {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()}
    return forms | {f.rstrip("=") for f in forms}


def any_case(value: str) -> bool:
    """Whether ``value`` is masked whatever its case (else only as written)."""
    return len(value) >= LONG_SECRET_LEN or not value.isalpha()


def _hosts(value: str) -> set[str]:
    """For an origin (``scheme://host[:port]``, no user, path, query): ``host:port`` and host.

    Probes show an origin's host without its scheme (``http://host`` to test a downgrade,
    ``gonogohost`` as a look-alike). A loopback name or an IP address is not a secret of its
    own, and any other URL (a DSN) keeps its host: its secret is the password, masked apart.
    """
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return set()
    if not parts.scheme or not host or parts.username is not None or parts.path not in ("", "/"):
        return set()
    if parts.query or parts.fragment or host in _LOOPBACK_NAMES or _is_ip(host):
        return set()
    return {parts.netloc, host}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _idna_forms(value: str) -> set[str]:
    """``value`` with each non-ASCII label in punycode (IDNA 2003 and 2008), and the reverse."""
    pieces = _LABELS.split(value)
    if not any(p and (not p.isascii() or p.lower().startswith("xn--")) for p in pieces):
        return set()
    forms = set()
    for convert in (_idna2003, _idna2008, _from_punycode):
        forms.add("".join(convert(p) if i % 2 == 0 and p else p for i, p in enumerate(pieces)))
    return forms - {value}


def _idna2003(label: str) -> str:
    if label.isascii():
        return label
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return label


def _idna2008(label: str) -> str:
    if label.isascii():
        return label
    try:
        return idna.encode(label, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return label


def _from_punycode(label: str) -> str:
    if not label.lower().startswith("xn--"):
        return label
    try:
        return idna.decode(label)
    except (idna.IDNAError, UnicodeError, binascii.Error):
        return label
