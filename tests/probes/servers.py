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

from assure.probes.net import set_versions

Handler = Callable[[str, str], bytes]  # (path, host header) → raw HTTP response


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
