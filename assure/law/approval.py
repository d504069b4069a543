"""The approval standing of a system: is its level approved, and does the approval still hold?

A level is approved once, by a decision (Decree 85/2016 Art. 14; Decree 331/2026 Arts. 18,
20), and then outlives the facts it was approved on. What a portfolio, a launch gate or an
auditor asks is whether that decision still stands today, which is a pure function of four
things: the decision on record (the profile's `approval`), the regime in force for the system
today (`assure.law.applicable.choose`), the level today's facts give under that regime
(`assure.law.classify`), and the day. The answer is one of:

- `not_approved` — no decision on record (or one dated after today). The owner must have
  the level determined, appraised and approved (Decree 331/2026 Art. 31.2.a: the owner
  directs the operating unit to determine the level and organises appraisal and approval).
  A system in the transition of Decree 331/2026 Art. 39.1 (under construction before
  01/07/2026) finishes it under Decree 85/2016 within six months of Law 116/2025 taking
  effect: the standing carries that date.
- `current` — approved under the regime in force at the level today's facts give.
- `redetermine` — approved at another level than today's facts give. Re-determining an
  approved level follows the procedure of the first determination (Decree 85/2016 Art. 18;
  Decree 331/2026 Art. 25: "đã được phê duyệt cấp độ, trong trường hợp phải xác định lại
  cấp độ cho phù hợp với tình hình thực tế thì thực hiện theo trình tự, thủ tục xác định lần
  đầu").
- `superseded` — approved under Decree 85/2016, now superseded, at the level today's facts
  still give. The level stands: a system classified under the Law on Network Information
  Security 86/2015 keeps its level and within 12 months of 01/07/2026 meets the Law 116/2025
  conditions and measures for it (Law 116/2025 Art. 45.1); Decree 331/2026 Art. 39.1 says the
  same of a system still under construction, whose approval under Decree 85/2016 had to be
  finished within six months. The standing carries the date the measures are due. An
  approval under Decree 85/2016 dated after that six-month window is outside Decree 331/2026
  Art. 39.1 and
  the level is to be determined again under Decree 331/2026 (`redetermine`).
- `undetermined` — approved, but today's facts give no level (the profile leaves a deciding
  fact open), so whether the approval still fits cannot be said.

Only `current` and `superseded` are in good standing (`Standing.ok`). Every standing carries
its citations as `Citation`s and its wording as a catalogue message (`approval.*`), so the
law decides and a report words it in either language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assure import i18n
from assure.i18n import Msg
from assure.law.applicable import InForce, load_in_force
from assure.law.citation import DOCUMENTS, Citation, compact
from assure.law.classify import Classification
from assure.law.regime import Lang


class Status(StrEnum):
    """The approval standing of one system (see the module's docstring)."""

    NOT_APPROVED = "not_approved"
    CURRENT = "current"
    REDETERMINE = "redetermine"
    SUPERSEDED = "superseded"
    UNDETERMINED = "undetermined"


#: The standings an approval is good in: the level on record may be relied on today.
GOOD = frozenset({Status.CURRENT, Status.SUPERSEDED})

#: Who approves a level, per regime (the article the owner's duty comes from).
APPROVES: Mapping[str, tuple[Citation, ...]] = {
    "nd85-2016": (Citation("Decree 85/2016", 14),),
    "nd331-2026": (Citation("Decree 331/2026", 18), Citation("Decree 331/2026", 31, 2, "a")),
}
#: Re-determination of an approved level: the same procedure as the first time.
REDETERMINATION: Mapping[str, Citation] = {
    "nd85-2016": Citation("Decree 85/2016", 18),
    "nd331-2026": Citation("Decree 331/2026", 25),
}
#: A level determined under the previous law stands; its measures are due within 12 months.
KEEPS_LEVEL = Citation("Law 116/2025", 45, 1)
#: The transition of systems under construction before 01/07/2026.
TRANSITION = Citation("Decree 331/2026", 39, 1)
#: The decree each regime is named after, for the wording of a standing.
REGIME_DOCUMENT: Mapping[str, str] = {
    "nd85-2016": "Decree 85/2016",
    "nd331-2026": "Decree 331/2026",
}
_REGIME_PARAMS = frozenset({"under", "regime", "previous"})


def regime_name(regime: str, lang: Lang) -> str:
    """A regime by its decree's full name ("Nghị định số 85/2016/NĐ-CP"), else its ID."""
    doc = REGIME_DOCUMENT.get(regime)
    return DOCUMENTS[doc](lang) if doc is not None and doc in DOCUMENTS else regime


@dataclass(frozen=True, slots=True)
class Approval:
    """The decision on record: its number, date, the level it approved and under what regime."""

    decision: str
    date: dt.date
    level: int
    regime: str

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "date": self.date.isoformat(),
            "level": self.level,
            "regime": self.regime,
        }


@dataclass(frozen=True, slots=True)
class Standing:
    """The standing of a system's approval today, why, on what basis, and by when."""

    status: Status
    approval: Approval | None
    #: The level today's facts give under `regime` (None: not determined).
    level: int | None
    #: The regime in force for the system today.
    regime: str
    message: Msg
    sources: tuple[Citation, ...]
    #: The date by which the owner must act (approval, measures), when the law gives one.
    due: dt.date | None = None

    @property
    def ok(self) -> bool:
        """Whether the level on record may be relied on today."""
        return self.status in GOOD

    def reason(self, lang: Lang) -> str:
        """The standing in one sentence of `lang`: dates as the language writes them and
        regimes by the full name of their decree."""
        values: dict[str, Any] = {}
        for key, value in self.message.params:
            if isinstance(value, dt.date):
                value = i18n.date_short(value, lang)
            elif key in _REGIME_PARAMS:
                value = regime_name(str(value), lang)
            values[key] = value
        return i18n.t(self.message.key, lang, **values)

    def basis(self, lang: Lang) -> str:
        """The citations worded in `lang` (Vietnamese legal style, or the compact English)."""
        return "; ".join(c.render(lang) for c in self.sources)

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "ok": self.ok,
            "approval": self.approval.to_json() if self.approval else None,
            "level": self.level,
            "regime": self.regime,
            "reason": self.reason(lang),
            "sources": compact(self.sources),
            "due": self.due.isoformat() if self.due else None,
        }


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def approval_of(profile_data: Mapping[str, Any]) -> Approval | None:
    """The profile's `approval` (checked by the schema) as an `Approval`, or None."""
    raw = profile_data.get("approval")
    if not raw:
        return None
    return Approval(str(raw["decision"]), _date(raw["date"]), int(raw["level"]), raw["regime"])


def _in_transition(profile_data: Mapping[str, Any], rules: InForce) -> bool:
    """Whether the system is the Art. 39.1 case: under construction before 01/07/2026."""
    started = profile_data.get("construction_started")
    return (
        started is not None
        and _date(started) < rules.construction_before
        and profile_data.get("lifecycle") != "operating"
    )


def standing(
    approval: Approval | None,
    level: int | None,
    regime: str,
    today: dt.date,
    rules: InForce,
    *,
    in_transition: bool = False,
) -> Standing:
    """The standing of `approval` on `today`, given the regime in force and today's level.

    `in_transition` says the system is the Decree 331/2026 Art. 39.1 case (under construction
    before 01/07/2026): without an approval it has until the end of the six-month window.
    """
    if approval is None or approval.date > today:
        if approval is None:
            msg = Msg.of("approval.reason.none")
        else:
            msg = Msg.of("approval.reason.future", decision=approval.decision, date=approval.date)
        sources = APPROVES.get(regime, ())
        due = None
        if in_transition and today < rules.approval_window_ends:
            msg = Msg.of(
                "approval.reason.none_transition",
                window=rules.approval_window_ends,
                previous=rules.previous,
            )
            sources = (TRANSITION, *APPROVES.get(rules.previous, ()))
            due = rules.approval_window_ends - dt.timedelta(days=1)
        return Standing(Status.NOT_APPROVED, None, level, regime, msg, sources, due)
    params: dict[str, Any] = {
        "decision": approval.decision,
        "date": approval.date,
        "approved": approval.level,
        "level": level,
        "under": approval.regime,
        "regime": regime,
    }
    redo = REDETERMINATION.get(regime)
    redo_sources = (redo,) if redo else ()
    superseded = approval.regime == rules.previous and regime == rules.current
    if (
        superseded
        and approval.date >= rules.approval_window_ends
        and approval.date >= rules.current_from
    ):
        return Standing(
            Status.REDETERMINE,
            approval,
            level,
            regime,
            Msg.of("approval.reason.late_previous", window=rules.approval_window_ends, **params),
            (TRANSITION, *redo_sources),
        )
    if level is None:
        return Standing(
            Status.UNDETERMINED,
            approval,
            level,
            regime,
            Msg.of("approval.reason.undetermined", **params),
            redo_sources,
        )
    if level != approval.level:
        key = "approval.reason.higher" if level > approval.level else "approval.reason.lower"
        extra = (KEEPS_LEVEL,) if superseded else ()
        return Standing(
            Status.REDETERMINE,
            approval,
            level,
            regime,
            Msg.of(key, **params),
            (*redo_sources, *extra),
        )
    if superseded:
        due = rules.measures_by - dt.timedelta(days=1)
        sources = (KEEPS_LEVEL, TRANSITION) if in_transition else (KEEPS_LEVEL,)
        return Standing(
            Status.SUPERSEDED,
            approval,
            level,
            regime,
            Msg.of("approval.reason.superseded", measures=rules.measures_by, **params),
            sources,
            due,
        )
    if approval.regime != regime:
        # Approved under the regime that is not in force for this system today (a date
        # before Decree 331/2026 took effect, or a profile that names another regime): the
        # level is to be determined under the regime that applies.
        return Standing(
            Status.REDETERMINE,
            approval,
            level,
            regime,
            Msg.of("approval.reason.other_regime", **params),
            (*APPROVES.get(regime, ()), *redo_sources),
        )
    return Standing(
        Status.CURRENT,
        approval,
        level,
        regime,
        Msg.of("approval.reason.current", **params),
        APPROVES.get(regime, ()),
    )


def standing_of(c: Classification, today: dt.date, rules: InForce | None = None) -> Standing:
    """The standing of a classified profile's approval (the regime of `c` is the one in force
    for it, as `assure.law.applicable` chose it)."""
    rules = rules or load_in_force()
    data = c.profile.data
    return standing(
        approval_of(data),
        c.level,
        c.regime.id,
        today,
        rules,
        in_transition=_in_transition(data, rules),
    )


__all__ = [
    "APPROVES",
    "GOOD",
    "KEEPS_LEVEL",
    "REDETERMINATION",
    "TRANSITION",
    "Approval",
    "Standing",
    "Status",
    "approval_of",
    "regime_name",
    "standing",
    "standing_of",
]
