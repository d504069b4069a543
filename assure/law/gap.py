"""The gap report: every requirement of the plan judged from declared controls and probes.

`gap_report` is pure (the day is an argument). One `Finding` per requirement (check = the
requirement ID, target = the system ID), so gap results travel in the same model, JSON and
JUnit as probe results. The rules, in order:

1. a valid waiver → `info` (the underlying result is kept in the evidence, never hidden);
2. `not_applicable` with its justification → `not_applicable`;
3. a probe `fail` on a mapped check, or a profile fact that contradicts the requirement
   (a required network zone missing from the declared architecture, a standby site closer
   than required, a security budget share below the minimum) → `fail`, whatever the
   declaration says;
4. the declaration: `implemented` → `pass`, `partial` → `warn`, `planned` → `fail`;
5. no declaration: the probes decide when the requirement is verified by probes (all pass →
   `pass`; only inconclusive → `inconclusive`, never `pass`), a profile fact that shows the
   requirement met gives `pass`; otherwise `fail` (missing).

An expired waiver counts for nothing: the requirement is judged as if it had none, and the
evidence says the waiver lapsed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assure.errors import DataError
from assure.findings import Finding, Status, count_by_status, worst
from assure.inputs.validation import validate, validator_for
from assure.inputs.yamldoc import Document, parse_yaml, read_text
from assure.law.catalogue import GROUP_TITLES, PLAN_PARTS
from assure.law.plan import Plan, PlanItem, display_name
from assure.law.regime import Lang, Text

GAP_STATUSES = frozenset({Status.WARN, Status.FAIL, Status.INCONCLUSIVE, Status.ERROR})
MAX_FINDINGS_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class GapItem:
    """The verdict on one plan requirement, with what it was based on."""

    item: PlanItem
    finding: Finding
    declared: str  # implemented | partial | planned | not_applicable | missing
    due: dt.date | None
    owner: str | None
    overdue: bool

    @property
    def is_gap(self) -> bool:
        return self.finding.status in GAP_STATUSES


@dataclass(frozen=True, slots=True)
class Coverage:
    """Coverage of a set of requirements, in percent of those that apply."""

    total: int
    applicable: int
    passed: int
    waived: int
    counts: Mapping[str, int]

    @property
    def implemented_pct(self) -> float:
        return 100.0 if not self.applicable else 100.0 * self.passed / self.applicable

    @property
    def covered_pct(self) -> float:
        """Passed or validly waived; the number `--fail-under` compares."""
        if not self.applicable:
            return 100.0
        return 100.0 * (self.passed + self.waived) / self.applicable

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "applicable": self.applicable,
            "pass": self.passed,
            "waived": self.waived,
            "implemented_pct": round(self.implemented_pct, 1),
            "covered_pct": round(self.covered_pct, 1),
            "by_status": dict(self.counts),
        }


def coverage(items: Iterable[GapItem]) -> Coverage:
    """Coverage of `items`: not_applicable ones are left out of the denominator."""
    its = list(items)
    counts = count_by_status(i.finding for i in its)
    na = counts[Status.NOT_APPLICABLE.value]
    return Coverage(
        total=len(its),
        applicable=len(its) - na,
        passed=counts[Status.PASS.value],
        waived=counts[Status.INFO.value],
        counts=counts,
    )


@dataclass(frozen=True, slots=True)
class GapReport:
    """The gap report of one system."""

    plan: Plan
    today: dt.date
    items: tuple[GapItem, ...]
    probe_findings: tuple[Finding, ...]

    @property
    def overall(self) -> Coverage:
        return coverage(self.items)

    def by_group(self) -> dict[str, Coverage]:
        return {
            g: coverage(i for i in self.items if i.item.requirement.group == g)
            for g in GROUP_TITLES
        }

    def by_part(self) -> dict[str, Coverage]:
        return {
            p: coverage(i for i in self.items if i.item.requirement.plan_part == p)
            for p in PLAN_PARTS
        }

    @property
    def gaps(self) -> list[GapItem]:
        """Gaps, heaviest first; worse status first among equal weights."""
        return sorted(
            (i for i in self.items if i.is_gap),
            key=lambda i: (-i.item.requirement.weight, -i.finding.status.rank, i.item.id),
        )

    @property
    def roadmap(self) -> list[GapItem]:
        """Gaps by due date (overdue first, undated last)."""
        return sorted(
            (i for i in self.items if i.is_gap),
            key=lambda i: (i.due is None, i.due or dt.date.max, -i.item.requirement.weight),
        )

    @property
    def overdue(self) -> list[GapItem]:
        return [i for i in self.items if i.overdue]

    @property
    def findings(self) -> list[Finding]:
        return [i.finding for i in self.items]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _host(target: str) -> str:
    if "://" in target:
        host = urlsplit(target).hostname or target
    elif target.startswith("["):
        host = target[1:].split("]", 1)[0]
    elif target.count(":") == 1:
        host = target.split(":", 1)[0]
    else:
        host = target.split("/", 1)[0]
    return host.lower().rstrip(".")


def relevant_findings(
    findings: Sequence[Finding], profile_data: Mapping[str, Any]
) -> list[Finding]:
    """Findings about this system: its endpoints' hosts and its sample signed documents
    (all findings when it lists no endpoint)."""
    endpoints = profile_data.get("endpoints") or ()
    hosts = {_host(e["url"]) for e in endpoints}
    documents = {d for e in endpoints for d in e.get("signed_documents", ())}
    hosts |= {_host(d) for d in documents if "://" in d}
    if not hosts:
        return list(findings)
    return [f for f in findings if f.target in documents or _host(f.target) in hosts]


#: Sentences of a gap finding, filled in by `_judge` (`gap.say.*` in the catalogue).
_TEXT = {
    k: Text.message(f"gap.say.{k}")
    for k in [
        *("waived", "not_applicable", "probe_fail", "implemented", "partial", "planned"),
        *("missing", "probe_pass", "probe_warn", "probe_inconclusive", "expired"),
    ]
}


def profile_check(check: str, data: Mapping[str, Any]) -> tuple[bool, Text, Any] | None:
    """Judge a requirement from the profile's own facts; None when the profile is silent.

    Returns (met, sentence, evidence value). These checks let the declared architecture,
    hosting and budget confirm or contradict what the controls claim.
    """
    kind, _, arg = check.partition(":")
    if kind == "zone":
        zones = (data.get("architecture") or {}).get("network_zones") or []
        if not zones:
            return None
        names = [z["name"] for z in zones if z.get("kind") == arg]
        if names:
            return (
                True,
                Text.message("gap.profile.zone", zones=", ".join(names)),
                names,
            )
        return (
            False,
            Text.message("gap.profile.no_zone", kind=arg),
            sorted({str(z.get("kind", "other")) for z in zones}),
        )
    if kind == "standby_distance":
        km = (data.get("hosting") or {}).get("standby_distance_km")
        if km is None:
            return None
        need = float(arg)
        met = km >= need
        return (
            met,
            Text.message("gap.profile.standby", km=f"{km:g}", need=f"{need:g}"),
            km,
        )
    if kind == "budget_share":
        budget = data.get("budget") or {}
        total, security = budget.get("it_total"), budget.get("security")
        if not total or security is None:
            return None
        share = 100.0 * security / total
        need = float(arg)
        return (
            share >= need,
            Text.message("gap.profile.budget", share=f"{share:.1f}", need=f"{need:g}"),
            round(share, 2),
        )
    return None


def _judge(
    item: PlanItem,
    control: Mapping[str, Any] | None,
    waiver: Mapping[str, Any] | None,
    probes: Sequence[Finding],
    today: dt.date,
    lang: Lang,
    facts: tuple[bool, Text, Any] | None = None,
) -> tuple[Status, str, dict[str, Any]]:
    evidence: dict[str, Any] = {
        "requirement": item.id,
        "sources": [c.compact() for c in item.sources],
        "weight": item.requirement.weight,
    }
    declared = control["status"] if control else "missing"
    evidence["declared"] = declared
    if control:
        if control.get("evidence"):
            evidence["documents"] = list(control["evidence"])
        for k in ("owner", "due", "justification", "notes"):
            if control.get(k):
                evidence[k] = control[k]
    if probes:
        evidence["probes"] = [
            {"check": f.check, "target": f.target, "status": f.status.value, "summary": f.summary}
            for f in probes
        ]
    failed = [f for f in probes if f.status is Status.FAIL]
    decided = [f for f in probes if f.status.decided]
    if facts is not None:
        evidence["profile_check"] = {
            "check": item.requirement.profile_check,
            "met": facts[0],
            "value": facts[2],
        }

    def checks(fs: Sequence[Finding]) -> str:
        return ", ".join(sorted({f.check for f in fs}))

    # underlying verdict (rules 2-5)
    if declared == "not_applicable":
        status = Status.NOT_APPLICABLE
        summary = _TEXT["not_applicable"](lang).format(justification=control["justification"])  # type: ignore[index]
    elif failed:
        status = Status.FAIL
        summary = _TEXT["probe_fail"](lang).format(checks=checks(failed))
    elif facts is not None and not facts[0]:
        status, summary = Status.FAIL, facts[1](lang)
    elif declared == "implemented":
        status = Status.PASS
        summary = _TEXT["implemented"](lang)
        warned = [f for f in decided if f.status is Status.WARN]
        undecided = [f for f in probes if not f.status.decided]
        if warned:
            status = Status.WARN
            summary += " " + _TEXT["probe_warn"](lang).format(checks=checks(warned))
        elif undecided:
            # the pass rests on the declaration alone; say the probes could not confirm it
            summary += " " + _TEXT["probe_inconclusive"](lang).format(checks=checks(undecided))
    elif declared == "partial":
        status, summary = Status.WARN, _TEXT["partial"](lang)
    elif declared == "planned":
        status, summary = Status.FAIL, _TEXT["planned"](lang)
    elif probes and item.requirement.method == "probe":
        if decided:
            status = worst(f.status for f in decided)
            if status in (Status.INFO, Status.NOT_APPLICABLE):
                status = Status.PASS
            key = {Status.PASS: "probe_pass", Status.WARN: "probe_warn"}.get(status, "probe_fail")
            # "checks warn: …" names the checks that warned, not every check that ran
            named = [f for f in decided if f.status is status] if key != "probe_pass" else decided
            summary = _TEXT[key](lang).format(checks=checks(named))
        else:
            status = Status.INCONCLUSIVE
            summary = _TEXT["probe_inconclusive"](lang).format(checks=checks(probes))
    elif facts is not None:
        status, summary = Status.PASS, facts[1](lang)
    else:
        status, summary = Status.FAIL, _TEXT["missing"](lang)
    if waiver is not None:
        expires = dt.date.fromisoformat(waiver["expires"])
        evidence["waiver"] = dict(waiver)
        if expires >= today:
            evidence["underlying_status"] = status.value
            return (
                Status.INFO,
                _TEXT["waived"](lang).format(
                    expires=waiver["expires"], approver=waiver["approver"], reason=waiver["reason"]
                ),
                evidence,
            )
        evidence["waiver_expired"] = True
        summary += " " + _TEXT["expired"](lang).format(expires=waiver["expires"])
    return status, summary, evidence


def gap_report(
    plan: Plan, findings: Sequence[Finding], today: dt.date, lang: Lang = "vi"
) -> GapReport:
    """Judge every requirement of `plan` (pure: `today` decides expiry and overdue)."""
    data = plan.profile.data
    controls: Mapping[str, Any] = data.get("controls") or {}
    waivers: dict[str, Mapping[str, Any]] = {}
    for w in data.get("waivers") or ():
        # the latest-expiring waiver of a requirement is the one that counts
        prev = waivers.get(w["requirement"])
        if prev is None or w["expires"] > prev["expires"]:
            waivers[w["requirement"]] = w
    relevant = relevant_findings(findings, data)
    by_check: dict[str, list[Finding]] = {}
    for f in relevant:
        by_check.setdefault(f.check, []).append(f)
    target = plan.profile.id
    items: list[GapItem] = []
    for item in plan.items:
        req = item.requirement
        control = controls.get(req.id)
        probes = [f for c in req.probes for f in by_check.get(c, ())]
        facts = profile_check(req.profile_check, data) if req.profile_check else None
        status, summary, evidence = _judge(
            item, control, waivers.get(req.id), probes, today, lang, facts
        )
        due = _date(control.get("due")) if control else None
        finding = Finding(
            check=req.id,
            target=target,
            status=status,
            summary=summary,
            evidence=evidence,
            requirements=(req.id,),
        )
        overdue = status in GAP_STATUSES and due is not None and due < today
        items.append(
            GapItem(
                item=item,
                finding=finding,
                declared=control["status"] if control else "missing",
                due=due,
                owner=control.get("owner") if control else None,
                overdue=overdue,
            )
        )
    return GapReport(plan, today, tuple(items), tuple(relevant))


def gap_json(report: GapReport, lang: Lang) -> dict[str, Any]:
    """`{"findings": [...], ...}` (interface §6) with coverage, gaps and the roadmap."""
    plan = report.plan
    return {
        "id": plan.profile.id,
        "name": display_name(plan, lang),
        "level": plan.level,
        "regime": plan.regime.id,
        **(plan.classification.choice.to_json(lang) if plan.classification.choice else {}),
        "as_of": report.today.isoformat(),
        "coverage": {
            "overall": report.overall.to_json(),
            "by_group": {k: v.to_json() for k, v in report.by_group().items()},
            "by_plan_part": {k: v.to_json() for k, v in report.by_part().items()},
        },
        "findings": [
            {
                **i.finding.to_json(),
                "title": i.item.requirement.title(lang),
                "group": i.item.requirement.group,
                "plan_part": i.item.requirement.plan_part,
                "weight": i.item.requirement.weight,
                **({"overdue": True} if i.overdue else {}),
            }
            for i in report.items
        ],
        "gaps": [i.item.id for i in report.gaps],
        "roadmap": [
            {
                "id": i.item.id,
                "title": i.item.requirement.title(lang),
                "status": i.finding.status.value,
                "due": i.due.isoformat() if i.due else None,
                "owner": i.owner,
                "overdue": i.overdue,
                "weight": i.item.requirement.weight,
            }
            for i in report.roadmap
        ],
        "probe_findings_used": len(report.probe_findings),
    }


# --- findings files -------------------------------------------------------------------


def _json_positions(text: str, file: str) -> Document | None:
    """Positions of a JSON text, from the YAML composer (JSON is YAML flow syntax)."""
    try:
        return parse_yaml(text, file, max_nodes=5_000_000)
    except DataError:
        return None


def load_findings(path: Path, display: str | None = None) -> list[Finding]:
    """Read and validate a findings file (`{"findings": [...]}`, interface §6, or JSON Lines).

    Problems are reported as `file:line:column: field: message`; JSON syntax errors carry
    the parser's own line and column.
    """
    name = display or str(path)
    text = read_text(path, name, max_bytes=MAX_FINDINGS_BYTES)
    try:
        data = _strict_json(text)
    except json.JSONDecodeError as exc:
        lines = _json_lines(text, name)
        if lines is None:
            raise DataError.at(
                name, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno
            ) from None
        return _validated(
            Document(
                name,
                {"findings": [item for _, item in lines]},
                {("findings", i): (lineno, 1) for i, (lineno, _) in enumerate(lines)},
                {},
            )
        )
    if isinstance(data, list):  # a bare list of findings is accepted as well
        data = {"findings": data}
        text = '{"findings": ' + text + "}"
    located = _json_positions(text, name)
    doc = Document(
        name,
        data,
        located.value_marks if located else {},
        located.key_marks if located else {},
    )
    return _validated(doc)


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON number (numbers are finite)", name, 0)


_CONSTANT = re.compile(r"(?<![\w\"])(-?Infinity|NaN)(?![\w\"])")


def _strict_json(text: str) -> Any:
    """`json.loads` without NaN/Infinity (not JSON; they would print as `Infinity` in
    reports) and with nesting too deep for the parser reported as bad input."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        if exc.pos == 0 and exc.doc in ("NaN", "Infinity", "-Infinity"):
            m = _CONSTANT.search(text)  # json does not say where; the first such token is it
            raise json.JSONDecodeError(exc.msg, text, m.start() if m else 0) from None
        raise
    except RecursionError:
        raise json.JSONDecodeError("nesting is too deep", text, 0) from None


def _json_lines(text: str, name: str) -> list[tuple[int, Any]] | None:
    """JSON Lines (one finding per line, `assure probe --format jsonl`), else None.

    The file is JSON Lines when its first line is a JSON object on its own and more lines
    follow; a bad later line is then an error at that line (not "extra data" at line 2).
    """
    out: list[tuple[int, Any]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = _strict_json(line)
        except json.JSONDecodeError as exc:
            if not out:
                return None
            raise DataError.at(
                name, f"invalid JSON Lines: {exc.msg}", line=lineno, column=exc.colno
            ) from None
        if not isinstance(item, dict):
            if not out:
                return None
            raise DataError.at(name, "each line must be one finding (a JSON object)", line=lineno)
        out.append((lineno, item))
    return out if len(out) > 1 else None


def _validated(doc: Document) -> list[Finding]:
    problems = validate(doc, validator_for("findings"))
    if problems:
        raise DataError(problems)
    return [Finding.from_json(f) for f in doc.data["findings"]]


def load_findings_files(paths: Sequence[Path]) -> list[Finding]:
    """Every finding of every file; all bad files are reported together."""
    out: list[Finding] = []
    errors: list[DataError] = []
    for p in paths:
        try:
            out.extend(load_findings(p, str(p)))
        except DataError as exc:
            errors.append(exc)
    if errors:
        raise DataError.merge(errors)
    return out
