"""IPv6 cases in network namespaces the tests create (root, `ip netns`, veth).

Topology (documentation prefixes only, nothing leaves the namespaces):

    client  ── veth ──  server            (192.0.2.0/25, 2001:db8:1::/64)
    client4 ── veth ──  server            (192.0.2.128/25, IPv4 only: no IPv6 vantage)

The server namespace runs a DNS server (192.0.2.53, 2001:db8:1::53) and the web servers;
the probe runs with `ip netns exec` and the namespace's own /etc/netns/NS/resolv.conf.
2001:db8:1::20 is assigned but closed (refused); 2001:db8:1::30 is assigned nowhere, so
neighbour discovery never answers and connections time out (a black hole, not a refusal).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, assure_command
from tests.probes import pki

pytestmark = pytest.mark.netns

PID = os.getpid() % 100000
NS_C, NS_C4, NS_S = f"apc{PID}", f"apv{PID}", f"aps{PID}"
ZONE_SOA = "ns1.{z} hostmaster.{z} 1 3600 600 86400 60"
NAMES = [
    "good.example.test",
    "v4only.example.test",
    "dead6.example.test",
    "hole6.example.test",
    "diff6.example.test",
    "www.one6.test",
    "www.ns6dead.test",
]


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=20)


def _netns_usable() -> str | None:
    if os.geteuid() != 0:
        return "needs root"
    if shutil.which("ip") is None:
        return "needs iproute2 (`ip`)"
    probe = f"apx{PID}"
    r = _ip("netns", "add", probe, check=False)
    if r.returncode != 0:
        return f"`ip netns add` failed: {r.stderr.strip()}"
    try:
        r = _ip("netns", "exec", probe, "true", check=False)
    finally:
        _ip("netns", "del", probe, check=False)
    if r.returncode != 0:
        return f"`ip netns exec` failed: {r.stderr.strip()}"
    return None


def records() -> dict[str, dict[str, list[str]]]:
    ex, one, dead = "example.test.", "one6.test.", "ns6dead.test."
    good = {"A": ["192.0.2.10"], "AAAA": ["2001:db8:1::10"]}
    ns_ok = {"A": ["192.0.2.53"], "AAAA": ["2001:db8:1::53"]}
    return {
        ex: {"SOA": [ZONE_SOA.format(z=ex)], "NS": [f"ns1.{ex}", f"ns2.{ex}"]},
        f"ns1.{ex}": ns_ok,
        f"ns2.{ex}": ns_ok,
        f"good.{ex}": good,
        f"v4only.{ex}": {"A": ["192.0.2.10"]},
        f"dead6.{ex}": {"A": ["192.0.2.10"], "AAAA": ["2001:db8:1::20"]},
        f"hole6.{ex}": {"A": ["192.0.2.10"], "AAAA": ["2001:db8:1::30"]},
        f"diff6.{ex}": {"A": ["192.0.2.40"], "AAAA": ["2001:db8:1::40"]},
        one: {"SOA": [ZONE_SOA.format(z=one)], "NS": [f"ns1.{one}", f"ns2.{one}"]},
        f"ns1.{one}": ns_ok,
        f"ns2.{one}": {"A": ["192.0.2.53"]},
        f"www.{one}": good,
        dead: {"SOA": [ZONE_SOA.format(z=dead)], "NS": [f"ns1.{dead}", f"ns2.{dead}"]},
        f"ns1.{dead}": {"A": ["192.0.2.53"], "AAAA": ["2001:db8:1::30"]},
        f"ns2.{dead}": ns_ok,
        f"www.{dead}": good,
    }


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    why = _netns_usable()
    if why:
        pytest.skip(why)
    tmp: Path = tmp_path_factory.mktemp("netns")
    made: list[str] = []
    proc: subprocess.Popen[str] | None = None
    try:
        for ns in (NS_C, NS_C4, NS_S):
            _ip("netns", "add", ns)
            made.append(ns)
            _ip("-n", ns, "link", "set", "lo", "up")
        vc, vs, v4c, v4s = f"v{PID}c", f"v{PID}s", f"w{PID}c", f"w{PID}s"
        _ip("link", "add", vc, "netns", NS_C, "type", "veth", "peer", "name", vs, "netns", NS_S)
        _ip("link", "add", v4c, "netns", NS_C4, "type", "veth", "peer", "name", v4s, "netns", NS_S)
        for ns, dev, addrs in (
            (NS_C, vc, ["192.0.2.1/25", "2001:db8:1::1/64"]),
            (
                NS_S,
                vs,
                [
                    "192.0.2.2/25",
                    "192.0.2.10/25",
                    "192.0.2.40/25",
                    "192.0.2.53/25",
                    "2001:db8:1::2/64",
                    "2001:db8:1::10/64",
                    "2001:db8:1::20/64",
                    "2001:db8:1::40/64",
                    "2001:db8:1::53/64",
                ],
            ),
            (NS_C4, v4c, ["192.0.2.129/25"]),
            (NS_S, v4s, ["192.0.2.130/25"]),
        ):
            for a in addrs:
                extra = ["nodad"] if ":" in a else []
                _ip("-n", ns, "addr", "add", a, "dev", dev, *extra)
            _ip("-n", ns, "link", "set", dev, "up")
        _ip("-n", NS_C4, "route", "add", "192.0.2.0/25", "via", "192.0.2.130")
        # client4 gets no IPv6 address and no IPv6 route (only link-local), like an IPv4-only
        # office network: the probe must see that and say "inconclusive" for IPv6.
        for ns in (NS_C, NS_C4):
            d = Path("/etc/netns") / ns
            d.mkdir(parents=True, exist_ok=True)
            (d / "resolv.conf").write_text("nameserver 192.0.2.53\noptions timeout:1\n")

        root = pki.make_ca("Netns Test Root")
        leaf = pki.make_leaf("good.example.test", root, san=NAMES)
        cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
        (tmp / "root.pem").write_bytes(pki.pem(root.cert))
        page = "<html><body>" + "Cổng dịch vụ công " * 50 + "</body></html>"
        config = {
            "dns": {"addresses": ["192.0.2.53", "2001:db8:1::53"], "records": records()},
            "https": [
                {
                    "addresses": ["192.0.2.10", "2001:db8:1::10", "192.0.2.40"],
                    "cert": str(cert),
                    "key": str(key),
                    "body": page,
                },
                {
                    "addresses": ["2001:db8:1::40"],
                    "cert": str(cert),
                    "key": str(key),
                    "body": "<html><body>" + "a different site entirely " * 50 + "</body></html>",
                },
            ],
            "http": [{"addresses": ["192.0.2.10", "2001:db8:1::10"]}],
        }
        cfg = tmp / "config.json"
        cfg.write_text(json.dumps(config), encoding="utf-8")
        proc = subprocess.Popen(
            ["ip", "netns", "exec", NS_S, sys.executable, "-m", "tests.probes.nsfixture", str(cfg)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read() if proc.stderr else ""
        yield {"ca": tmp / "root.pem"}
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
        for ns in made:
            _ip("netns", "del", ns, check=False)
            shutil.rmtree(Path("/etc/netns") / ns, ignore_errors=True)


def probe_in(ns: str, ca: Path, names: list[str]) -> tuple[int, dict[tuple[str, str], Any], float]:
    start = time.monotonic()
    proc = subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            ns,
            *assure_command(),
            "probe",
            *names,
            "--ca-file",
            str(ca),
            "--timeout",
            "2",
            "--concurrency",
            "8",
            # the test bed numbers its hosts from the documentation range
            "--allow-range",
            "2001:db8::/32",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    elapsed = time.monotonic() - start
    assert "Traceback" not in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout)
    return proc.returncode, {(f["target"], f["check"]): f for f in doc["findings"]}, elapsed


@pytest.fixture(scope="module")
def dual(topology: dict[str, Any]) -> dict[tuple[str, str], Any]:
    code, by, elapsed = probe_in(NS_C, topology["ca"], NAMES)
    assert code == 1
    assert elapsed < 60
    return by


@pytest.mark.parametrize(
    ("name", "check", "expected"),
    [
        ("good.example.test", "web_aaaa", "pass"),
        ("good.example.test", "web_reach_ipv6", "pass"),
        ("good.example.test", "web_ipv46_parity", "pass"),
        ("good.example.test", "ns_aaaa", "pass"),
        ("good.example.test", "ns_reach_ipv6", "pass"),
        ("good.example.test", "https_available", "pass"),
        ("good.example.test", "https_redirect", "pass"),
        ("good.example.test", "https_hsts", "pass"),
        ("good.example.test", "tls_cert_trusted", "pass"),
        ("v4only.example.test", "web_aaaa", "fail"),
        ("v4only.example.test", "web_reach_ipv6", "not_applicable"),
        ("dead6.example.test", "web_aaaa", "pass"),
        ("dead6.example.test", "web_reach_ipv6", "fail"),
        ("hole6.example.test", "web_reach_ipv6", "fail"),
        ("diff6.example.test", "web_ipv46_parity", "fail"),
        ("www.one6.test", "ns_aaaa", "warn"),
        ("www.ns6dead.test", "ns_aaaa", "pass"),
        ("www.ns6dead.test", "ns_reach_ipv6", "fail"),
    ],
)
def test_dual_stack_vantage(
    dual: dict[tuple[str, str], Any], name: str, check: str, expected: str
) -> None:
    """From a dual-stack namespace, each IPv6 case gets its expected status."""
    f = dual[(name, check)]
    assert f["status"] == expected, f


def test_refused_and_black_hole_are_told_apart(dual: dict[tuple[str, str], Any]) -> None:
    """A closed IPv6 port is 'refused'; an address nobody answers for is a 'timeout'."""
    dead = dual[("dead6.example.test", "web_reach_ipv6")]["evidence"]["reach"]["2001:db8:1::20"]
    hole = dual[("hole6.example.test", "web_reach_ipv6")]["evidence"]["reach"]["2001:db8:1::30"]
    assert set(dead.values()) == {"refused"}
    # The first connection waits out neighbour discovery (timeout); later ones may be told
    # "no route" at once while the kernel remembers the failure. Never "refused".
    assert "timeout" in hole.values()
    assert "refused" not in hole.values()


def test_ipv4_only_vantage_is_inconclusive(topology: dict[str, Any]) -> None:
    """Without IPv6 on the vantage point, IPv6 reachability is inconclusive, never fail."""
    code, by, _ = probe_in(NS_C4, topology["ca"], ["good.example.test"])
    t = "good.example.test"
    assert by[(t, "web_aaaa")]["status"] == "pass"
    assert by[(t, "web_reach_ipv6")]["status"] == "inconclusive"
    assert by[(t, "web_ipv46_parity")]["status"] == "inconclusive"
    assert by[(t, "ns_reach_ipv6")]["status"] == "inconclusive"
    assert by[(t, "tls_cert_trusted")]["status"] == "pass"
    assert "2001:db8:1::10" in by[(t, "tls_cert_trusted")]["evidence"]["untested_addresses"]
    assert code == 0
