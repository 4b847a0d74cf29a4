"""The error hierarchy.

``GonogoError``
 ├── ``ConfigError``        bad environment file, unknown key, missing option (exit code 4)
 ├── ``ProbeError``         could not check the target (outcome ``error``), carries a reason
 │    ├── ``ProbeTimeout``      the target did not answer in time        (reason ``timeout``)
 │    ├── ``ProbeRefused``      connection refused / host unreachable     (reason ``connectivity``)
 │    └── ``ProbeAuthError``    the target refused our credentials        (reason ``auth``)
 └── ``DemoError``          the embedded demo stack could not start or change

Probes raise ``ProbeError`` subclasses and always chain the cause (``raise ... from err``).
A probe error message names the host and what to do; it never contains a secret value (the
engine redacts anyway).
"""

from __future__ import annotations

from gonogo.model import ErrorReason


class GonogoError(Exception):
    """Base of every error gonogo raises on purpose."""


class ConfigError(GonogoError):
    """The configuration cannot be used. The message is one line naming file, key and fix."""


class ProbeError(GonogoError):
    """A probe could not establish the facts it was asked for."""

    reason: ErrorReason = ErrorReason.CONNECTIVITY

    def __init__(self, message: str, *, reason: ErrorReason | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class ProbeTimeout(ProbeError):
    reason = ErrorReason.TIMEOUT


class ProbeRefused(ProbeError):
    reason = ErrorReason.CONNECTIVITY


class ProbeAuthError(ProbeError):
    reason = ErrorReason.AUTH


class DemoError(GonogoError):
    """The embedded demo environment failed to start, change or stop."""
