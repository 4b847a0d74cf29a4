"""The smoke family's shared facts: readiness (which gates every later smoke check), the
log-in session the ``auth = true`` endpoints reuse, and the front end (index and assets).

Readiness is the first thing every smoke check asks for: the first check of the run (any
worker) polls ``[web] health_path`` until it answers 200 or ``[smoke] ready_timeout_s``
passes; every later one reuses that answer. A site that never became ready makes each later
smoke check an error (reason ``timeout``, fail closed) that names ``smoke.readiness``, which
fails with the polls as evidence.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from gonogo.errors import ProbeError
from gonogo.model import ErrorReason
from gonogo.probes import api, frontend

if TYPE_CHECKING:
    from gonogo.facts.api import ReadinessFacts, SessionFacts
    from gonogo.facts.frontend import FrontendFacts
    from gonogo.gate import Gate


def readiness(gate: Gate) -> ReadinessFacts:
    """The health endpoint polled until ready (once per run and worker)."""
    web = gate.require("web")
    url = web.url(str(web.health_path))
    return gate.shared(f"smoke:ready:{url}", partial(api.wait_ready, web, gate.config.smoke))


def ready(gate: Gate) -> None:
    """Wait for readiness before a smoke check starts; an error unless the site became ready.

    A site that declares no health endpoint has nothing to wait for.
    """
    web = gate.config.web
    if web is None or web.health_path is None:
        return
    facts = readiness(gate)
    if not facts.ready:
        raise ProbeError(
            f"{facts.url} did not become ready within {facts.deadline_s:g} s "
            f"({facts.attempts} polls): see smoke.readiness",
            reason=ErrorReason.TIMEOUT,
        )


def _login(gate: Gate) -> api.Session:
    web, smoke = gate.require("web"), gate.config.smoke
    login = smoke.login
    if login is None:  # the catalogue's requires keeps such a check not applicable
        raise ProbeError("no [smoke.login] declared", reason=ErrorReason.CONFIG)
    key = f"smoke:session:{web.url(login.path)}"
    return gate.shared(key, partial(api.log_in, web, smoke, login))


def session_facts(gate: Gate) -> SessionFacts:
    """The shared log-in's facts (``smoke.login`` judges them)."""
    return _login(gate).facts


def session(gate: Gate) -> api.Session:
    """The synthetic account's session, logged in once and reused by ``auth`` endpoints; an
    error (reason ``auth``) naming ``smoke.login`` when the log-in failed."""
    found = _login(gate)
    if not found.cookies:
        raise ProbeError(
            f"log-in at {found.facts.url} failed ({found.facts.status}): see smoke.login",
            reason=ErrorReason.AUTH,
        )
    return found


def front_end(gate: Gate) -> FrontendFacts:
    """The index and its same-origin assets (``smoke.index-cache``, ``smoke.assets``,
    ``smoke.mixed-content``), fetched once."""
    web, cfg = gate.require("web"), gate.require("smoke").frontend
    url = web.url(cfg.index_path)
    return gate.shared(f"smoke:frontend:{url}", partial(frontend.fetch_frontend, web, cfg))
