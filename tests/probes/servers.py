"""Real test servers on loopback (127.0.0.1 and ::1 on the same ephemeral port).

Each server is a listening socket per address family and an accept thread; each connection
gets its own thread running a behaviour: HTTP(S) answers from a handler, or a hostile act
(silence, garbage instead of TLS, reset, endless body).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assure.probes.net import set_versions

Handler = Callable[[str, str], bytes]  # (path, host header) → raw HTTP response


def closed_port() -> int:
    """A loopback TCP port nothing listens on (bound, then released): a refused connection."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


def response(
    status: int = 200,
    body: bytes = b"<html><body>hello</body></html>",
    headers: dict[str, str] | None = None,
) -> bytes:
    reason = {
        200: "OK",
        301: "Moved Permanently",
        302: "Found",
        403: "Forbidden",
        429: "Too Many Requests",
    }.get(status, "X")
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    return head.encode() + b"\r\n" + body


def server_context(
    cert: Path,
    key: Path,
    *,
    min_version: ssl.TLSVersion | None = None,
    max_version: ssl.TLSVersion | None = None,
    ciphers: str = "DEFAULT:@SECLEVEL=0",
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers(ciphers)
    set_versions(ctx, min_version, max_version)
    ctx.load_cert_chain(str(cert), str(key))
    return ctx


class Server:
    """Listen on 127.0.0.1 and (when possible) ::1, same port; `mode` picks the behaviour."""

    def __init__(
        self,
        *,
        tls: ssl.SSLContext | None = None,
        handler: Handler | None = None,
        mode: str = "http",
        v6: bool = True,
        v6_handler: Handler | None = None,
        addresses: tuple[str, ...] | None = None,
        port: int = 0,
    ) -> None:
        self.tls = tls
        self.handler = handler or (lambda _p, _h: response())
        self.v6_handler = v6_handler
        self.mode = mode
        self.socks: list[socket.socket] = []
        self._stop = threading.Event()
        if addresses is not None:
            self.port = port
            for addr in addresses:
                fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
                sock = socket.socket(fam, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((addr, port))
                self.socks.append(sock)
        for _ in range(20 if addresses is None else 0):
            s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s4.bind(("127.0.0.1", 0))
            self.port = s4.getsockname()[1]
            if not v6:
                self.socks = [s4]
                break
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            try:
                s6.bind(("::1", self.port))
            except OSError:
                s4.close()
                s6.close()
                continue
            self.socks = [s4, s6]
            break
        for s in self.socks:
            s.listen(64)
            s.settimeout(0.2)
            threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, s: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = s.accept()
            except (TimeoutError, OSError):
                continue
            v6 = s.family == socket.AF_INET6
            threading.Thread(target=self._serve, args=(conn, v6), daemon=True).start()

    def _serve(self, conn: socket.socket, v6: bool) -> None:
        conn.settimeout(5)
        stream: socket.socket = conn
        try:
            if self.mode == "silent":
                self._stop.wait(30)
                return
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if self.mode == "garbage":
                with contextlib.suppress(OSError):
                    conn.recv(4096)
                    conn.sendall(b"GARBAGE that is not TLS at all\r\n" * 20)
                return
            if self.tls is not None:
                stream = self.tls.wrap_socket(conn, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = stream.recv(4096)
                if not chunk:
                    return
                data += chunk
            lines = data.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            host = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in lines[1:]
                    if line.lower().startswith("host:")
                ),
                "",
            )
            if self.mode == "endless":
                stream.sendall(
                    b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=31536000\r\n\r\n"
                )
                end = time.monotonic() + 20
                while not self._stop.is_set() and time.monotonic() < end:
                    stream.sendall(b"x" * 65536)
                return
            h = self.v6_handler if (v6 and self.v6_handler) else self.handler
            stream.sendall(h(path, host))
        except (OSError, ssl.SSLError, IndexError):
            return
        finally:
            with contextlib.suppress(OSError):
                stream.close()
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        self._stop.set()
        for s in self.socks:
            s.close()


RC4_SUITES = (0x0004, 0x0005, 0xC011, 0xC007)


def _server_hello(version: int, suite: int) -> bytes:
    body = struct.pack("!H", version) + b"\x11" * 32 + b"\x00" + struct.pack("!H", suite) + b"\x00"
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return b"\x16" + struct.pack("!HH", version, len(hs)) + hs


class LegacyProxy(Server):
    """Looks like an old server to raw ClientHello probes, and like `backend` to everyone else.

    A ClientHello for SSLv3 gets an SSLv3 ServerHello; a hello offering an RC4 suite gets that
    suite picked, as an old server preferring RC4 picks it from whatever else is offered
    beside it. Any other connection is piped to the real TLS server on `backend`, so the
    handshakes OpenSSL makes still succeed.
    """

    def __init__(self, backend: int, weak: frozenset[int], **kw: Any) -> None:
        self.backend = backend
        self.weak = weak
        super().__init__(mode="legacy", **kw)

    def _serve(self, conn: socket.socket, v6: bool) -> None:
        conn.settimeout(5)
        try:
            head = conn.recv(5, socket.MSG_WAITALL)
            if len(head) < 5:
                return
            body = conn.recv(struct.unpack("!H", head[3:5])[0], socket.MSG_WAITALL)
            version = struct.unpack("!H", body[4:6])[0]
            sid = body[38]
            n = struct.unpack("!H", body[39 + sid : 41 + sid])[0]
            suites = [
                struct.unpack("!H", body[41 + sid + i : 43 + sid + i])[0] for i in range(0, n, 2)
            ]
            if version == 0x0300:
                conn.sendall(_server_hello(0x0300, 0x000A))
                return
            rc4 = [s for s in suites if s in RC4_SUITES]
            if rc4:
                conn.sendall(_server_hello(0x0303, rc4[0]))
                return
            with socket.create_connection(("127.0.0.1", self.backend), timeout=5) as up:
                up.sendall(head + body)
                t = threading.Thread(target=_pipe, args=(up, conn), daemon=True)
                t.start()
                _pipe(conn, up)
                t.join(5)
        except (OSError, IndexError, struct.error):
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while True:
            data = src.recv(65536)
            if not data:
                dst.shutdown(socket.SHUT_WR)
                return
            dst.sendall(data)


def _hello_extensions(record: bytes) -> set[int] | None:
    """Extension types of a ClientHello record, or None when it is not one."""
    try:
        if record[0] != 0x16 or record[5] != 0x01:
            return None
        body = record[9:]
        pos = 34
        pos += 1 + body[pos]  # session id
        pos += 2 + struct.unpack("!H", body[pos : pos + 2])[0]  # suites
        pos += 1 + body[pos]  # compression
        if pos >= len(body):
            return set()  # an SSLv3-style hello without extensions
        end = pos + 2 + struct.unpack("!H", body[pos : pos + 2])[0]
        pos += 2
        out = set()
        while pos + 4 <= end:
            etype, elen = struct.unpack("!HH", body[pos : pos + 4])
            out.add(etype)
            pos += 4 + elen
        return out
    except (IndexError, struct.error):
        return None


class Gate(Server):
    """A TCP front for `backend` that interferes the way limiters and middleboxes do.

    `policy(n, first_bytes)` gets the 1-based number of the connection and, for policies that
    look, the first record the client sent; it answers 'pass' (piped to the backend), 'fin'
    (closed without a word), 'rst' (reset) or 'silent' (held open, never answered).
    """

    def __init__(self, backend: int, policy: Callable[[int, bytes], str], **kw: Any) -> None:
        self.backend = backend
        self.policy = policy
        self.count = 0
        self._lock = threading.Lock()
        super().__init__(mode="gate", **kw)

    def _serve(self, conn: socket.socket, v6: bool) -> None:
        with self._lock:
            self.count += 1
            n = self.count
        conn.settimeout(5)
        try:
            first = b""
            if getattr(self.policy, "peeks", False):
                first = conn.recv(16384, socket.MSG_PEEK)
            act = self.policy(n, first)
            if act == "silent":
                self._stop.wait(30)
                return
            if act == "rst":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if act == "fin":
                return
            with socket.create_connection(("127.0.0.1", self.backend), timeout=5) as up:
                t = threading.Thread(target=_pipe, args=(up, conn), daemon=True)
                t.start()
                _pipe(conn, up)
                t.join(5)
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()


def after(n: int, act: str) -> Callable[[int, bytes], str]:
    """Serve the first `n` connections, then `act` on every later one."""
    return lambda i, _first: "pass" if i <= n else act


def per_second() -> Callable[[int, bytes], str]:
    """A rate limiter: one connection per second, the others closed at once."""
    last = [0.0]

    def policy(_i: int, _first: bytes) -> str:
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            return "pass"
        return "fin"

    return policy


def stall_raw_hellos() -> Callable[[int, bytes], str]:
    """Serve OpenSSL's handshakes, never answer a hand-written ClientHello (one without the
    extended_master_secret extension every OpenSSL client sends)."""

    def policy(_i: int, first: bytes) -> str:
        ext = _hello_extensions(first)
        return "silent" if ext is not None and 0x0017 not in ext else "pass"

    policy.peeks = True  # type: ignore[attr-defined]
    return policy
