"""``python -m gonogo.probes.tls._cipher_child REQUEST``: the sslyze scan in its own process.

:func:`gonogo.probes.tls.ciphers.scan_ciphers` runs this with a wall-clock deadline and kills it
when the deadline passes; it prints the facts (or the probe error) as one JSON line.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from gonogo.errors import ProbeError
from gonogo.probes.tls.ciphers import _scan


def _child(argv: list[str]) -> int:
    """Scan once; print the facts (or the probe error) as JSON."""
    request = json.loads(argv[0])
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
        )
    except ProbeError as err:
        error = {"type": type(err).__name__, "reason": err.reason.value, "message": str(err)}
        print(json.dumps({"error": error}))
        return 0
    print(json.dumps(dataclasses.asdict(facts)))
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
