"""DNS and IPv6 reachability gathering (the run's stub resolver, `stub.StubResolver`).

Lookups go through the lean stub resolver of `stub`: a dnspython resolution cost 10–23× a
bare exchange, the stub's 2.5× (`bench/dns_cost.py`). The non-recursive questions to each
name server (`ns_answers`) still use dnspython's messages. Without `--nameserver`, the
resolver reads /etc/resolv.conf, so a probe run with `ip netns exec NS` uses that
namespace's DNS. Every query is bounded by the probe timeout and spends the target's
deadline.

A broken answer is not a fact: a lookup that failed (SERVFAIL, REFUSED, timeout, garbage,
truncation without TCP) is recorded as an error beside the other family's result, never as
"no such record". Only global unicast addresses from DNS answers count as the site's
(IANA special-purpose registry): loopback, link-local, unspecified, documentation, ULA,
NAT64/DNS64-synthesized (RFC 6052, RFC 7050) and IPv4-mapped ones are set aside with the
reason, and the probe never connects to them — unless the user allowed the range with
`--allow-range` (test beds, internal networks).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from functools import lru_cache

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from assure.probes import stub
from assure.probes.context import Deadline, ProbeContext
from assure.probes.net import ProbeNetError, classify_oserror, connect

_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# A global destination used only to ask the kernel for a route (a UDP connect sends nothing).
VANTAGE_PROBE = "2001:4860:4860::8888"
# RFC 7050: the well-known name and the IPv4 addresses a DNS64 embeds in its answers.
_IPV4ONLY = "ipv4only.arpa."
_WKA = (ipaddress.IPv4Address("192.0.0.170"), ipaddress.IPv4Address("192.0.0.171"))
_RFC6052_LENGTHS = (32, 40, 48, 56, 64, 96)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=64)
def allowed_networks(ranges: tuple[str, ...]) -> tuple[Network, ...]:
    """The --allow-range networks, parsed once per run (asked for every address)."""
    return tuple(ipaddress.ip_network(r, strict=False) for r in ranges)


def ignore_reason(
    address: str, allowed: tuple[Network, ...] = (), dns64: tuple[Network, ...] = ()
) -> str | None:
    """Why an address from a DNS answer does not count as the site's (and is never
    connected to), or None when it does. Pure."""
    ip = ipaddress.ip_address(address)
    if any(ip in n for n in dns64):  # even inside an allowed range: it is a translation
        return "synthesized by a DNS64 resolver (RFC 7050), not the site's own IPv6"
    if any(ip in n for n in allowed if n.version == ip.version):
        return None
    if ip.version == 4:
        for test, why in (
            (ip.is_unspecified or ip in _THIS_NETWORK, "unspecified"),
            (ip.is_loopback, "loopback"),
            (ip.is_link_local, "link-local"),
            (ip.is_multicast, "multicast"),
            (ip == ipaddress.IPv4Address("255.255.255.255"), "broadcast"),
        ):
            if test:
                return f"{why} address (never probed from DNS answers)"
        return None
    if ip in _MAPPED:
        return "IPv4-mapped address (::ffff:0:0/96), not IPv6"
    for test, why in (
        (ip.is_unspecified, "unspecified address (::)"),
        (ip.is_loopback, "loopback address (::1)"),
        (ip.is_link_local, "link-local address (fe80::/10)"),
        (ip.is_multicast, "multicast address (ff00::/8)"),
    ):
        if test:
            return f"{why}, never probed from DNS answers"
    if any(ip in n for n in _NAT64):
        return "NAT64 prefix (RFC 6052/8215): a translation of IPv4, not the site's own IPv6"
    if ip in _IPV4_COMPATIBLE:
        return "IPv4-compatible address (::/96, deprecated by RFC 4291)"
    if ip not in _GLOBAL_UNICAST or not ip.is_global:
        return "not a global unicast address (IANA special-purpose registry)"
    return None


def _embed(prefix: ipaddress.IPv6Address, length: int, v4: ipaddress.IPv4Address) -> int:
    """RFC 6052 §2.2: the IPv6 address embedding `v4` after a `length`-bit prefix."""
    bits = int(prefix) >> (128 - length) << (128 - length)
    v = int(v4).to_bytes(4, "big")
    out = bytearray(bits.to_bytes(16, "big"))
    pos = length // 8
    for b in v:
        if pos == 8:  # bits 64..71 (the "u" octet) stay zero
            pos += 1
        out[pos] = b
        pos += 1
    return int.from_bytes(out, "big")


def dns64_prefixes(answers: list[str]) -> tuple[ipaddress.IPv6Network, ...]:
    """NAT64 prefixes a DNS64 revealed in its AAAA answers for ipv4only.arpa (RFC 7050)."""
    found: list[ipaddress.IPv6Network] = []
    for text in answers:
        ip = ipaddress.ip_address(text)
        if ip.version != 6:
            continue
        for length in _RFC6052_LENGTHS:
            if any(_embed(ip, length, w) == int(ip) for w in _WKA):
                net = ipaddress.IPv6Network((int(ip) >> (128 - length) << (128 - length), length))
                if net not in found:
                    found.append(net)
                break
    return tuple(found)


@dataclass
class NameServer:
    name: str
    ipv4: list[str] = field(default_factory=list)
    ipv6: list[str] = field(default_factory=list)
    reach_v6: dict[str, str] = field(default_factory=dict)  # address → ok | timeout | ...
    reach_v4: dict[str, str] = field(default_factory=dict)  # asked when IPv6 did not answer
    a_error: str | None = None  # the name server's A lookup failed
    aaaa_error: str | None = None  # its AAAA lookup failed: whether it has IPv6 is unknown
    ignored: dict[str, str] = field(default_factory=dict)  # address → why it does not count


@dataclass
class DnsObservation:
    """Addresses of the web host and its domain's name servers."""

    source: str = "dns"  # dns | resolve (pinned) | literal
    a: list[str] = field(default_factory=list)
    aaaa: list[str] = field(default_factory=list)
    mapped_ignored: list[str] = field(default_factory=list)
    ignored: dict[str, str] = field(default_factory=dict)  # address → why it does not count
    dns64: list[str] = field(default_factory=list)  # NAT64 prefixes a DNS64 revealed
    error: str | None = None  # no address lookup worked
    aaaa_error: str | None = None  # the AAAA lookup failed (A may have worked)
    a_error: str | None = None  # the A lookup failed (AAAA may have worked)
    zone: str | None = None
    ns: list[NameServer] = field(default_factory=list)
    ns_error: str | None = None


Resolver = stub.StubResolver
DnsError = stub.DnsError


def make_resolver(ctx: ProbeContext) -> Resolver:
    """The resolver of this run: --nameserver if given, else /etc/resolv.conf (raises
    `stub.NoResolverConfigError` when that names no server). A lookup may take two
    timeouts (one retry), and no more than the target's deadline."""
    servers = ctx.nameservers or ctx.resolv_memo.get("system")
    if servers is None:
        servers = tuple(stub.system_nameservers())  # an unreadable file is asked again
        ctx.resolv_memo.put("system", servers)
    return Resolver(servers, ctx.timeout, ctx.timeout * 2, ctx.resolver_cache)


def _lifetime(res: Resolver, deadline: Deadline | None) -> float:
    """What one lookup may take: the resolver's lifetime, cut at the target's deadline."""
    if deadline is None:
        return float(res.lifetime)
    if deadline.expired:
        raise stub.DnsTimeoutError("the target's deadline passed")
    return max(0.05, min(float(res.lifetime), deadline.remaining()))


def _query(res: Resolver, name: str, rdtype: str, deadline: Deadline | None = None) -> list[str]:
    """Records of one type; [] only for a real "no such record" (NOERROR/NODATA, NXDOMAIN).
    Failures (SERVFAIL, REFUSED, timeout, garbage, truncation without TCP) raise DnsError."""
    return res.resolve(name, rdtype, lifetime=_lifetime(res, deadline))


def resolve_addresses(
    res: Resolver, host: str, deadline: Deadline | None = None
) -> tuple[list[str], list[str], list[str]]:
    """(A, AAAA, IPv4-mapped AAAA dropped)."""
    a = _query(res, host, "A", deadline)
    aaaa_all = _query(res, host, "AAAA", deadline)
    mapped = [x for x in aaaa_all if ipaddress.ip_address(x) in _MAPPED]
    return a, [x for x in aaaa_all if x not in mapped], mapped


def _split(
    answers: list[str], allowed: tuple[Network, ...], dns64: tuple[Network, ...] = ()
) -> tuple[list[str], dict[str, str]]:
    """(addresses that count, {ignored address: why})."""
    keep: list[str] = []
    ignored: dict[str, str] = {}
    for a in answers:
        why = ignore_reason(a, allowed, dns64)
        if why is None:
            keep.append(a)
        else:
            ignored[a] = why
    return keep, ignored


def detect_dns64(
    res: Resolver, deadline: Deadline, ctx: ProbeContext | None = None
) -> tuple[Network, ...]:
    """Ask the resolver for ipv4only.arpa AAAA: a DNS64 answers and shows its prefix.

    The answer is the resolver's, the same for every target, so with `ctx` it is asked once
    per run (an answer or a refusal is kept; a timeout is asked again by the next target)."""
    known = ctx.dns64_memo.get("dns64") if ctx is not None else None
    if known is not None:
        return tuple(ipaddress.IPv6Network(n) for n in known)
    try:
        found = dns64_prefixes(_query(res, _IPV4ONLY, "AAAA", deadline))
    except stub.DnsTimeoutError:
        return ()
    except DnsError:
        found = ()
    if ctx is not None:
        ctx.dns64_memo.put("dns64", tuple(str(n) for n in found))
    return found


def gather_dns(
    host: str, ctx: ProbeContext, res: Resolver | None, deadline: Deadline
) -> DnsObservation:
    """Web addresses (pins win over DNS) and, when DNS is used, the name servers."""
    obs = DnsObservation()
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        obs.source = "literal"
        (obs.aaaa if ip.version == 6 else obs.a).append(str(ip))
        return obs
    pinned = ctx.pins.get(host)
    if pinned:
        obs.source = "resolve"
        for addr in pinned:
            if ipaddress.ip_address(addr).version == 6:
                (obs.mapped_ignored if ipaddress.ip_address(addr) in _MAPPED else obs.aaaa).append(
                    addr
                )
            else:
                obs.a.append(addr)
        return obs
    if res is None:
        obs.error = "no resolver configuration"
        return obs
    # A and AAAA are asked apart: a server that drops AAAA queries (a classic IPv6 blind
    # spot) must not cost us the IPv4 results, nor pass as "no AAAA record".
    allowed = allowed_networks(ctx.allow_ranges)
    failed: list[str] = []
    try:
        obs.a, ignored4 = _split(_query(res, host, "A", deadline), allowed)
        obs.ignored.update(ignored4)
    except DnsError as exc:
        obs.a_error = dns_error_text(exc)
        failed.append(f"A: {obs.a_error}")
    try:
        aaaa_all = _query(res, host, "AAAA", deadline)
        obs.mapped_ignored = [x for x in aaaa_all if ipaddress.ip_address(x) in _MAPPED]
        dns64: tuple[Network, ...] = ()
        if any(ignore_reason(x, allowed) is None for x in aaaa_all):
            dns64 = detect_dns64(res, deadline, ctx)
            obs.dns64 = [str(n) for n in dns64]
        obs.aaaa, ignored6 = _split(aaaa_all, allowed, dns64)
        obs.ignored.update(ignored6)
    except DnsError as exc:
        obs.aaaa_error = dns_error_text(exc)
        failed.append(f"AAAA: {obs.aaaa_error}")
    if len(failed) == 2:
        obs.error = dns_error_text_join(failed)
        return obs
    gather_ns(obs, host, ctx, res, deadline)
    return obs


def dns_error_text(exc: BaseException) -> str:
    """A short, stable description of a failed lookup (the full text names every try)."""
    if isinstance(exc, stub.DnsTimeoutError):
        return "the name server did not answer in time"
    if isinstance(exc, stub.NoNameserversError):
        return "no name server could answer (SERVFAIL or REFUSED)"
    if isinstance(exc, stub.NoResolverConfigError):
        return "no resolver configuration"
    if isinstance(exc, stub.TruncatedError):
        return "the answer was truncated and not completed over TCP"
    if isinstance(exc, stub.MalformedError):
        return "a malformed answer (DNS)"
    return type(exc).__name__


def dns_error_text_join(parts: list[str]) -> str:
    texts = {p.split(": ", 1)[1] for p in parts}
    return texts.pop() if len(texts) == 1 else "; ".join(parts)


def gather_ns(
    obs: DnsObservation,
    host: str,
    ctx: ProbeContext,
    res: Resolver,
    deadline: Deadline,
) -> None:
    """Name servers of the zone holding `host`, their addresses, and their IPv6 answers.

    A and AAAA of each name server are asked apart, and a failed lookup stays an error (the
    name server's IPv6 is then unknown), never an empty address list."""
    try:
        obs.zone = res.zone_for_name(host, lifetime=_lifetime(res, deadline))
        names = sorted(_query(res, obs.zone, "NS", deadline))
    except DnsError as exc:
        obs.ns_error = dns_error_text(exc)
        return
    allowed = allowed_networks(ctx.allow_ranges)
    port = ctx.nameservers[0][1] if ctx.nameservers else 53
    for name in names:
        if deadline.expired:
            obs.ns_error = "the target's deadline passed"
            return
        ns = NameServer(name)
        try:
            ns.ipv4, ignored4 = _split(_query(res, name, "A", deadline), allowed)
            ns.ignored.update(ignored4)
        except DnsError as exc:
            ns.a_error = dns_error_text(exc)
        try:
            ns.ipv6, ignored6 = _split(_query(res, name, "AAAA", deadline), allowed)
            ns.ignored.update(ignored6)
        except DnsError as exc:
            ns.aaaa_error = dns_error_text(exc)
        for addr in ns.ipv6:
            ns.reach_v6[addr] = _ns_answers_once(ctx, addr, port, obs.zone, deadline)
        if any(r != "ok" for r in ns.reach_v6.values()):
            # The black-hole rule: is the same name server answering over IPv4?
            for addr in ns.ipv4[:1]:
                ns.reach_v4[addr] = _ns_answers_once(ctx, addr, port, obs.zone, deadline)
        obs.ns.append(ns)


def _ns_answers_once(
    ctx: ProbeContext, address: str, port: int, zone: str, deadline: Deadline
) -> str:
    """`ns_answers`, asked once per run for a name server that answered: every target of a
    zone shares its name servers, and an authoritative answer a moment ago is the same fact.
    Any other outcome is asked again by the next target, which sees for itself."""
    key = (address, port, zone)
    if ctx.ns_memo.get(key) == "ok":
        return "ok"
    got = ns_answers(address, port, zone, deadline)
    if got == "ok":
        ctx.ns_memo.put(key, got)
    return got


def ns_answers(address: str, port: int, zone: str, deadline: Deadline, tries: int = 2) -> str:
    """Does the name server answer for `zone` at `address`? What "answers" means:

    'ok' — an authoritative (AA) NOERROR reply to a SOA query, over UDP, or over TCP after
    UDP got nothing ('tcp_only': reachable, but UDP over this path is lost). A reply that is
    not authoritative or is REFUSED/SERVFAIL is 'lame': the server is reachable but does not
    serve the zone there. 'timeout' after a UDP retry and a TCP try; other network errors by
    their kind. A datagram may be lost, so UDP is asked twice before TCP.
    """
    q = dns.message.make_query(zone, dns.rdatatype.SOA)
    q.flags &= ~dns.flags.RD
    for _ in range(tries):
        if deadline.expired:
            return "deadline"
        try:
            reply = dns.query.udp(q, address, port=port, timeout=deadline.op_timeout())
        except dns.exception.Timeout:
            continue
        except OSError as exc:
            return classify_oserror(exc).kind.value
        except DnsError as exc:
            return f"bad answer: {type(exc).__name__}"
        if reply.flags & dns.flags.TC:
            break  # truncated: the TCP try below completes it
        return _judge_reply(reply)
    if deadline.expired:
        return "deadline"
    try:
        reply = dns.query.tcp(q, address, port=port, timeout=deadline.op_timeout())
    except dns.exception.Timeout:
        return "timeout"
    except OSError as exc:
        kind = classify_oserror(exc).kind.value
        return "timeout" if kind == "refused" else kind  # UDP silent, TCP closed: no answer
    except DnsError as exc:
        return f"bad answer: {type(exc).__name__}"
    verdict = _judge_reply(reply)
    return "tcp_only" if verdict == "ok" else verdict


def _judge_reply(reply: dns.message.Message) -> str:
    if reply.rcode() != dns.rcode.NOERROR:
        return f"lame ({dns.rcode.to_text(reply.rcode())})"
    if not reply.flags & dns.flags.AA:
        return "lame (not authoritative)"
    return "ok"


def vantage_ipv6(
    destinations: tuple[str, ...] = (VANTAGE_PROBE,), allowed: tuple[Network, ...] = ()
) -> tuple[bool, str]:
    """Has this vantage point IPv6 — independently of what the target's DNS says?

    A UDP connect sends nothing; it only asks the kernel for a route and a source address.
    The first destination is a global one; the others are only addresses the user named
    (--resolve, a literal target) or allowed (--allow-range). A route counts only with a
    global source address (or one inside an allowed range, or loopback towards an address
    the user named as loopback): a loopback or link-local source for a global destination
    means IPv6 results from here cannot be judged.
    """
    why = "no destination"
    for dest in destinations:
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
                s.connect((dest, 443))
                src = ipaddress.ip_address(s.getsockname()[0].split("%")[0])
        except OSError as exc:
            why = f"no IPv6 route from this vantage point ({exc.strerror or exc})"
            continue
        dst = ipaddress.ip_address(dest)
        in_allowed = any(src in n for n in allowed if n.version == 6)
        if dst.is_loopback and src.is_loopback:
            return True, f"IPv6 loopback route to {dest} (address named by the user)"
        if (src.is_global and src in _GLOBAL_UNICAST) or in_allowed:
            return True, f"IPv6 route to {dest} via source {src}"
        why = f"only a {src} source address for {dest}: no global IPv6 here"
    return False, why


def tcp_reach(address: str, port: int, deadline: Deadline) -> str:
    """'ok' when a TCP connection opens, else the failure kind."""
    try:
        connect(address, port, deadline).close()
    except ProbeNetError as exc:
        return exc.kind.value
    return "ok"
