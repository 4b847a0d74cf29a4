"""Readiness: the health endpoint polled until it answers 200 or a bounded deadline passes.

Every later smoke check waits on the same shared answer (``gonogo.recipes.smoke.ready``), so
none starts against a site that is still coming up; one that never did makes them errors.
"""

from __future__ import annotations

import pytest

from gonogo.recipes import smoke
from gonogo.rules import api


@pytest.mark.check("smoke.readiness")
def test_readiness(gate):
    web = gate.require("web")  # and health_path: the catalogue's requires
    gate.target(web.url(web.health_path))
    gate.judge(api.evaluate_readiness(smoke.readiness(gate)))
