"""The API a gate test uses: ``gate.require``, ``gate.judge``, ``gate.evidence``, ``gate.shared``.

A gate test is a few lines::

    @pytest.mark.check("headers.hsts")
    def test_hsts(gate):
        web = gate.require("web")
        page = gate.shared("page:" + web.base_url, lambda: http.fetch_page(web.base_url, ...))
        gate.judge(hsts.evaluate_hsts(page, gate.config.headers))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pytest

from gonogo.config import Environment
from gonogo.endpoints import endpoint_of, shows_down
from gonogo.engine.downboard import DownBoard
from gonogo.engine.evidence import Evidence
from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.model import CheckSpec, Finding, Outcome, conclude
from gonogo.schema import EnvironmentConfig, shown_section

T = TypeVar("T")

NOT_APPLICABLE = "gonogo:not-applicable: "
REFUSED = "gonogo:refused: "


def undeclared(config: EnvironmentConfig, sections: Iterable[str]) -> list[str]:
    """The names of ``sections`` the environment does not declare: a section (``postgres``) or
    an opt-in key of one (``web.health_path``, unset by default)."""
    missing = []
    for name in sections:
        section, _, key = name.partition(".")
        value = getattr(config, section, None)
        if value is None or (key and getattr(value, key, None) is None):
            missing.append(name)
    return missing


def not_declared(env_name: str, missing: Iterable[str]) -> str:
    """Why a check is not applicable: ``environment prod declares no [postgres]``."""
    return f"environment {env_name} declares no {', '.join(map(shown_section, missing))}"


class CheckFailed(AssertionError):
    """Raised by :meth:`Gate.judge` when a finding is not ok (outcome ``failed``)."""


class SharedProbes:
    """Session-wide memo of probe results and failures, and the run's unreachable endpoints.

    Several checks read the same facts (one HTTPS fetch feeds every header check). An endpoint
    that was refused or timed out (see :mod:`gonogo.endpoints`) fails every later check that
    names it at once, with the first error, in every xdist worker, instead of each check
    waiting for its own timeout.
    """

    def __init__(self, board: DownBoard | None = None) -> None:
        self._results: dict[str, Any] = {}
        self._errors: dict[str, ProbeError] = {}
        self.board = board or DownBoard()

    def get(self, key: str, factory: Callable[[], T], endpoint: str | None = None) -> T:
        if endpoint is not None:
            self.raise_if_down(endpoint)
        if key in self._errors:
            raise self._errors[key]
        if key not in self._results:
            try:
                self._results[key] = factory()
            except ProbeError as err:
                self._errors[key] = err
                if endpoint is not None:
                    self.note_failure(endpoint, err)
                raise
        return self._results[key]

    def raise_if_down(self, endpoint: str) -> None:
        """Fail at once (same error class and reason) when ``endpoint`` is known unreachable."""
        first = self.board.get(endpoint)
        if first is not None:
            raise type(first)(
                f"{endpoint} is unreachable (failed earlier in this run): {first}",
                reason=first.reason,
            )

    def note_failure(self, endpoint: str | None, err: BaseException) -> None:
        """Record ``endpoint`` as down when ``err`` shows it unreachable."""
        if endpoint is not None and isinstance(err, ProbeError) and shows_down(endpoint, err):
            self.board.mark(endpoint, err)

    def note_timeout(self, endpoint: str | None, check_id: str, text: str) -> None:
        """Record ``endpoint`` as down when a check of it ran out of its time limit.

        A target that trickles bytes never trips a probe's read timeout; only the check's own
        time limit (pytest-timeout) ends it. Every later check of the endpoint would wait as
        long again, so it ends at once instead, as for a refused or silent endpoint.
        """
        if endpoint is not None:
            self.board.mark(
                endpoint,
                ProbeTimeout(
                    f"{endpoint}: {check_id} did not finish within its time limit ({text})"
                ),
            )

    def clear(self) -> None:
        self._results.clear()
        self._errors.clear()


class Gate:
    """Per-test handle on the environment, the check's identity and its evidence.

    ``time_limit_s``: the check's time limit (pytest-timeout: the catalogue's ``timeout_s`` or
    the environment's ``[checks."<id>"] timeout_s``, else the run's), None when it has none; a
    long probe (the restore drill) stops itself before it.
    """

    def __init__(
        self,
        env: Environment,
        spec: CheckSpec,
        evidence: Evidence,
        shared: SharedProbes,
        now: dt.datetime,
        *,
        release: str | None = None,
        time_limit_s: float | None = None,
    ) -> None:
        self.env = env
        self.release = release
        self.time_limit_s = time_limit_s
        self.spec = spec
        self.evidence = evidence
        self._shared = shared
        self.now = now

    @property
    def config(self) -> EnvironmentConfig:
        return self.env.config

    def require(self, section: str) -> Any:
        """Return the ``[section]`` of the environment, or end the check as not applicable.

        A component section read here belongs in the catalogue entry's ``requires`` too: the
        engine decides from the catalogue before the test runs (also for a check the run did
        not select, and before refusing an intrusive one). tests/engine/test_applicability.py holds
        the suite's gate tests to it.
        """
        value = getattr(self.env.config, section, None)
        if value is None:
            pytest.skip(f"{NOT_APPLICABLE}{not_declared(self.env.name, [section])}")
        return value

    def not_applicable(self, why: str) -> None:
        pytest.skip(f"{NOT_APPLICABLE}{why}")

    def target(self, description: str) -> None:
        """Name what this check looks at (shown in junit names and the report).

        A URL, ``host:port`` or ``host:port/db`` names an endpoint: when it was refused or timed
        out earlier in this run (any check, any worker), the check ends here as an error with
        the first error, instead of waiting for its own timeout.
        """
        self.evidence.target = description
        endpoint = endpoint_of(description)
        if endpoint is not None:
            self._shared.raise_if_down(endpoint)

    def shared(self, key: str, factory: Callable[[], T], *, endpoint: str | None = None) -> T:
        """Run ``factory`` once per session for ``key`` (errors are remembered too).

        ``endpoint`` (``host:port``) names what the probe connects to when it is not the
        check's :meth:`target`: once it was refused or timed out, every later probe of it fails
        at once with the first error.
        """
        return self._shared.get(key, factory, endpoint)

    def judge(self, findings: Iterable[Finding]) -> list[Finding]:
        """Record the findings; fail the check when any of them is not ok.

        Raises :class:`CheckFailed` (outcome ``failed``) for a defect found, ``ProbeError``
        (outcome ``error`` with the finding's reason) when the rule could not conclude, and
        ``ProbeError`` (``bug``) when the rule returned nothing. Catching these does not make
        the check pass: the engine judges the recorded evidence again when the test returns.
        """
        __tracebackhide__ = True
        recorded = [self.evidence.record(f) for f in findings]
        outcome, reason, message = conclude(recorded)
        if outcome is Outcome.FAILED:
            raise CheckFailed(message)
        if outcome is Outcome.ERROR:
            if not recorded:
                message = f"{self.spec.id}: the rule returned no findings (a check must measure something)"
            raise ProbeError(message, reason=reason)
        return recorded
