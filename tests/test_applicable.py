"""Which regime applies to a system on a given day (Decree 331/2026 Arts. 38, 39.1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assure.law.applicable import choose, load_in_force, regime_for
from assure.law.citation import Citation
from tests.assurance_helpers import LEVEL3_PORTAL
from tests.conftest import run_assure, write

RULES = load_in_force()
BUILDING = {"lifecycle": "building", "construction_started": dt.date(2026, 3, 1)}


def test_before_decree_331_takes_effect_decree_85_applies() -> None:
    """Decree 331/2026 Art. 38: "Nghị định này có hiệu lực thi hành kể từ ngày 19 tháng 8 năm
    2026" — the day before, Decree 85/2016 is the rule set."""
    c = choose({"lifecycle": "operating"}, dt.date(2026, 8, 18), RULES)
    assert c.regime == "nd85-2016"
    assert c.reason.vi.startswith("Áp dụng Nghị định số 85/2016/NĐ-CP vì")
    assert choose({"lifecycle": "operating"}, dt.date(2026, 8, 19), RULES).regime == "nd331-2026"


def test_system_in_construction_before_july_finishes_under_decree_85() -> None:
    """Decree 331/2026 Art. 39.1: "Đối với hệ thống thông tin đang trong quá trình đầu tư, xây
    dựng trước ngày 01 tháng 7 năm 2026, trong thời hạn 06 tháng kể từ ngày Luật An ninh mạng
    số 116/2025/QH15 có hiệu lực thi hành, các cơ quan, tổ chức có liên quan hoàn thành việc
    thẩm định, phê duyệt cấp độ theo quy định tại Nghị định số 85/2016/NĐ-CP"."""
    c = choose(BUILDING, dt.date(2026, 12, 1), RULES)
    assert c.regime == "nd85-2016"
    assert "khoản 1 Điều 39" in c.reason.vi and "01/03/2026" in c.reason.vi
    assert "01/07/2027" in c.reason.vi  # Decree 331 measures within 12 months
    assert [x.compact() for x in c.sources] == ["Decree 331/2026 Art. 39.1"]


def test_after_the_six_months_decree_331_applies() -> None:
    """Art. 39.1's six months run from Law 116/2025 taking effect (01/07/2026); after them the
    level is approved under Decree 331."""
    c = choose(BUILDING, dt.date(2027, 1, 2), RULES)
    assert c.regime == "nd331-2026"
    assert "đã hết" in c.reason.vi


def test_construction_started_after_july_is_decree_331() -> None:
    """Art. 39.1 covers only systems in construction before 01/07/2026."""
    facts = {"lifecycle": "building", "construction_started": dt.date(2026, 7, 15)}
    assert choose(facts, dt.date(2026, 12, 1), RULES).regime == "nd331-2026"


def test_unstated_construction_start_is_a_question() -> None:
    """A system being built without a stated start date is not assumed to be in the transition:
    Decree 331 applies and the question to answer is listed."""
    c = choose({"lifecycle": "building"}, dt.date(2026, 12, 1), RULES)
    assert c.regime == "nd331-2026"
    assert c.questions and "construction_started" in c.questions[0].en


def test_approved_level_leaves_nothing_for_the_transition() -> None:
    """A level already approved under Decree 85 is not appraised again under Art. 39.1; the
    system is held to Decree 331 and the output names the decision."""
    facts = {
        **BUILDING,
        "approval": {
            "decision": "12/QĐ-UBND",
            "date": dt.date(2026, 5, 4),
            "level": 3,
            "regime": "nd85-2016",
        },
    }
    c = choose(facts, dt.date(2026, 12, 1), RULES)
    assert c.regime == "nd331-2026"
    assert "12/QĐ-UBND" in c.reason.vi and "04/05/2026" in c.reason.vi


def test_option_and_profile_force_a_regime() -> None:
    """`--regime` wins over the profile's `regime`, which wins over the date."""
    assert regime_for(BUILDING, "nd331-2026", "nd85-2016", dt.date(2026, 12, 1)).forced
    c = regime_for(BUILDING, "nd331-2026", None, dt.date(2026, 12, 1))
    assert c.regime == "nd331-2026" and "hồ sơ hệ thống khai báo" in c.reason.vi


@pytest.mark.parametrize("command", ["plan", "gap"])
def test_every_output_says_which_regime_and_why(tmp_path: Path, command: str) -> None:
    """Without --regime the regime in force on --today applies, and the JSON says why."""
    prof = write(tmp_path / "p.yaml", LEVEL3_PORTAL + "lifecycle: operating\n")
    run = run_assure("--today", "2026-12-01", command, prof, "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["regime"] == "nd331-2026"
    assert data["regime_reason"].startswith("Áp dụng Nghị định số 331/2026/NĐ-CP vì")
    early = run_assure("--today", "2026-05-01", command, prof, "--format", "json")
    assert json.loads(early.out)["regime"] == "nd85-2016"


def test_classify_names_the_regime_applied(tmp_path: Path) -> None:
    """`classify` prints under its table which regime each profile was classified under."""
    prof = write(
        tmp_path / "p.yaml",
        LEVEL3_PORTAL + "lifecycle: building\nconstruction_started: 2026-02-01\n",
    )
    run = run_assure("--today", "2026-12-01", "classify", prof, "--lang", "en")
    assert run.code == 0, run.err
    assert "cong-l3: Applies Decree 85/2016/ND-CP because" in run.out
    data = json.loads(run_assure("--today", "2026-12-01", "classify", prof, "--format", "json").out)
    assert data[0]["regime"] == "nd85-2016"
    assert data[0]["regime_basis"] == ["Decree 331/2026 Art. 39.1"]


def test_bad_approval_is_exit_3(tmp_path: Path) -> None:
    """An approval without its regime is bad input: exit 3, file:line:column and the field."""
    prof = write(
        tmp_path / "p.yaml",
        LEVEL3_PORTAL + "approval: {decision: 1/QĐ, date: 2026-01-01, level: 3}\n",
    )
    run = run_assure("classify", prof)
    assert run.code == 3
    assert "approval" in run.err and "p.yaml:" in run.err


def test_rules_folder_without_dates_still_takes_a_forced_regime(tmp_path: Path) -> None:
    """A rules folder (ASSURE_CHECKLISTS) without `in-force.yaml` classifies under --regime;
    without --regime the missing file is bad data (exit 3, named), never a traceback."""
    import shutil

    from tests.conftest import ROOT, assert_no_traceback

    folder = tmp_path / "checklists"
    shutil.copytree(ROOT / "checklists" / "regimes", folder / "regimes")
    prof = write(tmp_path / "p.yaml", LEVEL3_PORTAL)
    env = {"ASSURE_CHECKLISTS": str(folder)}
    ok = run_assure("classify", "--regime", "nd85-2016", prof, env=env)
    assert ok.code == 0, ok.err
    bad = run_assure("classify", prof, env=env)
    assert bad.code == 3 and "in-force.yaml" in bad.err
    assert_no_traceback(bad)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("current_from: 2026-08-19", "current_from: 19/08/2026", "in-force.yaml:10:15"),
        ("  measures_by: 2027-07-01", "  measures_by: 2026-12-31", "in-force.yaml:19:16"),
        ("current: nd331-2026", "current: nd331", "in-force.yaml:6:10"),
        ("law_in_force: 2026-07-01", "law_in_force: 2026-07-01\nrepealed: 1", "in-force.yaml:13:1"),
        (
            "  source: [{doc: Decree 331/2026, art: 39, clause: 1}]",
            "  source: [{doc: Decree 331/2026, clause: 1}]",
            "in-force.yaml:20:",
        ),
    ],
)
def test_a_bad_in_force_file_is_exit_3_with_its_place(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    """`in-force.yaml` decides the regime of every system (Decree 331/2026 Art. 38: in force
    from 19/08/2026; Art. 39.1: a system built before 01/07/2026 finishes approval under
    Decree 85/2016 within 6 months), so it is checked like a profile: a date that is not a
    date, a window that ends before it opens, a regime without a name, an unknown key or a
    citation without its article stop the run with file:line:column (exit 3), forced regime
    or not."""
    import shutil

    from tests.conftest import ROOT, assert_no_traceback

    folder = tmp_path / "checklists"
    shutil.copytree(ROOT / "checklists", folder)
    path = folder / "in-force.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    prof = write(tmp_path / "p.yaml", LEVEL3_PORTAL)
    env = {"ASSURE_CHECKLISTS": str(folder)}
    for args in (("classify", prof), ("classify", "--regime", "nd85-2016", prof)):
        run = run_assure(*args, env=env)
        assert run.code == 3, run.err
        assert where in run.err, run.err
        assert_no_traceback(run)


def test_the_bundled_in_force_file_reads_as_the_texts_date_it() -> None:
    """Decree 331/2026 Art. 38 ("Nghị định này có hiệu lực thi hành từ ngày 19 tháng 8 năm
    2026") and Art. 39.1 (six months from Law 116/2025 taking effect on 01/07/2026 to finish
    appraisal and approval under Decree 85/2016; twelve to meet the Decree 331 measures)."""
    rules = load_in_force()
    assert rules.current_from == dt.date(2026, 8, 19)
    assert (rules.construction_before, rules.approval_window_ends, rules.measures_by) == (
        dt.date(2026, 7, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 7, 1),
    )
    assert rules.current_from_source == (Citation("Decree 331/2026", 38),)
