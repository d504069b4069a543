"""What each connection of a probe costs, in full-handshake units, on one nginx endpoint.

    python bench/breakdown.py [--n 300]

Runs every kind of connection `assure probe` makes on one address, one at a time, N times
each, against a local nginx (bench/nginx_fleet.py), and prints the median wall time of each
kind divided by the median of a plain full TLS handshake (connect, handshake, close) measured
in the same loop. The kinds are interleaved, so load on the machine hits them alike.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from nginx_fleet import NginxFleet  # noqa: E402

from assure.probes import hello, http, runner, second_opinion, tls  # noqa: E402
from assure.probes import trust as ptrust  # noqa: E402
from assure.probes.context import Deadline, ProbeContext  # noqa: E402
from assure.probes.dns import gather_dns, make_resolver  # noqa: E402
from assure.probes.targets import collect_targets  # noqa: E402
from tests.probes import pki  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="assure-breakdown-"))
    root = pki.make_ca("Bench Root")
    leaf = pki.make_leaf("bench.test", root, san=["*.bench.test", "bench.test"])
    cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
    with NginxFleet(tmp, 1, cert, key) as fleet:
        port, host, addr = fleet.ports[0], "e0.bench.test", "127.0.0.1"
        ctx = ProbeContext(timeout=5, http_port=fleet.http_port)
        plain = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        plain.check_hostname = False
        plain.verify_mode = ssl.CERT_NONE

        def dl() -> Deadline:
            return Deadline(10, 5)

        def full() -> None:
            with socket.create_connection((addr, port)) as s, plain.wrap_socket(s):
                pass

        def prober() -> tls.EndpointProber:
            return tls.EndpointProber(addr, port, host, dl())

        def obs() -> tls.TlsObservation:
            return tls.TlsObservation(addr, port)

        have, missing = tls.client_cipher_families()
        kinds: dict[str, Callable[[], object]] = {
            "full TLS handshake (baseline)": full,
            "HTTPS page (main handshake + GET; TCP reach)": lambda: http.fetch(
                addr, port, host, "/", tls=True, ctx=ctx, deadline=dl()
            ),
            "TLS 1.2 (ServerHello of OpenSSL's hello)": lambda: tls._version_hello(
                prober(), "TLSv1.2"
            ),
            "TLS 1.0 + 1.1 (one hello, refused)": lambda: tls._legacy_pair(obs(), prober()),
            "SSLv3 raw ClientHello": lambda: hello.version_offered(addr, port, host, "SSLv3", dl()),
            "weak + static-RSA suites (one hello, refused)": lambda: tls._weak_and_static_rsa(
                prober(), have, missing
            ),
            "HTTP GET (redirect; TCP reach)": lambda: http.fetch(
                addr, fleet.http_port, host, "/", tls=False, ctx=ctx, deadline=dl(), read_body=False
            ),
        }
        # Per target, not per address: its DNS, and judging what was gathered (pure).
        public = ptrust.load_pem_file(ptrust.default_bundle())  # type: ignore[arg-type]
        tctx = ProbeContext(
            timeout=5,
            http_port=fleet.http_port,
            nameservers=(("127.0.0.1", fleet.dns_port),),
            allow_ranges=("127.0.0.0/8", "::1/128"),  # the fleet's DNS answers with loopback
            anchors=ptrust.dedupe([*public, root.cert]),
        )
        res = make_resolver(tctx)
        target = collect_targets([f"https://{host}:{port}/"], [])[0]
        gathered = runner.gather_target(target, tctx)
        chain = next(a.tls.chain_der for a in gathered.addresses if a.tls and a.tls.chain_der)

        def second() -> object:
            second_opinion._memo.clear()  # a distinct chain each time, as on a national list
            return second_opinion.openssl_opinion(chain, tctx.anchors, tctx.now())

        per_target: dict[str, Callable[[], object]] = {
            "DNS of one target (A, AAAA, zone, NS, NS over IPv6)": lambda: gather_dns(
                host, tctx, res, dl()
            ),
            "judging one target (pure, both addresses)": lambda: runner.judge_target(
                gathered, tctx
            ),
            "OpenSSL's second opinion (one distinct chain)": second,
        }
        kinds.update(per_target)
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(args.n):
            for name, fn in kinds.items():
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
        base = statistics.median(times["full TLS handshake (baseline)"])
        total = extra = 0.0
        print(f"one full TLS handshake: {base * 1000:.3f} ms (median of {args.n})")
        for name, ts in times.items():
            units = statistics.median(ts) / base
            if name in per_target:
                extra += units
            elif name != "full TLS handshake (baseline)":
                total += units
            print(f"  {name:52s} {statistics.median(ts) * 1000:7.3f} ms  {units:5.2f} handshakes")
        print(
            f"connections of one address: {total:.2f} handshakes; of a target with two "
            f"addresses: {2 * total:.2f}; with its DNS, judging and a second opinion: "
            f"{2 * total + extra:.2f}"
        )


if __name__ == "__main__":
    main()
