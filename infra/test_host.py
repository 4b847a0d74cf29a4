"""Hosts through testinfra: one connection per target gathers the facts every host.* check
judges; each target of each [hosts.<role>] is its own test instance (the target in the id)."""

from __future__ import annotations

import pytest

from gonogo.recipes import host
from gonogo.rules import host as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.infra]


@pytest.mark.check("host.disk")
def test_disk(gate, host_target):
    gate.judge(rules.evaluate_disk(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.memory")
def test_memory(gate, host_target):
    gate.judge(rules.evaluate_memory(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.cpu")
def test_cpu(gate, host_target):
    gate.judge(rules.evaluate_cpu(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.os")
def test_os(gate, host_target):
    gate.judge(rules.evaluate_os(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.processes")
def test_processes(gate, host_target):
    if host_target and not host_target.config.processes:
        gate.not_applicable(f"[hosts.{host_target.role}] processes is empty")
    gate.judge(rules.evaluate_processes(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.ports")
def test_ports(gate, host_target):
    if host_target and not host_target.config.ports:
        gate.not_applicable(f"[hosts.{host_target.role}] ports is empty")
    gate.judge(rules.evaluate_ports(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.clock")
def test_clock(gate, host_target):
    gate.judge(rules.evaluate_clock(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.secrets-files")
def test_sensitive_files(gate, host_target):
    if host_target and not host_target.config.sensitive_files:
        gate.not_applicable(f"[hosts.{host_target.role}] sensitive_files is empty")
    gate.judge(rules.evaluate_sensitive_files(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.cert-files")
def test_cert_files(gate, host_target):
    if host_target and not host_target.config.cert_files:
        gate.not_applicable(f"[hosts.{host_target.role}] cert_files is empty")
    facts = host.facts(gate, host_target)
    gate.judge(rules.evaluate_cert_files(facts, host_target.config, gate.now))


@pytest.mark.check("host.fd-limits")
def test_fd_limits(gate, host_target):
    gate.judge(rules.evaluate_fd_limits(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.firewall")
def test_firewall(gate, host_target):
    if host_target and host_target.config.firewall is None:
        gate.not_applicable(f"[hosts.{host_target.role}] firewall is not declared")
    gate.judge(rules.evaluate_firewall(host.facts(gate, host_target), host_target.config))


@pytest.mark.check("host.security-updates")
def test_security_updates(gate, host_target):
    if host_target and host_target.config.max_security_updates is None:
        gate.not_applicable(f"[hosts.{host_target.role}] max_security_updates is not set")
    facts = host.facts(gate, host_target)
    gate.judge(rules.evaluate_security_updates(facts, host_target.config))
