"""Suite-wide configuration of the gate.

The gonogo engine is a pytest plugin (installed with the package, entry point ``gonogo``); it
needs nothing here. This is the place for a team's own hooks, for example a notification when
the verdict is known (see ``gonogo.engine.hookspecs``)::

    def pytest_gonogo_verdict(verdict, reasons, report_dir, config):
        ...
"""
