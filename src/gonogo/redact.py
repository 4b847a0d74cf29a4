"""Redaction: secret values never reach an artefact, a log line or the terminal.

Three mechanisms, all applied by :meth:`Redactor.text`:

* values known to be secret (from the secrets file, ``${VAR}`` of secret-looking variables,
  secret-typed keys, a URL's password and ``user:password``), in every form listed in
  :mod:`gonogo.secret_forms` (escaped, encoded, normalised), whatever their case;
* credentials seen at run time: each ``Set-Cookie`` value a target sends and each
  ``Authorization``/``Cookie``/API-key header the probes send (:func:`observe`, called by
  ``probes/http.py``), once they look like tokens (:func:`token_like`);
* text that is secret whatever its value (:mod:`gonogo.secret_shapes`): the password of a
  URL's userinfo, ``Authorization`` values, ``Basic``/``Bearer`` credentials, ``Cookie`` and
  ``Set-Cookie`` values (also as Python names shown by ``-l``: ``set_cookie = ...``) and
  ``password=``-style assignments.

Speed matters (every line of output passes here): values are found by one expression over the
lower-cased text (:mod:`gonogo.secret_match`), shapes by literal-led patterns that run only when
the text holds their literal. ``bench/redaction.py`` measures both.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from typing import Any

from gonogo import secret_shapes
from gonogo.secret_forms import LONG_SECRET_LEN, MIN_SECRET_LEN, variants
from gonogo.secret_match import FormMatcher, lower

__all__ = [
    "MASK",
    "MIN_SECRET_LEN",
    "Redactor",
    "listen",
    "listening",
    "observe",
    "token_like",
    "variants",
]

MASK = "***"
MAX_LEARNED = 256  # credentials learned at run time beyond this are left to the patterns


class Redactor:
    """Masks secret values and secret-shaped text. Cheap to call; safe on any builtin.

    Thread-safe: probes may learn credentials from several threads while output is redacted.
    Learned credentials have their own matcher: a new one recompiles only that small one.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._given: set[str] = set()
        self._declared = FormMatcher(MASK)
        self._learned = FormMatcher(MASK)
        self._learned_count = 0
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask each value, in every form, from now on (short ones: see :mod:`secret_forms`)."""
        for value in secrets:
            if value and value not in self._given and value != MASK:
                self._given.add(value)
                self._declared.add(value)

    def learn(self, values: Iterable[str]) -> None:
        """Mask credentials seen at run time, those that look like tokens (:func:`token_like`)."""
        for value in values:
            if self._learned_count >= MAX_LEARNED:
                return
            if token_like(value) and value not in self._given:
                self._given.add(value)
                self._learned.add(value)
                self._learned_count += 1

    @property
    def secrets(self) -> frozenset[str]:
        """Every form masked, lower-cased (for tests and diagnostics)."""
        return self._declared.forms | self._learned.forms

    def text(self, value: str) -> str:
        if len(value) < MIN_SECRET_LEN:
            return value
        low = lower(value)
        masked = self._mask(value, low)
        if masked is not value:
            low = lower(masked)
        where = secret_shapes.spans(masked, low)
        return secret_shapes.mask(masked, where, MASK) if where else masked

    def values(self, value: str) -> str:
        """Mask only the known secret values, not secret-shaped text.

        For gonogo's own messages (a configuration error says ``redis.password: unknown key``,
        and the shape ``password: <word>`` must not eat the explanation).
        """
        return self._mask(value, lower(value))

    def _mask(self, text: str, low: str) -> str:
        masked = self._declared.sub(text, low)
        if self._learned_count:
            masked = self._learned.sub(masked, low if masked is text else lower(masked))
        return masked

    def redact(self, value: Any) -> Any:
        """Return ``value`` with every string inside it redacted (builtins, recursively)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact(v) for v in value)
        return value


def token_like(value: str) -> bool:
    """A run-time credential worth masking everywhere: 8+ characters, not a word or a number
    (a cookie ``theme=dark`` or ``consent=accepted`` must not mask those words in a report)."""
    return len(value) >= LONG_SECRET_LEN and not re.fullmatch(r"[A-Za-z]{1,15}|[0-9]{1,15}", value)


# The redactors of this process's gate run (one; a list so that nesting is harmless).
_LISTENERS: list[Redactor] = []


def listen(redactor: Redactor) -> Callable[[], None]:
    """Let ``redactor`` learn what :func:`observe` reports; returns the function that stops it."""
    _LISTENERS.append(redactor)

    def stop() -> None:
        if redactor in _LISTENERS:
            _LISTENERS.remove(redactor)

    return stop


def listening() -> tuple[Redactor, ...]:
    """The redactors of this process's gate run (for output that has no run at hand)."""
    return tuple(_LISTENERS)


def observe(headers: Iterable[tuple[str, str]]) -> None:
    """Report the credentials in HTTP headers (request or response) to the run's redactor."""
    if not _LISTENERS:
        return
    found = credentials(headers)
    if found:
        for redactor in tuple(_LISTENERS):
            redactor.learn(found)


def credentials(headers: Iterable[tuple[str, str]]) -> list[str]:
    """The credential values in ``headers``: each cookie's value, an ``Authorization`` value
    (and for ``Basic`` the decoded ``user:password`` and password), an API key."""
    found: list[str] = []
    for name, value in headers:
        name = name.lower()
        if name == "set-cookie":
            found.append(_cookie_value(value.split(";", 1)[0]))
        elif name == "cookie":
            found += [_cookie_value(pair) for pair in value.split(";")]
        elif name in ("authorization", "proxy-authorization"):
            scheme, _, credential = value.strip().partition(" ")
            found.append(credential.strip() or scheme)
            if scheme.lower() == "basic":
                found += _basic_pair(credential.strip())
        elif name in ("x-api-key", "x-auth-token"):
            found.append(value.strip())
    return [v for v in found if v]


def _cookie_value(pair: str) -> str:
    return pair.partition("=")[2].strip().strip('"')


def _basic_pair(credential: str) -> list[str]:
    try:
        pair = base64.b64decode(credential, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return []
    return [pair, pair.partition(":")[2]]
