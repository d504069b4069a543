"""The one findings model shared by probes, signature checks and gap reports.

A finding is a verdict on one check for one target, with the evidence behind it. Statuses
are ordered best to worst (interface §6) so roll-ups take the worst. `inconclusive` (could not
be decided from here) and `error` (the tool failed) are kept apart from `fail`: a blocked
probe or a crashed parser must never read as a misconfigured server, nor as a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

from assure import i18n
from assure.i18n import Lang, Msg

JSONValue: TypeAlias = Any  # a JSON-serialisable value; evidence stays plain data


class Status(StrEnum):
    """Verdict of one check, best to worst."""

    PASS = "pass"  # noqa: S105 (a status, not a password)
    INFO = "info"
    NOT_APPLICABLE = "not_applicable"
    WARN = "warn"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Position in the best-to-worst order; higher is worse."""
        return _ORDER.index(self)

    @property
    def decided(self) -> bool:
        """True when the check reached a verdict about the target itself."""
        return self not in (Status.INCONCLUSIVE, Status.ERROR)


_ORDER: tuple[Status, ...] = tuple(Status)


def worst(statuses: Iterable[Status], default: Status = Status.NOT_APPLICABLE) -> Status:
    """The worst of `statuses` (the roll-up rule: the worst result wins)."""
    return max(statuses, key=lambda s: s.rank, default=default)


@dataclass(frozen=True, slots=True)
class Finding:
    """A verdict on one check for one target.

    `check` is a check ID (interface §6) or a requirement ID for gap findings; `summary` is
    one sentence a person reads (in English: the JSON contract); `evidence` is plain JSON
    data that lets an auditor redo the judgement; `reason` says why a result is
    `inconclusive` or `error`. `message`, when the judge gives one, is the same sentence as
    a catalogue key and parameters, so reports word it in the reader's language;
    `reason_message` is the same for a `reason` that carries details (a URL, an HTTP status).
    """

    check: str
    target: str
    status: Status
    summary: str
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)
    reason: str | None = None
    requirements: tuple[str, ...] = ()
    message: Msg | None = None
    reason_message: Msg | None = None

    def text(self, lang: Lang | None = None) -> str:
        """The summary in `lang` (default: the run's language) when a message is known."""
        return self.message.text(lang) if self.message is not None else self.summary

    def reason_text(self, lang: Lang | None = None) -> str:
        """The reason in `lang`: its message when the judge gave one, else the catalogue's
        wording of a known phrase (`i18n.reason`), else the reason as it is."""
        if self.reason_message is not None:
            return self.reason_message.text(lang)
        return i18n.reason(self.reason, lang) if self.reason else ""

    def to_json(self) -> dict[str, JSONValue]:
        """Plain-JSON form, the shape of interface §6."""
        out: dict[str, JSONValue] = {
            "check": self.check,
            "target": self.target,
            "status": self.status.value,
            "summary": self.summary,
            "evidence": dict(self.evidence),
        }
        if self.reason is not None:
            out["reason"] = self.reason
        if self.requirements:
            out["requirements"] = list(self.requirements)
        if self.message is not None:
            out["message"] = self.message.to_json()
        if self.reason_message is not None:
            out["reason_message"] = self.reason_message.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, JSONValue]) -> Finding:
        """Rebuild a finding from its JSON form (validated by the caller)."""
        return cls(
            check=str(data["check"]),
            target=str(data["target"]),
            status=Status(data["status"]),
            summary=str(data["summary"]),
            evidence=dict(data.get("evidence") or {}),
            reason=data.get("reason"),
            requirements=tuple(data.get("requirements") or ()),
            message=Msg.from_json(data["message"]) if data.get("message") else None,
            reason_message=(
                Msg.from_json(data["reason_message"]) if data.get("reason_message") else None
            ),
        )


def count_by_status(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings have each status, in the best-to-worst order (zeros included)."""
    counts = dict.fromkeys((s.value for s in Status), 0)
    for f in findings:
        counts[f.status.value] += 1
    return counts
