"""IPv6 and name-server checks through a real DNS server on loopback (wire protocol).

The DNS server answers on 127.0.0.1 and ::1 (same port); the probe asks it with
`--nameserver`, so no query leaves the machine. HTTPS servers listen on loopback too.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_no_traceback, run_assure
from tests.probes import pki
from tests.probes.dnsserver import DnsServer
from tests.probes.servers import Server, has_ipv6_loopback, response, server_context

pytestmark = pytest.mark.skipif(not has_ipv6_loopback(), reason="no ::1 on this machine")

SOA = "ns1.{z} hostmaster.{z} 1 3600 600 86400 60"
HSTS = {"Strict-Transport-Security": "max-age=31536000"}


def records() -> dict[str, dict[str, list[str]]]:
    ex, one = "example.test.", "one6.test."
    return {
        ex: {"SOA": [SOA.format(z=ex)], "NS": [f"ns1.{ex}", f"ns2.{ex}"]},
        f"ns1.{ex}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        f"ns2.{ex}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        f"dual.{ex}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        f"v4only.{ex}": {"A": ["127.0.0.1"]},
        f"mapped.{ex}": {"A": ["127.0.0.1"], "AAAA": ["::ffff:127.0.0.1"]},
        f"dead6.{ex}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        f"noaaaa.{ex}": {"A": ["127.0.0.1"], "AAAA": ["::1"], "DROP": ["AAAA"]},
        one: {"SOA": [SOA.format(z=one)], "NS": [f"ns1.{one}", f"ns2.{one}"]},
        f"ns1.{one}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        f"ns2.{one}": {"A": ["127.0.0.1"]},
        f"www.{one}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
    }


NAMES = [
    "dual.example.test",
    "v4only.example.test",
    "mapped.example.test",
    "dead6.example.test",
    "noaaaa.example.test",
    "www.one6.test",
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("dns")
    root = pki.make_ca("DNS Test Root")
    leaf = pki.make_leaf("dual.example.test", root, san=NAMES)
    cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
    (tmp / "root.pem").write_bytes(pki.pem(root.cert))
    both = Server(tls=server_context(cert, key), handler=lambda _p, _h: response(headers=HSTS))
    v4only = Server(
        tls=server_context(cert, key), handler=lambda _p, _h: response(headers=HSTS), v6=False
    )
    dns_server = DnsServer(records(), ("127.0.0.1", "::1"))
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    http_port = closed.getsockname()[1]
    closed.close()
    targets = {n: f"https://{n}:{both.port}/" for n in NAMES}
    targets["dead6.example.test"] = f"https://dead6.example.test:{v4only.port}/"
    run = run_assure(
        "probe",
        *targets.values(),
        "--nameserver",
        f"127.0.0.1:{dns_server.port}",
        # every record here points at this machine's loopback, allowed on purpose
        "--allow-range",
        "::1/128",
        "--allow-range",
        "127.0.0.0/8",
        "--ca-file",
        tmp / "root.pem",
        "--timeout",
        "2",
        "--http-port",
        str(http_port),
        "--format",
        "json",
        timeout=180,
    )
    yield {"run": run, "targets": targets}
    for s in (both, v4only, dns_server):
        s.close()


def status(world: dict[str, Any], name: str, check: str) -> dict[str, Any]:
    data = json.loads(world["run"].out)
    for f in data["findings"]:
        if f["target"] == world["targets"][name] and f["check"] == check:
            found: dict[str, Any] = f
            return found
    raise AssertionError((name, check))


@pytest.mark.parametrize(
    ("name", "check", "expected"),
    [
        ("dual.example.test", "web_aaaa", "pass"),
        ("dual.example.test", "web_reach_ipv6", "pass"),
        ("dual.example.test", "web_ipv46_parity", "pass"),
        ("dual.example.test", "ns_aaaa", "pass"),
        ("dual.example.test", "ns_reach_ipv6", "pass"),
        ("dual.example.test", "tls_cert_trusted", "pass"),
        ("v4only.example.test", "web_aaaa", "fail"),
        ("v4only.example.test", "web_reach_ipv6", "not_applicable"),
        ("v4only.example.test", "web_ipv46_parity", "not_applicable"),
        ("mapped.example.test", "web_aaaa", "fail"),
        ("dead6.example.test", "web_aaaa", "pass"),
        ("dead6.example.test", "web_reach_ipv6", "fail"),
        ("dead6.example.test", "https_available", "fail"),
        ("noaaaa.example.test", "web_aaaa", "inconclusive"),
        ("noaaaa.example.test", "web_reach_ipv6", "inconclusive"),
        ("noaaaa.example.test", "tls_cert_trusted", "pass"),
        ("www.one6.test", "ns_aaaa", "warn"),
        ("www.one6.test", "ns_reach_ipv6", "pass"),
    ],
)
def test_dns_cases(world: dict[str, Any], name: str, check: str, expected: str) -> None:
    """AAAA, reachability, parity and name-server cases decided through real DNS."""
    assert_no_traceback(world["run"])
    f = status(world, name, check)
    assert f["status"] == expected, f


def test_mapped_addresses_are_ignored_and_shown(world: dict[str, Any]) -> None:
    """An IPv4-mapped AAAA does not count as IPv6, and the evidence says it was ignored."""
    ev = status(world, "mapped.example.test", "web_aaaa")["evidence"]
    assert ev["ipv4_mapped_ignored"] == ["::ffff:127.0.0.1"]
    assert ev["aaaa"] == []


def test_every_address_is_checked(world: dict[str, Any]) -> None:
    """Both the IPv4 and the IPv6 address of a dual-stack name are probed."""
    per = status(world, "dual.example.test", "tls_cert_key")["evidence"]["addresses"]
    assert set(per) == {"127.0.0.1", "::1"}
