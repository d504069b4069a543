"""The probe's own connection code against the bare client's, one connection at a time.

    python bench/conn_cost.py [--n 300]

Starts a small nginx fleet (bench/nginx_fleet.py) and makes each kind of connection N times,
interleaved, measuring the calling thread's CPU (`time.thread_time`) of each: once through
the probe's own functions (`net.http_get` with the chain kept, `EndpointProber.hello`) and
once through bench/conn_floor.py's bare client (a socket, `ssl.wrap_socket`, one `recv`).
Run alone, with no other thread, it says whether the probe's connection code costs more than
any client of the same connections must — its deadlines, failure classes and kept chains —
apart from what concurrency adds in a whole run (bench/run.py, bench/cpu_account.py).
"""

from __future__ import annotations

import argparse
import socket
import ssl
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import conn_floor as bare  # noqa: E402
from nginx_fleet import NginxFleet, bench_pki  # noqa: E402

from assure.probes import net, tls  # noqa: E402
from assure.probes.context import Deadline  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)  # TLS 1.0/1.1, on purpose


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    n = ap.parse_args().n
    tmp = Path(tempfile.mkdtemp(prefix="assure-conn-cost-"))
    cert, key = bench_pki(tmp)
    fleet = NginxFleet(tmp, 2, cert, key, 1, names=10)
    try:
        port, http_port, host = fleet.ports[0], fleet.http_port, "e0.bench.test"
        request = f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        records = bare.hellos()
        v = ssl.TLSVersion
        tls12 = net.insecure_context(
            min_version=v.TLSv1_2, max_version=v.TLSv1_2, ciphers=tls._ALL_LEGACY_CIPHERS
        )
        legacy = net.insecure_context(
            min_version=v.TLSv1, max_version=v.TLSv1_1, ciphers=tls._ALL_LEGACY_CIPHERS
        )

        def bare_page() -> None:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
                bare.PAGE.wrap_socket(raw, server_hostname=host) as s,
            ):
                s.sendall(request)
                bare.read_all(s)

        def probe_get(on_port: int, over_tls: bool) -> None:
            net.http_get(
                "127.0.0.1",
                on_port,
                host,
                "/",
                tls=over_tls,
                deadline=Deadline(60, 5),
                max_body=1 << 20,
                user_agent="bench",
                on_tls=tls.MainHandshake.of if over_tls else None,
            )

        def prober() -> tls.EndpointProber:
            return tls.EndpointProber("127.0.0.1", port, host, Deadline(60, 5))

        def bare_http() -> None:
            with socket.create_connection(("127.0.0.1", http_port), timeout=10) as s:
                s.sendall(request)
                bare.read_all(s)

        pairs: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
            ("HTTPS page (handshake + GET)", bare_page, lambda: probe_get(port, True)),
            (
                "TLS 1.2 hello (a ServerHello)",
                lambda: bare.first_answer("127.0.0.1", port, records["tls1.2"]),
                lambda: prober().hello(tls12),
            ),
            (
                "TLS 1.0 + 1.1 hello (an alert)",
                lambda: bare.first_answer("127.0.0.1", port, records["tls1.0-1.1"]),
                lambda: prober().hello(legacy),
            ),
            ("HTTP GET (the redirect)", bare_http, lambda: probe_get(http_port, False)),
        ]
        cpu: dict[tuple[str, str], list[float]] = {}
        for _ in range(n):
            for label, fa, fb in pairs:
                for who, fn in (("bare", fa), ("assure", fb)):
                    start = time.thread_time()
                    fn()
                    cpu.setdefault((label, who), []).append(time.thread_time() - start)
    finally:
        fleet.close()
    print(f"client CPU per connection, median of {n}, one connection at a time")
    for label, _, _ in pairs:
        a = statistics.median(cpu[(label, "bare")]) * 1e6
        b = statistics.median(cpu[(label, "assure")]) * 1e6
        print(f"  {label:32s} bare {a:7.0f} µs   assure {b:7.0f} µs   {b / a:5.2f}×")


if __name__ == "__main__":
    main()
