"""Cipher suites per version with sslyze, checked by sslyze's Mozilla TLS profile checker
against a version of Mozilla's guidelines kept as data (:mod:`.mozilla`); the same scan reports
the known attacks (Heartbleed, ROBOT, renegotiation, SSLv2/SSLv3...).

sslyze is an optional dependency (``gonogo[security]``): without it the probe raises, so the
check ends as ``error``, never as a pass.

The scan runs in a child process (``_cipher_child``) that spends about half a second importing
sslyze before it reads its request. :func:`prepare_scan` starts that child ahead of the scan so
that the import overlaps other work; it contacts nothing until :func:`scan_ciphers` sends it a
request, and :func:`discard_prepared` stops one that was not used.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.tls import CipherFacts, ProfileIssue, Suite, Vulnerability
from gonogo.model import ErrorReason
from gonogo.probes.tls import mozilla as guidelines
from gonogo.probes.tls._net import handshake, probe_context

_CHILD = (sys.executable, "-m", "gonogo.probes.tls._cipher_child")
_prepared: list[subprocess.Popen[str]] = []  # a started child waiting for its request


def _start_child() -> subprocess.Popen[str]:
    return subprocess.Popen(
        _CHILD,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def prepare_scan() -> None:
    """Start the scan's child process now (it imports sslyze, then waits for a request)."""
    if not _prepared and importlib.util.find_spec("sslyze") is not None:
        _prepared.append(_start_child())


def discard_prepared() -> None:
    """Stop a child started by :func:`prepare_scan` that no scan used."""
    while _prepared:
        _stop(_prepared.pop())


def _stop(child: subprocess.Popen[str]) -> None:
    child.kill()
    child.communicate()


_SCAN_FIELDS = {
    "ssl_2_0_cipher_suites": "SSLv2",
    "ssl_3_0_cipher_suites": "SSLv3",
    "tls_1_0_cipher_suites": "TLSv1",
    "tls_1_1_cipher_suites": "TLSv1.1",
    "tls_1_2_cipher_suites": "TLSv1.2",
    "tls_1_3_cipher_suites": "TLSv1.3",
}


def scan_ciphers(
    host: str,
    port: int,
    server_name: str | None,
    timeout: float,
    *,
    profile: str = "intermediate",
    ca_bundle: Path | None = None,
    deadline_s: float | None = None,
    mozilla_version: str = "6.0",
) -> CipherFacts:
    """Scan with sslyze and check the result with sslyze's Mozilla profile checker.

    sslyze's own ``network_timeout`` bounds each socket read, not the scan: a server that
    accepts and then stays silent kept it busy for about a minute. So the scan runs in a child
    process killed at ``deadline_s`` (default ``max(20, 6 * timeout)``, counted from the request,
    after the child's start when :func:`prepare_scan` started it), after a handshake of our own
    that fails fast (``timeout``) on a server that never answers a ClientHello.
    """
    if importlib.util.find_spec("sslyze") is None:
        raise ProbeError(
            f"{host}:{port}: sslyze is not installed; pip install 'gonogo[security]'",
            reason=ErrorReason.CONFIG,
        )
    name = server_name or host
    # Connect once ourselves: same resolution and error mapping as the other probes, and sslyze
    # gets the address that answered (it would try only the first one, e.g. ::1 for localhost).
    with handshake(host, port, name, probe_context(None, None), timeout) as tls:
        address = tls.getpeername()[0]
    deadline = deadline_s if deadline_s is not None else max(20.0, 6 * timeout)
    request = {
        "host": host,
        "port": port,
        "address": address,
        "server_name": name,
        "timeout": timeout,
        "profile": profile,
        "ca_bundle": str(ca_bundle) if ca_bundle else None,
        "mozilla_version": mozilla_version,
    }
    child = _prepared.pop() if _prepared else _start_child()
    try:
        stdout, stderr = child.communicate(json.dumps(request) + "\n", timeout=deadline)
    except subprocess.TimeoutExpired as err:
        _stop(child)
        raise ProbeTimeout(
            f"{host}:{port}: sslyze cipher scan did not finish within {deadline:g} s; check that "
            "the TLS endpoint answers promptly, or raise [web].timeout_s"
        ) from err
    except BaseException:  # interrupted while waiting: the child goes too
        _stop(child)
        raise
    try:
        answer = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError) as err:
        raise ProbeError(
            f"{host}:{port}: sslyze scan crashed (exit {child.returncode}): "
            f"{(stderr.strip().splitlines() or ['no output'])[-1][:300]}",
            reason=ErrorReason.BUG,
        ) from err
    if "error" in answer:
        kind = _ERRORS.get(answer["error"]["type"], ProbeError)
        raise kind(answer["error"]["message"], reason=ErrorReason(answer["error"]["reason"]))
    return CipherFacts(
        host=host,
        port=port,
        profile=profile,
        accepted=tuple(Suite(**x) for x in answer["accepted"]),
        offending=tuple(Suite(**x) for x in answer["offending"]),
        issues=tuple(ProfileIssue(**x) for x in answer["issues"]),
        scan_s=answer["scan_s"],
        mozilla_version=answer["mozilla_version"],
        vulnerabilities=tuple(Vulnerability(**x) for x in answer["vulnerabilities"]),
    )


_ERRORS: dict[str, type[ProbeError]] = {
    "ProbeTimeout": ProbeTimeout,
    "ProbeRefused": ProbeRefused,
    "ProbeError": ProbeError,
}


def _scan(
    host: str,
    port: int,
    address: str,
    server_name: str,
    timeout: float,
    profile: str,
    ca_bundle: Path | None,
    mozilla_version: str = "6.0",
) -> CipherFacts:
    """The sslyze scan itself (run in the child process)."""
    import sslyze
    from sslyze.mozilla_tls_profile import tls_config_checker as mozilla

    extra = sslyze.ScanCommandsExtraArguments(
        certificate_info=sslyze.CertificateInfoExtraArgument(custom_ca_file=ca_bundle)
        if ca_bundle
        else None
    )
    request = sslyze.ServerScanRequest(
        server_location=sslyze.ServerNetworkLocation(host, port, ip_address=address),
        network_configuration=sslyze.ServerNetworkConfiguration(
            tls_server_name_indication=server_name,
            network_timeout=max(1, round(timeout)),
            network_max_retries=1,
        ),
        scan_commands=mozilla.SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
        scan_commands_extra_arguments=extra,
    )
    started = time.monotonic()
    with warnings.catch_warnings():
        # sslyze's bundled trust stores hold a legacy certificate that cryptography warns
        # about on every load; the warning is not about the target.
        warnings.filterwarnings("ignore", message=".*serial number which wasn't positive")
        scanner = sslyze.Scanner()
        scanner.queue_scans([request])
        result = next(iter(scanner.get_results()))
    scan_s = time.monotonic() - started
    _raise_for_scan(host, port, result, sslyze, mozilla.SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER)
    try:
        config = guidelines.configuration(mozilla_version, profile)
    except ValueError as err:
        raise ProbeError(f"{err}; fix [tls]", reason=ErrorReason.CONFIG) from err
    try:
        mozilla.check_server_against_tls_configuration(result, config)
        issues: dict[str, str] = {}
    except mozilla.ServerNotCompliantWithTlsConfiguration as err:
        issues = err.issues
    except mozilla.ServerScanResultIncomplete as err:
        raise ProbeError(f"{host}:{port}: sslyze scan incomplete ({err}); re-run the gate") from err
    accepted = tuple(
        Suite(version, s.cipher_suite.name)
        for field, version in _SCAN_FIELDS.items()
        for s in getattr(result.scan_result, field).result.accepted_cipher_suites
    )
    offending = tuple(
        s
        for s in accepted
        if s.name not in (config.ciphersuites if s.version == "TLSv1.3" else config.ciphers.iana)
    )
    return CipherFacts(
        host=host,
        port=port,
        profile=profile,
        accepted=accepted,
        offending=offending,
        issues=tuple(ProfileIssue(k, v) for k, v in sorted(issues.items())),
        scan_s=round(scan_s, 3),
        mozilla_version=mozilla_version,
        vulnerabilities=guidelines.vulnerabilities(result.scan_result),
    )


def _raise_for_scan(host: str, port: int, result: Any, sslyze: Any, needed: Any) -> None:
    """Turn an sslyze connectivity failure or a failed scan command into a ProbeError."""
    if result.scan_status != sslyze.ServerScanStatusEnum.COMPLETED:
        trace = result.connectivity_error_trace
        cause = trace.exc_type.__name__ if trace else "unknown"
        text = str(trace).strip().splitlines()[-1] if trace else "no connectivity"
        error = ProbeTimeout if "Timed" in cause else ProbeRefused
        raise error(f"{host}:{port}: sslyze could not connect ({text}); is the TLS port up?")
    for command in sorted(c.value for c in needed):
        attempt = getattr(result.scan_result, command)
        if attempt.status == sslyze.ScanCommandAttemptStatusEnum.ERROR:
            trace = attempt.error_trace
            text = str(trace).strip().splitlines()[-1] if trace else ""
            raise ProbeError(
                f"{host}:{port}: sslyze {command} failed ({attempt.error_reason.value}: {text}); "
                "re-run, or check the server's error log"
            )
