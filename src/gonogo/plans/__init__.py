"""Deployment plans as data: import a markdown plan, map its items, attest the manual ones.

The map of this package (pure except ``store``, ``attest`` file helpers and ``cli``):

* :mod:`~gonogo.plans.mojibake` repairs double-encoded emoji and punctuation;
* :mod:`~gonogo.plans.markdown` reads the markdown into items with their sections;
* :mod:`~gonogo.plans.ids` gives each item its stable id (the rule is documented there);
* :mod:`~gonogo.plans.model` is the model: :class:`~gonogo.plans.model.Plan`, items, mappings;
* :mod:`~gonogo.plans.suggest` suggests checks from the catalogue's ``phrases``;
* :mod:`~gonogo.plans.reimport` builds a plan and carries mappings over a re-import;
* :mod:`~gonogo.plans.store` reads and writes ``plans/<name>.toml``;
* :mod:`~gonogo.plans.attest` is the attestation model, its validity and its file;
* :mod:`~gonogo.plans.status` decides each item's status in a run, coverage and the verdict
  lines (:func:`~gonogo.plans.status.evaluate`), for the reports to render;
* :mod:`~gonogo.plans.cli` is ``gonogo plan import|show`` and ``gonogo attest``.
"""
