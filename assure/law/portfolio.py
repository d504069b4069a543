"""The portfolio: every system of an owner with its level, approval standing and next dates.

A department keeps dozens of systems, and what it lives by is a calendar: which approvals
are missing or no longer fit, which inspections, reports, waivers and planned controls fall
due, and which are already late. This module computes that calendar from the profiles
alone, as a pure function of the classifications and the day, so the table, the workbook
and the annual report all show the same dates with the same sources.

Each system's deadlines, each with its date, its source and whether it is overdue today:

- **approval** — from the approval standing (`assure.law.approval`): a missing approval of
  an operating system, or a re-determination, is due now (the law gives no grace period:
  Decree 331/2026 Art. 30.6 wants the approved plan in place before a system goes live,
  Art. 25 a re-determination as soon as the level no longer fits); a system of the
  Decree 331/2026 Art. 39.1 transition has until the end of its six-month window.
- **transition** — the dated obligations of the transition rule that applies to the system
  (`checklists/transitions/`), e.g. meeting the Law 116/2025 measures within 12 months of
  01/07/2026 (Law 116/2025 Art. 45.1). The appraisal deadline of that rule is the approval
  deadline above, so it is not repeated.
- **inspection** — the periodic inspection: the last inspection recorded in the profile
  (`inspections[].date`) plus the cycle of the level. Decree 85/2016 Art. 20.2.c fixes the
  cycle (level 3 and 4 yearly, level 5 every six months; the organisation-wide check every
  two years covers levels 1–2). Decree 331/2026 sets none ("định kỳ theo cấp độ hệ thống
  thông tin và mức độ rủi ro an ninh mạng", Art. 28.5.a), so there the owner's own cycle
  (`inspection_interval_months`) is used, and without one no date is invented. With no
  inspection on record the first is due one cycle after the approval.
- **annual_report** — the yearly report of the operating unit and security unit to the
  owner, "trước ngày 20 tháng 12 hằng năm" (Circular 12/2022 Art. 13.4.a; Decree 331/2026
  Art. 35.4.a), on data closed on 14 December (Circular 12/2022 Art. 13.3; Decree
  331/2026 Art. 35.3). The owner's own report to the ministry (before 25 December,
  Circular 12/2022 Art. 13.4.b; Decree 331/2026 Art. 35.4.b) is the portfolio's, not a
  system's (`Portfolio.owner_deadlines`).
- **waiver** — a waiver ends on its `expires` date; after it the requirement is judged as
  if it had none (`assure.law.gap`).
- **control** — a control declared `planned` or `partial` with a `due` date.

A "before D" limit is kept as its last day (D − 1), so "overdue" always means the day is
past the date shown.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assure import i18n
from assure.i18n import Msg
from assure.law.applicable import InForce, load_in_force
from assure.law.approval import Standing, Status, regime_name, standing_of
from assure.law.citation import Citation, compact
from assure.law.classify import Classification, display_name, inspection_level
from assure.law.regime import Lang, Text
from assure.law.transition import Transition, choose_rule

#: A deadline this close (in days) is "due soon" in the portfolio's totals.
SOON_DAYS = 30

#: Control declarations that still owe work by their due date.
OPEN_CONTROLS = frozenset({"planned", "partial"})


class Kind(StrEnum):
    """What a deadline is for."""

    APPROVAL = "approval"
    TRANSITION = "transition"
    INSPECTION = "inspection"
    ANNUAL_REPORT = "annual_report"
    WAIVER = "waiver"
    CONTROL = "control"


class State(StrEnum):
    """Where a system stands on its calendar today, worst first."""

    OVERDUE = "overdue"
    ACTION = "action"  # nothing late, but the approval is not in good standing
    DUE_SOON = "due_soon"
    OK = "ok"


STATE_ORDER: Mapping[State, int] = {s: i for i, s in enumerate(State)}


@dataclass(frozen=True, slots=True)
class Deadline:
    """One dated (or due-now) obligation of one system, with the text that sets it."""

    system: str
    kind: Kind
    #: The last day allowed; None for what is due now without a date (a re-determination).
    due: dt.date | None
    #: What is due: a catalogue message, or the bilingual text of the data that sets it.
    message: Msg | Text
    sources: tuple[Citation, ...]
    overdue: bool
    #: What the deadline is about within the system: a requirement ID, a waiver's, a report's.
    subject: str | None = None

    def days_left(self, today: dt.date) -> int | None:
        return (self.due - today).days if self.due else None

    def soon(self, today: dt.date) -> bool:
        left = self.days_left(today)
        return not self.overdue and left is not None and left <= SOON_DAYS

    def text(self, lang: Lang) -> str:
        if isinstance(self.message, Text):
            return self.message(lang)
        values: dict[str, Any] = {}
        for key, value in self.message.params:
            if isinstance(value, dt.date):
                value = i18n.date_short(value, lang)
            elif isinstance(value, Msg):
                value = value.text(lang)
            elif key == "regime":
                value = regime_name(str(value), lang)
            values[key] = value
        return i18n.t(self.message.key, lang, **values)

    def basis(self, lang: Lang) -> str:
        return "; ".join(c.render(lang) for c in self.sources)

    def to_json(self, lang: Lang, today: dt.date) -> dict[str, Any]:
        return {
            "system": self.system,
            "kind": self.kind.value,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "days_left": self.days_left(today),
            "subject": self.subject,
            "text": self.text(lang),
            "source": compact(self.sources),
        }


def _sort_key(d: Deadline) -> tuple[int, dt.date, str, str]:
    """Overdue first (what is due now without a date before anything dated), then by date."""
    return (0 if d.overdue else 1, d.due or dt.date.min, d.system, d.kind.value)


@dataclass(frozen=True, slots=True)
class Inspection:
    """One inspection recorded in the profile (`inspections[]`)."""

    date: dt.date
    by: str | None
    result: str | None
    report: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "by": self.by,
            "result": self.result,
            "report": self.report,
        }


@dataclass(frozen=True, slots=True)
class Entry:
    """One system of the portfolio."""

    classification: Classification
    standing: Standing
    deadlines: tuple[Deadline, ...]
    last_inspection: Inspection | None
    #: The inspection cycle in months that applies, and where it comes from.
    cycle_months: int | None
    cycle_source: tuple[Citation, ...]
    today: dt.date

    @property
    def id(self) -> str:
        return self.classification.profile.id

    @property
    def level(self) -> int | None:
        return self.classification.level

    @property
    def regime(self) -> str:
        return self.classification.regime.id

    def name(self, lang: Lang) -> str:
        return display_name(self.classification.profile.system, lang)

    @property
    def overdue(self) -> tuple[Deadline, ...]:
        return tuple(d for d in self.deadlines if d.overdue)

    @property
    def next_due(self) -> Deadline | None:
        """The first deadline not yet past, by date."""
        dated = [d for d in self.deadlines if not d.overdue and d.due is not None]
        return min(dated, key=lambda d: d.due or dt.date.max) if dated else None

    @property
    def state(self) -> State:
        if self.overdue:
            return State.OVERDUE
        if not self.standing.ok:
            return State.ACTION
        if any(d.soon(self.today) for d in self.deadlines):
            return State.DUE_SOON
        return State.OK

    def to_json(self, lang: Lang) -> dict[str, Any]:
        p = self.classification.profile
        return {
            "id": self.id,
            "name": self.name(lang),
            "file": p.file,
            "level": self.level,
            "regime": self.regime,
            "lifecycle": p.data.get("lifecycle"),
            "owner": (p.data.get("owner") or {}).get("name"),
            "operator": (p.data.get("operator") or {}).get("name"),
            "state": self.state.value,
            "approval": self.standing.to_json(lang),
            "last_inspection": self.last_inspection.to_json() if self.last_inspection else None,
            "inspection_cycle_months": self.cycle_months,
            "inspection_cycle_source": compact(self.cycle_source) or None,
            "deadlines": [d.to_json(lang, self.today) for d in self.deadlines],
        }


@dataclass(frozen=True, slots=True)
class Portfolio:
    """Every system of the portfolio on one day, and the owner's own deadlines."""

    entries: tuple[Entry, ...]
    owner_deadlines: tuple[Deadline, ...]
    today: dt.date

    @property
    def deadlines(self) -> list[Deadline]:
        """Every deadline of every system and of the owner, overdue first, then by date."""
        return sorted(
            [*(d for e in self.entries for d in e.deadlines), *self.owner_deadlines],
            key=_sort_key,
        )

    @property
    def overdue(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.overdue]

    @property
    def ordered(self) -> list[Entry]:
        """Systems worst first (overdue, action, due soon, fine), then by ID."""
        return sorted(self.entries, key=lambda e: (STATE_ORDER[e.state], e.id))

    def totals(self) -> dict[str, dict[str, int]]:
        """Counts per level, approval standing and calendar state (every key present)."""
        levels = Counter("none" if e.level is None else str(e.level) for e in self.entries)
        return {
            "systems": {"total": len(self.entries)},
            "by_level": {k: levels.get(k, 0) for k in ("1", "2", "3", "4", "5", "none")},
            "by_approval": {
                s.value: sum(1 for e in self.entries if e.standing.status is s) for s in Status
            },
            "by_state": {s.value: sum(1 for e in self.entries if e.state is s) for s in State},
            "deadlines": {
                "overdue": len(self.overdue),
                "due_soon": sum(1 for d in self.deadlines if d.soon(self.today)),
                "total": len(self.deadlines),
            },
        }

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "totals": self.totals(),
            "systems": [e.to_json(lang) for e in self.ordered],
            "owner_deadlines": [d.to_json(lang, self.today) for d in self.owner_deadlines],
            "deadlines": [d.to_json(lang, self.today) for d in self.deadlines],
        }


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, kept inside the month (31/08 + 6 → 28/02 or 29/02)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def inspections_of(data: Mapping[str, Any]) -> list[Inspection]:
    """The profile's recorded inspections, oldest first."""
    out = [
        Inspection(_date(i["date"]), i.get("by"), i.get("result"), i.get("report"))
        for i in data.get("inspections") or ()
    ]
    return sorted(out, key=lambda i: i.date)


def inspection_cycle(c: Classification) -> tuple[int | None, tuple[Citation, ...]]:
    """The inspection cycle (months) of the system's level, and its source.

    The regime's own cycle when it fixes one (the level's, else the organisation-wide check
    that covers it), else the owner's `inspection_interval_months`, cited to the article
    that leaves the cycle to the owner.
    """
    if c.level is None:
        return None, ()
    insp = c.regime.level_data(inspection_level(c.regime, c.level, c.root.flags)).get(
        "inspection", {}
    )
    source = tuple(insp.get("source") or ())
    months = insp.get("interval_months") or insp.get("organisation_wide_months")
    if months:
        return int(months), source
    own = c.profile.data.get("inspection_interval_months")
    if own:
        return int(own), source
    return None, source


def _approval_deadline(c: Classification, s: Standing, today: dt.date) -> Deadline | None:
    pid = c.profile.id
    lifecycle = c.profile.data.get("lifecycle")
    if s.status is Status.NOT_APPROVED:
        if s.due is not None:
            return Deadline(
                pid,
                Kind.APPROVAL,
                s.due,
                Msg.of("deadline.approval_transition", regime=c.regime.id),
                s.sources,
                s.due < today,
            )
        if lifecycle == "retired":
            return None
        operating = lifecycle == "operating"
        return Deadline(
            pid,
            Kind.APPROVAL,
            None,
            Msg.of("deadline.approval_operating" if operating else "deadline.approval_before_live"),
            (*s.sources, Citation("Decree 331/2026", 30, 6))
            if c.regime.id == "nd331-2026"
            else s.sources,
            operating,
        )
    if s.status is Status.REDETERMINE:
        return Deadline(
            pid,
            Kind.APPROVAL,
            None,
            Msg.of("deadline.redetermine", level=s.level if s.level is not None else "—"),
            s.sources,
            True,
        )
    return None


def entry_of(
    c: Classification,
    today: dt.date,
    transition: Transition | None = None,
    rules: InForce | None = None,
) -> Entry:
    """One system's standing and calendar on `today` (pure)."""
    rules = rules or load_in_force()
    s = standing_of(c, today, rules)
    data = c.profile.data
    pid = c.profile.id
    out: list[Deadline] = []
    ap = _approval_deadline(c, s, today)
    if ap is not None:
        out.append(ap)
    retired = data.get("lifecycle") == "retired"
    rule = choose_rule(c.profile, transition) if transition is not None else None
    if rule is not None:
        for d in rule.deadlines:
            if "appraisal" in d.id:
                continue  # the approval deadline above
            last = d.due - dt.timedelta(days=1)
            out.append(
                Deadline(
                    pid,
                    Kind.TRANSITION,
                    last,
                    d.text,
                    d.source,
                    last < today,
                    d.id,
                )
            )
    inspections = inspections_of(data)
    last_insp = inspections[-1] if inspections else None
    months, cycle_source = inspection_cycle(c)
    if months and not retired:
        base = last_insp.date if last_insp else (s.approval.date if s.approval else None)
        if base is not None:
            due = add_months(base, months)
            key = "deadline.inspection" if last_insp else "deadline.inspection_first"
            out.append(
                Deadline(
                    pid,
                    Kind.INSPECTION,
                    due,
                    Msg.of(key, months=months, last=base),
                    cycle_source,
                    due < today,
                )
            )
    if not retired:
        for d in (c.regime.raw.get("reporting") or {}).get("deadlines", []):
            if d["to"] != "owner":
                continue
            last = _before(today, d["by"])
            out.append(
                Deadline(
                    pid,
                    Kind.ANNUAL_REPORT,
                    last,
                    Msg.of("deadline.annual_to_owner", year=last.year),
                    d["source"],
                    False,
                    str(last.year),
                )
            )
    for w in data.get("waivers") or ():
        expires = _date(w["expires"])
        out.append(
            Deadline(
                pid,
                Kind.WAIVER,
                expires,
                Msg.of("deadline.waiver", requirement=w["requirement"]),
                (),
                expires < today,
                w["requirement"],
            )
        )
    for rid, control in sorted((data.get("controls") or {}).items()):
        if control.get("due") is None or control.get("status") not in OPEN_CONTROLS:
            continue
        due = _date(control["due"])
        out.append(
            Deadline(
                pid,
                Kind.CONTROL,
                due,
                Msg.of(
                    "deadline.control",
                    requirement=rid,
                    status=Msg.of(f"deadline.control_status.{control['status']}"),
                ),
                (),
                due < today,
                rid,
            )
        )
    return Entry(c, s, tuple(sorted(out, key=_sort_key)), last_insp, months, cycle_source, today)


def _before(today: dt.date, month_day: str) -> dt.date:
    """The last day of the next "before MM-DD" limit still open on `today`."""
    month, day = (int(x) for x in month_day.split("-"))
    limit = dt.date(today.year, month, day)
    if limit <= today:
        limit = dt.date(today.year + 1, month, day)
    return limit - dt.timedelta(days=1)


def owner_deadlines(entries: Sequence[Entry], today: dt.date) -> list[Deadline]:
    """The owner's annual report to the ministry, once per regime the systems fall under."""
    out: list[Deadline] = []
    seen: set[str] = set()
    for e in entries:
        regime = e.classification.regime
        if regime.id in seen:
            continue
        seen.add(regime.id)
        for d in (regime.raw.get("reporting") or {}).get("deadlines", []):
            if d["to"] == "owner":
                continue
            last = _before(today, d["by"])
            out.append(
                Deadline(
                    "",
                    Kind.ANNUAL_REPORT,
                    last,
                    Msg.of("deadline.annual_to_ministry", year=last.year, regime=regime.id),
                    d["source"],
                    False,
                    str(last.year),
                )
            )
    return out


def portfolio(
    classifications: Sequence[Classification],
    today: dt.date,
    transition: Transition | None = None,
    rules: InForce | None = None,
) -> Portfolio:
    """The portfolio of `classifications` on `today` (pure)."""
    rules = rules or load_in_force()
    entries = tuple(entry_of(c, today, transition, rules) for c in classifications)
    return Portfolio(entries, tuple(owner_deadlines(entries, today)), today)


__all__ = [
    "SOON_DAYS",
    "Deadline",
    "Entry",
    "Inspection",
    "Kind",
    "Portfolio",
    "State",
    "add_months",
    "entry_of",
    "inspection_cycle",
    "inspections_of",
    "portfolio",
]
