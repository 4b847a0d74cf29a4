"""Facts: what a probe measured, as frozen dataclasses of builtins (one module per probe name).

A probe (:mod:`gonogo.probes`) returns these; a rule (:mod:`gonogo.rules`) judges them; a rule's
table test builds them by hand. They sit below both layers and import only :mod:`gonogo.model`
(tests/engine/test_layers.py holds them to it), so that neither layer imports the other.
"""
