"""The approval standing of a system (`assure.law.approval`), from the texts it rests on."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from assure.inputs.profile import load_profile
from assure.law.applicable import load_in_force, regime_for
from assure.law.approval import (
    APPROVES,
    KEEPS_LEVEL,
    REDETERMINATION,
    TRANSITION,
    Approval,
    Status,
    approval_of,
    standing,
    standing_of,
)
from assure.law.citation import load_outlines
from assure.law.classify import classify
from assure.law.regime import load_regime
from assure.paths import profiles_dir

RULES = load_in_force()
TODAY = dt.date(2026, 12, 2)
ND85 = Approval("1234/QĐ-UBND", dt.date(2024, 9, 16), 3, "nd85-2016")
ND331 = Approval("88/QĐ-UBND", dt.date(2026, 10, 1), 3, "nd331-2026")


def test_no_decision_is_not_approved() -> None:
    """Decree 331/2026 Art. 31.2.a: the owner "chỉ đạo đơn vị vận hành hệ thống thông tin xác
    định, lập hồ sơ đề xuất cấp độ …; tổ chức thẩm định và phê duyệt hồ sơ đề xuất cấp độ"."""
    s = standing(None, 3, "nd331-2026", TODAY, RULES)
    assert s.status is Status.NOT_APPROVED and not s.ok
    assert s.due is None
    assert s.to_json("en")["sources"] == "Decree 331/2026 Arts. 18, 31.2.a"
    assert "khoản 2 Điều 31 Nghị định số 331/2026/NĐ-CP" in s.basis("vi")
    assert s.reason("vi").startswith("Chưa có quyết định phê duyệt cấp độ")


def test_no_decision_in_the_transition_is_due_within_six_months() -> None:
    """Decree 331/2026 Art. 39.1: a system under construction before 01/07/2026 finishes
    appraisal and approval "theo quy định tại Nghị định số 85/2016/NĐ-CP" "trong thời hạn 06
    tháng kể từ ngày Luật An ninh mạng số 116/2025/QH15 có hiệu lực thi hành"."""
    s = standing(None, 3, "nd85-2016", TODAY, RULES, in_transition=True)
    assert s.status is Status.NOT_APPROVED
    assert s.due == dt.date(2026, 12, 31)
    assert s.sources[0] == TRANSITION
    assert "Nghị định số 85/2016/NĐ-CP trước 01/01/2027" in s.reason("vi")
    assert "before 1 Jan 2027" in s.reason("en")
    # After the window the transition no longer gives a date.
    late = standing(None, 3, "nd331-2026", dt.date(2027, 2, 1), RULES, in_transition=True)
    assert late.due is None and late.sources == APPROVES["nd331-2026"]


def test_a_decision_dated_after_today_is_not_yet_an_approval() -> None:
    s = standing(ND331, 3, "nd331-2026", dt.date(2026, 9, 30), RULES)
    assert s.status is Status.NOT_APPROVED and s.approval is None
    assert "88/QĐ-UBND" in s.reason("vi") and "01/10/2026" in s.reason("vi")


def test_approved_under_the_regime_in_force_at_the_level_the_facts_give_is_current() -> None:
    s = standing(ND331, 3, "nd331-2026", TODAY, RULES)
    assert s.status is Status.CURRENT and s.ok and s.due is None
    assert s.to_json("en")["approval"] == {
        "decision": "88/QĐ-UBND",
        "date": "2026-10-01",
        "level": 3,
        "regime": "nd331-2026",
    }


@pytest.mark.parametrize(("level", "word"), [(4, "higher"), (2, "lower")])
def test_another_level_than_the_facts_give_is_redetermined(level: int, word: str) -> None:
    """Decree 331/2026 Art. 25: for a system whose level was approved, "trong trường hợp phải
    xác định lại cấp độ cho phù hợp với tình hình thực tế thì thực hiện theo trình tự, thủ tục
    xác định lần đầu" (Decree 85/2016 Art. 18 says the same)."""
    s = standing(ND331, level, "nd331-2026", TODAY, RULES)
    assert s.status is Status.REDETERMINE and not s.ok
    assert s.sources == (REDETERMINATION["nd331-2026"],)
    assert s.basis("vi") == "Điều 25 Nghị định số 331/2026/NĐ-CP"
    assert f"cấp độ {level} theo Nghị định số 331/2026/NĐ-CP" in s.reason("vi")
    assert s.message.key == f"approval.reason.{word}"
    # Under Decree 85/2016 the article is 18.
    old = standing(replace(ND331, regime="nd85-2016"), level, "nd85-2016", TODAY, RULES)
    assert old.sources == (REDETERMINATION["nd85-2016"],)
    assert old.basis("en") == "Art. 18 Decree 85/2016/ND-CP"


def test_approved_under_decree_85_keeps_its_level_until_the_measures_are_due() -> None:
    """Law 116/2025 Art. 45.1: a system whose level was determined under Law 86/2015 keeps it
    and within 12 months from 01/07/2026 meets the conditions and measures of that level."""
    s = standing(ND85, 3, "nd331-2026", TODAY, RULES)
    assert s.status is Status.SUPERSEDED and s.ok
    assert s.due == dt.date(2027, 6, 30)
    assert s.sources == (KEEPS_LEVEL,)
    assert "trước 01/07/2027" in s.reason("vi")
    assert "Nghị định số 85/2016/NĐ-CP" in s.reason("vi")
    # A system of the Art. 39.1 case cites that clause too.
    built = standing(ND85, 3, "nd331-2026", TODAY, RULES, in_transition=True)
    assert built.sources == (KEEPS_LEVEL, TRANSITION)


def test_approved_under_decree_85_at_another_level_is_redetermined_under_decree_331() -> None:
    s = standing(ND85, 4, "nd331-2026", TODAY, RULES)
    assert s.status is Status.REDETERMINE
    assert s.sources == (REDETERMINATION["nd331-2026"], KEEPS_LEVEL)


def test_a_decree_85_approval_after_the_window_is_outside_the_transition() -> None:
    """Art. 39.1 lets approval under Decree 85/2016 finish within six months; a decision of
    February 2027 under it does not stand."""
    late = Approval("9/QĐ-UBND", dt.date(2027, 2, 1), 3, "nd85-2016")
    s = standing(late, 3, "nd331-2026", dt.date(2027, 3, 1), RULES)
    assert s.status is Status.REDETERMINE
    assert s.sources[0] == TRANSITION
    assert "01/01/2027" in s.reason("vi")


def test_today_level_unknown_is_undetermined() -> None:
    s = standing(ND331, None, "nd331-2026", TODAY, RULES)
    assert s.status is Status.UNDETERMINED and not s.ok


def test_approved_under_a_regime_not_in_force_for_the_system() -> None:
    """A profile that names `regime: nd85-2016` while its decision is under Decree 331."""
    s = standing(ND331, 3, "nd85-2016", TODAY, RULES)
    assert s.status is Status.REDETERMINE
    assert "Nghị định số 85/2016/NĐ-CP" in s.reason("vi")


def test_every_citation_is_in_the_outline_of_its_document() -> None:
    outlines = load_outlines()
    cited = [
        *[c for cs in APPROVES.values() for c in cs],
        *REDETERMINATION.values(),
        KEEPS_LEVEL,
        TRANSITION,
    ]
    for c in cited:
        assert c.document in outlines, c
        assert outlines[c.document].problem(c) is None, c


def test_bundled_profile_standing() -> None:
    """The demo portal: level 3 approved under Decree 85/2016 in 2024."""
    p = load_profile(profiles_dir() / "cong-dvc-demo.yaml")
    choice = regime_for(p.data, p.regime, None, TODAY)
    c = replace(classify(p, load_regime(choice.regime)), choice=choice)
    assert approval_of(p.data) == ND85
    s = standing_of(c, TODAY)
    assert s.regime == "nd331-2026"
    assert s.status in (Status.SUPERSEDED, Status.REDETERMINE)
    assert s.to_json("vi")["status"] == s.status.value
