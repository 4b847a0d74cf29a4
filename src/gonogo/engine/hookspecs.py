"""Hook specifications other plugins (or a team's conftest.py) can implement."""

from __future__ import annotations

from typing import Any


def pytest_gonogo_verdict(verdict: str, reasons: list[str], report_dir: str, config: Any) -> None:
    """Called on the controller once the verdict is known and the artefacts are written.

    Implement it in a conftest.py or plugin to notify chat, open a change ticket, etc.::

        def pytest_gonogo_verdict(verdict, reasons, report_dir, config):
            if verdict == "NO-GO":
                post_to_chat(f"release blocked: {reasons[0]} ({report_dir})")
    """
