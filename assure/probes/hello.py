"""ClientHello probes: send the first message, read the server's first answer, hang up.

A server's answer to a ClientHello is enough to know whether it would agree: its ServerHello
names the version and the cipher suite it picked, an alert says no. Nothing else of the
handshake is needed for that, so none of it is done — no key material is used.

Two kinds of hello are sent. OpenSSL's own (`openssl_hello`, optionally with other suites
spliced in by `with_suites`) asks what OpenSSL can offer exactly as a complete handshake
would ask it. Hand-written ones (`client_hello`) ask what OpenSSL 3 builds can no longer
offer — SSLv3, RC4, 3DES, single DES and EXPORT suites — which closes the "could not test
from this client" gap of Python-only tools.
"""

from __future__ import annotations

import os
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress

from assure.probes.context import Deadline
from assure.probes.net import NetError, ProbeNetError, connect, sni_for

VERSION_CODES = {"SSLv3": 0x0300, "TLSv1.0": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303}
CODE_NAMES = {v: k for k, v in VERSION_CODES.items()}

# IANA code points of the suites each weak family holds (RFC 2246, 4346, 4492, 5246).
WEAK_SUITES: dict[str, dict[int, str]] = {
    "NULL": {
        0x0001: "NULL-MD5",
        0x0002: "NULL-SHA",
        0x003B: "NULL-SHA256",
        0xC006: "ECDHE-ECDSA-NULL-SHA",
        0xC010: "ECDHE-RSA-NULL-SHA",
    },
    "anonymous": {
        0x0018: "ADH-RC4-MD5",
        0x001B: "ADH-DES-CBC3-SHA",
        0x0034: "ADH-AES128-SHA",
        0x003A: "ADH-AES256-SHA",
        0x006C: "ADH-AES128-SHA256",
        0x00A6: "ADH-AES128-GCM-SHA256",
        0xC018: "AECDH-AES128-SHA",
    },
    "EXPORT": {
        0x0003: "EXP-RC4-MD5",
        0x0006: "EXP-RC2-CBC-MD5",
        0x0008: "EXP-DES-CBC-SHA",
        0x0014: "EXP-EDH-RSA-DES-CBC-SHA",
        0x0011: "EXP-EDH-DSS-DES-CBC-SHA",
    },
    "RC4": {
        0x0004: "RC4-MD5",
        0x0005: "RC4-SHA",
        0xC011: "ECDHE-RSA-RC4-SHA",
        0xC007: "ECDHE-ECDSA-RC4-SHA",
    },
    "3DES": {
        0x000A: "DES-CBC3-SHA",
        0x0016: "EDH-RSA-DES-CBC3-SHA",
        0x0013: "EDH-DSS-DES-CBC3-SHA",
        0xC012: "ECDHE-RSA-DES-CBC3-SHA",
        0xC008: "ECDHE-ECDSA-DES-CBC3-SHA",
    },
    "DES": {0x0009: "DES-CBC-SHA", 0x0015: "EDH-RSA-DES-CBC-SHA", 0x0012: "EDH-DSS-DES-CBC-SHA"},
}
# A broad list for version probes: what servers of each era commonly pick.
VERSION_PROBE_SUITES = (
    0xC02F,
    0xC02B,
    0xC030,
    0xC02C,
    0xC013,
    0xC009,
    0xC014,
    0xC00A,
    0x009C,
    0x009D,
    0x002F,
    0x0035,
    0x0033,
    0x0039,
    0x000A,
    0x0016,
    0x0005,
    0x0004,
    0x00FF,
)


def client_hello(version: int, suites: Sequence[int], host: str | None) -> bytes:
    """A TLS/SSL ClientHello record offering `version` and exactly `suites`."""
    body = struct.pack("!H", version) + os.urandom(32) + b"\x00"
    body += struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites)
    body += b"\x01\x00"  # compression: null only
    if version >= 0x0301:
        ext = b""
        if host:
            name = host.encode("ascii")
            entry = b"\x00" + struct.pack("!H", len(name)) + name
            sni = struct.pack("!H", len(entry)) + entry
            ext += struct.pack("!HH", 0, len(sni)) + sni
        groups = struct.pack("!HHHHH", 8, 29, 23, 24, 25)
        ext += struct.pack("!HH", 10, len(groups)) + groups
        ext += struct.pack("!HHBB", 11, 2, 1, 0)  # ec_point_formats: uncompressed
        if version >= 0x0303:
            algs = (0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0201, 0x0203)
            sig = struct.pack("!H", 2 * len(algs)) + b"".join(struct.pack("!H", a) for a in algs)
            ext += struct.pack("!HH", 13, len(sig)) + sig
        body += struct.pack("!H", len(ext)) + ext
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16" + struct.pack("!HH", min(version, 0x0301), len(hs)) + hs


def _read_exact(sock: socket.socket, n: int, deadline: Deadline) -> bytes:
    out = b""
    while len(out) < n:
        if deadline.expired:
            raise ProbeNetError(NetError.DEADLINE, "the target's deadline passed")
        sock.settimeout(deadline.op_timeout())
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ProbeNetError(NetError.RESET, "connection closed")
        out += chunk
    return out


def openssl_hello(ctx: ssl.SSLContext, server_name: str | None) -> bytes:
    """The first flight OpenSSL itself sends with `ctx`: its ClientHello, byte for byte.

    A probe that only needs the server's choice (is this version or suite taken?) sends this
    and reads the ServerHello, instead of completing the handshake: the server answers
    exactly what it would answer OpenSSL, and neither side spends the key exchange, the
    certificate checks and the Finished messages on a connection that is dropped anyway.
    """
    key = (id(ctx), server_name)
    with _HELLOS_LOCK:
        known = _HELLOS.get(key)
    if known is not None and known[0] is ctx:
        # The same hello with a random of its own, as OpenSSL would have written it.
        return known[1][:11] + os.urandom(32) + known[1][43:]
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=server_name)
    with suppress(ssl.SSLWantReadError):  # it waits for the server: the hello is written
        obj.do_handshake()
    record = outgoing.read()
    if _reusable(ctx, record):
        with _HELLOS_LOCK:
            if len(_HELLOS) >= _HELLOS_SIZE:
                _HELLOS.pop(next(iter(_HELLOS)))
            _HELLOS[key] = (ctx, record)
    return record


# OpenSSL's hellos already written, by (context, server name): both addresses of a target
# send the same four. Only hellos whose one per-connection part is the client random (32
# bytes after the record and handshake headers and the version) are kept: TLS ≤ 1.2 offers
# with no session ID, so no key share (TLS 1.3) and nothing of a previous session is reused.
_HELLOS: dict[tuple[int, str | None], tuple[ssl.SSLContext, bytes]] = {}
_HELLOS_LOCK = threading.Lock()
_HELLOS_SIZE = 256


def _reusable(ctx: ssl.SSLContext, record: bytes) -> bool:
    return (
        ctx.maximum_version not in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.MAXIMUM_SUPPORTED)
        and len(record) > 44
        and record[0] == 0x16
        and record[5] == 0x01
        and record[43] == 0  # session ID length
    )


def with_suites(record: bytes, suites: Sequence[int]) -> bytes | None:
    """The ClientHello `record` offering exactly `suites` instead of its own, all else kept
    (version, extensions, their order); None when it is not one whole ClientHello record.

    OpenSSL cannot offer what its build lacks (RC4, DES, EXPORT…); spliced into its own
    hello, those suites are asked in the same breath as the ones it has, looking to the
    server (and to anything in front of it) like any OpenSSL client.
    """
    if len(record) < 9 + 35 or record[0] != 0x16 or record[5] != 0x01:
        return None
    (rec_len,) = struct.unpack("!H", record[3:5])
    hs_len = int.from_bytes(record[6:9], "big")
    if rec_len != len(record) - 5 or hs_len != rec_len - 4:
        return None
    body = record[9:]
    pos = 34 + 1 + body[34]  # version, random, session id
    if pos + 2 > len(body):
        return None
    (cs_len,) = struct.unpack("!H", body[pos : pos + 2])
    listed = struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites)
    new_body = body[:pos] + listed + body[pos + 2 + cs_len :]
    hs = b"\x01" + struct.pack("!I", len(new_body))[1:] + new_body
    return record[:3] + struct.pack("!H", len(hs)) + hs


def offer(
    address: str, port: int, host: str, version: int, suites: Sequence[int], deadline: Deadline
) -> tuple[str, int | None, int | None]:
    """Send one hand-written ClientHello and class the server's first answer (`send_hello`)."""
    return send_hello(address, port, client_hello(version, suites, sni_for(host)), deadline)


def send_hello(
    address: str, port: int, hello: bytes, deadline: Deadline
) -> tuple[str, int | None, int | None]:
    """Send one ClientHello and class the server's first answer.

    ('accepted', version, suite): a ServerHello; ('refused', …): a TLS alert — in both the
    server provably spoke TLS to us. ('closed', …): the connection was closed or reset without
    a word, which a refusing server and a connection limiter look alike in, so the caller must
    confirm it with a control handshake. ('unknown', …): a timeout, something that is not TLS,
    or no connection at all — never an answer.
    """
    try:
        sock = connect(address, port, deadline)
    except ProbeNetError:
        return "unknown", None, None
    try:
        sock.sendall(hello)
        head = _read_exact(sock, 5, deadline)
        ctype, _rec_version, length = struct.unpack("!BHH", head)
        if ctype == 0x15:  # alert
            return "refused", None, None
        if ctype != 0x16 or length < 40:
            return "unknown", None, None
        body = _read_exact(sock, min(length, 16384), deadline)
        if body[0] != 0x02:  # not a ServerHello
            return "unknown", None, None
        server_version = struct.unpack("!H", body[4:6])[0]
        sid_len = body[38]
        suite = struct.unpack("!H", body[39 + sid_len : 41 + sid_len])[0]
        return "accepted", server_version, suite
    except ProbeNetError as exc:
        return ("closed" if exc.kind is NetError.RESET else "unknown"), None, None
    except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError):
        return "closed", None, None
    except (OSError, IndexError, struct.error):  # timeouts included: not an answer
        return "unknown", None, None
    finally:
        sock.close()


Settle = Callable[[str], str]


def _no_control(result: str) -> str:
    """Without a control handshake, only an alert counts as a refusal."""
    return {"closed": "unknown"}.get(result, result)


def version_offered(
    address: str,
    port: int,
    host: str,
    version: str,
    deadline: Deadline,
    settle: Settle = _no_control,
) -> str:
    """'offered' | 'not_offered' | 'unknown' for one protocol version, by raw ClientHello.

    `settle` turns a bare close into 'refused' or 'unknown' (by a control handshake)."""
    result, got, _ = offer(
        address, port, host, VERSION_CODES[version], VERSION_PROBE_SUITES, deadline
    )
    result = settle(result)
    if result == "accepted":
        return "offered" if got == VERSION_CODES[version] else "not_offered"
    return {"refused": "not_offered"}.get(result, "unknown")


def weak_suites_accepted(
    address: str,
    port: int,
    host: str,
    families: Sequence[str],
    deadline: Deadline,
    rounds: int = 4,
    settle: Settle = _no_control,
) -> tuple[list[str], bool]:
    """Weak suites of `families` the server picks from a TLS 1.2 ClientHello (max `rounds`),
    and whether the probing was cut short."""
    pool = {code: name for fam in families for code, name in WEAK_SUITES.get(fam, {}).items()}
    accepted: list[str] = []
    for _ in range(rounds):
        if not pool:
            break
        result, _, suite = offer(address, port, host, 0x0303, list(pool), deadline)
        result = settle(result)
        if result == "accepted" and suite in pool:
            accepted.append(pool.pop(suite))
            continue
        return accepted, result == "unknown"
    return accepted, False
