"""The DNS probe against a real authoritative server (the demo's dnslib server on loopback):
answers, NXDOMAIN, a missing record type, a CNAME, a server that refuses the question, and a
resolver that never answers (a timeout, within the configured limit)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.demo import dns as demo_dns
from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.facts.dns import Answer
from gonogo.probes import dns
from gonogo.schema.dns import DnsConfig, DnsRecord


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo's DNS server serving the clean demo zone; yields (resolver, zone file)."""
    zone = tmp_path_factory.mktemp("dns") / "zone.json"
    zone.write_text(json.dumps({"apex": demo_dns.APEX, "records": demo_dns.records(())}))
    port = _free_port()
    argv = [sys.executable, "-m", "gonogo.demo.dns_server", str(port), str(zone)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the DNS server did not start"
                time.sleep(0.05)
        yield f"127.0.0.1:{port}", zone
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def look_up(resolver: str, name: str, type: str = "A", timeout_s: float = 5.0):
    cfg = DnsConfig.model_validate(
        {"resolver": resolver, "timeout_s": timeout_s, "records": [{"name": name, "type": type}]}
    )
    return dns.resolve(cfg, DnsRecord.model_validate({"name": name, "type": type}))


def test_answers(server: tuple[str, Path]) -> None:
    """An A record answers with its address, and the facts name the resolver asked."""
    facts = look_up(server[0], "www.gonogo.test")
    assert (facts.status, facts.answers) == (Answer.ANSWERED, ("127.0.0.1",))
    assert facts.resolver == server[0] and facts.elapsed_ms >= 0


def test_cname(server: tuple[str, Path]) -> None:
    """A CNAME question answers with the alias's target, without its final dot."""
    assert look_up(server[0], "api.gonogo.test", "CNAME").answers == ("www.gonogo.test",)


def test_nxdomain_and_no_answer(server: tuple[str, Path]) -> None:
    """A name without records is NXDOMAIN; a name without an AAAA record has no answer."""
    assert look_up(server[0], "nope.gonogo.test").status is Answer.NXDOMAIN
    assert look_up(server[0], "www.gonogo.test", "AAAA").status is Answer.NO_ANSWER


def test_refused_question_is_an_error(server: tuple[str, Path]) -> None:
    """A name outside the server's zone is REFUSED: an error naming the resolver, not a pass."""
    with pytest.raises(ProbeError, match=server[0].replace(".", r"\.")):
        look_up(server[0], "www.example.com")


def test_silent_resolver_times_out() -> None:
    """A UDP socket that never answers ends the look-up at the limit, as a timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        resolver = f"127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(ProbeTimeout, match=r"no answer in 0\.5 s"):
            look_up(resolver, "www.gonogo.test", timeout_s=0.5)
        assert time.monotonic() - started < 30  # bounded: never hangs
