"""Host behaviours no demo fault can give this machine, seen failing against it for real.

A full disk is a small tmpfs the test mounts, fills and removes; a low open-files limit is a
process the test starts under ``ulimit -n 256``; a skewed clock and an unsynchronized NTP daemon
are ``date`` and ``timedatectl`` shims first on the gate's PATH (the probe runs them as it runs
the real ones); pending security updates are an ``apt-get`` shim (this machine's real count
depends on when its image was built). Thresholds no host here can miss (an old OS, 64 CPUs,
100 TB of memory) are raised in a copy of environments/demo.toml, against the real host.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST_FILE = "infra/test_host.py"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _variant(tmp_path: Path, *replacements: tuple[str, str], local_only: bool = True) -> Path:
    text = (ROOT / "environments" / "demo.toml").read_text()
    if local_only:  # one target is enough here; the ssh path is proven by the demo faults
        replacements = (
            ('targets = ["local://", "ssh://', 'targets = ["local://"]\n# "ssh://'),
            *replacements,
        )
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "demo-hosts.toml"
    path.write_text(text)
    return path


def _failed(run, check_id: str) -> dict:
    check = run.check(check_id)
    assert check["outcome"] == "failed", (check["outcome"], check["message"], run.output[-2000:])
    return check


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs with 15.5 MiB written: a real mount with almost nothing free."""
    mount = tmp_path / "full"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "gonogo-full", str(mount)], check=True
    )
    try:
        (mount / "ballast").write_bytes(b"\0" * (15 * 1024 * 1024 + 512 * 1024))
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("threshold", ['"1GB"', '"10%"'])
def test_full_disk_fails_host_disk(demo_stack, run_gate, tmp_path, full_disk, threshold) -> None:
    """A mount with 0.5 MiB of 16 MiB free fails host.disk (a blocker: NO-GO), by size or by
    percentage, and the evidence names the mount and the free space."""
    variant = _variant(
        tmp_path,
        ('mounts = ["/", "${GONOGO_DEMO_RUN_DIR}"]', f'mounts = ["/", "{full_disk}"]'),
        ('min_disk_free = "1GB"', f"min_disk_free = {threshold}"),
    )
    run = run_gate(HOST_FILE, env_file=variant)
    check = _failed(run, "host.disk")
    bad = [f for f in check["evidence"] if not f["ok"]]
    assert [f["name"] for f in bad] == [f"free:{full_disk}"], bad
    assert run.failing() == {"host.disk"} and run.verdict == "NO-GO"


def test_thresholds_no_host_here_meets(demo_stack, run_gate, tmp_path) -> None:
    """An OS outside the allowed list, 64 CPUs, 100 TB of memory, a port nobody listens on and
    a firewall that is not there each fail their check against the real machine."""
    variant = _variant(
        tmp_path,
        (
            "min_open_files = 1024",
            'min_open_files = 1024\nos_releases = ["ubuntu 24.04"]\n'
            'min_cpus = 64\nmin_memory_available = "100TB"\nfirewall = "nftables"',
        ),
        ('ports = ["tcp://127.0.0.1:${GONOGO_DEMO_HTTPS_PORT}"', 'ports = ["tcp://127.0.0.1:1"'),
    )
    run = run_gate(HOST_FILE, env_file=variant)
    for check_id in ("host.os", "host.cpu", "host.memory", "host.ports", "host.firewall"):
        _failed(run, check_id)
    assert run.check("host.cpu")["evidence"][1]["threshold"] == 64
    assert run.verdict == "NO-GO"  # host.ports is a blocker


def test_low_open_files_limit_fails(demo_stack, run_gate, tmp_path) -> None:
    """A required process started under ``ulimit -n 256`` fails host.fd-limits (major)."""
    name = f"gng-lowfd-{os.getpid() % 10000}"
    proc = subprocess.Popen(
        ["sh", "-c", f'ulimit -n 256 && exec "{sys.executable}" -m gonogo.demo.worker {name}'],
        cwd=ROOT,
    )
    try:
        variant = _variant(
            tmp_path, ('processes = ["${GONOGO_DEMO_WORKER_NAME}"]', f'processes = ["{name}"]')
        )
        run = run_gate(HOST_FILE, env_file=variant)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    check = _failed(run, "host.fd-limits")
    assert any(f["measured"] == 256 for f in check["evidence"]), check["evidence"]
    assert run.failing() == {"host.fd-limits"} and run.verdict == "CONDITIONAL"


def _shims(tmp_path: Path, scripts: dict[str, str]) -> str:
    bin_dir = tmp_path / "shims"
    bin_dir.mkdir()
    for name, body in scripts.items():
        shim = bin_dir / name
        shim.write_text("#!/bin/sh\n" + body)
        shim.chmod(0o755)
    return f"{bin_dir}:{os.environ['PATH']}"


def test_skewed_clock_and_unsynchronized_ntp_fail(
    demo_stack, run_gate, tmp_path, monkeypatch
) -> None:
    """A host whose clock is an hour ahead, and whose NTP daemon says it is not synchronized,
    fails host.clock with both findings."""
    ahead = 'echo "$(( $(/bin/date +%s) + 3600 )).000000000"\n'
    monkeypatch.setenv("PATH", _shims(tmp_path, {"date": ahead, "timedatectl": "echo no\n"}))
    run = run_gate(HOST_FILE, env_file=_variant(tmp_path))
    check = _failed(run, "host.clock")
    assert {f["name"] for f in check["evidence"] if not f["ok"]} == {"skew_s", "ntp"}
    assert run.failing() == {"host.clock"} and run.verdict == "CONDITIONAL"


def test_pending_security_updates_fail(demo_stack, run_gate, tmp_path, monkeypatch) -> None:
    """Two upgrades from a -security suite with max_security_updates = 0 fail the check, and
    the evidence names the packages."""
    inst = (
        'echo "Inst libssl3 [3.0.1] (3.0.2 Debian-Security:12/stable-security [amd64])"\n'
        'echo "Inst openssl [3.0.1] (3.0.2 Debian-Security:12/stable-security [amd64])"\n'
        'echo "Inst tzdata [2024a] (2024b Debian:12/stable [all])"\n'
    )
    monkeypatch.setenv("PATH", _shims(tmp_path, {"apt-get": inst}))
    variant = _variant(
        tmp_path, ("min_open_files = 1024", "min_open_files = 1024\nmax_security_updates = 0")
    )
    run = run_gate(HOST_FILE, env_file=variant)
    check = _failed(run, "host.security-updates")
    assert any(f["measured"] == 2 and "libssl3, openssl" in f["message"] for f in check["evidence"])


def test_active_firewall_and_no_security_updates_pass(
    demo_stack, run_gate, tmp_path, monkeypatch
) -> None:
    """An nftables ruleset with an input filter chain and an apt with only ordinary upgrades
    pass host.firewall and host.security-updates (the opt-in checks the demo leaves out)."""
    ruleset = 'printf "table inet filter {\\n chain input {\\n  type filter hook input priority filter; policy drop;\\n }\\n}\\n"\n'
    apt = 'echo "Inst tzdata [2024a] (2024b Debian:12/stable [all])"\n'
    monkeypatch.setenv("PATH", _shims(tmp_path, {"nft": ruleset, "apt-get": apt}))
    variant = _variant(
        tmp_path,
        (
            "min_open_files = 1024",
            'min_open_files = 1024\nfirewall = "nftables"\nmax_security_updates = 0',
        ),
    )
    run = run_gate(HOST_FILE, env_file=variant)
    assert run.outcome("host.firewall") == "passed", run.check("host.firewall")
    assert run.outcome("host.security-updates") == "passed", run.check("host.security-updates")


def test_expiring_certificate_file_fails(demo_stack, run_gate, tmp_path) -> None:
    """A certificate file on the host that expires in 3 days fails host.cert-files as a blocker."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expiring.demo.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=80))
        .not_valid_after(now + dt.timedelta(days=3, hours=2))
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "expiring.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    variant = _variant(
        tmp_path, ('cert_files = ["${GONOGO_DEMO_SERVER_CERT}"]', f'cert_files = ["{pem}"]')
    )
    run = run_gate(HOST_FILE, env_file=variant)
    check = _failed(run, "host.cert-files")
    bad = [f for f in check["evidence"] if not f["ok"]]
    assert bad[0]["severity"] == "blocker" and bad[0]["measured"] == 3, bad
    assert run.verdict == "NO-GO"


def test_host_fault_fails_every_instance(demo_stack, run_gate) -> None:
    """A world-readable secrets file fails host.secrets-files on both demo targets: through
    testinfra's local backend and over ssh to the run's private sshd."""
    with demo_stack.fault("secrets-world-readable"):
        run = run_gate(HOST_FILE, "-k", "sensitive_files")
    checks = [c for c in run.document["checks"] if c["id"] == "host.secrets-files"]
    assert sorted(c["nodeid"].split("[")[1] for c in checks) == [
        "app:local://]",
        f"app:ssh://{getpass.getuser()}@127.0.0.1:{demo_stack.ports.ssh}]",
    ]
    assert {c["outcome"] for c in checks} == {"failed"}
    assert all("mode 0644" in str(c["evidence"]) for c in checks)


def test_testinfra_hosts_option_replaces_the_targets(demo_stack, run_gate) -> None:
    """testinfra's own --hosts still works: the hosts it names replace the environment's targets
    (checked with the first role's thresholds), each its own instance; a bad one is exit 4."""
    run = run_gate(HOST_FILE, "-k", "test_cpu or test_os", "--hosts", "local://")
    ids = sorted(c["nodeid"].split("::")[-1] for c in run.document["checks"])
    assert ids == ["test_cpu[app:local://]", "test_os[app:local://]"], ids
    assert {c["outcome"] for c in run.document["checks"]} == {"passed"}
    bad = subprocess.run(
        [sys.executable, "-m", "pytest", "--env", "demo", HOST_FILE, "--hosts", "ftp://x", "-q",
         "-p", "no:cacheprovider", "--noconftest"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "GONOGO_DEMO_STATE": str(demo_stack.state_file)},
    )  # fmt: skip
    assert bad.returncode == 4, bad.stdout[-2000:] + bad.stderr[-2000:]
    assert "--hosts: 'ftp://x'" in bad.stdout + bad.stderr
