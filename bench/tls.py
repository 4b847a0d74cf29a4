"""The TLS family against sslyze's own CLI. Prints medians and the ratio; asserts nothing.

Against the demo stack's HTTPS port, alternately:

- ``python -m sslyze --mozilla_config=intermediate --certinfo_ca_file CA localhost:PORT``
  (the scan the ``tls.ciphers`` probe runs, checked against the same Mozilla profile), and
- ``pytest --env demo checks/test_tls.py`` (the whole TLS family: certificate expiry and
  validity, protocol versions, ciphers; report written),

both whole processes, and prints the ratio of the medians. Target: at most 1.5.

The demo stack is the one ``$GONOGO_DEMO_STATE`` names (``gonogo demo up``), else one started
here and stopped at the end.

    .venv/bin/python bench/tls.py [--runs 5] [--suite PATH] [--against PATH]
"""

from __future__ import annotations

import sys
import tempfile

import _bench


def main() -> None:
    args = _bench.arguments(__doc__ or "", runs=5).parse_args()
    suites = _bench.suites(args)
    with _bench.demo_stack() as demo:
        state = demo["GONOGO_DEMO_STATE"]
        port = _bench.demo_ports(state)["https"]
        ca = _bench.demo_run_dir(state) / "pki" / "ca.pem"
        sslyze = [
            sys.executable,
            "-m",
            "sslyze",
            "--mozilla_config=intermediate",
            f"--certinfo_ca_file={ca}",
            f"localhost:{port}",
        ]
        print(f"{', '.join(f'{k} = {v}' for k, v in suites.items())}; {_bench.load_average()}")
        cli: list[_bench.Sample] = []
        family: dict[str, list[_bench.Sample]] = {label: [] for label in suites}
        with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as reports:
            gate = _bench.pytest_cmd(
                "--env", "demo", "checks/test_tls.py", "--gonogo-reports", reports
            )
            for suite in suites.values():  # warm-up
                _bench.require_ok(_bench.timed(gate, cwd=suite, env=_bench.environ(suite, **demo)))
            for _ in range(args.runs):
                cli.append(_bench.timed(sslyze, cwd=args.suite, env=_bench.environ(args.suite)))
                _bench.require_ok(cli[-1])
                for label, suite in suites.items():
                    sample = _bench.timed(gate, cwd=suite, env=_bench.environ(suite, **demo))
                    _bench.require_ok(sample)
                    family[label].append(sample)
        print(f"after the runs: {_bench.load_average()}")
    print(_bench.summary("sslyze CLI", cli))
    cli_wall = _bench.median([c.wall_s for c in cli])
    for label in suites:
        print(_bench.summary(f"{label}: TLS family (gate)", family[label]))
        ratio = _bench.median([f.wall_s for f in family[label]]) / cli_wall
        print(_bench.verdict(ratio, 1.5, f"{label}: TLS family / sslyze CLI wall"))


if __name__ == "__main__":
    main()
