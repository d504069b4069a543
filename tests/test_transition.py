"""`assure transition`: directions, facts to supply, deadlines, summary and every format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import docx
import pytest

from assure.inputs.profile import load_profile
from assure.law.transition import load_transition, record_json, report_json, transitions
from tests.conftest import ROOT, assert_no_traceback, run_assure, write

DATA = ROOT / "tests" / "data" / "nd331"
TODAY = dt.date(2026, 11, 22)


def record(name: str, lang: str = "en") -> dict[str, Any]:
    """The transition record of one fixture profile."""
    tr = load_transition("nd85-2016", "nd331-2026")
    [rec] = transitions([load_profile(DATA / f"{name}.yaml")], tr)
    return record_json(rec, tr, TODAY, lang)  # type: ignore[arg-type]


def test_up_by_administrative_procedures() -> None:
    """A one-stop system goes from level 2 to 3 under Art. 13.2.b, and the report says so."""
    r = record("up-admin")
    assert (r["old"]["level"], r["new"]["level"], r["direction"]) == (2, 3, "up")
    moved = r["moved_by"]
    assert [m["id"] for m in moved] == ["nd331-2026:art13.2.b"]
    assert moved[0]["summary"] == (
        "A system that processes administrative procedures → level 3 (Art. 13.2.b Decree 331/2026)"
    )
    assert not r["missing_facts"]
    assert [d["due"] for d in r["deadlines"]] == ["2027-07-01"]
    assert r["deadlines"][0]["source"] == "Law 116/2025 Art. 45.1"


def test_same_level_under_construction_gets_both_deadlines() -> None:
    """A system being built keeps level 2; appraisal by 2027-01-01, measures by 2027-07-01."""
    r = record("same-building")
    assert (r["old"]["level"], r["new"]["level"], r["direction"]) == (2, 2, "same")
    assert r["moved_by"] == []
    assert [(d["id"], d["due"]) for d in r["deadlines"]] == [
        ("finish_appraisal_nd85", "2027-01-01"),
        ("meet_nd331_measures", "2027-07-01"),
    ]
    assert all(d["source"] == "Decree 331/2026 Art. 39.1" for d in r["deadlines"])
    assert r["deadlines"][0]["days_left"] == (dt.date(2027, 1, 1) - TODAY).days


def test_down_when_the_public_service_criterion_is_gone() -> None:
    """Online public services at level 3 no longer make level 3: the report shows what went."""
    r = record("down-portal")
    assert (r["old"]["level"], r["new"]["level"], r["direction"]) == (3, 2, "down")
    kinds = {(m["id"], m["change"]) for m in r["moved_by"]}
    assert ("nd85-2016:art9.2.a", "no_longer_applies") in kinds
    assert any(m["change"] == "decides" and m["level"] == 2 for m in r["moved_by"])


def test_missing_facts_make_the_new_level_provisional() -> None:
    """A citizen service that never stated the new facts is flagged, and its level provisional."""
    r = record("missing-facts")
    facts = {m["fact"] for m in r["missing_facts"]}
    assert facts == {"administrative_procedures", "sensitive_personal_data_users"}
    assert r["provisional"] is True
    assert r["new"]["level"] == 2


def test_missing_facts_that_cannot_raise_the_level_are_not_provisional() -> None:
    """At level 3 already, a missing level-3 fact is still listed but the level is final."""
    tr = load_transition("nd85-2016", "nd331-2026")
    [rec] = transitions([load_profile(ROOT / "profiles" / "dvc-binh-an.yaml")], tr)
    assert rec.new.level == 3
    assert rec.missing
    assert not rec.provisional


def test_composite_moves_through_its_component() -> None:
    """A composite system rises because a component processes administrative procedures."""
    r = record("composite")
    assert (r["old"]["level"], r["new"]["level"], r["direction"]) == (2, 3, "up")
    assert r["moved_by"][0]["node"] == "phan-he-dvc"
    assert r["moved_by"][0]["id"] == "nd331-2026:art13.2.b"


def test_undetermined_without_lifecycle() -> None:
    """No criterion under either regime: direction undetermined, and no deadline can be set."""
    r = record("undetermined")
    assert (r["old"]["level"], r["new"]["level"], r["direction"]) == (None, None, "undetermined")
    assert r["rule"]["id"] == "lifecycle_unknown"
    assert r["deadlines"] == []
    assert r["changes"] == []


def test_national_security_list_changes_the_procedure() -> None:
    """A level-3 system on the list: same level, but level-5 procedure and MPS appraisal."""
    r = record("national-security")
    assert (r["old"]["level"], r["new"]["level"]) == (3, 3)
    assert [f["id"] for f in r["new"]["flags"]] == ["national_security_important"]
    topics = {c["topic"]: c for c in r["changes"]}
    assert topics["procedure_level"]["new"] == "5"
    assert "Public Security" in topics["appraised_by"]["new"]


def test_changes_mark_unconfirmed_standard() -> None:
    """The TCVN 14423:2026 obligation appears as new and stays marked UNCONFIRMED."""
    r = record("up-admin")
    tcvn = [c for c in r["changes"] if "TCVN 14423" in (c["source"] or "")]
    assert tcvn
    assert all(c.get("unconfirmed") for c in tcvn)
    topics = {c["topic"] for c in r["changes"]}
    assert {"appraised_by", "reporting", "obligation", "dossier_part"} <= topics


def test_summary_matrix_counts_old_by_new() -> None:
    """The organisation-wide matrix counts systems by old and new level."""
    tr = load_transition("nd85-2016", "nd331-2026")
    profiles = [load_profile(p) for p in sorted(DATA.glob("*.yaml"))]
    rep = report_json(transitions(profiles, tr), tr, TODAY, "en")
    s = rep["summary"]
    assert s["systems"] == len(profiles) == 7
    assert s["matrix"]["2"]["3"] == 2  # up-admin, composite
    assert s["matrix"]["3"]["2"] == 1  # down-portal
    assert s["matrix"]["none"]["none"] == 1
    assert s["directions"] == {"up": 2, "same": 3, "down": 1, "undetermined": 1}
    assert sum(s["old_levels"].values()) == sum(s["new_levels"].values()) == 7


def test_table_exit_codes_and_bad_profiles(tmp_path: Path) -> None:
    """Bad profiles exit 3 and are named; the good ones are still reported."""
    run = run_assure("transition", DATA, ROOT / "tests" / "data" / "nd331-bad", "--lang", "en")
    assert run.code == 3
    assert_no_traceback(run)
    assert "bad.yaml" in run.err
    assert "motcua-an-phu" in run.out
    assert "Organisation-wide summary" in run.out
    ok = run_assure("transition", DATA / "up-admin.yaml")
    assert ok.code == 0, ok.err
    assert "tăng" in ok.out


def test_json_format_is_pure_json() -> None:
    """`--format json` writes only JSON to stdout."""
    run = run_assure("--today", "2026-11-22", "transition", DATA, "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["transition"] == "nd85-2016__nd331-2026"
    assert {s["id"] for s in data["systems"]} >= {"motcua-an-phu", "dvc-nong-nghiep"}


def test_markdown_report() -> None:
    """Markdown has the summary, one section per system and the deadlines."""
    run = run_assure("transition", DATA / "up-admin.yaml", "--format", "md", "--lang", "en")
    assert run.code == 0, run.err
    assert "## Organisation-wide summary" in run.out
    assert "## motcua-an-phu" in run.out
    assert "**1 Jul 2027**" in run.out  # the deadline as English writes a day
    assert "(UNCONFIRMED)" in run.out


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    """HTML has no external resources and a hostile system name renders as text."""
    prof = write(
        tmp_path / "x.yaml",
        "id: x\nname: <script>alert(1)</script>\nlifecycle: operating\n"
        "classification:\n  system_type: internal\n  information: [public]\n",
    )
    out = tmp_path / "r.html"
    run = run_assure("transition", prof, "--format", "html", "-o", out)
    assert run.code == 0, run.err
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "http://" not in html
    assert "https://" not in html
    assert html.startswith("<!DOCTYPE html>")


def test_docx_needs_output_and_opens_with_vietnamese(tmp_path: Path) -> None:
    """DOCX requires -o; the file opens with python-docx with Vietnamese headings and tables."""
    no_out = run_assure("transition", DATA, "--format", "docx")
    assert no_out.code == 2
    out = tmp_path / "r.docx"
    run = run_assure("transition", DATA, "--format", "docx", "-o", out)
    assert run.code == 0, run.err
    document = docx.Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Tổng hợp toàn cơ quan" in headings
    assert any(h.startswith("motcua-an-phu") for h in headings)
    assert "Tiêu chí làm thay đổi cấp độ" in headings
    assert document.tables
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "NĐ 85/2016 × NĐ 331/2026" in cells
    assert any("CHƯA XÁC NHẬN" in c for c in cells)


def test_unknown_transition_is_a_usage_error() -> None:
    """A regime pair without a transition file exits 2 and lists the known ones."""
    run = run_assure("transition", DATA, "--to", "nd999-2030")
    assert run.code == 2
    assert "nd85-2016 → nd331-2026" in run.err


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("fmt", ["table", "json", "md", "html", "docx"])
def test_every_fixture_in_every_format(fmt: str, lang: str, tmp_path: Path) -> None:
    """Every fixture case renders in every format and language without an error."""
    out = tmp_path / f"r.{fmt}"
    run = run_assure("transition", DATA, "--format", fmt, "--lang", lang, "-o", out)
    assert run.code == 0, run.err
    assert_no_traceback(run)
    assert out.stat().st_size > 0


@pytest.mark.parametrize("fmt", ["table", "json", "md", "html"])
def test_bundled_profiles_give_a_report(fmt: str) -> None:
    """`assure transition profiles/` reports every bundled example in every text format."""
    run = run_assure("transition", ROOT / "profiles", "--format", fmt)
    assert run.code == 0, run.err
    assert_no_traceback(run)
    assert "dvc-binh-an" in run.out


BUILDING_L3_TO_L2 = """id: xay-dung
name: Hệ thống đang xây dựng
lifecycle: building
construction_started: 2026-03-01
classification:
  system_type: citizen_business
  information: [public, personal]
  personal_data_users: 20000
  conditional_business: false
  administrative_procedures: false
"""


def test_before_column_is_the_old_regime_at_the_old_level(tmp_path: Path) -> None:
    """Decree 331/2026 Art. 39.1: a system "đang trong quá trình đầu tư, xây dựng trước ngày
    01 tháng 7 năm 2026" finishes "thẩm định, phê duyệt cấp độ theo quy định tại Nghị định số
    85/2016/NĐ-CP" — at its Decree 85 level. Level 3 under Decree 85 (20,000 users, Art.
    9.2.c) and level 2 under Decree 331 (Art. 12.2.b), it is approved "before" by the owner,
    as Decree 85 has level 3 approved, not by the body that approves level 2."""
    tr = load_transition("nd85-2016", "nd331-2026")
    [rec] = transitions([load_profile(write(tmp_path / "p.yaml", BUILDING_L3_TO_L2))], tr)
    r = record_json(rec, tr, dt.date(2026, 12, 1), "en")
    assert (r["old"]["level"], r["new"]["level"]) == (3, 2)
    assert r["compared"] == {"old_level": 3, "new_level": 2}
    topics = {c["topic"]: c for c in r["changes"]}
    assert topics["approved_by"]["old"] == "The system owner"
    assert topics["appraisal_limit"]["old"] == "15 days"  # Decree 85 Art. 16.2.a, level 3
    assert r["applies_now"]["regime"] == "nd85-2016"
    assert "Art. 39.1" in r["applies_now"]["regime_reason"]


def test_changes_cite_the_new_regimes_articles_in_the_pages_language() -> None:
    """Decree 331/2026 Art. 18.2: "a) Đơn vị chuyên trách về an ninh mạng của chủ quản hệ
    thống thông tin thực hiện thẩm định …; b) Chủ quản hệ thống thông tin phê duyệt hồ sơ đề
    xuất cấp độ", and Art. 20.3.b: at level 3 "đơn vị vận hành hệ thống thông tin trình chủ
    quản hệ thống thông tin phê duyệt". A change of appraiser cites where the appraiser is
    named, a change of approver where the approver is; a Vietnamese page words both in legal
    style, the JSON keeps the compact strings beside the structure."""
    rec = record("up-admin", "vi")
    changes = {c["topic"]: c for c in rec["changes"]}
    approved = changes["approved_by"]
    assert approved["source"] == "Decree 331/2026 Art. 18.2.b, Decree 331/2026 Art. 20.3.b"
    assert [(c["art"], c["clause"], c["point"]) for c in approved["citations"]] == [
        (18, 2, "b"),
        (20, 3, "b"),
    ]
    run = run_assure("transition", DATA / "up-admin.yaml", "--format", "md")
    assert run.code == 0, run.err
    assert "điểm b khoản 2 Điều 18 Nghị định số 331/2026/NĐ-CP" in run.out
    assert "Decree 331/2026 Art." not in run.out
