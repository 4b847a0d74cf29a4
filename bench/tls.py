"""The TLS family against sslyze's own CLI. Prints medians and the ratio; asserts nothing.

Against the demo stack's HTTPS port, alternately:

- ``python -m sslyze --mozilla_config=intermediate --certinfo_ca_file CA localhost:PORT``
  (the scan the ``tls.ciphers`` probe runs, checked against the same Mozilla profile), and
- ``pytest --env demo checks/test_tls.py`` (the whole TLS family: certificate expiry and
  validity, protocol versions, ciphers; report written),

both whole processes, and prints the ratio of the medians. Target: at most 1.5.

The demo stack is the one ``$GONOGO_DEMO_STATE`` names (``gonogo demo up``), else one started
here and stopped at the end.

    .venv/bin/python bench/tls.py [--runs 5] [--suite PATH]
"""

from __future__ import annotations

import sys
import tempfile

import _bench


def main() -> None:
    args = _bench.arguments(__doc__ or "", runs=5).parse_args()
    with _bench.demo_stack() as demo:
        env = _bench.environ(args.suite, **demo)
        port = _bench.demo_ports(demo["GONOGO_DEMO_STATE"])["https"]
        ca = _bench.demo_run_dir(demo["GONOGO_DEMO_STATE"]) / "pki" / "ca.pem"
        sslyze = [
            sys.executable,
            "-m",
            "sslyze",
            "--mozilla_config=intermediate",
            f"--certinfo_ca_file={ca}",
            f"localhost:{port}",
        ]
        print(f"suite {args.suite}; {_bench.load_average()}")
        cli: list[_bench.Sample] = []
        family: list[_bench.Sample] = []
        with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as reports:
            gate = _bench.pytest_cmd(
                "--env", "demo", "checks/test_tls.py", "--gonogo-reports", reports
            )
            _bench.require_ok(_bench.timed(gate, cwd=args.suite, env=env))  # warm-up
            for _ in range(args.runs):
                cli.append(_bench.timed(sslyze, cwd=args.suite, env=env))
                _bench.require_ok(cli[-1])
                family.append(_bench.timed(gate, cwd=args.suite, env=env))
                _bench.require_ok(family[-1])
        print(f"after the runs: {_bench.load_average()}")
    print(_bench.summary("sslyze CLI        ", cli))
    print(_bench.summary("TLS family (gate) ", family))
    ratio = _bench.median([f.wall_s for f in family]) / _bench.median([c.wall_s for c in cli])
    print(_bench.verdict(ratio, 1.5, "TLS family / sslyze CLI wall"))


if __name__ == "__main__":
    main()
