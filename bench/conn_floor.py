"""The floor of the probe's connection plan: the same connections, made by a bare client.

    python bench/conn_floor.py --ports P1,P2,... --http-port N [--targets 1000]
                               [--workers 2] [--threads 4]

For each target (both addresses, 127.0.0.1 and ::1) it makes the connections `assure probe`
makes to a well-configured server (README, "How long a list takes"), in the same order, and
does nothing else — no DNS, no judging, no reports:

1. the page: a full TLS handshake (OpenSSL's default offer), `GET /`, the response read;
2. four ClientHellos that stop at the server's first answer (a ServerHello or an alert):
   TLS 1.0–1.1, SSLv3 (a hand-built record, as OpenSSL can no longer write one), TLS 1.2 with
   every suite, TLS 1.2 with static-RSA and weak suites only;
3. the HTTP redirect: `GET /` on the plain port, the response read.

The hellos are built once (OpenSSL writes them into a memory BIO) and replayed; the work
left is what any client of this plan must do and what it makes the server do. Processes and
threads as the probe's defaults on two cores (2 × 4). Prints one line of JSON: the answers
it got per kind, so `bench/run.py` can check the server answered as it answers the probe.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import ssl
import struct
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

ADDRESSES = ("127.0.0.1", "::1")
# TLS 1.0 and 1.1 are asked on purpose, as the probe asks them.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=__name__)
SNI = "e0.bench.test"


def openssl_hello(minimum: ssl.TLSVersion, maximum: ssl.TLSVersion, ciphers: str) -> bytes:
    """The ClientHello OpenSSL writes for these settings, captured from a memory BIO."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version, ctx.maximum_version = minimum, maximum
    ctx.set_ciphers(ciphers)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=SNI)
    with contextlib.suppress(ssl.SSLWantReadError):  # it waits for the ServerHello
        obj.do_handshake()
    return outgoing.read()


def sslv3_hello() -> bytes:
    """An SSLv3 ClientHello (RFC 6101 §5.6.1.2) offering the usual SSLv3 suites."""
    suites = (0x000A, 0x0005, 0x0004, 0x002F, 0x0035, 0x0009, 0x0016, 0x0033, 0x0039)
    body = (
        b"\x03\x00"
        + os.urandom(32)
        + b"\x00"
        + struct.pack(">H", 2 * len(suites))
        + b"".join(struct.pack(">H", s) for s in suites)
        + b"\x01\x00"
    )
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x00" + struct.pack(">H", len(hs)) + hs


def hellos() -> dict[str, bytes]:
    v = ssl.TLSVersion
    return {
        "tls1.0-1.1": openssl_hello(v.TLSv1, v.TLSv1_1, "ALL:COMPLEMENTOFALL:@SECLEVEL=0"),
        "sslv3": sslv3_hello(),
        "tls1.2": openssl_hello(v.TLSv1_2, v.TLSv1_2, "ALL:COMPLEMENTOFALL:@SECLEVEL=0"),
        "weak+static-rsa": openssl_hello(
            v.TLSv1, v.TLSv1_2, "kRSA:3DES:RC4:DES:NULL:EXPORT:aNULL:@SECLEVEL=0"
        ),
    }


def first_answer(address: str, port: int, record: bytes) -> str:
    """'hello' (a ServerHello record), 'alert', or 'other'."""
    with socket.create_connection((address, port), timeout=10) as s:
        s.sendall(record)
        head = s.recv(5)
        if len(head) < 5:
            return "other"
        if head[0] == 0x15:
            return "alert"
        return "hello" if head[0] == 0x16 else "other"


def read_all(s: socket.socket | ssl.SSLSocket) -> int:
    n = 0
    while chunk := s.recv(65536):
        n += len(chunk)
    return n


def target(i: int, ports: list[int], http_port: int, records: dict[str, bytes]) -> Counter[str]:
    got: Counter[str] = Counter()
    port = ports[i % len(ports)]
    host = f"e{i}.bench.test"
    request = f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    for address in ADDRESSES:
        with (
            socket.create_connection((address, port), timeout=10) as raw,
            PAGE.wrap_socket(raw, server_hostname=host) as tls,
        ):
            tls.sendall(request)
            got["page " + ("ok" if read_all(tls) else "empty")] += 1
        for kind, record in records.items():
            got[f"{kind} {first_answer(address, port, record)}"] += 1
        with socket.create_connection((address, http_port), timeout=10) as s:
            s.sendall(request)
            got["http " + ("ok" if read_all(s) else "empty")] += 1
    return got


PAGE = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
PAGE.check_hostname = False
PAGE.verify_mode = ssl.CERT_NONE


def work(share: list[int], ports: list[int], http_port: int, threads: int) -> Counter[str]:
    records = hellos()
    total: Counter[str] = Counter()
    with ThreadPoolExecutor(threads) as pool:
        for got in pool.map(lambda i: target(i, ports, http_port, records), share):
            total.update(got)
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ports", required=True)
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    ports = [int(p) for p in args.ports.split(",")]
    children: list[tuple[int, int]] = []
    for k in range(args.workers):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            share = list(range(k, args.targets, args.workers))
            got = work(share, ports, args.http_port, args.threads)
            os.write(w, json.dumps(got).encode())
            os._exit(0)
        os.close(w)
        children.append((pid, r))
    total: Counter[str] = Counter()
    for pid, r in children:
        with os.fdopen(r, "rb") as f:
            total.update(json.loads(f.read() or b"{}"))
        os.waitpid(pid, 0)
    print(json.dumps(dict(sorted(total.items()))))


if __name__ == "__main__":
    main()
