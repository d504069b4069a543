"""The stub resolver against references it did not write.

dnspython is the reference: its messages (built and compressed by dnspython) must read the
same in `stub` as in dnspython's own parser and CNAME chaining (`Message.resolve_chaining`),
its address and name presentation must match, and its resolver, asked the same questions
of the same real servers on loopback, must reach the same outcome — except where `stub`
deliberately says more (a garbage datagram is a malformed answer, not a silent timeout; a
truncation TCP never completed is a truncation, not "no server could answer").
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.resolver
import dns.rrset
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assure.probes import stub
from tests.probes.dnsserver import DnsServer
from tests.probes.test_loopback import closed_port

# --- the wire format against dnspython's parser ---------------------------------------------

LABEL = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-",
    min_size=1,
    max_size=12,
)
NAMES = st.lists(
    st.sampled_from(["a", "b", "www", "ns1", "Zone", "x-y"]) | LABEL, min_size=1, max_size=4
).map(lambda labels: ".".join(labels) + ".test.")
TYPES = ("A", "AAAA", "NS", "CNAME")


def rdata_for(rtype: str, draw: st.DrawFn) -> str:
    if rtype == "A":
        return str(ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1))))
    if rtype == "AAAA":
        return str(ipaddress.IPv6Address(draw(st.integers(0, 2**128 - 1))))
    return draw(NAMES)


@st.composite
def responses(draw: st.DrawFn) -> tuple[dns.message.Message, str, int]:
    """A response built by dnspython: a question, an answer section mixing the asked type,
    CNAME links (maybe a chain from the question) and noise, maybe an authority SOA."""
    qname = draw(NAMES)
    qtype = draw(st.sampled_from(("A", "AAAA", "NS", "SOA")))
    q = dns.message.make_query(qname, qtype, id=draw(st.integers(0, 0xFFFF)))
    r = dns.message.make_response(q)
    rcode = draw(st.sampled_from((dns.rcode.NOERROR, dns.rcode.NOERROR, dns.rcode.NXDOMAIN)))
    r.set_rcode(rcode)
    owner = qname
    if rcode == dns.rcode.NOERROR:
        for _ in range(draw(st.integers(0, 3))):  # a CNAME chain from the question
            target = draw(NAMES)
            r.answer.append(
                dns.rrset.from_text(owner, draw(st.integers(0, 86400)), "IN", "CNAME", target)
            )
            owner = target
        if draw(st.booleans()) and qtype != "SOA":
            values = [rdata_for(qtype, draw) for _ in range(draw(st.integers(1, 4)))]
            r.answer.append(
                dns.rrset.from_text_list(owner, draw(st.integers(0, 86400)), "IN", qtype, values)
            )
        for _ in range(draw(st.integers(0, 2))):  # records that answer another question
            t = draw(st.sampled_from(TYPES))
            other = draw(NAMES)
            rrset = r.find_rrset(
                r.answer, dns.name.from_text(other), 1, dns.rdatatype.from_text(t), create=True
            )
            rrset.add(dns.rdata.from_text("IN", t, rdata_for(t, draw)), draw(st.integers(0, 86400)))
    if draw(st.booleans()):
        zone = draw(st.sampled_from(["test.", "a.test.", "b.a.test.", "other.example."]))
        soa = f"ns1.{zone} host.{zone} 1 3600 600 86400 {draw(st.integers(0, 7200))}"
        r.authority.append(dns.rrset.from_text(zone, draw(st.integers(0, 86400)), "IN", "SOA", soa))
    return r, qname, dns.rdatatype.from_text(qtype)  # to_wire() shuffles: done by the test


@settings(max_examples=400, deadline=None)
@given(responses())
def test_chase_reads_what_dnspython_reads(case: tuple[dns.message.Message, str, int]) -> None:
    """Records, final owner and TTL after CNAMEs: the same as dnspython's resolve_chaining."""
    msg, qname, qtype = case
    wire = msg.to_wire()
    ref_msg = dns.message.from_wire(wire)
    try:
        ref = ref_msg.resolve_chaining()
    except (dns.message.ChainTooLong, dns.message.AnswerForNXDOMAIN):
        with pytest.raises(stub.MalformedError):
            stub.chase(stub.parse_reply(wire), stub.name_key(stub.encode_name(qname)), qtype)
        return
    got = stub.chase(stub.parse_reply(wire), stub.name_key(stub.encode_name(qname)), qtype)
    want = sorted(r.to_text() for r in ref.answer) if ref.answer is not None else []
    assert sorted(got.records) == want
    assert got.ttl == ref.minimum_ttl
    if ref.answer is not None:
        assert got.owner is not None
        assert stub.name_text(got.owner).lower() == ref.answer.name.to_text().lower()


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 2**128 - 1))
def test_aaaa_text_is_dnspythons(value: int) -> None:
    """Compressed IPv6 text as dnspython writes it (IPv4-mapped and -compatible forms too)."""
    import dns.ipv6

    raw = value.to_bytes(16, "big")
    assert socket.inet_ntop(socket.AF_INET6, raw) == dns.ipv6.inet_ntoa(raw)


@pytest.mark.parametrize(
    "raw", ["::ffff:1.2.3.4", "::1.2.3.4", "::1", "::", "1:0:0:1::1", "1:0:1:0:1:0:1:0", "fe80::1"]
)
def test_aaaa_text_edges(raw: str) -> None:
    import dns.ipv6

    b = socket.inet_pton(socket.AF_INET6, raw)
    assert socket.inet_ntop(socket.AF_INET6, b) == dns.ipv6.inet_ntoa(b)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=20), min_size=0, max_size=5))
def test_name_text_is_dnspythons(labels: list[bytes]) -> None:
    """Any label bytes (dots, quotes, controls, 8-bit) print with dnspython's escapes."""
    wire = b"".join(bytes([len(x)]) + x for x in labels) + b"\0"
    assert stub.name_text(wire) == dns.name.from_wire(wire, 0)[0].to_text()


@settings(max_examples=300, deadline=None)
@given(responses(), st.data())
def test_damaged_messages_fail_cleanly(
    case: tuple[dns.message.Message, str, int], data: st.DataObject
) -> None:
    """Cut or flipped anywhere, a message parses or raises MalformedError — nothing else."""
    wire = bytearray(case[0].to_wire())
    if data.draw(st.booleans()):
        wire = wire[: data.draw(st.integers(0, len(wire)))]
    else:
        for _ in range(data.draw(st.integers(1, 4))):
            i = data.draw(st.integers(0, len(wire) - 1))
            wire[i] = data.draw(st.integers(0, 255))
    try:
        reply = stub.parse_reply(bytes(wire))
        stub.chase(reply, stub.name_key(stub.encode_name(case[1])), case[2])
    except stub.MalformedError:
        pass


def test_compression_loops_are_refused() -> None:
    """A pointer to itself or forwards is malformed (RFC 1035 §4.1.4), never a hang."""
    header = struct.pack(">HHHHHH", 1, 0x8180, 1, 0, 0, 0)
    for name in (b"\xc0\x0c", b"\x01a\xc0\x0c", b"\xc0\x20"):
        with pytest.raises(stub.MalformedError):
            stub.parse_reply(header + name + b"\0\x01\0\x01")


def test_names_that_cannot_be_asked() -> None:
    assert stub.encode_name("www.Example.test") == b"\x03www\x07Example\x04test\0"
    assert stub.encode_name("xn--bcher-kva.test.") == stub.encode_name("bücher.test")
    for bad in ("a..b", "a" * 64 + ".test", ".".join(["a" * 60] * 5), "ü" * 70 + ".test"):
        with pytest.raises(stub.BadNameError):
            stub.encode_name(bad)


def test_resolv_conf() -> None:
    text = (
        "# c\nsearch x.test\nnameserver 192.0.2.1\nnameserver fe80::1%eth0 # c\noptions ndots:2\n"
    )
    assert stub.parse_resolv_conf(text) == [("192.0.2.1", 53), ("fe80::1%eth0", 53)]
    with pytest.raises(stub.NoResolverConfigError):
        stub.StubResolver.from_system("/nonexistent/resolv.conf")
    with pytest.raises(stub.NoResolverConfigError):
        stub.StubResolver([])


def test_cache_honours_ttls_with_an_injected_clock() -> None:
    now = [100.0]
    cache = stub.AnswerCache(2, clock=lambda: now[0])
    cache.put((b"a", 1), stub.Result(("1.2.3.4",), b"a", (), 60))
    cache.put((b"z", 1), stub.Result((), None, (), 0))  # TTL 0: never kept
    assert cache.get((b"a", 1)) is not None and cache.get((b"z", 1)) is None
    now[0] += 60
    assert cache.get((b"a", 1)) is None
    for k in (b"1", b"2", b"3"):
        cache.put((k, 1), stub.Result((), None, (), 10))
    assert len(cache) == 2 and cache.get((b"1", 1)) is None


# --- the resolver against dnspython's, on real servers ----------------------------------------

SOA = "ns1.{z} hostmaster.{z} 1 3600 600 86400 60"


def world() -> dict[str, dict[str, list[str]]]:
    r: dict[str, dict[str, list[str]]] = {
        "z.test.": {"SOA": [SOA.format(z="z.test.")], "NS": ["ns1.z.test.", "ns2.z.test."]},
        "ns1.z.test.": {"A": ["192.0.2.53"], "AAAA": ["2001:db8::53"]},
        "ns2.z.test.": {"A": ["192.0.2.54"]},
        "www.z.test.": {
            "A": ["192.0.2.1", "192.0.2.2"],
            "AAAA": ["2001:db8::1", "::ffff:192.0.2.1"],
        },
        "alias.z.test.": {"CNAME": ["www.z.test."]},
        "deep.er.z.test.": {"A": ["192.0.2.9"]},
        "sub.z.test.": {"SOA": [SOA.format(z="sub.z.test.")], "NS": ["ns1.z.test."]},
        "host.sub.z.test.": {"A": ["192.0.2.10"]},
    }
    for fault in ("SERVFAIL", "REFUSED", "GARBAGE", "TRUNC", "DROP"):
        r[f"{fault.lower()}.z.test."] = {"A": ["192.0.2.3"], fault: ["A"]}
    return r


@pytest.fixture(scope="module")
def server() -> Iterator[DnsServer]:
    srv = DnsServer(world(), ("127.0.0.1", "::1"))
    yield srv
    srv.close()


def reference(port: int, addr: str = "127.0.0.1", timeout: float = 0.5) -> dns.resolver.Resolver:
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [dns.nameserver.Do53Nameserver(addr, port)]
    res.timeout, res.lifetime = timeout, timeout * 2
    return res


def outcome(fn: Callable[[], object]) -> object:
    try:
        got = fn()
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except (dns.exception.DNSException, stub.DnsError) as exc:
        return type(exc).__name__
    if isinstance(got, dns.resolver.Answer):
        return sorted(r.to_text() for r in got)
    if isinstance(got, dns.name.Name):
        return got.to_text()
    return sorted(got) if isinstance(got, list) else got


QUESTIONS = [
    ("www.z.test", "A"),
    ("www.z.test", "AAAA"),
    ("WWW.Z.TEST", "A"),
    ("alias.z.test", "A"),
    ("alias.z.test", "AAAA"),
    ("z.test", "NS"),
    ("z.test", "SOA"),
    ("ns2.z.test", "AAAA"),  # NODATA
    ("nothere.z.test", "A"),  # NXDOMAIN
    ("elsewhere.example", "A"),  # REFUSED
    ("servfail.z.test", "A"),
    ("refused.z.test", "A"),
]
# Where the stub says more than dnspython (see the module docstring).
SAYS_MORE = {
    ("garbage.z.test", "A"): ("LifetimeTimeout", "MalformedError"),
    ("trunc.z.test", "A"): ("NoNameservers", "TruncatedError"),
    ("drop.z.test", "A"): ("LifetimeTimeout", "DnsTimeoutError"),
}
SAME_ERROR = {"NoNameservers": "NoNameserversError", "LifetimeTimeout": "DnsTimeoutError"}


@pytest.mark.parametrize("family", ["127.0.0.1", "::1"])
def test_answers_match_dnspythons_resolver(server: DnsServer, family: str) -> None:
    ref = reference(server.port, family)
    ours = stub.StubResolver([(family, server.port)], timeout=0.5, lifetime=1.0)
    for name, rtype in QUESTIONS:
        want = outcome(partial(ref.resolve, name, rtype, search=False))
        got = outcome(partial(ours.resolve, name, rtype))
        assert got == SAME_ERROR.get(str(want), want), (name, rtype)
    for (name, rtype), (theirs, mine) in SAYS_MORE.items():
        assert outcome(partial(ref.resolve, name, rtype, search=False)) == theirs, name
        assert outcome(partial(ours.resolve, name, rtype)) == mine, name


def test_zones_match_dnspythons(server: DnsServer) -> None:
    ref = reference(server.port)
    ours = stub.StubResolver([("127.0.0.1", server.port)], timeout=0.5, lifetime=2.0)
    for name in (
        "z.test",
        "www.z.test",
        "deep.er.z.test",
        "nothere.z.test",
        "sub.z.test",
        "host.sub.z.test",
        "a.b.c.sub.z.test",
        "alias.z.test",
    ):
        want = outcome(partial(dns.resolver.zone_for_name, name, resolver=ref))
        assert outcome(partial(ours.zone_for_name, name)) == want, name


def test_the_cache_spares_the_network(server: DnsServer) -> None:
    cache = stub.AnswerCache(64)
    ours = stub.StubResolver([("127.0.0.1", server.port)], cache=cache)
    assert sorted(ours.resolve("www.z.test", "A")) == ["192.0.2.1", "192.0.2.2"]
    assert ours.resolve("nothere.z.test", "A") == []
    ours = stub.StubResolver([("127.0.0.1", closed_port())], cache=cache)  # nothing answers
    assert sorted(ours.resolve("www.z.test", "A")) == ["192.0.2.1", "192.0.2.2"]
    # The negative answer is kept too (no SOA in this server's NXDOMAIN: 300 s, as dnspython).
    assert ours.resolve("nothere.z.test", "A") == []


# --- scripted servers: what no well-behaved server does -------------------------------------


class Scripted:
    """A UDP (and TCP) server on 127.0.0.1 whose replies a function writes: query → datagrams."""

    def __init__(
        self,
        udp: Callable[[bytes], list[bytes]],
        tcp: Callable[[bytes], bytes | None] | None = None,
    ) -> None:
        self.udp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp_sock.bind(("127.0.0.1", 0))
        self.port = self.udp_sock.getsockname()[1]
        self.tcp_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp_sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp_sock.bind(("127.0.0.1", self.port))
        self.tcp_sock.listen(4)
        self.queries = 0
        self._udp, self._tcp = udp, tcp
        for s in (self.udp_sock, self.tcp_sock):
            s.settimeout(0.1)
        self._stop = threading.Event()
        threading.Thread(target=self._serve_udp, daemon=True).start()
        threading.Thread(target=self._serve_tcp, daemon=True).start()

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self.udp_sock.recvfrom(4096)
            except OSError:
                continue
            self.queries += 1
            for out in self._udp(wire):
                self.udp_sock.sendto(out, peer)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp_sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                (n,) = struct.unpack(">H", conn.recv(2))
                wire = conn.recv(n)
                out = self._tcp(wire) if self._tcp else None
                if out is not None:
                    conn.sendall(struct.pack(">H", len(out)) + out)

    def close(self) -> None:
        self._stop.set()
        self.udp_sock.close()
        self.tcp_sock.close()


def answer(wire: bytes, *addresses: str, tc: bool = False) -> bytes:
    q = dns.message.from_wire(wire)
    r = dns.message.make_response(q)
    if tc:
        r.flags |= dns.flags.TC
    else:
        r.answer.append(
            dns.rrset.from_text_list(q.question[0].name, 60, "IN", "A", list(addresses))
        )
    return r.to_wire()


def test_spoofed_datagrams_do_not_end_a_lookup() -> None:
    """Another ID and another question arrive first; the real reply after them counts."""

    def udp(wire: bytes) -> list[bytes]:
        wrong_id = bytearray(answer(wire, "203.0.113.66"))
        wrong_id[:2] = struct.pack(">H", (struct.unpack(">H", wire[:2])[0] + 1) & 0xFFFF)
        q = dns.message.from_wire(wire)
        other = dns.message.make_query("other.test", "A")
        other.id = q.id
        wrong_q = dns.message.make_response(other).to_wire()
        return [bytes(wrong_id), wrong_q, answer(wire, "192.0.2.7")]

    srv = Scripted(udp)
    try:
        assert stub.StubResolver([("127.0.0.1", srv.port)]).resolve("x.test", "A") == ["192.0.2.7"]
    finally:
        srv.close()


def test_truncated_answers_are_completed_over_tcp() -> None:
    srv = Scripted(
        lambda w: [answer(w, tc=True)], tcp=lambda w: answer(w, "192.0.2.8", "192.0.2.9")
    )
    try:
        got = stub.StubResolver([("127.0.0.1", srv.port)]).resolve("x.test", "A")
    finally:
        srv.close()
    assert sorted(got) == ["192.0.2.8", "192.0.2.9"]


def test_a_silent_server_is_passed_over_within_the_lifetime() -> None:
    """First server silent, second answers: the answer comes after one timeout; both silent:
    DnsTimeoutError near the lifetime, not later."""
    silent = Scripted(lambda w: [])
    good = Scripted(lambda w: [answer(w, "192.0.2.5")])
    try:
        res = stub.StubResolver([("127.0.0.1", silent.port), ("127.0.0.1", good.port)], 0.3, 2.0)
        start = time.monotonic()
        assert res.resolve("x.test", "A") == ["192.0.2.5"]
        assert 0.25 < time.monotonic() - start < 1.0
        res = stub.StubResolver([("127.0.0.1", silent.port)], timeout=0.3, lifetime=1.0)
        start = time.monotonic()
        with pytest.raises(stub.DnsTimeoutError):
            res.resolve("x.test", "A")
        took = time.monotonic() - start
        assert 0.9 < took < 1.3, took
        assert silent.queries >= 3  # asked again with backoff, not once
    finally:
        silent.close()
        good.close()


def test_a_closed_port_is_a_failed_server_at_once() -> None:
    """ICMP port unreachable on the connected socket: no server, not a timeout."""
    res = stub.StubResolver([("127.0.0.1", closed_port())], timeout=2.0, lifetime=4.0)
    start = time.monotonic()
    with pytest.raises(stub.NoNameserversError):
        res.resolve("x.test", "A")
    assert time.monotonic() - start < 0.5
