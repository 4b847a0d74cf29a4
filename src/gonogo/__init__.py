"""gonogo: a release-readiness gate written as a pytest plugin.

PYTEST_DONT_REWRITE: ``gonogo gate`` imports this package before it starts pytest, which would
warn that it cannot rewrite asserts here (there are none to rewrite).
"""

from __future__ import annotations

__version__ = "0.1.0"
