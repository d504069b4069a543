"""The document fetcher's deadline covers the whole exchange, whatever a server trickles.

Real servers on 127.0.0.1 stall in each phase: the status line, the headers (one byte every
0.3 s, so no single read ever times out), the body, and a TLS handshake that never finishes.
Each fetch must end soon after its deadline with "took longer", and `verify-signature URL
--timeout 1` must return (inconclusive, exit 4) instead of running on.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from assure.signatures import fetch
from tests.conftest import assert_no_traceback, run_assure

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n"


def _trickle(conn: socket.socket, prefix: bytes, drip: bytes, stop: threading.Event) -> None:
    with conn, contextlib.suppress(OSError):
        conn.recv(65536)
        conn.sendall(prefix)
        while not stop.is_set():
            if drip:
                conn.sendall(drip)
            time.sleep(0.3)


BEHAVIOURS = {
    "status": (b"", b"H"),
    "headers": (HEAD, b"X"),
    "body": (HEAD + b"Content-Length: 100000\r\n\r\n%PDF", b"0"),
}


@pytest.fixture(scope="module")
def trickler() -> Iterator[int]:
    stop = threading.Event()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            first = conn.recv(4096, socket.MSG_PEEK)
            if first.startswith(b"\x16"):  # a TLS ClientHello: never answered
                prefix, drip = b"", b""
            else:
                path = first.split(b" ")[1].decode() if b" " in first else "/status"
                prefix, drip = BEHAVIOURS.get(path.strip("/"), BEHAVIOURS["headers"])
            threading.Thread(target=_trickle, args=(conn, prefix, drip, stop), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield srv.getsockname()[1]
    stop.set()
    srv.close()


@pytest.mark.parametrize("phase", ["status", "headers", "body"])
def test_deadline_covers_every_phase(trickler: int, phase: str) -> None:
    start = time.monotonic()
    with pytest.raises(fetch.FetchError, match="took longer"):
        fetch.fetch(f"http://127.0.0.1:{trickler}/{phase}", fetch.Limits(timeout=1.0, deadline=2.0))
    assert time.monotonic() - start < 4.0


def test_deadline_covers_a_stuck_tls_handshake(trickler: int) -> None:
    start = time.monotonic()
    with pytest.raises(fetch.FetchError):
        fetch.fetch(f"https://127.0.0.1:{trickler}/x", fetch.Limits(timeout=1.0, deadline=2.0))
    assert time.monotonic() - start < 4.0


def test_verify_signature_url_with_trickled_headers_returns(trickler: int) -> None:
    """The reported case: headers trickled, `--timeout 1`; the command returns within its
    deadline (6 × timeout) plus start-up, inconclusive with exit 4."""
    start = time.monotonic()
    run = run_assure(
        "verify-signature",
        f"http://127.0.0.1:{trickler}/headers",
        "--timeout",
        "1",
        "--format",
        "json",
        timeout=60,
    )
    took = time.monotonic() - start
    assert_no_traceback(run)
    assert run.code == 4, run.err
    assert took < 20, took
    findings = json.loads(run.out)["findings"]
    assert {f["status"] for f in findings} == {"inconclusive"}
    assert any("took longer" in (f.get("reason") or f["summary"]) for f in findings), findings
