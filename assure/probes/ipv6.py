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
from assure.i18n import Msg, Msgs
from assure.probes.dns import DnsObservation
from assure.probes.http import Fetch, blocked
from assure.probes.verdict import Verdict, reach_msg

PARITY_MIN_RATIO = 0.9
_NONCES = re.compile(
    rb'(nonce|csrf[a-z_-]*|__VIEWSTATE[A-Z]*|__EVENTVALIDATION)(["\']?\s*[=:]\s*|"\s+value=)'
    rb'["\']?[A-Za-z0-9+/=_-]+',
    re.IGNORECASE,
)


def judge_web_aaaa(obs: DnsObservation) -> Verdict:
    """Pass on a global unicast AAAA; what the answers held that does not count is said."""
    ev: dict[str, JSONValue] = {
        "source": obs.source,
        "a": obs.a,
        "aaaa": obs.aaaa,
        "ipv4_mapped_ignored": obs.mapped_ignored,
        "ignored": dict(obs.ignored),
        "dns64_prefixes": list(obs.dns64),
    }
    if obs.a_error:
        ev["a_error"] = obs.a_error
    if obs.aaaa:
        key = {"resolve": "ipv6.aaaa_pinned", "literal": "ipv6.aaaa_given"}.get(
            obs.source, "ipv6.aaaa"
        )
        return Verdict(Status.PASS, Msg.of(key, addresses=", ".join(obs.aaaa)), ev)
    if obs.source == "literal":
        return Verdict(Status.NOT_APPLICABLE, Msg.of("ipv6.target_is_ipv4"), ev)
    if obs.source == "resolve":
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("probe.ipv6.only_ipv4_pinned"),
            ev,
            "DNS not consulted",
        )
    if obs.error or obs.aaaa_error:
        why = obs.aaaa_error or obs.error
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("ipv6.aaaa_lookup_failed", why=why),
            ev,
            "DNS lookup failed",
        )
    v6_ignored = {a: why for a, why in obs.ignored.items() if ":" in a}
    if v6_ignored:
        listed = "; ".join(f"{a}: {why}" for a, why in v6_ignored.items())
        return Verdict(Status.FAIL, Msg.of("probe.ipv6.no_global", ignored=listed), ev)
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
    if obs.a_error and not obs.a:
        # The A lookup failed, so which ports the site serves over IPv4 is unknown: every
        # port must answer over IPv6 for a pass, and a silent one cannot be called a hole.
        ev["a_error"] = obs.a_error
        for addr in obs.aaaa:
            for p in ports:
                r = reach.get(addr, {}).get(p, "untested")
                if r != "ok":
                    unsure.setdefault(addr, {})[p] = r
        if unsure:
            addr, ports_bad = next(iter(unsure.items()))
            detail = Msgs(
                tuple(
                    Msg.of("probe.reach.on_port", port=p, code=reach_msg(r))
                    for p, r in ports_bad.items()
                )
            )
            return Verdict(
                Status.INCONCLUSIVE,
                Msg.of("probe.ipv6.partial_no_a", address=addr, detail=detail, why=obs.a_error),
                ev,
                "DNS lookup failed",
            )
    for addr in obs.aaaa:
        got = reach.get(addr, {})
        if not v4_ports and not obs.a and any(got.get(p) == "ok" for p in need):
            continue  # IPv6-only: one answering port is enough
        for p in need:
            r = got.get(p, "untested")
            if r == "ok":
                continue
            (unsure if r in ("reset", "deadline", "untested", "other") else bad).setdefault(
                addr, {}
            )[p] = r
    if bad:
        addr, ports_bad = next(iter(bad.items()))
        detail = Msgs(
            tuple(
                Msg.of("probe.reach.port", port=p, code=reach_msg(r)) for p, r in ports_bad.items()
            )
        )
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
    obs: DnsObservation,
    https: Mapping[str, Fetch],
    vantage: tuple[bool, str],
    http: Mapping[str, Fetch] | None = None,
) -> Verdict:
    """Same HTTP status and near-same content over IPv4 and IPv6, compared over HTTPS and
    over plain HTTP (each where IPv4 answered), as Internet.nl does: an HTTP-only portal is
    judged too, and a different page on port 80 over IPv6 is caught. A fail in either wins."""
    ev: dict[str, JSONValue] = {}
    if obs.error or (obs.aaaa_error and not obs.aaaa) or obs.a_error:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("probe.ipv6.lookup_failed", why=obs.error or obs.aaaa_error or obs.a_error),
            ev,
            "DNS lookup failed",
        )
    if not obs.aaaa or not obs.a:
        return Verdict(Status.NOT_APPLICABLE, Msg.of("ipv6.not_dual_stack"), ev)
    if not vantage[0]:
        return Verdict(Status.INCONCLUSIVE, Msg.of("ipv6.no_vantage_compare"), ev, vantage[1])
    verdicts = {
        scheme: v
        for scheme, fetches in (("https", https), ("http", http or {}))
        if (v := _compare(scheme, obs, fetches)) is not None
    }
    if not verdicts:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("probe.ipv6.no_ipv4_response"),
            ev,
            "no IPv4 response",
        )
    for scheme, v in verdicts.items():
        ev[scheme] = dict(v.evidence)
    ev["compared"] = list(verdicts)
    ev["threshold"] = PARITY_MIN_RATIO
    order = [Status.FAIL, Status.INCONCLUSIVE, Status.PASS]
    chosen = min(verdicts.values(), key=lambda v: order.index(v.status))
    if chosen.status is Status.PASS:
        over = " + ".join(s.upper() for s in verdicts)
        return Verdict(Status.PASS, Msg.of("probe.ipv6.same_page", over=over), ev)
    return Verdict(chosen.status, chosen.summary, ev, chosen.reason)


def _compare(scheme: str, obs: DnsObservation, fetches: Mapping[str, Fetch]) -> Verdict | None:
    """Parity over one scheme; None when no IPv4 address answered over it."""
    label = scheme.upper()
    ref_addr = next((a for a in obs.a if fetches.get(a) and fetches[a].response), None)
    if ref_addr is None:
        return None
    ref = fetches[ref_addr].response
    assert ref is not None
    ev: dict[str, JSONValue] = {
        "ipv4": {"address": ref_addr, "status": ref.status, "bytes": len(ref.body)}
    }
    results: dict[str, JSONValue] = {}
    worst_status = Status.PASS
    text = Msg.of("probe.ipv6.same_page", over=label)
    reason = None
    for addr in obs.aaaa:
        got = fetches.get(addr)
        if got is None or got.response is None:
            results[addr] = {"error": got.error[0] if got and got.error else "untested"}
            if worst_status is Status.PASS:
                worst_status, reason = Status.INCONCLUSIVE, "no IPv6 response"
                text = Msg.of("probe.ipv6.no_ipv6_response", over=label, address=addr)
            continue
        r = got.response
        ratio = similarity(ref.body, r.body)
        results[addr] = {"status": r.status, "bytes": len(r.body), "similarity": round(ratio, 3)}
        if blocked(r) or blocked(ref):
            if worst_status is Status.PASS:
                worst_status, reason = Status.INCONCLUSIVE, "blocked"
                text = Msg.of("probe.ipv6.blocked", over=label)
            continue
        if r.status != ref.status:
            worst_status, reason = Status.FAIL, None
            text = Msg.of(
                "probe.ipv6.status_differs",
                over=label,
                address=addr,
                v6=r.status,
                v4=ref.status,
            )
        elif ratio < PARITY_MIN_RATIO and worst_status is not Status.FAIL:
            worst_status, reason = Status.FAIL, None
            text = Msg.of(
                "probe.ipv6.page_differs", over=label, address=addr, similar=round(ratio * 100)
            )
    ev["ipv6"] = results
    return Verdict(worst_status, text, ev, reason)


def _ns_evidence(obs: DnsObservation) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {}
    for n in obs.ns:
        entry: dict[str, JSONValue] = {"ipv4": n.ipv4, "ipv6": n.ipv6}
        if n.a_error:
            entry["a_error"] = n.a_error
        if n.aaaa_error:
            entry["aaaa_error"] = n.aaaa_error
        if n.ignored:
            entry["ignored"] = dict(n.ignored)
        out[n.name] = entry
    return out


def judge_ns_aaaa(obs: DnsObservation) -> Verdict:
    """At least two name servers with AAAA (one is half of what Internet.nl asks: warn).

    A name server whose AAAA lookup failed has unknown IPv6: it cannot count for or against,
    so unless two others already have IPv6 the verdict is inconclusive."""
    ev: dict[str, JSONValue] = {"zone": obs.zone, "name_servers": _ns_evidence(obs)}
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
    unknown = [n for n in obs.ns if n.aaaa_error and not n.ipv6]
    if unknown:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of(
                "probe.ipv6.ns_lookup_failed",
                name=unknown[0].name,
                why=unknown[0].aaaa_error,
                n=len(with6),
            ),
            ev,
            "DNS lookup failed",
        )
    if len(with6) == 1:
        return Verdict(Status.WARN, Msg.of("ipv6.one_ns", name=with6[0]), ev)
    ignored = {a: w for n in obs.ns for a, w in n.ignored.items() if ":" in a}
    if ignored:
        listed = "; ".join(f"{a}: {w}" for a, w in ignored.items())
        return Verdict(Status.FAIL, Msg.of("probe.ipv6.no_ns_global_ignored", ignored=listed), ev)
    return Verdict(Status.FAIL, Msg.of("probe.ipv6.no_ns_global"), ev)


_NO_ANSWER = ("timeout", "refused", "unreachable")


def judge_ns_reach(obs: DnsObservation, vantage: tuple[bool, str]) -> Verdict:
    """Every IPv6 name server answers for the zone over IPv6 (see `dns.ns_answers` for what
    "answers" means). IPv6 silent while the same server answers over IPv4: fail (black
    hole). Silent on both families: inconclusive. UDP lost but TCP answering, or a lame
    reply, over IPv6 only: fail; on both families: warn (a DNS fault, not an IPv6 one).
    A name server whose AAAA lookup failed is unknown, so it is never "all answer"."""
    ev: dict[str, JSONValue] = {
        "reach": {n.name: dict(n.reach_v6) for n in obs.ns if n.ipv6},
        "reach_ipv4": {n.name: dict(n.reach_v4) for n in obs.ns if n.reach_v4},
    }
    if obs.source != "dns" or obs.error or obs.ns_error:
        v = judge_ns_aaaa(obs)
        if v.status is Status.NOT_APPLICABLE or v.status is Status.INCONCLUSIVE:
            return Verdict(v.status, v.summary, ev, v.reason)
    v6 = [n for n in obs.ns if n.ipv6]
    unknown = [n for n in obs.ns if n.aaaa_error and not n.ipv6]
    if unknown:
        ev["aaaa_unknown"] = {n.name: n.aaaa_error for n in unknown}
    if not v6 and not unknown:
        return Verdict(Status.NOT_APPLICABLE, Msg.of("ipv6.no_ns_to_reach"), ev)
    if not vantage[0]:
        return Verdict(Status.INCONCLUSIVE, Msg.of("ipv6.no_vantage"), ev, vantage[1])
    bad: list[Msg] = []
    warn: list[Msg] = []
    unsure: list[Msg] = []
    for n in v6:
        v4 = next(iter(n.reach_v4.values()), None)
        v4_answers = v4 is not None and v4 not in _NO_ANSWER and v4 != "deadline"
        for a, r in n.reach_v6.items():
            said = {"name": n.name, "address": a, "code": reach_msg(r)}
            if v4:
                said["v4"] = reach_msg(v4)
            if r == "ok":
                continue
            if r in _NO_ANSWER:
                if v4 is None or v4_answers:
                    key = "probe.reach.ns_v4_answers" if v4 else "probe.reach.ns"
                    bad.append(Msg.of(key, **said))
                else:
                    unsure.append(Msg.of("probe.reach.ns_v4_silent", **said))
            elif r == "tcp_only" or r.startswith("lame"):
                (
                    warn
                    if v4 == r
                    or (v4 is not None and v4.startswith("lame") and r.startswith("lame"))
                    else bad
                ).append(Msg.of("probe.reach.ns_v4" if v4 else "probe.reach.ns", **said))
            else:
                unsure.append(Msg.of("probe.reach.ns", **said))
    if bad:
        return Verdict(Status.FAIL, Msg.of("ipv6.ns_no_answer", which=bad[0]), ev)
    if unsure:
        return Verdict(
            Status.INCONCLUSIVE, Msg.of("ipv6.could_not_tell", which=unsure[0]), ev, "cut short"
        )
    if unknown:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("probe.ipv6.ns_unknown", name=unknown[0].name, why=unknown[0].aaaa_error),
            ev,
            "DNS lookup failed",
        )
    if warn:
        return Verdict(
            Status.WARN,
            Msg.of("probe.ipv6.ns_improper", which=warn[0]),
            ev,
        )
    return Verdict(Status.PASS, Msg.of("ipv6.all_ns_answer", n=len(v6)), ev)
