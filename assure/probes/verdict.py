"""Verdicts per address, rolled up into one finding per check and target.

Every address of a target (IPv4 and IPv6) is judged on its own; the worst verdict wins and
the evidence keeps each address's result, so "one of three addresses fails" stays visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from assure.findings import Finding, JSONValue, Status, worst
from assure.i18n import Msg

#: Reach codes (`net.NetError` values and the DNS answers of `dns.ns_answers`) a person reads.
_REACH = frozenset(
    {"ok", "refused", "timeout", "reset", "unreachable", "not_tls", "tls_alert", "protocol"}
    | {"deadline", "other", "untested", "tcp_only"}
)


def reach_msg(code: str) -> Msg | str:
    """A per-port reach code as a person reads it: evidence keeps "timeout", a sentence says
    "hết thời gian chờ" in Vietnamese. The DNS answers "lame (SERVFAIL)", "lame (not
    authoritative)" and "bad answer: …" keep their data (an rcode, an exception name)."""
    if code in _REACH:
        return Msg.of(f"probe.reach.{code}")
    if code == "lame (not authoritative)":
        return Msg.of("probe.reach.lame_not_authoritative")
    if code.startswith("lame (") and code.endswith(")"):
        return Msg.of("probe.reach.lame", rcode=code[6:-1])
    if code.startswith("bad answer: "):
        return Msg.of("probe.reach.bad_answer", error=code.removeprefix("bad answer: "))
    return code


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judgement before it is attached to a check and a target."""

    status: Status
    summary: str | Msg
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)
    reason: str | None = None

    @property
    def text(self) -> str:
        """The summary in English, the JSON contract's language."""
        return self.summary.text("en") if isinstance(self.summary, Msg) else self.summary

    @property
    def message(self) -> Msg | None:
        return self.summary if isinstance(self.summary, Msg) else None


def overall(statuses: Iterable[Status]) -> Status:
    """Roll-up rule: the worst wins, except that a decided `fail` is never hidden by
    `inconclusive` or `error` elsewhere (a CI gate must still say no)."""
    seen = list(statuses)
    return Status.FAIL if Status.FAIL in seen else worst(seen)


def finding(check: str, target: str, v: Verdict) -> Finding:
    return Finding(check, target, v.status, v.text, dict(v.evidence), v.reason, message=v.message)


def roll_up(check: str, target: str, per_address: Mapping[str, Verdict]) -> Finding:
    """One finding from per-address verdicts: the worst wins, each address is kept."""
    if not per_address:
        msg = Msg.of("probe.msg.no_address")
        return Finding(
            check, target, Status.INCONCLUSIVE, msg.text("en"), {}, "no address", message=msg
        )
    status = overall(v.status for v in per_address.values())
    first = next(a for a, v in per_address.items() if v.status is status)
    chosen = per_address[first]
    same = len({v.status for v in per_address.values()}) == 1
    message = chosen.message
    texts = {a: v.text for a, v in per_address.items()}  # each rendered once
    summary = texts[first]
    if len(per_address) > 1 and not same:
        summary = f"{first}: {summary}"
        if message is not None:
            message = Msg.of("probe.msg.on_address", address=first, message=message)
    evidence: dict[str, JSONValue] = {
        "addresses": {
            a: {
                "status": v.status.value,
                "summary": texts[a],
                **({"message": v.message.to_json()} if v.message is not None else {}),
                **dict(v.evidence),
                **({"reason": v.reason} if v.reason else {}),
            }
            for a, v in per_address.items()
        }
    }
    return Finding(check, target, status, summary, evidence, chosen.reason, message=message)
