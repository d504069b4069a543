"""A lean DNS stub resolver: the few questions a probe asks, at close to a bare exchange's cost.

Why not dnspython's resolver: measured by `bench/dns_cost.py`, one dnspython resolution that
goes to the network costs the client 14–23× a bare UDP exchange (name objects, rdata classes
and message rendering, no single hot spot), and DNS was about a fifth of a target's client
CPU. A probe asks recursion-desired questions of class IN for A, AAAA, NS and SOA, follows
CNAME chains and reads SOA owners: that is all this module speaks (RFC 1035, RFC 2181,
RFC 2308). dnspython stays the reference the tests compare against, and the library the
name-server checks use for their non-recursive SOA queries (`dns.ns_answers`).

Behaviour kept from dnspython's resolver, because the findings rely on it:

- the name servers are asked in order; each try may take `timeout`, cut at what is left of
  the lookup's `lifetime`; servers that only timed out are asked again (after a short,
  doubling pause) until the lifetime is spent, then the lookup fails with `DnsTimeoutError`;
- a truncated (TC) reply is asked again of the same server over TCP;
- a server that answers SERVFAIL, REFUSED or another error rcode, or whose TCP connection
  breaks, is not asked again in this lookup; when none is left, the lookup fails;
- NXDOMAIN and NOERROR without the records are "no such record" (an empty list), cached for
  the SOA's negative TTL (RFC 2308 §5); answers are cached for their smallest TTL.

Where it says more than dnspython: a datagram carrying our query ID from the server that is
not a DNS message is that server's malformed answer (`MalformedError`), not a silent timeout; a
lookup whose every server truncated and never completed over TCP fails as `TruncatedError`.
Datagrams that are not replies to our question (another ID, another question) are ignored,
as a spoofed packet must not end a lookup.

Injected, for tests and for the run: the name servers, the clock (`clock`, monotonic
seconds) and the cache. No I/O happens at import or construction.
"""

from __future__ import annotations

import secrets
import socket
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

A, NS, CNAME, SOA, AAAA = 1, 2, 5, 6, 28
TYPES = {"A": A, "NS": NS, "CNAME": CNAME, "SOA": SOA, "AAAA": AAAA}
CLASS_IN = 1
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
_QR, _TC, _RD = 0x8000, 0x0200, 0x0100
MAX_CHAIN = 16  # CNAME links followed, as dnspython
MAX_TTL = 2**31 - 1
NEGATIVE_TTL_WITHOUT_SOA = 300  # seconds, as dnspython and many resolvers
MAX_UDP = 65535
_HEADER = struct.Struct(">HHHHHH")
_RR = struct.Struct(">HHIH")
_QTAIL = struct.Struct(">HH")
# Characters a name's presentation form escapes (RFC 1035 §5.1), as dnspython writes them.
_ESCAPED = frozenset(b'"().;\\@$')


class DnsError(Exception):
    """A lookup that failed: what is unknown, never "no such record"."""


class DnsTimeoutError(DnsError):
    """No server answered within the lookup's lifetime (or the target's deadline)."""


class NoNameserversError(DnsError):
    """Every server answered with an error rcode or broke its connection."""


class NoResolverConfigError(DnsError):
    """No name server to ask: resolv.conf missing or naming none."""


class TruncatedError(DnsError):
    """Every server truncated its answer and none completed it over TCP."""


class MalformedError(DnsError):
    """A server's answer was not a well-formed DNS message for our question."""


class BadNameError(DnsError):
    """A name that cannot be asked (empty label, label over 63 octets, name over 255)."""


class NoRootSoaError(DnsError):
    """No zone found up to the root (every level answered without a SOA)."""


# --- wire format (pure) --------------------------------------------------------------------


def encode_name(name: str) -> bytes:
    """The wire form of an ASCII host name, absolute or not (RFC 1035 §3.1)."""
    text = name[:-1] if name.endswith(".") else name
    if not text:
        return b"\0"
    out = bytearray()
    for label in text.split("."):
        try:
            raw = label.encode("ascii") if label.isascii() else label.encode("idna")
        except UnicodeError:
            raise BadNameError(f"not a host name label: {label!r}") from None
        if not raw:
            raise BadNameError(f"empty label in {name!r}")
        if len(raw) > 63:
            raise BadNameError(f"label over 63 octets in {name!r}")
        out.append(len(raw))
        out += raw
    out.append(0)
    if len(out) > 255:
        raise BadNameError(f"name over 255 octets: {name!r}")
    return bytes(out)


def build_query(qid: int, qname: bytes, qtype: int, recursion: bool = True) -> bytes:
    """One question, no EDNS: the smallest query every resolver understands."""
    return (
        _HEADER.pack(qid, _RD if recursion else 0, 1, 0, 0, 0)
        + qname
        + _QTAIL.pack(qtype, CLASS_IN)
    )


def read_name(msg: bytes, off: int) -> tuple[bytes, int]:
    """(the name's wire form without compression, offset after it). Pointers may only point
    backwards, so a loop cannot occur (RFC 1035 §4.1.4)."""
    out = bytearray()
    end = -1
    limit = off
    while True:
        if off >= len(msg):
            raise MalformedError("name runs past the message")
        n = msg[off]
        if n == 0:
            out.append(0)
            off += 1
            break
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise MalformedError("compression pointer runs past the message")
            ptr = ((n & 0x3F) << 8) | msg[off + 1]
            if end < 0:
                end = off + 2
            if ptr >= limit:
                raise MalformedError("compression pointer does not point backwards")
            limit = ptr
            off = ptr
            continue
        if n & 0xC0:
            raise MalformedError("unknown label type")
        if off + 1 + n > len(msg):
            raise MalformedError("label runs past the message")
        out += msg[off : off + 1 + n]
        off += 1 + n
        if len(out) > 255:
            raise MalformedError("name over 255 octets")
    return bytes(out), (end if end >= 0 else off)


def name_text(wire: bytes) -> str:
    """The absolute presentation form of a wire name, escaped as dnspython writes it."""
    if wire == b"\0":
        return "."
    parts: list[str] = []
    off = 0
    while wire[off]:
        n = wire[off]
        label = wire[off + 1 : off + 1 + n]
        chars: list[str] = []
        for b in label:
            if b in _ESCAPED:
                chars.append("\\" + chr(b))
            elif 0x20 < b < 0x7F:
                chars.append(chr(b))
            else:
                chars.append(f"\\{b:03d}")
        parts.append("".join(chars))
        off += 1 + n
    return ".".join(parts) + "."


def name_key(wire: bytes) -> bytes:
    """Names compare without regard to ASCII case (RFC 4343)."""
    return wire.lower()


@dataclass(frozen=True)
class Record:
    owner: bytes  # wire form, case kept
    rtype: int
    rclass: int
    ttl: int
    value: str  # presentation form for A, AAAA, NS, CNAME, SOA; "" otherwise
    target: bytes = b""  # wire form of NS/CNAME targets
    soa_minimum: int = 0


@dataclass(frozen=True)
class Reply:
    qid: int
    flags: int
    rcode: int
    question: tuple[bytes, int, int] | None  # (name key, type, class)
    answer: tuple[Record, ...]
    authority: tuple[Record, ...]

    @property
    def truncated(self) -> bool:
        return bool(self.flags & _TC)


def _rdata(msg: bytes, rtype: int, start: int, length: int) -> tuple[str, bytes, int]:
    """(presentation value, target name, SOA minimum) of the types a probe reads."""
    rd = msg[start : start + length]
    if rtype == A:
        if length != 4:
            raise MalformedError("A record of the wrong length")
        return socket.inet_ntop(socket.AF_INET, rd), b"", 0
    if rtype == AAAA:
        if length != 16:
            raise MalformedError("AAAA record of the wrong length")
        return socket.inet_ntop(socket.AF_INET6, rd), b"", 0
    if rtype in (NS, CNAME):
        target, end = read_name(msg, start)
        if end != start + length:
            raise MalformedError("name record of the wrong length")
        return name_text(target), target, 0
    if rtype == SOA:
        mname, off = read_name(msg, start)
        rname, off = read_name(msg, off)
        if off + 20 != start + length:
            raise MalformedError("SOA record of the wrong length")
        numbers = struct.unpack_from(">IIIII", msg, off)
        text = " ".join([name_text(mname), name_text(rname), *map(str, numbers)])
        return text, b"", numbers[4]
    return "", b"", 0


def _records(msg: bytes, off: int, count: int) -> tuple[tuple[Record, ...], int]:
    out: list[Record] = []
    for _ in range(count):
        owner, off = read_name(msg, off)
        if off + _RR.size > len(msg):
            raise MalformedError("record header runs past the message")
        rtype, rclass, ttl, length = _RR.unpack_from(msg, off)
        off += _RR.size
        if off + length > len(msg):
            raise MalformedError("record data runs past the message")
        value, target, minimum = _rdata(msg, rtype, off, length)
        out.append(Record(owner, rtype, rclass, ttl & 0x7FFFFFFF, value, target, minimum))
        off += length
    return tuple(out), off


def parse_reply(msg: bytes) -> Reply:
    """The header, question, answer and authority sections of a reply (the additional
    section is not read: a stub trusts only what answers its question). Raises MalformedError."""
    if len(msg) < _HEADER.size:
        raise MalformedError("shorter than a DNS header")
    qid, flags, qd, an, ns, _ar = _HEADER.unpack_from(msg)
    if not flags & _QR:
        raise MalformedError("not a response")
    off = _HEADER.size
    question = None
    if qd > 1:
        raise MalformedError("more than one question")
    if qd == 1:
        qname, off = read_name(msg, off)
        if off + 4 > len(msg):
            raise MalformedError("question runs past the message")
        qtype, qclass = _QTAIL.unpack_from(msg, off)
        off += 4
        question = (name_key(qname), qtype, qclass)
    rcode = flags & 0x000F
    if flags & _TC:
        # A truncated reply may end mid-record: its sections are not read (it is asked
        # again over TCP).
        return Reply(qid, flags, rcode, question, (), ())
    answer, off = _records(msg, off, an)
    authority, off = _records(msg, off, ns)
    return Reply(qid, flags, rcode, question, answer, authority)


def is_reply_to(reply: Reply, qid: int, key: bytes, qtype: int) -> bool:
    """Our ID and our question (a server may omit the question in an error reply)."""
    if reply.qid != qid:
        return False
    if reply.question is None:
        return reply.rcode not in (NOERROR, NXDOMAIN)
    return reply.question == (key, qtype, CLASS_IN)


@dataclass(frozen=True)
class Result:
    """What a lookup learnt: the records (empty: no such record), the owner of the final
    record set after CNAMEs, the SOA owners of the authority section (a negative answer
    names its zone there), and how long it may be kept."""

    records: tuple[str, ...]
    owner: bytes | None
    soa_owners: tuple[bytes, ...]
    ttl: int


def _find(section: tuple[Record, ...], key: bytes, rtype: int) -> list[Record]:
    return [
        r for r in section if r.rtype == rtype and r.rclass == CLASS_IN and name_key(r.owner) == key
    ]


def _parent(key: bytes) -> bytes | None:
    return None if key == b"\0" else key[1 + key[0] :]


def chase(reply: Reply, key: bytes, qtype: int) -> Result:
    """Follow the CNAME chain from the question in the answer section and take the TTL, as
    dnspython's `Message.resolve_chaining` does: the smallest TTL on the chain; for a
    negative answer also the SOA's TTL and minimum (RFC 2308 §5) from the closest enclosing
    SOA in the authority section, or NEGATIVE_TTL_WITHOUT_SOA when there is none."""
    ttl = MAX_TTL
    current = key
    found: list[Record] = []
    for _count in range(MAX_CHAIN):
        found = _find(reply.answer, current, qtype)
        if found or qtype == CNAME:
            break
        links = _find(reply.answer, current, CNAME)
        if not links:
            break
        ttl = min([ttl, *(r.ttl for r in links)])
        # CNAME is a singleton type (RFC 2181 §10.1): of several, dnspython keeps the last.
        current = name_key(links[-1].target)
    else:
        raise MalformedError("CNAME chain too long")
    if found:
        if reply.rcode == NXDOMAIN:
            raise MalformedError("NXDOMAIN with an answer")
        ttl = min([ttl, *(r.ttl for r in found)])
    else:
        auname: bytes | None = current
        while auname is not None:
            soas = _find(reply.authority, auname, SOA)
            if soas:
                ttl = min(ttl, soas[0].ttl, soas[0].soa_minimum)
                break
            auname = _parent(auname)
        else:
            ttl = min(ttl, NEGATIVE_TTL_WITHOUT_SOA)
    soa_owners = tuple(r.owner for r in reply.authority if r.rtype == SOA and r.rclass == CLASS_IN)
    values = tuple(dict.fromkeys(r.value for r in found))  # a set: duplicates are one record
    return Result(values, found[0].owner if found else None, soa_owners, ttl)


def parse_resolv_conf(text: str) -> list[tuple[str, int]]:
    """`nameserver` lines of resolv.conf(5), in order (IPv6 with a %scope kept)."""
    out: list[tuple[str, int]] = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(words) >= 2 and words[0] == "nameserver":
            out.append((words[1], 53))
    return out


def system_nameservers(path: str | Path = "/etc/resolv.conf") -> list[tuple[str, int]]:
    """The name servers resolv.conf names (raises NoResolverConfigError when it cannot be
    read; an empty list when it names none)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        raise NoResolverConfigError(f"cannot open {path}") from None
    return parse_resolv_conf(text)


# --- the run's answer cache ----------------------------------------------------------------


class AnswerCache:
    """A bounded LRU of lookups (TTLs honoured), shared by every thread of a run."""

    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: OrderedDict[tuple[bytes, int], tuple[float, Result]] = OrderedDict()
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: tuple[bytes, int]) -> Result | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple[bytes, int], result: Result) -> None:
        if result.ttl <= 0:
            return
        with self._lock:
            self._items[key] = (self._clock() + result.ttl, result)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


# --- the exchange (I/O) --------------------------------------------------------------------


@dataclass(frozen=True)
class _Ask:
    """One question on the wire: its ID, the name's key, the type and the query bytes."""

    qid: int
    key: bytes
    qtype: int
    query: bytes


class _ServerFailedError(Exception):
    """This server is not asked again in this lookup; `error` says why."""

    def __init__(self, error: DnsError) -> None:
        super().__init__(str(error))
        self.error = error


def _sockaddr(address: str, port: int) -> tuple[int, tuple[object, ...]]:
    info = socket.getaddrinfo(
        address, port, type=socket.SOCK_DGRAM, flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
    )[0]
    return info[0], info[4]


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("the server closed the TCP connection")
        buf += chunk
    return bytes(buf)


class StubResolver:
    """Recursive questions to the configured resolvers; see the module docstring for the
    rules. Thread-safe: each lookup uses its own sockets; the cache has a lock."""

    def __init__(
        self,
        nameservers: Sequence[tuple[str, int]],
        timeout: float = 2.0,
        lifetime: float = 5.0,
        cache: AnswerCache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not nameservers:
            raise NoResolverConfigError("no nameservers")
        self.nameservers = list(nameservers)
        self.timeout = timeout
        self.lifetime = lifetime
        self.cache = cache
        self._clock = clock
        self._addrs: dict[tuple[str, int], tuple[int, tuple[object, ...]]] = {}
        for address, port in self.nameservers:
            try:
                self._addrs[(address, port)] = _sockaddr(address, port)
            except (OSError, UnicodeError) as exc:
                raise NoResolverConfigError(f"not an address: {address!r} ({exc})") from None

    @classmethod
    def from_system(
        cls,
        path: str | Path = "/etc/resolv.conf",
        timeout: float = 2.0,
        lifetime: float = 5.0,
        cache: AnswerCache | None = None,
    ) -> StubResolver:
        return cls(system_nameservers(path), timeout, lifetime, cache)

    # -- public lookups

    def resolve(self, name: str, rdtype: str, lifetime: float | None = None) -> list[str]:
        """The records of one type ([] for NXDOMAIN or no data); DnsError when unknown."""
        return list(self.lookup(encode_name(name), TYPES[rdtype], lifetime).records)

    def zone_for_name(self, name: str, lifetime: float | None = None) -> str:
        """The zone holding `name`, found as dnspython's `zone_for_name` finds it: a SOA
        answer owned by the name itself, or the SOA in a negative answer's authority section
        when it is a proper superdomain; otherwise the parent is asked, up to the root."""
        end = self._clock() + (self.lifetime if lifetime is None else lifetime)
        wire = encode_name(name)
        while True:
            remaining = end - self._clock()
            if remaining <= 0:
                raise DnsTimeoutError("the lookup's lifetime passed")
            got = self.lookup(wire, SOA, remaining)
            key = name_key(wire)
            if got.records and got.owner is not None and name_key(got.owner) == key:
                return name_text(wire)
            if not got.records:
                for owner in got.soa_owners:
                    soa = name_key(owner)
                    if soa != key and _is_label_suffix(key, soa):
                        return name_text(owner)
            if wire == b"\0":
                raise NoRootSoaError("no SOA found up to the root")
            wire = wire[1 + wire[0] :]

    def lookup(self, wire: bytes, qtype: int, lifetime: float | None = None) -> Result:
        key = (name_key(wire), qtype)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return hit
        reply = self._ask(wire, qtype, self.lifetime if lifetime is None else lifetime)
        result = chase(reply, key[0], qtype)
        if self.cache is not None:
            self.cache.put(key, result)
        return result

    # -- the exchange

    def _ask(self, wire: bytes, qtype: int, lifetime: float) -> Reply:
        """A NOERROR or NXDOMAIN reply from one of the servers, or the reason there is none."""
        end = self._clock() + lifetime
        servers = list(self.nameservers)
        failures: list[DnsError] = []
        backoff = 0.1
        while servers:
            answered = False
            for server in list(servers):
                remaining = end - self._clock()
                if remaining <= 0:
                    raise DnsTimeoutError("the name server did not answer in time")
                try:
                    reply = self._try(server, wire, qtype, min(self.timeout, remaining))
                except TimeoutError:
                    continue
                except _ServerFailedError as failed:
                    servers.remove(server)
                    failures.append(failed.error)
                    answered = True
                    continue
                return reply
            if servers and not answered:
                pause = min(backoff, end - self._clock())
                if pause <= 0:
                    raise DnsTimeoutError("the name server did not answer in time")
                time.sleep(pause)
                backoff = min(backoff * 2, 2.0)
        if len({type(e) for e in failures}) == 1:
            raise failures[0]  # all truncated, all malformed, or all error rcodes
        raise NoNameserversError("; ".join(str(e) for e in failures))

    def _try(self, server: tuple[str, int], wire: bytes, qtype: int, timeout: float) -> Reply:
        """One server, once: UDP, then TCP when the reply is truncated. Raises TimeoutError
        (ask again later) or _ServerFailedError (do not)."""
        qid = secrets.randbits(16)
        ask = _Ask(qid, name_key(wire), qtype, build_query(qid, wire, qtype))
        family, addr = self._addrs[server]
        start = self._clock()
        try:
            reply = self._udp(family, addr, ask, timeout)
        except OSError as exc:
            if isinstance(exc, TimeoutError):
                raise
            raise _ServerFailedError(NoNameserversError(f"{server[0]}: {exc}")) from None
        if reply.truncated:
            left = timeout - (self._clock() - start)
            if left <= 0:
                raise TimeoutError
            try:
                reply = self._tcp(family, addr, ask, left)
            except TimeoutError:
                raise _ServerFailedError(
                    TruncatedError(f"{server[0]}: TCP did not answer")
                ) from None
            except (OSError, EOFError) as exc:
                raise _ServerFailedError(
                    TruncatedError(f"{server[0]}: TCP failed: {exc}")
                ) from None
        if reply.rcode not in (NOERROR, NXDOMAIN):
            code = RCODES.get(reply.rcode, str(reply.rcode))
            raise _ServerFailedError(NoNameserversError(f"{server[0]} answered {code}"))
        return reply

    def _udp(self, family: int, addr: tuple[object, ...], ask: _Ask, timeout: float) -> Reply:
        end = self._clock() + timeout
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect(addr)  # the kernel drops datagrams from any other source
            sock.send(ask.query)
            while True:
                left = end - self._clock()
                if left <= 0:
                    raise TimeoutError
                sock.settimeout(left)
                msg = sock.recv(MAX_UDP)
                try:
                    reply = parse_reply(msg)
                except MalformedError as exc:
                    if msg[:2] == ask.query[:2]:
                        raise _ServerFailedError(MalformedError(str(exc))) from None
                    continue  # not ours
                if is_reply_to(reply, ask.qid, ask.key, ask.qtype):
                    return reply

    def _tcp(self, family: int, addr: tuple[object, ...], ask: _Ask, timeout: float) -> Reply:
        end = self._clock() + timeout
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(addr)
            sock.sendall(struct.pack(">H", len(ask.query)) + ask.query)
            sock.settimeout(max(0.001, end - self._clock()))
            (length,) = struct.unpack(">H", _recv_exact(sock, 2))
            msg = _recv_exact(sock, length)
        try:
            reply = parse_reply(msg)
        except MalformedError as exc:
            raise _ServerFailedError(MalformedError(str(exc))) from None
        if not is_reply_to(reply, ask.qid, ask.key, ask.qtype):
            raise _ServerFailedError(MalformedError("a TCP reply to another question"))
        return reply


def _is_label_suffix(key: bytes, suffix: bytes) -> bool:
    """Is the wire name `suffix` made of whole trailing labels of `key`?"""
    off = 0
    while off < len(key):
        if key[off:] == suffix:
            return True
        if key[off] == 0:
            break
        off += 1 + key[off]
    return False
