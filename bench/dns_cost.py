"""What one DNS question costs the probe's client, against dnspython and a bare exchange.

    python bench/dns_cost.py [--n 2000]

Starts the benchmark's DNS server (bench/nginx_fleet.py `WildcardDns`, on 127.0.0.1 and ::1;
its answers are cached, so its own CPU stays small) and measures, in one run and in the calling
thread's CPU (`time.thread_time`: the server's threads do not count), for the probe's stub
resolver (`assure.probes.stub`) and for dnspython's resolver, the peer it replaced:

1. a resolution that goes to the network (a name not asked before);
2. the same name again, answered from the run's cache;
3. `zone_for_name` for a new name (what the name-server checks start from);
4. `gather_dns` for a new target: every lookup one target makes (A, AAAA, the zone, its NS,
   the name server's addresses and whether it answers over IPv6), with the probe's resolver;
5. the floor: the same question built as wire bytes by hand, sent on one connected UDP socket
   and its reply read, nothing parsed. It is what any client must spend.

The ratios to (5) say how close each client comes to the floor; (4) says how much of a
target's client CPU DNS is (`bench/cpu_account.py` gives the rest).
"""

from __future__ import annotations

import argparse
import socket
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import dns.nameserver  # noqa: E402
import dns.resolver  # noqa: E402
from nginx_fleet import WildcardDns  # noqa: E402

from assure.probes import dns as probe_dns  # noqa: E402
from assure.probes.context import Deadline, ProbeContext  # noqa: E402


def per_call(n: int, fn: Callable[[int], object]) -> float:
    """Microseconds of this thread's CPU per call of fn(i), i = 0..n-1."""
    start = time.thread_time()
    for i in range(n):
        fn(i)
    return (time.thread_time() - start) / n * 1e6


def wire_query(qid: int, name: str, qtype: int = 1) -> bytes:
    """A recursion-desired query for `name` (RFC 1035 §4.1), built by hand."""
    labels = b"".join(bytes([len(p)]) + p.encode("ascii") for p in name.split("."))
    return (
        struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
        + labels
        + b"\0"
        + struct.pack(">HH", qtype, 1)
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000, help="questions per measurement")
    n = ap.parse_args().n
    server = WildcardDns()
    ctx = ProbeContext(
        nameservers=(("127.0.0.1", server.port),),
        allow_ranges=("127.0.0.0/8", "::1/128"),
        timeout=2.0,
    )
    ours = probe_dns.make_resolver(ctx)
    peer = dns.resolver.Resolver(configure=False)
    peer.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", server.port)]
    peer.cache = dns.resolver.LRUCache(4096)
    try:
        # In this order: each cached row asks the names its network row put in the cache.
        calls: list[tuple[str, Callable[[int], object]]] = [
            ("stub, to the network (A)", lambda i: ours.resolve(f"s{i}.bench.test", "A")),
            ("stub, from the cache (A)", lambda i: ours.resolve(f"s{i}.bench.test", "A")),
            ("stub zone_for_name", lambda i: ours.zone_for_name(f"sz{i}.bench.test")),
            (
                "dnspython, to the network (A)",
                lambda i: peer.resolve(f"d{i}.bench.test", "A", search=False),
            ),
            (
                "dnspython, from the cache (A)",
                lambda i: peer.resolve(f"d{i}.bench.test", "A", search=False),
            ),
            (
                "dnspython zone_for_name",
                lambda i: dns.resolver.zone_for_name(f"dz{i}.bench.test", resolver=peer),
            ),
            (
                "gather_dns, one whole target",
                lambda i: probe_dns.gather_dns(
                    f"t{i}.bench.test", ctx, probe_dns.make_resolver(ctx), Deadline(60, 2)
                ),
            ),
        ]
        rows = [(label, per_call(n, fn)) for label, fn in calls]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("127.0.0.1", server.port))
            s.settimeout(2.0)

            def bare(i: int) -> None:
                s.send(wire_query(i & 0xFFFF, f"w{i}.bench.test"))
                s.recv(4096)

            floor = per_call(n, bare)
    finally:
        server.close()
    rows.append(("floor: bare UDP exchange, nothing parsed", floor))
    print(f"client CPU per call, {n} calls each, DNS server on 127.0.0.1:{server.port}")
    for label, us in rows:
        print(f"  {label:42s} {us:8.1f} µs  {us / floor:6.1f}× the floor")


if __name__ == "__main__":
    main()
