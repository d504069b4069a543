"""DNS and IPv6 reachability gathering (dnspython, the system resolver configuration).

Without `--nameserver`, the resolver reads /etc/resolv.conf, so a probe run with
`ip netns exec NS` uses that namespace's DNS. Every query is bounded by the probe timeout.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.query
import dns.rdatatype
import dns.resolver

from assure.probes.context import Deadline, ProbeContext
from assure.probes.net import ProbeNetError, classify_oserror, connect

_MAPPED = ipaddress.ip_network("::ffff:0:0/96")


@dataclass
class NameServer:
    name: str
    ipv4: list[str] = field(default_factory=list)
    ipv6: list[str] = field(default_factory=list)
    reach_v6: dict[str, str] = field(default_factory=dict)  # address → ok | timeout | ...


@dataclass
class DnsObservation:
    """Addresses of the web host and its domain's name servers."""

    source: str = "dns"  # dns | resolve (pinned) | literal
    a: list[str] = field(default_factory=list)
    aaaa: list[str] = field(default_factory=list)
    mapped_ignored: list[str] = field(default_factory=list)
    error: str | None = None  # no address lookup worked
    aaaa_error: str | None = None  # the AAAA lookup failed (A may have worked)
    zone: str | None = None
    ns: list[NameServer] = field(default_factory=list)
    ns_error: str | None = None


def make_resolver(ctx: ProbeContext) -> dns.resolver.Resolver:
    """The resolver of this run: --nameserver if given, else /etc/resolv.conf."""
    if ctx.nameservers:
        res = dns.resolver.Resolver(configure=False)
        res.nameservers = [dns.nameserver.Do53Nameserver(a, p) for a, p in ctx.nameservers]
    else:
        res = dns.resolver.Resolver()
    res.timeout = ctx.timeout
    res.lifetime = ctx.timeout * 2
    res.cache = ctx.resolver_cache
    return res


def _query(res: dns.resolver.Resolver, name: str, rdtype: str) -> list[str]:
    try:
        answer = res.resolve(name, rdtype, search=False)
    except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
        return []
    return [r.to_text() for r in answer]


def resolve_addresses(
    res: dns.resolver.Resolver, host: str
) -> tuple[list[str], list[str], list[str]]:
    """(A, AAAA, IPv4-mapped AAAA dropped)."""
    a = _query(res, host, "A")
    aaaa_all = _query(res, host, "AAAA")
    mapped = [x for x in aaaa_all if ipaddress.ip_address(x) in _MAPPED]
    return a, [x for x in aaaa_all if x not in mapped], mapped


def gather_dns(
    host: str, ctx: ProbeContext, res: dns.resolver.Resolver | None, deadline: Deadline
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
    failed: list[str] = []
    try:
        obs.a = _query(res, host, "A")
    except dns.exception.DNSException as exc:
        failed.append(f"A: {dns_error_text(exc)}")
    try:
        aaaa_all = _query(res, host, "AAAA")
        obs.mapped_ignored = [x for x in aaaa_all if ipaddress.ip_address(x) in _MAPPED]
        obs.aaaa = [x for x in aaaa_all if x not in obs.mapped_ignored]
    except dns.exception.DNSException as exc:
        obs.aaaa_error = dns_error_text(exc)
        failed.append(f"AAAA: {obs.aaaa_error}")
    if len(failed) == 2:
        obs.error = dns_error_text_join(failed)
        return obs
    gather_ns(obs, host, ctx, res, deadline)
    return obs


def dns_error_text(exc: BaseException) -> str:
    """A short, stable description of a failed lookup (the full text names every try)."""
    if isinstance(exc, dns.resolver.LifetimeTimeout | dns.exception.Timeout):
        return "the name server did not answer in time"
    if isinstance(exc, dns.resolver.NoNameservers):
        return "no name server could answer (SERVFAIL or REFUSED)"
    if isinstance(exc, dns.resolver.NoResolverConfiguration):
        return "no resolver configuration"
    return type(exc).__name__


def dns_error_text_join(parts: list[str]) -> str:
    texts = {p.split(": ", 1)[1] for p in parts}
    return texts.pop() if len(texts) == 1 else "; ".join(parts)


def gather_ns(
    obs: DnsObservation,
    host: str,
    ctx: ProbeContext,
    res: dns.resolver.Resolver,
    deadline: Deadline,
) -> None:
    """Name servers of the zone holding `host`, their addresses, and their IPv6 answers."""
    try:
        zone = dns.resolver.zone_for_name(host, resolver=res, lifetime=ctx.timeout * 2)
        obs.zone = zone.to_text()
        names = sorted(_query(res, obs.zone, "NS"))
    except dns.exception.DNSException as exc:
        obs.ns_error = dns_error_text(exc)
        return
    port = ctx.nameservers[0][1] if ctx.nameservers else 53
    for name in names:
        if deadline.expired:
            obs.ns_error = "the target's deadline passed"
            return
        ns = NameServer(name)
        try:
            ns.ipv4, ns.ipv6, _ = resolve_addresses(res, name)
        except dns.exception.DNSException as exc:
            ns.reach_v6["lookup"] = dns_error_text(exc)
        for addr in ns.ipv6:
            ns.reach_v6[addr] = ns_answers(addr, port, obs.zone, deadline)
        obs.ns.append(ns)


def ns_answers(address: str, port: int, zone: str, deadline: Deadline, tries: int = 2) -> str:
    """Does the name server answer a SOA query over UDP at `address`? Any reply counts.

    UDP may lose a datagram, so a timeout is retried once before it counts against the server.
    """
    q = dns.message.make_query(zone, dns.rdatatype.SOA)
    result = "timeout"
    for _ in range(tries):
        if deadline.expired:
            return "deadline"
        try:
            dns.query.udp(q, address, port=port, timeout=deadline.op_timeout())
        except dns.exception.Timeout:
            result = "timeout"
            continue
        except OSError as exc:
            return classify_oserror(exc).kind.value
        except dns.exception.DNSException as exc:
            return f"bad answer: {type(exc).__name__}"
        return "ok"
    return result


def vantage_ipv6(destination: str | None = None) -> tuple[bool, str]:
    """Has this vantage point a route for IPv6 at all (to `destination`)?

    A UDP connect sends nothing; it only asks the kernel for a route and a source address.
    No route, or only a link-local/loopback source for a global destination, means IPv6
    results from here cannot be judged.
    """
    dest = destination or "2001:db8::1"
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.connect((dest, 443))
            src = ipaddress.ip_address(s.getsockname()[0].split("%")[0])
    except OSError as exc:
        return False, f"no IPv6 route from this vantage point ({exc.strerror or exc})"
    dst = ipaddress.ip_address(dest)
    if not dst.is_loopback and (src.is_loopback or src.is_link_local):
        return False, f"only a {src} source address for {dest}: no global IPv6 here"
    return True, f"IPv6 route to {dest} via source {src}"


def tcp_reach(address: str, port: int, deadline: Deadline) -> str:
    """'ok' when a TCP connection opens, else the failure kind."""
    try:
        connect(address, port, deadline).close()
    except ProbeNetError as exc:
        return exc.kind.value
    return "ok"
