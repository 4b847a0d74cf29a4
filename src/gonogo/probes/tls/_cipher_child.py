"""``python -m gonogo.probes.tls._cipher_child``: the sslyze scan in its own process.

:func:`gonogo.probes.tls.ciphers.scan_ciphers` runs this with a wall-clock deadline and kills it
when the deadline passes. It imports sslyze first, then reads one JSON request from stdin (end
of input: it exits without scanning), so it can be started before the request is known; it
prints the facts (or the probe error) as one JSON line.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import sslyze  # noqa: F401  (imported before the request arrives: the slow part of a scan)
from sslyze.mozilla_tls_profile import tls_config_checker  # noqa: F401

from gonogo.errors import ProbeError
from gonogo.probes.tls.ciphers import _scan


def _child() -> int:
    """Scan once; print the facts (or the probe error) as JSON."""
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # not needed after all
    request = json.loads(line)
    ca_bundle = Path(request["ca_bundle"]) if request["ca_bundle"] else None
    try:
        facts = _scan(
            request["host"],
            request["port"],
            request["address"],
            request["server_name"],
            request["timeout"],
            request["profile"],
            ca_bundle,
            request.get("mozilla_version", "6.0"),
        )
    except ProbeError as err:
        error = {"type": type(err).__name__, "reason": err.reason.value, "message": str(err)}
        print(json.dumps({"error": error}))
        return 0
    print(json.dumps(dataclasses.asdict(facts)))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
