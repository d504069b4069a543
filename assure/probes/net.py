"""Low-level network gathering: connect, TLS handshake and a small HTTP/1.1 client.

Everything connects to one explicit address (never "the first address of a name"), so every
address of a target is checked on its own. Every call is bounded by a `Deadline`; bodies are
capped. Failures are classified, not raised: a refusal is an answer about the server, while a
timeout or a reset right after connecting may be a firewall or WAF in the way, and must read
as "could not tell" downstream.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import ssl
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from assure.probes.context import Deadline


class NetError(StrEnum):
    """Why a network operation failed. Only REFUSED (and a TLS alert) are answers from the
    server; the others may be a firewall, a WAF or our own network, so judges treat them as
    "could not tell" — except IPv6 reachability, where IPv4 answering on the same port from a
    vantage point with IPv6 turns an IPv6 timeout into a black hole."""

    REFUSED = "refused"
    TIMEOUT = "timeout"
    RESET = "reset"
    UNREACHABLE = "unreachable"
    NOT_TLS = "not_tls"
    TLS_ALERT = "tls_alert"
    PROTOCOL = "protocol"
    DEADLINE = "deadline"
    OTHER = "other"


class ProbeNetError(Exception):
    """A classified network failure."""

    def __init__(self, kind: NetError, detail: str) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail


def family_of(address: str) -> int:
    """4 or 6 for an IP address text (only IPv6 texts hold a colon): asked for every
    connection, so it does not parse the address again."""
    return 6 if ":" in address else 4


def classify_oserror(exc: BaseException) -> ProbeNetError:
    """Map a socket/ssl exception to a failure kind."""
    if isinstance(exc, ProbeNetError):
        return exc
    if isinstance(exc, TimeoutError | socket.timeout):
        return ProbeNetError(NetError.TIMEOUT, "no answer before the timeout")
    if isinstance(exc, ConnectionRefusedError):
        return ProbeNetError(NetError.REFUSED, "connection refused")
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return ProbeNetError(NetError.RESET, "connection reset by peer")
    if isinstance(exc, ssl.SSLEOFError):
        return ProbeNetError(NetError.RESET, "connection closed during the TLS handshake")
    if isinstance(exc, ssl.SSLError):
        reason = (exc.reason or str(exc)).lower().replace("_", " ")
        if any(
            k in reason
            for k in (
                "wrong version number",
                "record layer failure",
                "packet length too long",
                "unknown protocol",
                "http request",
                "record_layer",
            )
        ):
            return ProbeNetError(NetError.NOT_TLS, f"the server does not speak TLS ({reason})")
        return ProbeNetError(NetError.TLS_ALERT, reason)
    if isinstance(exc, OSError) and exc.errno in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.EADDRNOTAVAIL,
        errno.EAFNOSUPPORT,
        errno.EINVAL,
    ):
        return ProbeNetError(NetError.UNREACHABLE, exc.strerror or str(exc))
    return ProbeNetError(NetError.OTHER, f"{type(exc).__name__}: {exc}")


def connect(address: str, port: int, deadline: Deadline) -> socket.socket:
    """A TCP connection to exactly `address`:`port`, bounded by the deadline."""
    if deadline.expired:
        raise ProbeNetError(NetError.DEADLINE, "the target's deadline passed")
    fam = socket.AF_INET6 if family_of(address) == 6 else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_STREAM)
    try:
        sock.settimeout(deadline.op_timeout())
        sock.connect((address, port))
        sock.settimeout(deadline.op_timeout())
    except BaseException as exc:
        sock.close()
        raise classify_oserror(exc) from None
    return sock


def tls_wrap(
    sock: socket.socket, ctx: ssl.SSLContext, server_name: str | None, deadline: Deadline
) -> ssl.SSLSocket:
    """Handshake on a connected socket; closes it on failure."""
    try:
        sock.settimeout(deadline.op_timeout())
        return ctx.wrap_socket(sock, server_hostname=server_name)
    except BaseException as exc:
        sock.close()
        raise classify_oserror(exc) from None


def sni_for(host: str) -> str | None:
    """SNI is sent for names only (RFC 6066 forbids IP literals). Asked for every connection,
    so a host with no colon that is not all digits and dots is taken as a name unparsed."""
    if ":" not in host and not host.replace(".", "").isdigit():
        return host
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None


def insecure_context(
    *,
    min_version: ssl.TLSVersion | None = None,
    max_version: ssl.TLSVersion | None = None,
    ciphers: str = "ALL:@SECLEVEL=0",
) -> ssl.SSLContext:
    """A client context that accepts any certificate: gathering is not judging.

    Security level 0 lets the handshake reach weak certificates and keys, so they are named
    by the certificate checks instead of vanishing into "handshake failed".

    Contexts are cached by configuration and shared by every thread of the run: building one
    costs more than the handshake it serves (OpenSSL loads its cipher and group tables anew
    each time). Callers must treat the returned context as read-only.
    """
    return _cached_context(min_version, max_version, ciphers)


@lru_cache(maxsize=64)
def _cached_context(
    min_version: ssl.TLSVersion | None, max_version: ssl.TLSVersion | None, ciphers: str
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers(ciphers)
    set_versions(ctx, min_version or ssl.TLSVersion.MINIMUM_SUPPORTED, max_version)
    return ctx


_WARN_LOCK = threading.Lock()


def set_versions(
    ctx: ssl.SSLContext, low: ssl.TLSVersion | None, high: ssl.TLSVersion | None
) -> None:
    """Set protocol bounds; legacy versions are asked for on purpose, so their deprecation
    warnings are silenced here (and only here)."""
    with _WARN_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if low is not None:
            ctx.minimum_version = low
        if high is not None:
            ctx.maximum_version = high


@dataclass
class HttpResponse:
    """One HTTP exchange: status, headers (lower-case names, in order) and capped body."""

    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    truncated: bool = False

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name]


def http_get(
    address: str,
    port: int,
    host: str,
    path: str,
    *,
    tls: bool,
    deadline: Deadline,
    max_body: int,
    user_agent: str,
    read_body: bool = True,
    on_tls: Callable[[ssl.SSLSocket], None] | None = None,
    on_connect: Callable[[], None] | None = None,
) -> HttpResponse:
    """GET `path` from `address`:`port` with `Host: host`; raises ProbeNetError.

    `on_tls` sees the TLS connection right after its handshake, so the caller can keep what
    the handshake showed (version, suite, chain) instead of paying for another one.
    `on_connect` is told when the TCP connection opened: the port's reachability, learnt
    without a connection of its own.
    """
    sock: socket.socket = connect(address, port, deadline)
    if on_connect is not None:
        on_connect()
    try:
        if tls:
            sock = tls_wrap(
                sock, insecure_context(ciphers="DEFAULT:@SECLEVEL=0"), sni_for(host), deadline
            )
            if on_tls is not None:
                on_tls(sock)
        host_header = host if ":" not in host else f"[{host}]"
        default_port = 443 if tls else 80
        if port != default_port:
            host_header += f":{port}"
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {user_agent}\r\n"
            "Accept: text/html,*/*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
        )
        try:
            sock.settimeout(deadline.op_timeout())
            sock.sendall(request.encode("ascii", "replace"))
            return _read_response(sock, deadline, max_body, read_body)
        except ProbeNetError:
            raise
        except BaseException as exc:
            raise classify_oserror(exc) from None
    finally:
        sock.close()


def _recv(sock: socket.socket, deadline: Deadline) -> bytes:
    if deadline.expired:
        raise ProbeNetError(NetError.DEADLINE, "the target's deadline passed while reading")
    sock.settimeout(deadline.op_timeout())
    return sock.recv(65536)


def _read_response(
    sock: socket.socket, deadline: Deadline, max_body: int, read_body: bool
) -> HttpResponse:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = _recv(sock, deadline)
        if not chunk:
            if not buf:
                raise ProbeNetError(NetError.RESET, "connection closed before any response")
            raise ProbeNetError(NetError.PROTOCOL, "connection closed inside the headers")
        buf += chunk
        if len(buf) > 65536:
            raise ProbeNetError(NetError.PROTOCOL, "response headers longer than 64 KiB")
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if (
        len(status_line) < 2
        or not status_line[0].startswith("HTTP/")
        or not status_line[1].isdigit()
    ):
        raise ProbeNetError(NetError.PROTOCOL, f"not an HTTP response: {lines[0][:60]!r}")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.strip().lower(), value.strip()))
    resp = HttpResponse(
        int(status_line[1]), status_line[2] if len(status_line) > 2 else "", headers
    )
    if not read_body:
        return resp
    body = bytearray(rest)
    length = resp.header("content-length")
    limit = max_body
    if length and length.isdigit():
        limit = min(limit, int(length))
    chunked = "chunked" in (resp.header("transfer-encoding") or "").lower()
    try:
        while len(body) < (max_body if chunked else limit):
            chunk = _recv(sock, deadline)
            if not chunk:
                break
            body += chunk
    except ProbeNetError as exc:
        if not body or exc.kind is not NetError.DEADLINE:
            raise
    if len(body) >= max_body:
        resp.truncated = True
    data = bytes(body[:max_body])
    resp.body = _dechunk(data) if chunked else data[:limit]
    return resp


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n", pos)
        if end < 0:
            break
        try:
            size = int(data[pos:end].split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out += data[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2
    return bytes(out)
