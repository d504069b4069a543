"""The owner's annual report on the security of its systems by level, as the regime asks it.

Under Decree 85/2016 the report is that of Circular 12/2022: annual and ad hoc (Art. 13.2),
on data from 15 December of the year before to 14 December (Art. 13.3); the operating unit
and the security unit report to the owner before 20 December, the owner to the Ministry of
Information and Communications before 25 December (Art. 13.4); its content is the eleven
items of Art. 14. Decree 331/2026 keeps the dates and the channel (Art. 35: to the Ministry
of Public Security) and asks twelve items (Art. 36), adding "Danh sách hệ thống thông tin
có căn cứ đề xuất đưa vào Danh mục hệ thống thông tin quan trọng về an ninh quốc gia" as
its item 3. Which one a report follows is the regime in force on the day its data close
(14 December of the year), unless the caller names one.

`annual_report` is pure: it sorts the systems of a `Portfolio` into the items of the
regime, from the profiles' facts (approval, security regulation, inspections) and the
coverage of each system's plan by its declared controls (`assure.law.gap`). An item the
profiles cannot answer says so rather than guessing (e.g. compliance with the security
regulation is read from the conclusion of the inspections of the period).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assure.law.applicable import InForce, load_in_force
from assure.law.citation import Citation
from assure.law.gap import Coverage, GapReport
from assure.law.portfolio import Entry, Inspection, Portfolio, inspections_of
from assure.law.regime import Regime, load_regime

#: The items of the report per regime: (item key, the citation of the item).
ITEMS: Mapping[str, tuple[tuple[str, Citation], ...]] = {
    "nd85-2016": tuple(
        (key, Citation("Circular 12/2022", 14, i + 1))
        for i, key in enumerate(
            (
                "units",
                "systems",
                "approved",
                "implementation",
                "regulation",
                "compliance",
                "inspected",
                "assessment",
                "decisions",
                "regulation_decisions",
                "other",
            )
        )
    ),
    "nd331-2026": tuple(
        (key, Citation("Decree 331/2026", 36, i + 1))
        for i, key in enumerate(
            (
                "units",
                "systems",
                "national_security",
                "approved",
                "implementation",
                "regulation",
                "compliance",
                "inspected",
                "assessment",
                "decisions",
                "regulation_decisions",
                "other",
            )
        )
    ),
}
#: Where each regime sets the period and the deadlines of the report.
PERIOD: Mapping[str, tuple[Citation, ...]] = {
    "nd85-2016": (Citation("Circular 12/2022", 13, 3), Citation("Circular 12/2022", 13, 4)),
    "nd331-2026": (Citation("Decree 331/2026", 35, 3), Citation("Decree 331/2026", 35, 4)),
}


@dataclass(frozen=True, slots=True)
class SystemYear:
    """One system's facts for the year's report."""

    entry: Entry
    coverage: Coverage | None
    gaps: GapReport | None
    inspections: tuple[Inspection, ...]  # those within the period
    implementation: str  # full | partial | none | unknown
    compliance: str  # compliant | partly_compliant | non_compliant | unknown
    national_security: bool

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass(frozen=True, slots=True)
class AnnualReport:
    """The report of one year under one regime."""

    year: int
    regime: Regime
    period: tuple[dt.date, dt.date]
    day: dt.date
    portfolio: Portfolio
    systems: tuple[SystemYear, ...]
    items: tuple[tuple[str, Citation], ...]
    authority: Mapping[str, str] = field(default_factory=dict)

    @property
    def deadlines(self) -> tuple[dt.date, dt.date]:
        """The last day of the units' report to the owner and of the owner's to the ministry."""
        dl = {
            d["to"]: d["by"] for d in (self.regime.raw.get("reporting") or {}).get("deadlines", [])
        }
        out = []
        for key in ("owner", next((k for k in dl if k != "owner"), "owner")):
            month, day = (int(x) for x in dl.get(key, "12-25").split("-"))
            out.append(dt.date(self.year, month, day) - dt.timedelta(days=1))
        return out[0], out[1]

    def counts(self) -> dict[str, int]:
        s = self.systems
        return {
            "systems": len(s),
            "approved": sum(1 for x in s if x.entry.standing.approval is not None),
            "implementation_full": sum(1 for x in s if x.implementation == "full"),
            "implementation_partial": sum(1 for x in s if x.implementation == "partial"),
            "implementation_none": sum(1 for x in s if x.implementation == "none"),
            "regulation": sum(
                1 for x in s if x.entry.classification.profile.data.get("security_regulation")
            ),
            "inspected": sum(1 for x in s if x.inspections),
            "national_security": sum(1 for x in s if x.national_security),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "regime": self.regime.id,
            "period": [self.period[0].isoformat(), self.period[1].isoformat()],
            "day": self.day.isoformat(),
            "deadlines": {
                "to_owner": self.deadlines[0].isoformat(),
                "to_ministry": self.deadlines[1].isoformat(),
            },
            "items": [{"item": k, "source": c.compact()} for k, c in self.items],
            "counts": self.counts(),
            "systems": [
                {
                    "id": x.id,
                    "level": x.entry.level,
                    "approval": x.entry.standing.approval.to_json()
                    if x.entry.standing.approval
                    else None,
                    "standing": x.entry.standing.status.value,
                    "implementation": x.implementation,
                    "covered_pct": round(x.coverage.covered_pct, 1) if x.coverage else None,
                    "compliance": x.compliance,
                    "inspections": [i.to_json() for i in x.inspections],
                    "national_security": x.national_security,
                }
                for x in self.systems
            ],
        }


def report_regime(year: int, rules: InForce | None = None) -> str:
    """The regime in force on the day the year's data close (14 December)."""
    rules = rules or load_in_force()
    return rules.current if dt.date(year, 12, 14) >= rules.current_from else rules.previous


def period_of(year: int) -> tuple[dt.date, dt.date]:
    """15 December of the year before to 14 December (Circular 12/2022 Art. 13.3)."""
    return dt.date(year - 1, 12, 15), dt.date(year, 12, 14)


def implementation_of(coverage: Coverage | None) -> str:
    """Full, partial or no implementation of the plan, from its coverage by the controls."""
    if coverage is None:
        return "unknown"
    if coverage.applicable and coverage.covered_pct >= 100.0:
        return "full"
    if coverage.passed or coverage.waived or coverage.counts.get("warn"):
        return "partial"
    return "none"


def compliance_of(inspections: Sequence[Inspection]) -> str:
    """The conclusion of the last inspection of the period, else unknown."""
    for i in reversed(inspections):
        if i.result:
            return i.result
    return "unknown"


def annual_report(
    pf: Portfolio,
    year: int,
    regime_id: str,
    gaps: Mapping[str, GapReport],
) -> AnnualReport:
    """The year's report of the portfolio `pf` (evaluated on the report's day) under
    `regime_id`, with each system's gap report where its plan could be built."""
    regime = load_regime(regime_id)
    start, end = period_of(year)
    systems: list[SystemYear] = []
    for e in sorted(pf.entries, key=lambda x: x.id):
        gap = gaps.get(e.id)
        cov = gap.overall if gap is not None else None
        within = tuple(
            i for i in inspections_of(e.classification.profile.data) if start <= i.date <= end
        )
        flags = set(e.classification.root.flags)
        systems.append(
            SystemYear(
                e,
                cov,
                gap,
                within,
                implementation_of(cov),
                compliance_of(within),
                e.level == 5 or any("national_security" in f for f in flags),
            )
        )
    authority = (regime.raw.get("reporting") or {}).get("authority") or {}
    return AnnualReport(
        year, regime, (start, end), pf.today, pf, tuple(systems), ITEMS[regime_id], authority
    )


__all__ = [
    "ITEMS",
    "PERIOD",
    "AnnualReport",
    "SystemYear",
    "annual_report",
    "compliance_of",
    "implementation_of",
    "period_of",
    "report_regime",
]
