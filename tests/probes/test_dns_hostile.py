"""A broken DNS answer is not a fact: hostile DNS behaviours on loopback (wire protocol).

One authoritative server on 127.0.0.1 and ::1 holds names whose lookups fail in the ways
real resolvers and middleboxes fail (SERVFAIL, REFUSED, garbage, truncation without TCP, a
dropped query); the probe must report them as unknown — `inconclusive`, with the error and
the other family's result in the evidence — and never as "no such record". Records pointing
at loopback or link-local are not the site's IPv6 and are never connected to; DNS64
synthesis is detected (RFC 7050); all DNS work spends the target's --deadline.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assure.findings import Status
from assure.probes import dns as pdns
from assure.probes import ipv6
from assure.probes.context import Deadline
from tests.conftest import assert_no_traceback, run_assure
from tests.probes import pki
from tests.probes.dnsserver import DnsServer
from tests.probes.servers import Server, has_ipv6_loopback, response, server_context
from tests.probes.test_loopback import closed_port

pytestmark = pytest.mark.skipif(not has_ipv6_loopback(), reason="no ::1 on this machine")

SOA = "ns1.{z} hostmaster.{z} 1 3600 600 86400 60"
HSTS = {"Strict-Transport-Security": "max-age=31536000"}
LOOP = {"A": ["127.0.0.1"], "AAAA": ["::1"]}


def zone(z: str, *ns: str) -> dict[str, list[str]]:
    return {"SOA": [SOA.format(z=z)], "NS": [f"{n}.{z}" for n in ns]}


def records() -> dict[str, dict[str, list[str]]]:
    r: dict[str, dict[str, list[str]]] = {}
    # ns1 has IPv6; ns2's AAAA lookup fails in one way per zone.
    for fault in ("SERVFAIL", "REFUSED", "GARBAGE", "TRUNC", "DROP"):
        z = f"{fault.lower()}.test."
        r[z] = zone(z, "ns1", "ns2")
        r[f"ns1.{z}"] = dict(LOOP)
        r[f"ns2.{z}"] = {"A": ["127.0.0.1"], "AAAA": ["::1"], fault: ["AAAA"]}
        r[f"www.{z}"] = dict(LOOP)
    # The web host's A lookup fails; its AAAA works.
    r["noa.test."] = zone("noa.test.", "ns1")
    r["ns1.noa.test."] = dict(LOOP)
    r["www.noa.test."] = {"A": ["127.0.0.1"], "AAAA": ["::1"], "SERVFAIL": ["A"]}
    # Records that are not the site's IPv6 (checked without --allow-range ::1).
    r["bogus.test."] = zone("bogus.test.", "ns1")
    r["ns1.bogus.test."] = {"A": ["127.0.0.1"], "AAAA": ["::1", "fe80::1"]}
    r["www.bogus.test."] = {"A": ["127.0.0.1"], "AAAA": ["::1", "fe80::1", "::", "::7f00:1"]}
    # A DNS64 resolver: ipv4only.arpa has AAAA in a network-specific prefix.
    r["ipv4only.arpa."] = {
        "SOA": [SOA.format(z="ipv4only.arpa.")],
        "A": ["192.0.0.170", "192.0.0.171"],
        "AAAA": ["2001:db8:64::c000:aa", "2001:db8:64::c000:ab"],
    }
    r["syn.test."] = zone("syn.test.", "ns1")
    r["ns1.syn.test."] = dict(LOOP)
    r["www.syn.test."] = {"A": ["127.0.0.1"], "AAAA": ["2001:db8:64::7f00:1"]}
    return r


FAULTS = ("servfail", "refused", "garbage", "trunc", "drop")
# What each failure is called in the evidence (the resolver's words, `dns.dns_error_text`).
WHY = {
    "servfail": "no name server could answer (SERVFAIL or REFUSED)",
    "refused": "no name server could answer (SERVFAIL or REFUSED)",
    "garbage": "a malformed answer (DNS)",
    "trunc": "the answer was truncated and not completed over TCP",
    "drop": "the name server did not answer in time",
}
NAMES = [f"www.{f}.test" for f in FAULTS] + ["www.noa.test", "www.bogus.test", "www.syn.test"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("dnshostile")
    root = pki.make_ca("Hostile DNS Root")
    leaf = pki.make_leaf("www.noa.test", root, san=NAMES)
    cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
    (tmp / "root.pem").write_bytes(pki.pem(root.cert))
    web = Server(tls=server_context(cert, key), handler=lambda _p, _h: response(headers=HSTS))
    v4only = Server(
        tls=server_context(cert, key), handler=lambda _p, _h: response(headers=HSTS), v6=False
    )
    server = DnsServer(records(), ("127.0.0.1", "::1"))
    targets = {n: f"https://{n}:{web.port}/" for n in NAMES}
    targets["www.noa.test"] = f"https://www.noa.test:{v4only.port}/"
    common = [
        "--nameserver",
        f"127.0.0.1:{server.port}",
        "--ca-file",
        str(tmp / "root.pem"),
        "--timeout",
        "1",
        "--http-port",
        str(closed_port()),
        "--format",
        "json",
    ]
    loop_allowed = ["--allow-range", "::1/128", "--allow-range", "127.0.0.0/8"]
    names = [targets[n] for n in NAMES if n not in ("www.bogus.test", "www.syn.test")]
    main = run_assure("probe", *names, *common, *loop_allowed, timeout=180)
    strict = run_assure(
        "probe", targets["www.bogus.test"], *common, "--allow-range", "127.0.0.0/8", timeout=120
    )
    syn = run_assure(
        "probe",
        targets["www.syn.test"],
        *common,
        *loop_allowed,
        "--allow-range",
        "2001:db8::/32",
        timeout=120,
    )
    yield {"runs": [main, strict, syn], "targets": targets, "port": server.port}
    for s in (web, v4only, server):
        s.close()


def finding(world: dict[str, Any], name: str, check: str) -> dict[str, Any]:
    for run in world["runs"]:
        assert_no_traceback(run)
        for f in json.loads(run.out)["findings"]:
            if f["target"] == world["targets"][name] and f["check"] == check:
                found: dict[str, Any] = f
                return found
    raise AssertionError((name, check))


@pytest.mark.parametrize("fault", FAULTS)
def test_failed_name_server_lookup_is_not_no_ipv6(world: dict[str, Any], fault: str) -> None:
    """ns2's AAAA lookup fails: ns_aaaa and ns_reach_ipv6 are inconclusive (not fail, not
    pass), and the evidence keeps the error beside ns2's A result."""
    name = f"www.{fault}.test"
    aaaa = finding(world, name, "ns_aaaa")
    assert aaaa["status"] == "inconclusive", aaaa
    ns2 = aaaa["evidence"]["name_servers"][f"ns2.{fault}.test."]
    assert ns2["aaaa_error"] == WHY[fault], ns2
    assert ns2["ipv4"] == ["127.0.0.1"]
    reach = finding(world, name, "ns_reach_ipv6")
    assert reach["status"] == "inconclusive", reach


def test_failed_a_lookup_is_tracked_apart(world: dict[str, Any]) -> None:
    """The web host's A lookup fails: parity is inconclusive (not "not dual-stack"), and
    IPv6 reach with a refused port is inconclusive, not pass."""
    parity = finding(world, "www.noa.test", "web_ipv46_parity")
    assert parity["status"] == "inconclusive", parity
    reach = finding(world, "www.noa.test", "web_reach_ipv6")
    assert reach["status"] == "inconclusive", reach
    assert finding(world, "www.noa.test", "web_aaaa")["evidence"]["a_error"]


def test_loopback_and_link_local_records_are_not_ipv6(world: dict[str, Any]) -> None:
    """AAAA records ::1, fe80::1, :: and ::7f00:1 are set aside with the reason; web_aaaa
    fails, ns_aaaa fails, and no IPv6 address was probed."""
    aaaa = finding(world, "www.bogus.test", "web_aaaa")
    assert aaaa["status"] == "fail", aaaa
    ignored = {str(ipaddress.ip_address(a)): why for a, why in aaaa["evidence"]["ignored"].items()}
    assert set(ignored) >= {"::1", "fe80::1", "::", "::7f00:1"}, ignored
    assert "loopback" in ignored["::1"] and "link-local" in ignored["fe80::1"]
    assert finding(world, "www.bogus.test", "ns_aaaa")["status"] == "fail"
    https = finding(world, "www.bogus.test", "https_available")
    assert set(https["evidence"]["addresses"]) == {"127.0.0.1"}, https
    for check in ("web_reach_ipv6", "web_ipv46_parity", "ns_reach_ipv6"):
        assert finding(world, "www.bogus.test", check)["status"] != "pass", check


def test_dns64_synthesis_is_detected(world: dict[str, Any]) -> None:
    """The resolver answers ipv4only.arpa AAAA (RFC 7050): its prefix is named, and a host
    AAAA inside it is a translation, not the site's IPv6 — even inside an allowed range."""
    aaaa = finding(world, "www.syn.test", "web_aaaa")
    assert aaaa["status"] == "fail", aaaa
    assert aaaa["evidence"]["dns64_prefixes"] == ["2001:db8:64::/96"]
    assert "DNS64" in aaaa["evidence"]["ignored"]["2001:db8:64::7f00:1"]


def test_dns_spends_the_target_deadline() -> None:
    """Every query dropped: the run ends near --deadline, not after every lookup's timeout."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        start = time.monotonic()
        run = run_assure(
            "probe",
            "www.example.test",
            "--nameserver",
            f"127.0.0.1:{silent.getsockname()[1]}",
            "--timeout",
            "3",
            "--deadline",
            "2",
            "--format",
            "json",
            timeout=60,
        )
        took = time.monotonic() - start
    finally:
        silent.close()
    assert_no_traceback(run)
    assert run.code == 4
    assert took < 8, took


def test_ns_answers_means_authoritative(tmp_path: Path) -> None:
    """Against real servers: an authoritative reply answers; a non-authoritative one is
    lame; a server that only answers over TCP is `tcp_only`; a silent one times out."""
    recs = {"z.test.": {"SOA": [SOA.format(z="z.test.")], "NS": ["ns1.z.test."]}}
    good = DnsServer(recs, ("::1",))
    lame = DnsServer(recs, ("::1",), lame=True)
    tcp = DnsServer(recs, ("::1",), udp="silent")
    try:
        got = {
            kind: pdns.ns_answers("::1", srv.port, "z.test.", Deadline(10, 0.5))
            for kind, srv in (("good", good), ("lame", lame), ("tcp", tcp))
        }
        got["silent"] = pdns.ns_answers("::1", closed_port(), "z.test.", Deadline(10, 0.3))
    finally:
        for s in (good, lame, tcp):
            s.close()
    assert got["good"] == "ok"
    assert got["lame"] == "lame (not authoritative)"
    assert got["tcp"] == "tcp_only"
    assert got["silent"] == "timeout"


def _obs(v6: str, v4: str | None) -> pdns.DnsObservation:
    ns = pdns.NameServer("ns1.z.test.", ["192.0.2.53"], ["2001:db8::53"], {"2001:db8::53": v6})
    if v4 is not None:
        ns.reach_v4 = {"192.0.2.53": v4}
    return pdns.DnsObservation(a=["192.0.2.1"], zone="z.test.", ns=[ns])


@pytest.mark.parametrize(
    ("v6", "v4", "expected"),
    [
        ("ok", None, Status.PASS),
        ("timeout", "ok", Status.FAIL),  # black hole
        ("timeout", "timeout", Status.INCONCLUSIVE),  # silent on both families
        ("tcp_only", "ok", Status.FAIL),  # UDP lost over IPv6 only
        ("tcp_only", "tcp_only", Status.WARN),
        ("lame (REFUSED)", "ok", Status.FAIL),
        ("lame (REFUSED)", "lame (REFUSED)", Status.WARN),
        ("deadline", "ok", Status.INCONCLUSIVE),
    ],
)
def test_ns_reach_rules(v6: str, v4: str | None, expected: Status) -> None:
    v = ipv6.judge_ns_reach(_obs(v6, v4), (True, "test"))
    assert v.status is expected, v


def test_ignore_reason_follows_the_special_purpose_registry() -> None:
    """Only global unicast counts; the reason is named; an allowed range counts."""
    for addr in ("::1", "::", "fe80::1", "fc00::1", "2001:db8::1", "64:ff9b::1.2.3.4", "ff02::1"):
        assert pdns.ignore_reason(addr) is not None, addr
    assert pdns.ignore_reason("2a00:1450:4001::1") is None
    assert pdns.ignore_reason("2001:db8::1", pdns.allowed_networks(("2001:db8::/32",))) is None
    assert pdns.dns64_prefixes(["64:ff9b::c000:aa"]) == (ipaddress.ip_network("64:ff9b::/96"),)
    # RFC 6052 §2.4's layout for a /40 prefix (the u octet skipped), found back.
    wka = ipaddress.IPv4Address("192.0.0.171")
    synth = ipaddress.IPv6Address(pdns._embed(ipaddress.IPv6Address("2001:db8:100::"), 40, wka))
    assert pdns.dns64_prefixes([str(synth)]) == (ipaddress.ip_network("2001:db8:100::/40"),)
