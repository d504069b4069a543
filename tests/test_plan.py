"""`assure plan`: which requirements apply, why, and how the plan is written out."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest

from assure.law.plan import CONDITION_MET, TO_CONFIRM, plan_json
from assure.reports.plan import plan_docx
from tests.assurance_helpers import (
    LEVEL1,
    LEVEL3_INFRA,
    LEVEL3_PORTAL,
    LEVEL4_NATIONAL,
    LEVEL5_STORE,
    ids,
    plan_of,
)
from tests.conftest import ROOT, run_assure, write

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"


def test_level1_plan_has_only_level1_headings() -> None:
    """A level-1 system gets the level-1 annex list, cited with clause 5 of TCVN 11930."""
    plan = plan_of(LEVEL1)
    assert plan.level == 1
    assert "QL.1.4.2" not in ids(plan)  # outsourced development starts at level 2
    assert "TK.ANTIMALWARE" in ids(plan)
    item = next(i for i in plan.items if i.id == "QL.1.4.3")
    assert item.sources == ("Circular 12/2022 Annex I", "TCVN 11930:2017 5.1.4.2")


def test_waf_at_level3_only_for_art_9_2_systems() -> None:
    """WAF applies to a level-3 Art. 9.2 portal, not to level-3 Art. 9.3 infrastructure."""
    portal = plan_of(LEVEL3_PORTAL)
    waf = next(i for i in portal.items if i.id == "TK.WAF")
    assert waf.applicability == CONDITION_MET
    assert waf.product
    assert "9.2" in waf.why.en
    infra = plan_of(LEVEL3_INFRA)
    assert "TK.WAF" not in ids(infra)
    excluded = {e.requirement.id: e for e in infra.excluded}
    assert "condition is not met" in excluded["TK.WAF"].why.en


def test_infrastructure_conditions() -> None:
    """Art. 9.3 infrastructure with a shared DB and LAN gets DB firewall, anti-DDoS and NAC."""
    plan = plan_of(LEVEL3_INFRA)
    for rid in ("TK.DBFW", "TK.DDOS", "TK.NAC", "TK.EMAIL"):
        assert rid in ids(plan), rid
    assert "TK.DLP" not in ids(plan)


def test_dlp_when_state_secrets_and_standby_site_at_level5() -> None:
    """State secrets bring DLP; level 5 requires the ≥ 30 km standby site and PAM."""
    plan = plan_of(LEVEL5_STORE)
    assert plan.level == 5
    for rid in ("TK.DLP", "TK.STANDBY-SITE", "TK.STANDBY-LINKS", "TK.PAM", "TT12.9.10"):
        assert rid in ids(plan), rid
    vpn = next(i for i in plan.items if i.id == "TK.VPN")
    assert vpn.product  # level 5: dedicated VPN product, no "or equivalent"
    assert "TT12.9.9" not in ids(plan)  # logical separation is the level-3 rule


def test_unstated_fact_keeps_requirement_to_confirm() -> None:
    """A condition on a fact the profile does not state keeps the item, marked to confirm."""
    plan = plan_of(LEVEL3_PORTAL)
    item = next(i for i in plan.items if i.id == "TT12.9.9")
    assert item.applicability == TO_CONFIRM
    assert "hosting.kind" in item.why.en
    assert "hosting.kind" in item.why.vi


def test_level4_cloud_needs_physical_separation() -> None:
    """A level-4 system on a cloud must be physically separated (Circular 12 Art. 9.10)."""
    plan = plan_of(LEVEL4_NATIONAL)
    assert plan.level == 4
    assert {"TT12.9.10", "TK.ZONE.DEVICE-MGMT", "TK.WAF", "TK.DDOS"} <= ids(plan)


def test_plan_json_shape() -> None:
    """Plan JSON has id, level, regime and requirements with id/title/group/sources."""
    data = plan_json(plan_of(LEVEL3_PORTAL), "en")
    assert (data["id"], data["level"], data["regime"]) == ("cong-l3", 3, "nd85-2016")
    for r in data["requirements"]:
        assert {"id", "title", "group", "sources"} <= set(r)
        assert r["group"] in ("management", "technical")
        assert r["sources"]
    ql = next(r for r in data["requirements"] if r["id"] == "QL.1.5.4")
    assert ql["sources"] == ["Circular 12/2022 Annex III", "TCVN 11930:2017 7.1.5.4"]
    assert sum(data["summary"]["by_plan_part"].values()) == len(data["requirements"])


def test_cli_json_only_json_on_stdout() -> None:
    """`assure plan --format json` prints parseable JSON and exits 0."""
    run = run_assure("plan", DEMO, "--format", "json", "--lang", "en")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["level"] == 3
    assert any(r["id"] == "TK.WAF" for r in data["requirements"])


def test_cli_markdown_vietnamese_grouped_by_plan_parts() -> None:
    """Markdown is Vietnamese by default, with the 7 parts of Art. 19 as sections."""
    run = run_assure("plan", DEMO)
    assert run.code == 0, run.err
    out = run.out
    assert "# Phương án bảo đảm an toàn hệ thống thông tin theo cấp độ" in out
    for heading in ("## a) Bảo đảm an toàn thông tin trong thiết kế", "## đ) Giám sát an toàn"):
        assert heading in out
    assert "### Yêu cầu quản lý" in out and "### Yêu cầu kỹ thuật" in out
    assert "TCVN 11930:2017 7.1.5.4" in out


def test_cli_english() -> None:
    """`--lang en` gives English titles."""
    run = run_assure("plan", DEMO, "--lang", "en")
    assert run.code == 0
    assert "Security plan for the information system's level" in run.out
    assert "(d) Risk management" in run.out


def test_cli_docx(tmp_path: Path) -> None:
    """The DOCX plan opens with python-docx and holds headings, tables and Vietnamese text."""
    out = tmp_path / "plan.docx"
    run = run_assure("plan", DEMO, "--format", "docx", "-o", out)
    assert run.code == 0, run.err
    document = docx.Document(io.BytesIO(out.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any(
        h.startswith("b) Bảo đảm an toàn thông tin trong quá trình vận hành") for h in headings
    )
    assert len(document.tables) > 5
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "Quản lý phòng chống phần mềm độc hại" in cells


def test_html_escapes_profile_text(tmp_path: Path) -> None:
    """A system named `<script>` renders as text in the HTML plan."""
    prof = write(
        tmp_path / "x.yaml",
        LEVEL1.replace("name: Trang thông tin nội bộ", 'name: "<script>alert(1)</script>"'),
    )
    run = run_assure("plan", prof, "--format", "html")
    assert run.code == 0, run.err
    assert "<script>" not in run.out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in run.out
    assert "http://" not in run.out and "https://" not in run.out  # no external assets


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ("controls:\n  QL.1.1.1: {status: done}\n", "controls.QL.1.1.1.status"),
        ("controls:\n  QL.1.1.9: {status: implemented}\n", "controls.QL.1.1.9"),
        (
            "waivers:\n  - {requirement: TK.WAF, reason: r, approver: a, expires: 2026-13-01}\n",
            "waivers[0].expires",
        ),
        ("features: {services: [mainframe]}\n", "features.services[0]"),
        (
            "waivers:\n  - {requirement: TK.WAF, reason: r, approver: a, approved: 2026-05-01,"
            " expires: 2026-01-01}\n",
            "waivers[0].expires: expires (2026-01-01) before it was approved",
        ),
    ],
)
def test_bad_profile_fields_give_exit_3(tmp_path: Path, patch: str, where: str) -> None:
    """Bad controls, unknown requirement IDs, bad dates and bad features: exit 3 with field."""
    prof = write(tmp_path / "bad.yaml", LEVEL3_PORTAL + patch)
    run = run_assure("plan", prof, "--lang", "en")
    assert run.code == 3, (run.out, run.err)
    assert "bad.yaml:" in run.err
    assert where in run.err


def test_control_outside_plan_is_a_note(tmp_path: Path) -> None:
    """A control for a real requirement this level does not ask for is noted, not fatal."""
    prof = write(tmp_path / "p.yaml", LEVEL1 + "controls:\n  TK.PAM: {status: implemented}\n")
    run = run_assure("plan", prof, "--format", "json")
    assert run.code == 0, run.err
    assert "TK.PAM" in run.err and "ghi chú" in run.err
    json.loads(run.out)


def test_no_level_is_exit_1(tmp_path: Path) -> None:
    """A profile no criterion applies to has no plan: exit 1 with an explanation."""
    prof = write(
        tmp_path / "none.yaml",
        "id: none\nname: None\nclassification:\n  system_type: other\n",
    )
    run = run_assure("plan", prof)
    assert run.code == 1
    assert "no classification criterion applies" in run.err
    assert run.out == ""


def test_missing_profile_is_usage_error() -> None:
    """A profile path that does not exist is a usage error (exit 2)."""
    run = run_assure("plan", "no/such/file.yaml")
    assert run.code == 2


def test_plan_docx_is_a4_landscape_and_reproducible() -> None:
    """The plan DOCX is A4 landscape (wide tables) and byte-identical across runs."""
    plan = plan_of(LEVEL3_PORTAL)
    first, second = plan_docx(plan, "vi"), plan_docx(plan, "vi")
    assert first == second
    section = docx.Document(io.BytesIO(first)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_regime_without_catalogue_is_usage_error(tmp_path: Path) -> None:
    """A folder without catalogues is exit 2 naming what exists; --regime plans under another."""
    empty = tmp_path / "empty"
    empty.mkdir()
    prof = write(tmp_path / "n.yaml", "regime: nd331-2026\n" + LEVEL1)
    run = run_assure("plan", prof, "--catalogue", empty)
    assert run.code == 2
    assert "no requirement catalogue for regime 'nd331-2026'" in run.err
    assert "nd85-2016" in run.err
    run = run_assure("plan", prof, "--regime", "nd85-2016", "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["regime"] == "nd85-2016"
    assert run_assure("plan", prof, "--regime", "nope").code == 2


def test_controls_of_another_regime_are_noted_once(tmp_path: Path) -> None:
    """Planned under another regime, a profile's controls of the first regime are one note."""
    run = run_assure("plan", DEMO, "--regime", "nd331-2026", "--format", "json", "--lang", "en")
    assert run.code == 0, run.err
    notes = [line for line in run.err.splitlines() if "catalogue, not nd331-2026" in line]
    assert len(notes) == 1
    assert "name requirements of the nd85-2016 catalogue" in notes[0]
    typo = write(tmp_path / "t.yaml", LEVEL1 + "controls:\n  QL.9.9: {status: implemented}\n")
    assert run_assure("plan", typo, "--regime", "nd331-2026").code == 3
