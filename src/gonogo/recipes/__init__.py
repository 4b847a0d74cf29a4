"""Recipes: the one way each family's shared facts are fetched, one module per family.

Several checks read the same facts (one HTTPS fetch feeds every header check; one PostgreSQL
connection feeds every ``pg.*`` check). Each such fact has one recipe here: a function
``recipe(gate) -> Facts`` that reads the family's section (``gate.require``), calls the probe
with it and fetches through ``gate.shared`` under one cache key, so that every gate test that
needs the fact gets the same one, fetched once per run (per xdist worker: the engine runs a
family's checks on one worker, see :mod:`gonogo.engine.scheduling`).

- :mod:`.web`: the page, the redirect chain, the CORS answers (``headers.*``, ``redirect.https``,
  ``cors.policy``, ``exposure.source-maps``, ``headers.grade``).
- :mod:`.tls`: the HTTPS entry point's address, certificate, protocol versions and cipher suites.
- :mod:`.postgres`, :mod:`.redis`, :mod:`.backup`: a data family's facts; these name the check's
  target too, since every check of the family looks at what they read.
- :mod:`.e2e`: a page as Chromium loads it (``e2e.page``, ``e2e.console``,
  ``e2e.mixed-content``), the browser target, and a failed journey's evidence (screenshots).

A recipe whose facts other families combine (the page and the certificate in ``headers.grade``)
leaves ``gate.target`` to the gate test and passes ``endpoint=`` instead, so that an endpoint
found down still fails fast. Recipes import probes and :mod:`gonogo.gate`'s API only.
"""
