"""The engine: everything that is pytest glue, one module per question it answers.

Plugin entry points (``pyproject.toml``, ``pytest11``): :mod:`.plugin` (the hooks, wiring only)
and :mod:`.fixtures` (``gate``, ``evidence``, ``gonogo_env``); :mod:`.early` is the plugin's first
import (Ctrl-C while the rest loads ends with one line).

- :mod:`.options`: what can a run be asked (command line, ini)? Markers: :mod:`gonogo.markers`.
- :mod:`.hookspecs`: which hooks may a team implement (``pytest_gonogo_verdict``)?
- :mod:`.invocation`: how was pytest invoked (suite root, paths, help-only runs, reports root)?
- :mod:`.context`: what does the whole run share (environment, demo stack, run id, ``now``)?
- :mod:`.signoff`: which deployment plan is the run judged against (``--plan``)?
- :mod:`.collection`: which check is each gate test (catalogue identity, markers, time limit)?
- :mod:`.instances`: how many instances has a test marked ``each(section.key)``?
- :mod:`.selection`: what did the run select, and which expected checks did it leave out?
- :mod:`.scheduling`: how does xdist hand the checks out (work units, crash-safe schedulers)?
- :mod:`.warmup`: which local preparations start before the checks that need them?
- :mod:`.evidence`: what did a check record (the recorder, and its wire form)?
- :mod:`.outcomes`: which outcome is one test phase, and one check of several phases?
- :mod:`.phases`: what leaves the process that ran a test (wire data, one-line errors, redaction)?
- :mod:`.collector`: what did every check end as (the controller gathers, then decides)?
- :mod:`.session`: how does the run end (decide, hand plain data to :mod:`gonogo.report`, commit,
  print the verdict)?
- :mod:`.ending`: what is said besides the report (notifiers, internal errors)?

Around it, without pytest: :mod:`gonogo.gate` (the public API of gate tests),
:mod:`gonogo.verdict` (the decision), :mod:`gonogo.report` (renders plain data: never imports the
engine), :mod:`gonogo.wire` (the plain data both sides share), :mod:`gonogo.interrupts` (signals).
docs/architecture.md draws it.
"""
