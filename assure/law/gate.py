"""The launch gate: four conditions a system must meet before it goes live, each judged alone.

A launch in a state body needs one answer a pipeline can act on, yet the answer rests on
four different kinds of evidence, so each is a condition of its own, with its own verdict
and evidence (a `Finding`, check `gate_<condition>`, target the system):

1. `gate_approval`: the level is approved and today's facts still give it (the standing
   of `assure.law.approval`: a level the facts no longer give must be determined again,
   Decree 85/2016 Art. 18, Decree 331/2026 Art. 25);
2. `gate_gaps`: the plan's gaps are within the thresholds (coverage, open requirements);
3. `gate_endpoints`: the portal's endpoints pass their probes;
4. `gate_documents`: its signed sample documents verify.

Every function here is pure: the command collects the evidence (profile, classification,
gap report, findings) and passes it in. A condition that could not be decided from the
evidence is `inconclusive`, never `pass`; a condition with nothing to judge (no endpoint,
no sample document) is `not_applicable`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assure.errors import ExitCode
from assure.findings import Finding, Status, worst
from assure.i18n import Msg
from assure.law import approval
from assure.law.gap import GapReport, relevant_findings

CONDITIONS = ("approval", "gaps", "endpoints", "documents")

#: Statuses that fail the gate when no threshold says otherwise: only a real failure.
DEFAULT_FAIL_STATUSES: tuple[str, ...] = (Status.FAIL.value,)
#: Without thresholds a launch needs every applicable requirement met or validly waived.
DEFAULT_MIN_COVERAGE = 100.0
DEFAULT_MAX_OPEN = 0

_UNDECIDED = frozenset({Status.INCONCLUSIVE, Status.ERROR})


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What the gate tolerates (from options, else `assure.toml`, else the defaults)."""

    min_coverage: float = DEFAULT_MIN_COVERAGE
    max_open: int = DEFAULT_MAX_OPEN
    fail_statuses: frozenset[Status] = frozenset({Status.FAIL})

    def to_json(self) -> dict[str, Any]:
        return {
            "min_coverage": self.min_coverage,
            "max_open": self.max_open,
            "fail_statuses": sorted(s.value for s in self.fail_statuses),
        }


def _finding(
    condition: str, system: str, status: Status, msg: Msg, evidence: Mapping[str, Any]
) -> Finding:
    return Finding(
        check=f"gate_{condition}",
        target=system,
        status=status,
        summary=msg.text("en"),
        evidence=dict(evidence),
        reason=None if status not in _UNDECIDED else msg.text("en"),
        message=msg,
    )


#: How each approval standing reads at the gate: good standings pass, an undetermined
#: level cannot be compared with the approved one, every other standing stops a launch.
_APPROVAL_STATUS = {
    approval.Status.CURRENT: Status.PASS,
    approval.Status.SUPERSEDED: Status.PASS,
    approval.Status.UNDETERMINED: Status.INCONCLUSIVE,
    approval.Status.NOT_APPROVED: Status.FAIL,
    approval.Status.REDETERMINE: Status.FAIL,
}


def _plain(value: Any) -> Any:
    """A message parameter as JSON keeps it (a date as ISO 8601)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def approval_condition(system: str, standing: approval.Standing) -> Finding:
    """Condition 1: the approval on record is in good standing today (`law.approval`):
    approved under the regime in force, or under the previous one at the level today's
    facts still give; a level the facts no longer give must be determined again."""
    msg = Msg(standing.message.key, tuple((k, _plain(v)) for k, v in standing.message.params))
    evidence = standing.to_json("en")
    return _finding("approval", system, _APPROVAL_STATUS[standing.status], msg, evidence)


def _breaks(coverage: float, open_count: int, th: Thresholds) -> bool:
    return coverage < th.min_coverage or open_count > th.max_open


def gaps_condition(report: GapReport, th: Thresholds) -> Finding:
    """Condition 2: coverage at least the minimum and at most the maximum of open gaps.

    A requirement whose status could not be decided (probe inconclusive) counts as open,
    but a threshold broken only because of such requirements is `inconclusive`: had they
    passed, the gate would have passed.
    """
    system = report.plan.profile.id
    overall = report.overall
    gaps = report.gaps
    undecided = [g for g in gaps if g.finding.status in _UNDECIDED]
    coverage = overall.covered_pct
    if overall.applicable:
        best = 100.0 * (overall.passed + overall.waived + len(undecided)) / overall.applicable
    else:
        best = coverage
    evidence = {
        "regime": report.plan.regime.id,
        "level": report.plan.level,
        "coverage": round(coverage, 2),
        "open": len(gaps),
        "undecided": len(undecided),
        "applicable": overall.applicable,
        "thresholds": th.to_json(),
        "open_requirements": [g.item.id for g in gaps],
    }
    params = {
        "coverage": round(coverage, 1),
        "min": th.min_coverage,
        "open": len(gaps),
        "max": th.max_open,
    }
    if _breaks(best, len(gaps) - len(undecided), th):
        status, key = Status.FAIL, "gate.gaps.fail"
    elif _breaks(coverage, len(gaps), th):
        status, key = Status.INCONCLUSIVE, "gate.gaps.inconclusive"
        params["undecided"] = len(undecided)
    else:
        status, key = Status.PASS, "gate.gaps.pass"
    return _finding("gaps", system, status, Msg.of(key, **params), evidence)


def _judge_group(
    condition: str,
    system: str,
    subjects: Sequence[tuple[str, Sequence[Finding]]],
    fail_statuses: Collection[Status],
    evidence_extra: Mapping[str, Any],
) -> Finding:
    """Endpoints or documents: fail on `fail` or another status the thresholds fail on;
    inconclusive when a subject has no finding at all or an undecided one; else pass."""
    if not subjects:
        msg = Msg.of(f"gate.{condition}.none")
        return _finding(condition, system, Status.NOT_APPLICABLE, msg, dict(evidence_extra))
    fail_statuses = {Status.FAIL, *fail_statuses}  # a decided failure is never a pass
    rows: list[dict[str, Any]] = []
    failing: list[str] = []
    undecided: list[str] = []
    for name, found in subjects:
        bad = sorted({f.check for f in found if f.status in fail_statuses})
        open_ = sorted({f.check for f in found if f.status in _UNDECIDED} - set(bad))
        rows.append(
            {
                "subject": name,
                "status": worst((f.status for f in found), Status.INCONCLUSIVE).value,
                "findings": len(found),
                "failing": bad,
                "undecided": open_,
            }
        )
        if bad:
            failing.append(name)
        elif not found or open_:
            undecided.append(name)
    evidence = {**evidence_extra, "subjects": rows}
    if failing:
        msg = Msg.of(f"gate.{condition}.fail", n=len(failing), names=", ".join(failing))
        return _finding(condition, system, Status.FAIL, msg, evidence)
    if undecided:
        msg = Msg.of(f"gate.{condition}.inconclusive", n=len(undecided), names=", ".join(undecided))
        return _finding(condition, system, Status.INCONCLUSIVE, msg, evidence)
    msg = Msg.of(f"gate.{condition}.pass", n=len(subjects))
    return _finding(condition, system, Status.PASS, msg, evidence)


def is_document_check(check: str) -> bool:
    """Whether a finding is about a signed document rather than a portal."""
    return check.startswith("doc_")


def endpoints_condition(
    system: str, endpoints: Sequence[Mapping[str, Any]], findings: Sequence[Finding], th: Thresholds
) -> Finding:
    """Condition 3: every endpoint has probe findings and none has a failing status."""
    probes = [f for f in findings if not is_document_check(f.check)]
    subjects = [(str(e["url"]), relevant_findings(probes, {"endpoints": [e]})) for e in endpoints]
    return _judge_group(
        "endpoints", system, subjects, th.fail_statuses, {"thresholds": th.to_json()}
    )


def documents_condition(
    system: str, documents: Sequence[str], findings: Sequence[Finding], th: Thresholds
) -> Finding:
    """Condition 4: every sample document was verified and no check of it fails."""
    docs = [f for f in findings if is_document_check(f.check)]
    subjects = [(d, [f for f in docs if f.target == d]) for d in documents]
    return _judge_group(
        "documents", system, subjects, th.fail_statuses, {"thresholds": th.to_json()}
    )


def verdict(conditions: Iterable[Finding]) -> Status:
    """The gate's verdict: `fail` if any condition fails, else `inconclusive` if any could
    not be decided, else `pass` (a condition that does not apply passes)."""
    statuses = {c.status for c in conditions}
    if Status.FAIL in statuses:
        return Status.FAIL
    if statuses & _UNDECIDED:
        return Status.INCONCLUSIVE
    return Status.PASS


def exit_code(conditions: Iterable[Finding]) -> int:
    """Interface §2: 0 every condition passes, 1 one fails, 4 only undecided ones remain."""
    v = verdict(conditions)
    if v is Status.FAIL:
        return int(ExitCode.GATE_FAILED)
    if v is Status.INCONCLUSIVE:
        return int(ExitCode.INCONCLUSIVE)
    return int(ExitCode.OK)


def documents_of(endpoints: Sequence[Mapping[str, Any]]) -> list[str]:
    """The signed sample documents the profile lists, once each, in their order."""
    return list(dict.fromkeys(d for e in endpoints for d in e.get("signed_documents") or ()))
