"""Imported first by the plugin: a Ctrl-C while the rest of gonogo (and pytest's set-up) loads
ends the process with one line and exit 2, not Python's traceback from inside an import.
:func:`gonogo.interrupts.release_early` gives SIGINT back once pytest's main loop can turn it
into an interrupted run (with a NO-GO report)."""

from gonogo.interrupts import checkpoint, hold_early

hold_early()
checkpoint("loading")  # tests: a signal while the plugin loads
