"""IPv6 judging after Internet.nl's rules (pure functions over a target observation).

Reachability is only judged when this vantage point has IPv6 itself; otherwise the verdict is
`inconclusive`, never `fail` — the blind spot users of other scanners complain about most.
A timeout on IPv6 while IPv4 answers on the same port, from a vantage point with IPv6, is the
classic black hole and fails.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from assure.findings import JSONValue, Status
from assure.i18n import Msg
from assure.probes.dns import DnsObservation
from assure.probes.http import Fetch, blocked
from assure.probes.verdict import Verdict

PARITY_MIN_RATIO = 0.9
_NONCES = re.compile(
    rb'(nonce|csrf[a-z_-]*|__VIEWSTATE[A-Z]*|__EVENTVALIDATION)(["\']?\s*[=:]\s*|"\s+value=)'
    rb'["\']?[A-Za-z0-9+/=_-]+',
    re.IGNORECASE,
)


def judge_web_aaaa(obs: DnsObservation) -> Verdict:
    ev: dict[str, JSONValue] = {
        "source": obs.source,
        "a": obs.a,
        "aaaa": obs.aaaa,
        "ipv4_mapped_ignored": obs.mapped_ignored,
    }
    if obs.aaaa:
        key = {"resolve": "ipv6.aaaa_pinned", "literal": "ipv6.aaaa_given"}.get(
            obs.source, "ipv6.aaaa"
        )
        return Verdict(Status.PASS, Msg.of(key, addresses=", ".join(obs.aaaa)), ev)
    if obs.source == "literal":
        return Verdict(Status.NOT_APPLICABLE, Msg.of("ipv6.target_is_ipv4"), ev)
    if obs.error or obs.aaaa_error:
        why = obs.aaaa_error or obs.error
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.aaaa_lookup_failed", why=why),
            ev,
            "DNS lookup failed",
        )
    key = "ipv6.no_aaaa_mapped" if obs.mapped_ignored else "ipv6.no_aaaa"
    return Verdict(Status.FAIL, Msg.of(key), ev)


def judge_web_reach(
    obs: DnsObservation,
    reach: Mapping[str, Mapping[int, str]],
    vantage: tuple[bool, str],
    ports: Sequence[int],
) -> Verdict:
    """Each AAAA address must answer on every port some IPv4 address answers on."""
    ev: dict[str, JSONValue] = {
        "vantage_ipv6": vantage[1],
        "reach": {a: {str(p): r for p, r in v.items()} for a, v in reach.items()},
    }
    if obs.error or (obs.aaaa_error and not obs.aaaa):
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.lookup_failed", why=obs.error or obs.aaaa_error),
            ev,
            "DNS lookup failed",
        )
    if not obs.aaaa:
        return Verdict(Status.NOT_APPLICABLE, Msg.of("ipv6.nothing_to_reach"), ev)
    if not vantage[0]:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.no_vantage_reach"),
            ev,
            vantage[1],
        )
    v4_ports = sorted({p for a in obs.a for p, r in reach.get(a, {}).items() if r == "ok"})
    need = v4_ports or list(ports)
    ev["ports_required"] = need
    bad: dict[str, dict[int, str]] = {}
    unsure: dict[str, dict[int, str]] = {}
    for addr in obs.aaaa:
        got = reach.get(addr, {})
        if not v4_ports and any(got.get(p) == "ok" for p in need):
            continue  # IPv6-only (or IPv4 dead): one answering port is enough
        for p in need:
            r = got.get(p, "untested")
            if r == "ok":
                continue
            (unsure if r in ("reset", "deadline", "untested", "other") else bad).setdefault(
                addr, {}
            )[p] = r
    if bad:
        addr, ports_bad = next(iter(bad.items()))
        detail = ", ".join(f"{p}: {r}" for p, r in ports_bad.items())
        return Verdict(Status.FAIL, Msg.of("ipv6.no_answer", address=addr, detail=detail), ev)
    if unsure:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.cut_short"),
            ev,
            "connection reset or deadline",
        )
    return Verdict(Status.PASS, Msg.of("ipv6.all_answer", ports=", ".join(map(str, need))), ev)


_SEGMENT = re.compile(rb"\n|(?<=>)")
MAX_SEGMENTS = 2000


def _segments(body: bytes) -> list[bytes]:
    """Lines and tag boundaries, nonces stripped: the units a page differs in."""
    parts = (p.strip() for p in _SEGMENT.split(_NONCES.sub(b"\\1=X", body)))
    return [p for p in parts if p]


def similarity(a: bytes, b: bytes) -> float:
    """Content similarity after stripping nonces (Internet.nl compares page content too).

    Pages are compared as lines and tags. Cheap upper bounds over whole pages come first; the
    exact (quadratic) ratio only runs on the first segments, so large pages cannot stall a run.
    """
    if a == b:
        return 1.0
    sa, sb = _segments(a), _segments(b)
    if sa == sb:
        return 1.0
    whole = difflib.SequenceMatcher(None, sa, sb, autojunk=False)
    if whole.real_quick_ratio() < PARITY_MIN_RATIO or whole.quick_ratio() < PARITY_MIN_RATIO:
        return whole.quick_ratio()
    return difflib.SequenceMatcher(
        None, sa[:MAX_SEGMENTS], sb[:MAX_SEGMENTS], autojunk=False
    ).ratio()


def judge_parity(
    obs: DnsObservation, https: Mapping[str, Fetch], vantage: tuple[bool, str]
) -> Verdict:
    """Same HTTP status and near-same content over IPv4 and IPv6."""
    ev: dict[str, JSONValue] = {}
    if obs.error or (obs.aaaa_error and not obs.aaaa):
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.lookup_failed", why=obs.error or obs.aaaa_error),
            ev,
            "DNS lookup failed",
        )
    if not obs.aaaa or not obs.a:
        return Verdict(Status.NOT_APPLICABLE, Msg.of("ipv6.not_dual_stack"), ev)
    if not vantage[0]:
        return Verdict(Status.INCONCLUSIVE, Msg.of("ipv6.no_vantage_compare"), ev, vantage[1])
    ref_addr = next((a for a in obs.a if https.get(a) and https[a].response), None)
    if ref_addr is None:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.no_ipv4_response"),
            ev,
            "no IPv4 response",
        )
    ref = https[ref_addr].response
    assert ref is not None
    ev["ipv4"] = {"address": ref_addr, "status": ref.status, "bytes": len(ref.body)}
    results: dict[str, JSONValue] = {}
    worst_status = Status.PASS
    text = Msg.of("ipv6.same_page")
    reason = None
    for addr in obs.aaaa:
        got = https.get(addr)
        if got is None or got.response is None:
            results[addr] = {"error": got.error[0] if got and got.error else "untested"}
            if worst_status is Status.PASS:
                worst_status, reason = Status.INCONCLUSIVE, "no IPv6 response"
                text = Msg.of("ipv6.no_ipv6_response", address=addr)
            continue
        r = got.response
        ratio = similarity(ref.body, r.body)
        results[addr] = {"status": r.status, "bytes": len(r.body), "similarity": round(ratio, 3)}
        if blocked(r) or blocked(ref):
            if worst_status is Status.PASS:
                worst_status, reason = Status.INCONCLUSIVE, "blocked"
                text = Msg.of("ipv6.blocked")
            continue
        if r.status != ref.status:
            worst_status, reason = Status.FAIL, None
            text = Msg.of("ipv6.status_differs", address=addr, v6=r.status, v4=ref.status)
        elif ratio < PARITY_MIN_RATIO and worst_status is not Status.FAIL:
            worst_status, reason = Status.FAIL, None
            text = Msg.of("ipv6.page_differs", address=addr, similar=f"{ratio:.0%}")
    ev["ipv6"] = results
    ev["threshold"] = PARITY_MIN_RATIO
    return Verdict(worst_status, text, ev, reason)


def judge_ns_aaaa(obs: DnsObservation) -> Verdict:
    """At least two name servers with AAAA (one is half of what Internet.nl asks: warn)."""
    ev: dict[str, JSONValue] = {
        "zone": obs.zone,
        "name_servers": {n.name: {"ipv4": n.ipv4, "ipv6": n.ipv6} for n in obs.ns},
    }
    if obs.source == "literal":
        return Verdict(Status.NOT_APPLICABLE, Msg.of("ipv6.no_ns_for_address"), ev)
    if obs.source == "resolve":
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.pinned"),
            ev,
            "DNS not consulted",
        )
    if obs.error or obs.ns_error or not obs.ns:
        why = obs.error or obs.ns_error or "no NS records found"
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.ns_lookup_failed", why=why),
            ev,
            "DNS lookup failed",
        )
    with6 = [n.name for n in obs.ns if n.ipv6]
    if len(with6) >= 2:
        return Verdict(
            Status.PASS, Msg.of("ipv6.ns_with_ipv6", n=len(with6), total=len(obs.ns)), ev
        )
    if len(with6) == 1:
        return Verdict(Status.WARN, Msg.of("ipv6.one_ns", name=with6[0]), ev)
    return Verdict(Status.FAIL, Msg.of("ipv6.no_ns_ipv6"), ev)


def judge_ns_reach(obs: DnsObservation, vantage: tuple[bool, str]) -> Verdict:
    ev: dict[str, JSONValue] = {"reach": {n.name: dict(n.reach_v6) for n in obs.ns if n.ipv6}}
    if obs.source != "dns" or obs.error or obs.ns_error:
        v = judge_ns_aaaa(obs)
        if v.status is Status.NOT_APPLICABLE or v.status is Status.INCONCLUSIVE:
            return Verdict(v.status, v.summary, ev, v.reason)
    v6 = [n for n in obs.ns if n.ipv6]
    if not v6:
        return Verdict(Status.NOT_APPLICABLE, Msg.of("ipv6.no_ns_to_reach"), ev)
    if not vantage[0]:
        return Verdict(Status.INCONCLUSIVE, Msg.of("ipv6.no_vantage"), ev, vantage[1])
    results = [(n.name, a, r) for n in v6 for a, r in n.reach_v6.items() if a != "lookup"]
    bad = [f"{n} [{a}]: {r}" for n, a, r in results if r in ("timeout", "refused", "unreachable")]
    if bad:
        return Verdict(Status.FAIL, Msg.of("ipv6.ns_no_answer", which=bad[0]), ev)
    unsure = [f"{n} [{a}]: {r}" for n, a, r in results if r != "ok"]
    if unsure:
        return Verdict(
            Status.INCONCLUSIVE, Msg.of("ipv6.could_not_tell", which=unsure[0]), ev, "cut short"
        )
    return Verdict(Status.PASS, Msg.of("ipv6.all_ns_answer", n=len(v6)), ev)
