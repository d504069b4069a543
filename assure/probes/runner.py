"""Run probes over many targets: gather per address, judge, stream findings.

A thread pool bounds global concurrency; a per-host lock keeps us polite (one target per host
at a time, and inside a target connections are sequential); every target has a deadline that
every network call respects, so no server can hold the run. Targets are submitted through a
bounded window and results are yielded as they complete, so memory stays flat with the number
of targets. Any exception becomes `error` findings with a reason, never a crash.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from assure.findings import Finding, Status
from assure.i18n import Msg
from assure.probes import CheckId, certs, http, ipv6, second_opinion, tls
from assure.probes.context import VANTAGE_FRESH, Deadline, ProbeContext
from assure.probes.dns import (
    VANTAGE_PROBE,
    DnsError,
    DnsObservation,
    Network,
    Resolver,
    allowed_networks,
    gather_dns,
    ignore_reason,
    make_resolver,
    resolve_addresses,
    vantage_ipv6,
)
from assure.probes.net import NetError, family_of
from assure.probes.targets import Target
from assure.probes.verdict import Verdict, finding, roll_up


@dataclass
class AddressObservation:
    """Everything gathered on one address of a target."""

    address: str
    reach: dict[int, str] = field(default_factory=dict)
    tls: tls.TlsObservation | None = None
    openssl: tuple[bool, str] | None = None  # OpenSSL's verdict on the chain sent
    https: http.Fetch | None = None
    redirects: http.RedirectChain | None = None
    skipped: str | None = None  # why this address was not tested


@dataclass
class TargetObservation:
    target: Target
    dns: DnsObservation
    vantage: tuple[bool, str]
    addresses: list[AddressObservation] = field(default_factory=list)
    https_port: int = 443
    http_port: int = 80


@dataclass
class TargetResult:
    target: Target
    findings: list[Finding]


def gather_target(target: Target, ctx: ProbeContext) -> TargetObservation:
    """All I/O for one target, bounded by its deadline."""
    deadline = Deadline(ctx.deadline, ctx.timeout)
    res: Resolver | None
    try:
        res = make_resolver(ctx)
    except DnsError:
        res = None
    dobs = gather_dns(target.host, ctx, res, deadline)
    vantage = _vantage(ctx, *_vantage_destinations(dobs, ctx))
    obs = TargetObservation(target, dobs, vantage)
    allowed = allowed_networks(ctx.allow_ranges)

    def resolve(name: str) -> list[str]:
        pinned = ctx.pins.get(name)
        if pinned:
            return list(pinned)
        if res is None:
            return []
        try:
            a, aaaa, _ = resolve_addresses(res, name, deadline)
        except DnsError:
            return []
        return [x for x in a + aaaa if ignore_reason(x, allowed) is None]

    http_port = target.http_port or ctx.http_port
    https_port = target.port
    if target.scheme == "http":
        https_port = _https_port_from_redirect(
            target, dobs.a + dobs.aaaa, obs, ctx, deadline, resolve, http_port
        )
    for addr in dobs.a + dobs.aaaa:
        ao = AddressObservation(addr)
        obs.addresses.append(ao)
        if family_of(addr) == 6 and not vantage[0]:
            ao.skipped = vantage[1]
            continue
        # Each port's reachability is what its first real connection showed: the TLS page
        # and the first plain-HTTP hop open them anyway, so no connection is spent on it.
        ao.tls, ao.https, ao.reach[https_port] = _gather_tls_and_page(
            addr, https_port, target, ctx, deadline
        )
        if ao.tls.chain_der:
            ao.openssl = second_opinion.openssl_opinion(
                ao.tls.chain_der, ctx.anchors, ctx.now(), ctx.timeout
            )
        ao.redirects, ao.reach[http_port] = _gather_redirects(
            addr, target, ctx, deadline, resolve, (https_port, http_port), ao.https
        )
    obs.https_port, obs.http_port = https_port, http_port
    return obs


def _gather_redirects(
    addr: str,
    target: Target,
    ctx: ProbeContext,
    deadline: Deadline,
    resolve: Callable[[str], list[str]],
    ports: tuple[int, int],
    page: http.Fetch,
) -> tuple[http.RedirectChain, str]:
    """The redirect chain from plain HTTP on one address, and the plain port's reachability
    ('ok' or why its first TCP connection did not open)."""
    https_port, http_port = ports
    opened: list[bool] = []
    known = {(addr, https_port, target.host, target.path, True): page}
    chain = http.gather_redirects(
        addr,
        target.host,
        target.path,
        ctx,
        deadline,
        resolve,
        http_port,
        known,
        on_connect=lambda: opened.append(True),
    )
    if opened:
        return chain, "ok"
    kind = chain.error[0] if chain.error else NetError.OTHER.value
    start = f"http://{target.host}:{http_port}/"
    return http.RedirectChain(start=start, end="error", error=(kind, _detail(kind))), kind


def _vantage(
    ctx: ProbeContext, destinations: tuple[str, ...], allowed: tuple[Network, ...]
) -> tuple[bool, str]:
    """`vantage_ipv6`, asked again only when the last answer for the same destinations is
    older than `VANTAGE_FRESH` seconds: the targets in flight share this machine's routes."""
    key = (destinations, allowed)
    now = time.monotonic()
    known = ctx.vantage_memo.get(key)
    if known is not None and now - known[0] < VANTAGE_FRESH:
        return known[1]
    got = vantage_ipv6(destinations, allowed)
    ctx.vantage_memo.put(key, (now, got))
    return got


def _vantage_destinations(
    dobs: DnsObservation, ctx: ProbeContext
) -> tuple[tuple[str, ...], tuple[Network, ...]]:
    """Where to ask the kernel for an IPv6 route: a global destination first, then only
    addresses the user named (--resolve, a literal) or allowed (--allow-range) — never the
    target's DNS records as such, so a loopback AAAA cannot vouch for this machine's IPv6."""
    allowed = allowed_networks(ctx.allow_ranges)
    named: list[str] = []
    if dobs.source != "dns":
        named = list(dobs.aaaa)
    else:
        named = [
            a
            for a in [*dobs.aaaa, *(x for n in dobs.ns for x in n.ipv6)]
            if any(ipaddress.ip_address(a) in n for n in allowed if n.version == 6)
        ][:1]
    return (VANTAGE_PROBE, *named), allowed


def _gather_tls_and_page(
    addr: str, port: int, target: Target, ctx: ProbeContext, deadline: Deadline
) -> tuple[tls.TlsObservation, http.Fetch, str]:
    """The HTTPS page and the TLS probes of one address, sharing one handshake, and the
    port's reachability ('ok' or why the TCP connection did not open).

    The page is asked over the same ClientHello the main TLS handshake sends, so that
    handshake's version, suite and chain are kept from it. When it did not complete, the TLS
    gathering makes its own main handshake, and its failure stands for the page too when it
    says the service cannot be talked to (not TLS, cut, silent), as before. When not even
    the TCP connection opened, nothing more is tried on the port.
    """
    seen: list[tls.MainHandshake] = []
    opened: list[bool] = []
    page = http.fetch(
        addr,
        port,
        target.host,
        target.path,
        tls=True,
        ctx=ctx,
        deadline=deadline,
        on_tls=lambda s: seen.append(tls.MainHandshake.of(s)),
        on_connect=lambda: opened.append(True),
    )
    if not opened:
        kind = page.error[0] if page.error else NetError.OTHER.value
        why = (kind, _detail(kind))
        return tls.TlsObservation(addr, port, error=why), http.Fetch(error=why), kind
    obs = tls.gather_tls(addr, port, target.host, deadline, seen[0] if seen else None)
    if not seen:
        if obs.error and obs.error[0] in ("not_tls", "timeout", "reset", "deadline"):
            page = http.Fetch(error=obs.error)
        elif obs.error is None:  # the page's handshake failed, the second one did not
            page = http.fetch(
                addr, port, target.host, target.path, tls=True, ctx=ctx, deadline=deadline
            )
    return obs, page, "ok"


def _https_port_from_redirect(
    target: Target,
    addresses: list[str],
    obs: TargetObservation,
    ctx: ProbeContext,
    deadline: Deadline,
    resolve: Callable[[str], list[str]],
    http_port: int,
) -> int:
    """For an http:// target, its HTTPS endpoint is where its first redirect sends us."""
    for addr in addresses:
        if family_of(addr) == 6 and not obs.vantage[0]:
            continue
        got = http.fetch(
            addr,
            http_port,
            target.host,
            target.path,
            tls=False,
            ctx=ctx,
            deadline=deadline,
            read_body=False,
        )
        loc = got.response.header("location") if got.response else None
        if loc:
            parts = urlsplit(urljoin(f"http://{target.host}:{http_port}{target.path}", loc))
            if parts.scheme == "https" and (parts.hostname or "").lower() == target.host:
                with suppress(ValueError):
                    return parts.port or 443
        return 443
    return 443


def _detail(kind: str) -> str:
    return {
        "refused": "connection refused",
        "timeout": "no answer before the timeout",
        "unreachable": "no route to the address",
        "reset": "connection reset",
        "deadline": "the target's deadline passed",
    }.get(kind, kind)


def _tls_unavailable(t: tls.TlsObservation) -> Verdict:
    kind, detail = t.error or ("other", "")
    if kind == "refused":
        return Verdict(Status.NOT_APPLICABLE, Msg.of("tls.no_service"), {"error": kind})
    return Verdict(
        Status.INCONCLUSIVE,
        Msg.of("tls.no_handshake", detail=detail),
        {"error": kind},
        http.reason_for(kind),
    )


_CERT_CHECKS = (
    CheckId.TLS_CERT_TRUSTED,
    CheckId.TLS_CERT_HOSTNAME,
    CheckId.TLS_CERT_EXPIRY,
    CheckId.TLS_CERT_KEY,
    CheckId.TLS_CERT_SIGNATURE,
)


def judge_target(obs: TargetObservation, ctx: ProbeContext) -> list[Finding]:
    """Pure: an observation → one finding per check (in registry order)."""
    t = obs.target
    name = t.name
    tested = [a for a in obs.addresses if a.skipped is None]
    per: dict[CheckId, dict[str, Verdict]] = {c: {} for c in CheckId}
    now = ctx.now()
    judged: dict[tuple[tuple[bytes, ...], tuple[bool, str] | None], dict[CheckId, Verdict]] = {}
    for ao in tested:
        assert ao.tls is not None and ao.https is not None and ao.redirects is not None
        per[CheckId.HTTPS_AVAILABLE][ao.address] = http.judge_available(ao.https)
        per[CheckId.HTTPS_REDIRECT][ao.address] = http.judge_redirect(ao.redirects, t.host)
        per[CheckId.HTTPS_HSTS][ao.address] = http.judge_hsts(ao.https)
        if ao.tls.error or not ao.tls.chain_der:
            v = _tls_unavailable(ao.tls)
            for c in (
                CheckId.TLS_VERSIONS,
                CheckId.TLS_CIPHERS,
                CheckId.TLS_CERT_TRUSTED,
                CheckId.TLS_CERT_HOSTNAME,
                CheckId.TLS_CERT_EXPIRY,
                CheckId.TLS_CERT_KEY,
                CheckId.TLS_CERT_SIGNATURE,
            ):
                per[c][ao.address] = v
            continue
        per[CheckId.TLS_VERSIONS][ao.address] = tls.judge_versions(ao.tls)
        per[CheckId.TLS_CIPHERS][ao.address] = tls.judge_ciphers(ao.tls)
        # The certificate checks are pure over (host, chain, anchors, instant, OpenSSL's
        # opinion): addresses sending the same chain get the same verdicts, judged once.
        same = (tuple(ao.tls.chain_der), ao.openssl)
        if same in judged:
            for c, v in judged[same].items():
                per[c][ao.address] = v
            continue
        ci = certs.CertInput(
            t.host,
            ao.tls.chain_der,
            ctx.anchors,
            ctx.public_anchors,
            now,
            openssl=ao.openssl,
            index=ctx.anchor_index,
        )
        for c, fn in (
            (CheckId.TLS_CERT_TRUSTED, certs.judge_trusted),
            (CheckId.TLS_CERT_HOSTNAME, certs.judge_hostname),
            (CheckId.TLS_CERT_EXPIRY, certs.judge_expiry),
            (CheckId.TLS_CERT_KEY, certs.judge_key),
            (CheckId.TLS_CERT_SIGNATURE, certs.judge_signature),
        ):
            try:
                per[c][ao.address] = fn(ci)
            except Exception as exc:  # one odd certificate spoils one check, not the run
                per[c][ao.address] = Verdict(
                    Status.ERROR,
                    Msg.of("cert.not_understood", error=f"{type(exc).__name__}: {exc}"),
                    {},
                    "certificate not understood",
                )
        judged[same] = {c: per[c][ao.address] for c in _CERT_CHECKS}
    reach = {a.address: a.reach for a in tested}
    https_by_addr = {a.address: a.https for a in tested if a.https is not None}
    http_by_addr = {
        a.address: a.redirects.first
        for a in tested
        if a.redirects is not None and a.redirects.first is not None
    }
    dobs = obs.dns
    out: list[Finding] = [
        finding(CheckId.WEB_AAAA, name, ipv6.judge_web_aaaa(dobs)),
        finding(
            CheckId.WEB_REACH_IPV6,
            name,
            ipv6.judge_web_reach(dobs, reach, obs.vantage, (obs.https_port, obs.http_port)),
        ),
        finding(
            CheckId.WEB_IPV46_PARITY,
            name,
            ipv6.judge_parity(dobs, https_by_addr, obs.vantage, http_by_addr),
        ),
        finding(CheckId.NS_AAAA, name, ipv6.judge_ns_aaaa(dobs)),
        finding(CheckId.NS_REACH_IPV6, name, ipv6.judge_ns_reach(dobs, obs.vantage)),
    ]
    skipped = {a.address: a.skipped for a in obs.addresses if a.skipped}
    for c in list(CheckId)[5:]:
        if not obs.addresses:
            why = dobs.error or "the name has no address"
            status = (
                Status.INCONCLUSIVE
                if dobs.error
                else (Status.FAIL if c is CheckId.HTTPS_AVAILABLE else Status.INCONCLUSIVE)
            )
            msg = Msg.of("probe.msg.no_address_why", why=why)
            out.append(
                Finding(c, name, status, msg.text("en"), {"dns": dobs.error}, why, message=msg)
            )
            continue
        f = roll_up(c, name, per[c])
        if skipped:
            f = dataclasses.replace(f, evidence={**f.evidence, "untested_addresses": skipped})
        out.append(f)
    return out


def probe_target(target: Target, ctx: ProbeContext) -> list[Finding]:
    """Gather and judge one target; any exception becomes `error` findings."""
    try:
        return judge_target(gather_target(target, ctx), ctx)
    except Exception as exc:  # a failed probe is a finding, not a crash
        why = f"{type(exc).__name__}: {exc}"
        tb = traceback.format_exc(limit=6)
        msg = Msg.of("probe.msg.failed", why=why)
        return [
            Finding(
                c, target.name, Status.ERROR, msg.text("en"), {"traceback": tb}, why, message=msg
            )
            for c in CheckId
        ]


class _HostLocks:
    """One lock per host while some target of that host is in flight, then forgotten.

    Locks are reference-counted and dropped when the last holder leaves, so a run over tens
    of thousands of hosts keeps only the locks of the targets in its window.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, host: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(host) or (threading.Lock(), 0)
            self._locks[host] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[host]
                if users <= 1:
                    del self._locks[host]
                else:
                    self._locks[host] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


def cpu_count() -> int:
    """CPU cores this process may run on (the affinity mask, which containers narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_concurrency(n_targets: int, cores: int | None = None) -> int:
    """Targets in flight when the user does not say: 4 per core, at most 32, at most the
    number of targets.

    A target mostly waits (connects, timeouts), but its handshakes are CPU work under the GIL:
    measured on the nginx fleet (docs/benchmarks.md), 4 threads per core keep both the network
    and the cores busy, while more threads add context switches and lock contention and burn
    CPU for no gain in wall time.
    """
    per_core = 4 * (cores if cores is not None else cpu_count())
    return max(1, min(n_targets, per_core, 32))


def run(
    targets: Iterable[Target],
    ctx: ProbeContext,
    concurrency: int = 10,
    probe: Callable[[Target, ProbeContext], list[Finding]] = probe_target,
) -> Generator[TargetResult, None, None]:
    """Probe targets concurrently, yielding each target's findings as soon as it is done."""
    locks = _HostLocks()

    def polite(t: Target) -> TargetResult:
        with locks.hold(t.host):
            return TargetResult(t, probe(t, ctx))

    it = iter(targets)
    window = max(1, concurrency) * 2
    # Each finished target announces itself on a queue: one put and one get per target,
    # where waiting for the first of the pending futures set up and tore down a waiter on
    # every one of them for each target (docs/benchmarks.md, the run's own CPU).
    finished: queue.SimpleQueue[Future[TargetResult]] = queue.SimpleQueue()
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="probe") as pool:
        in_flight = 0
        exhausted = False
        while True:
            while not exhausted and in_flight < window:
                try:
                    target = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pool.submit(polite, target).add_done_callback(finished.put)
                in_flight += 1
            if not in_flight:
                break
            fut = finished.get()
            in_flight -= 1
            yield fut.result()
