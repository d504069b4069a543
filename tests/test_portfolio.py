"""The portfolio's calendar (`assure.law.portfolio`) and the annual report's items
(`assure.law.annual`), from the texts that set each date."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from assure.inputs.profile import load_profile
from assure.law.annual import ITEMS, annual_report, period_of, report_regime
from assure.law.applicable import regime_for
from assure.law.approval import Status
from assure.law.citation import load_outlines
from assure.law.classify import Classification, classify
from assure.law.portfolio import Kind, State, add_months, entry_of, portfolio
from assure.law.regime import load_regime
from assure.law.transition import load_transition
from tests.conftest import write

TR = load_transition("nd85-2016", "nd331-2026")
TODAY = dt.date(2026, 12, 2)

BASE = """\
id: {id}
name: Hệ thống thử
lifecycle: operating
owner: {{name: Sở Khoa học và Công nghệ tỉnh Bình An}}
classification:
  system_type: citizen_business
  information: [public, personal]
  online_public_service_level: 2
  conditional_business: false
  personal_data_users: 150000
  administrative_procedures: true
  sensitive_personal_data_users: 0
"""


def classified(path: Path, day: dt.date = TODAY, regime: str | None = None) -> Classification:
    p = load_profile(path)
    choice = regime_for(p.data, p.regime, regime, day)
    return replace(classify(p, load_regime(choice.regime)), choice=choice)


def profile(tmp_path: Path, extra: str = "", pid: str = "he-thong-thu") -> Path:
    return write(tmp_path / f"{pid}.yaml", BASE.format(id=pid) + extra)


def test_add_months_stays_inside_the_month() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2025, 11, 5), 12) == dt.date(2026, 11, 5)


def test_decree_85_inspection_cycle_of_level_3_is_a_year(tmp_path: Path) -> None:
    """Decree 85/2016 Art. 20.2.c: periodic inspection and risk assessment "định kỳ 02 năm
    một lần" for the organisation, yearly ("hằng năm") for level 3 and 4 systems, every six
    months for level 5."""
    path = profile(tmp_path, "inspections:\n  - {date: 2025-11-05, result: compliant}\n")
    e = entry_of(classified(path, regime="nd85-2016"), TODAY, TR)
    assert e.level == 3 and e.cycle_months == 12
    insp = next(d for d in e.deadlines if d.kind is Kind.INSPECTION)
    assert insp.due == dt.date(2026, 11, 5) and insp.overdue
    assert insp.basis("vi") == "điểm c khoản 2 Điều 20 Nghị định số 85/2016/NĐ-CP"
    assert "lần gần nhất 05/11/2025" in insp.text("vi")


def test_decree_331_leaves_the_cycle_to_the_owner(tmp_path: Path) -> None:
    """Decree 331/2026 Art. 28.5.a: inspection "định kỳ theo cấp độ hệ thống thông tin và mức
    độ rủi ro an ninh mạng" — no fixed cycle, so no date without the owner's own."""
    path = profile(tmp_path, "inspections:\n  - {date: 2025-11-05}\n")
    e = entry_of(classified(path), TODAY, TR)
    assert e.regime == "nd331-2026" and e.cycle_months is None
    assert not [d for d in e.deadlines if d.kind is Kind.INSPECTION]
    own = profile(tmp_path, "inspections:\n  - {date: 2026-03-01}\ninspection_interval_months: 9\n")
    e = entry_of(classified(own), TODAY, TR)
    insp = next(d for d in e.deadlines if d.kind is Kind.INSPECTION)
    assert insp.due == dt.date(2026, 12, 1) and insp.overdue
    assert "điểm a khoản 5 Điều 28 Nghị định số 331/2026/NĐ-CP" in insp.basis("vi")


def test_first_inspection_is_due_a_cycle_after_the_approval(tmp_path: Path) -> None:
    path = profile(
        tmp_path,
        "approval: {decision: 5/QĐ-UBND, date: 2026-09-01, level: 3, regime: nd331-2026}\n"
        "inspection_interval_months: 12\n",
    )
    e = entry_of(classified(path), TODAY, TR)
    assert e.standing.status is Status.CURRENT
    insp = next(d for d in e.deadlines if d.kind is Kind.INSPECTION)
    assert insp.due == dt.date(2027, 9, 1) and not insp.overdue


def test_annual_report_is_due_before_20_december(tmp_path: Path) -> None:
    """Circular 12/2022 Art. 13.4.a / Decree 331/2026 Art. 35.4.a: the operating unit and the
    security unit report to the owner "trước ngày 20 tháng 12 hằng năm"; the owner to the
    ministry "trước ngày 25 tháng 12" (Art. 13.4.b / 35.4.b)."""
    path = profile(tmp_path)
    pf = portfolio([classified(path)], TODAY, TR)
    (own,) = [d for d in pf.entries[0].deadlines if d.kind is Kind.ANNUAL_REPORT]
    assert own.due == dt.date(2026, 12, 19) and not own.overdue and own.soon(TODAY)
    assert own.basis("en") == "Art. 35.4.a Decree 331/2026/ND-CP"
    (ministry,) = pf.owner_deadlines
    assert ministry.due == dt.date(2026, 12, 24)
    assert ministry.basis("en") == "Art. 35.4.b Decree 331/2026/ND-CP"
    # On 20 December the units' limit is next year's; the owner's still runs to the 24th.
    day = dt.date(2026, 12, 20)
    later = portfolio([classified(path, day)], day, TR)
    units = next(d for d in later.entries[0].deadlines if d.kind is Kind.ANNUAL_REPORT)
    assert units.due == dt.date(2027, 12, 19)
    assert later.owner_deadlines[0].due == dt.date(2026, 12, 24)


def test_operating_without_approval_is_overdue_now(tmp_path: Path) -> None:
    """Decree 331/2026 Art. 30.6: the approved plan is in place before a system goes live;
    an operating system without an approved level is late already."""
    e = entry_of(classified(profile(tmp_path)), TODAY, TR)
    ap = e.deadlines[0]
    assert ap.kind is Kind.APPROVAL and ap.due is None and ap.overdue
    assert e.state is State.OVERDUE
    assert "khoản 6 Điều 30 Nghị định số 331/2026/NĐ-CP" in ap.basis("vi")


def test_building_system_in_the_transition_has_until_the_window_ends(tmp_path: Path) -> None:
    """Decree 331/2026 Art. 39.1: six months from 01/07/2026 to finish the approval under
    Decree 85/2016."""
    path = write(
        tmp_path / "xd.yaml",
        BASE.format(id="xd").replace("lifecycle: operating", "lifecycle: building")
        + "construction_started: 2026-03-01\n",
    )
    e = entry_of(classified(path), TODAY, TR)
    assert e.regime == "nd85-2016"
    ap = next(d for d in e.deadlines if d.kind is Kind.APPROVAL)
    assert ap.due == dt.date(2026, 12, 31) and not ap.overdue
    assert [d.subject for d in e.deadlines if d.kind is Kind.TRANSITION] == ["meet_nd331_measures"]


def test_waivers_and_controls_overdue_first(tmp_path: Path) -> None:
    path = profile(
        tmp_path,
        "approval: {decision: 5/QĐ-UBND, date: 2026-09-01, level: 3, regime: nd331-2026}\n"
        "controls:\n"
        "  TCVN14423.EDR: {status: planned, due: 2026-06-30}\n"
        "  TCVN14423.SIEM: {status: implemented, due: 2026-01-31}\n"
        "waivers:\n"
        "  - {requirement: TCVN14423.WAF, reason: thay thiết bị, approver: Giám đốc,"
        " expires: 2027-03-31}\n",
    )
    e = entry_of(classified(path), TODAY, TR)
    kinds = [(d.kind, d.subject, d.overdue) for d in e.deadlines]
    assert kinds[0] == (Kind.CONTROL, "TCVN14423.EDR", True)
    assert (Kind.WAIVER, "TCVN14423.WAF", False) in kinds
    assert all(s != "TCVN14423.SIEM" for _k, s, _o in kinds)  # implemented: nothing owed
    assert "đang lập kế hoạch" in e.deadlines[0].text("vi")


def test_bundled_portfolio_totals() -> None:
    from assure.commands.inventory import load_portfolio

    pf, invalid = load_portfolio(["profiles"], None, TODAY)
    assert not invalid
    tot = pf.totals()
    assert tot["systems"]["total"] == 20
    assert sum(tot["by_level"].values()) == 20
    by = tot["by_approval"]
    assert by["not_approved"] >= 2 and by["current"] >= 2 and by["redetermine"] >= 1
    assert by["superseded"] >= 5
    assert tot["deadlines"]["overdue"] == len(pf.overdue) > 0
    states = [e.state for e in pf.ordered]
    assert states == sorted(states, key=list(State).index)  # worst first
    motcua = next(e for e in pf.entries if e.id == "motcua-xa-an-phu")
    # Approved at level 2 under Decree 85/2016; Decree 331/2026 Art. 13.2 (administrative
    # procedures) gives level 3 today.
    assert motcua.standing.status is Status.REDETERMINE and motcua.level == 3


@pytest.mark.parametrize(
    ("year", "regime", "items"), [(2025, "nd85-2016", 11), (2026, "nd331-2026", 12)]
)
def test_annual_report_items_per_regime(year: int, regime: str, items: int) -> None:
    """Circular 12/2022 Art. 14 lists 11 items; Decree 331/2026 Art. 36 lists 12, its item 3
    the candidates for the list of systems important to national security."""
    assert report_regime(year) == regime
    assert len(ITEMS[regime]) == items
    assert period_of(year) == (dt.date(year - 1, 12, 15), dt.date(year, 12, 14))
    if regime == "nd331-2026":
        assert ITEMS[regime][2][0] == "national_security"
    outlines = load_outlines()
    for _key, c in ITEMS[regime]:
        assert outlines[c.document].problem(c) is None, c


def test_annual_report_counts_inspections_of_the_period(tmp_path: Path) -> None:
    path = profile(
        tmp_path,
        "approval: {decision: 5/QĐ-UBND, date: 2026-09-01, level: 3, regime: nd331-2026}\n"
        "security_regulation: {decision: 4/QĐ-UBND, date: 2026-08-01}\n"
        "inspections:\n"
        "  - {date: 2025-12-10, result: non_compliant}\n"
        "  - {date: 2026-06-10, result: partly_compliant}\n",
    )
    day = dt.date(2026, 12, 14)
    pf = portfolio([classified(path, day)], day, TR)
    r = annual_report(pf, 2026, "nd331-2026", {})
    (x,) = r.systems
    assert [i.date for i in x.inspections] == [dt.date(2026, 6, 10)]  # 10/12/2025 is last year's
    assert x.compliance == "partly_compliant" and x.implementation == "unknown"
    assert r.counts()["regulation"] == 1 and r.counts()["approved"] == 1
    assert r.deadlines == (dt.date(2026, 12, 19), dt.date(2026, 12, 24))
