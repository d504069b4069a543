"""`assure plan`: which requirements apply, why, and how the plan is written out."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest

from assure.law.citation import Citation
from assure.law.plan import CONDITION_MET, TO_CONFIRM, plan_json
from assure.reports.plan import plan_docx
from tests.assurance_helpers import (
    LEVEL1,
    LEVEL2_INTERNAL,
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
    assert [c.compact() for c in item.sources] == [
        "Circular 12/2022 Annex I",
        "TCVN 11930:2017 5.1.4.2",
    ]
    assert item.sources[0] == Citation("Circular 12/2022", annex="I")


def test_waf_at_level3_only_for_art_9_2_systems() -> None:
    """Circular 12/2022 Annex III, II.1.b.vii: "Có phương án phòng chống tấn công mạng cho ứng
    dụng web; sử dụng sản phẩm Tường lửa ứng dụng web đối với các hệ thống thông tin được quy
    định tại khoản 2, Điều 9 Nghị định số 85/2016/NĐ-CP".

    The web-attack plan binds every level-3 system; only the WAF product follows Art. 9.2.
    """
    portal = plan_of(LEVEL3_PORTAL)
    waf = next(i for i in portal.items if i.id == "TK.WAF.PRODUCT")
    assert waf.applicability == CONDITION_MET
    assert waf.product
    assert "9.2" in waf.why.en
    infra = plan_of(LEVEL3_INFRA)
    assert "TK.WAF" in ids(infra)  # the plan stays
    assert not next(i for i in infra.items if i.id == "TK.WAF").product
    assert "TK.WAF.PRODUCT" not in ids(infra)
    excluded = {e.requirement.id: e for e in infra.excluded}
    assert "condition is not met" in excluded["TK.WAF.PRODUCT"].why.en


def test_level2_internal_system_keeps_web_attack_plan() -> None:
    """Circular 12/2022 Annex II, II.1.b.iv: "Có phương án phòng chống tấn công mạng cho ứng dụng
    web; sử dụng sản phẩm Tường lửa ứng dụng web đối với hệ thống thông tin theo quy định tại
    khoản 2 Điều 8 Nghị định 85/2016/NĐ-CP": an internal level-2 system (Art. 8.1) needs the
    plan, not the product."""
    plan = plan_of(LEVEL2_INTERNAL)
    assert plan.level == 2
    assert "TK.WAF" in ids(plan)
    assert "TK.WAF.PRODUCT" not in ids(plan)
    assert "TK.WAF.PRODUCT" in {e.requirement.id for e in plan.excluded}


@pytest.mark.parametrize("rid", ["TK.DDOS", "TK.NAC", "TK.DLP", "TK.DBFW", "TK.WAF"])
def test_level3_measures_bind_without_their_product_condition(rid: str) -> None:
    """Circular 12/2022 Annex III, II.1.b.iv, vi, vii, ix, xiv: "Có phương án X; sử dụng sản
    phẩm Y đối với hệ thống Z" — the plan X is required of every level-3 system, the product Y
    only of systems Z. A level-3 portal (Art. 9.2) without a shared database, LAN service or
    state secrets has every plan; the product rows carry their own condition."""
    plan = plan_of(LEVEL3_PORTAL)
    assert rid in ids(plan)
    item = next(i for i in plan.items if i.id == rid)
    assert not item.product
    product = rid + ".PRODUCT"
    listed = ids(plan) | {e.requirement.id for e in plan.excluded}
    assert product in listed


def test_infrastructure_conditions() -> None:
    """Art. 9.3 infrastructure with a shared DB and LAN gets the DB firewall, anti-DDoS and NAC
    products (Circular 12/2022 Annex III, II.1.b.iv, vi, ix); no DLP product without state
    secrets or Art. 9.2.c (II.1.b.xiv), though the data-loss plan stays."""
    plan = plan_of(LEVEL3_INFRA)
    for rid in ("TK.DBFW.PRODUCT", "TK.DDOS.PRODUCT", "TK.NAC.PRODUCT", "TK.EMAIL"):
        assert rid in ids(plan), rid
    assert "TK.DLP" in ids(plan)
    assert "TK.DLP.PRODUCT" not in ids(plan)


def test_dlp_when_state_secrets_and_standby_site_at_level5() -> None:
    """Circular 12/2022 Annex V, II.1.b.i, xiv, xvii, xviii: state secrets bring the DLP
    product; level 5 requires the ≥ 30 km standby site, PAM and the VPN product."""
    plan = plan_of(LEVEL5_STORE)
    assert plan.level == 5
    for rid in (
        "TK.DLP",
        "TK.DLP.PRODUCT",
        "TK.STANDBY-SITE",
        "TK.STANDBY-LINKS",
        "TK.PAM",
        "TK.PAM.PRODUCT",
        "TT12.9.10",
    ):
        assert rid in ids(plan), rid
    vpn = next(i for i in plan.items if i.id == "TK.VPN.PRODUCT")
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
    assert {"TT12.9.10", "TK.ZONE.DEVICE-MGMT", "TK.WAF.PRODUCT", "TK.DDOS.PRODUCT"} <= ids(plan)


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
    run = run_assure("plan", "--regime", "nd85-2016", DEMO, "--format", "json", "--lang", "en")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["level"] == 3
    assert any(r["id"] == "TK.WAF" for r in data["requirements"])


def test_cli_markdown_vietnamese_grouped_by_plan_parts() -> None:
    """Markdown is Vietnamese by default, with the 7 parts of Art. 19 as sections."""
    run = run_assure("plan", "--regime", "nd85-2016", DEMO)
    assert run.code == 0, run.err
    out = run.out
    assert "# Phương án bảo đảm an toàn hệ thống thông tin theo cấp độ" in out
    for heading in ("## a) Bảo đảm an toàn thông tin trong thiết kế", "## đ) Giám sát an toàn"):
        assert heading in out
    assert "### Yêu cầu quản lý" in out and "### Yêu cầu kỹ thuật" in out
    assert "TCVN 11930:2017 7.1.5.4" in out


def test_cli_english() -> None:
    """`--lang en` gives English titles."""
    run = run_assure("plan", "--regime", "nd85-2016", DEMO, "--lang", "en")
    assert run.code == 0
    assert "Security plan for the information system's level" in run.out
    assert "(d) Risk management" in run.out


def test_cli_docx(tmp_path: Path) -> None:
    """The DOCX plan opens with python-docx and holds headings, tables and Vietnamese text."""
    out = tmp_path / "plan.docx"
    run = run_assure("plan", "--regime", "nd85-2016", DEMO, "--format", "docx", "-o", out)
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
    run = run_assure("plan", "--regime", "nd85-2016", prof, "--format", "html")
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
    run = run_assure("plan", "--regime", "nd85-2016", prof, "--lang", "en")
    assert run.code == 3, (run.out, run.err)
    assert "bad.yaml:" in run.err
    assert where in run.err


def test_control_outside_plan_is_a_note(tmp_path: Path) -> None:
    """A control for a real requirement this level does not ask for is noted, not fatal."""
    prof = write(tmp_path / "p.yaml", LEVEL1 + "controls:\n  TK.PAM: {status: implemented}\n")
    run = run_assure("plan", "--regime", "nd85-2016", prof, "--format", "json")
    assert run.code == 0, run.err
    assert "TK.PAM" in run.err and "ghi chú" in run.err
    json.loads(run.out)


def test_no_level_is_exit_1(tmp_path: Path) -> None:
    """A profile no criterion applies to has no plan: exit 1 with an explanation."""
    prof = write(
        tmp_path / "none.yaml",
        "id: none\nname: None\nclassification:\n  system_type: other\n",
    )
    run = run_assure("plan", "--regime", "nd85-2016", prof)
    assert run.code == 1
    assert "no classification criterion applies" in run.err
    assert run.out == ""


def test_missing_profile_is_usage_error() -> None:
    """A profile path that does not exist is a usage error (exit 2)."""
    run = run_assure("plan", "--regime", "nd85-2016", "no/such/file.yaml")
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
    assert "không có danh mục yêu cầu cho bộ quy định 'nd331-2026'" in run.err
    assert "nd85-2016" in run.err
    run = run_assure("plan", prof, "--catalogue", empty, "--lang", "en")
    assert "no requirement catalogue for regime 'nd331-2026'" in run.err
    run = run_assure("plan", prof, "--regime", "nd85-2016", "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["regime"] == "nd85-2016"
    assert run_assure("plan", prof, "--regime", "nope").code == 2


def test_controls_of_another_regime_are_noted_once(tmp_path: Path) -> None:
    """Planned under another regime, a profile's controls of the first regime are one note."""
    only85 = write(
        tmp_path / "only85.yaml",
        LEVEL1
        + "controls:\n  CH.2.1.2: {status: implemented}\n  CH.2.1.3: {status: implemented}\n",
    )
    run = run_assure("plan", only85, "--regime", "nd331-2026", "--format", "json", "--lang", "en")
    assert run.code == 0, run.err
    notes = [line for line in run.err.splitlines() if "catalogue, not nd331-2026" in line]
    assert len(notes) == 1
    assert "name requirements of the nd85-2016 catalogue" in notes[0]
    typo = write(tmp_path / "t.yaml", LEVEL1 + "controls:\n  QL.9.9: {status: implemented}\n")
    assert run_assure("plan", typo, "--regime", "nd331-2026").code == 3


def test_a_system_in_transition_declares_both_regimes_without_a_note() -> None:
    """The demo portal declares its measures under Decree 85 and Decree 331 alike (Decree 331
    Art. 39.1 gives it until 01/07/2027 to meet the new ones): neither set is a mistake."""
    for regime in ("nd85-2016", "nd331-2026"):
        run = run_assure("gap", DEMO, "--regime", regime, "--format", "json")
        assert run.code in (0, 1), run.err
        assert "catalogue, not" not in run.err
        assert json.loads(run.out)["coverage"]["overall"]["implemented_pct"] > 50


ANNEX_PROFILE = """id: bang-phu-luc
name: Hệ thống đối chiếu phụ lục
hosting: {{kind: own}}
features: {{wireless: true, email_system: true, in_house_software: true}}
classification:
{classification}
"""


@pytest.mark.parametrize(
    ("classification", "level", "expected"),
    [
        (
            "  system_type: internal\n  information: [public]",
            1,
            {"management": 15, "design_zones": 3, "design_measures": 3, "configuration": 13},
        ),
        (
            "  system_type: internal\n  information: [public, private]",
            2,
            {"management": 18, "design_zones": 5, "design_measures": 6, "configuration": 17},
        ),
        (
            "  system_type: infrastructure\n  infrastructure_scope: province\n"
            "  information: [public]",
            3,
            {"management": 22, "design_zones": 7, "design_measures": 16, "configuration": 21},
        ),
    ],
)
def test_counts_per_annex_section_match_the_annex(
    classification: str, level: int, expected: dict[str, int]
) -> None:
    """Circular 12/2022 Annexes I–III, each in four parts: "I. YÊU CẦU QUẢN LÝ" (rows 1.1.1 …
    1.7), "II.1.a) Thiết kế các vùng mạng … tối thiểu bao gồm" (i, ii, …), "II.1.b) Có phương án
    thiết kế bảo đảm các yêu cầu sau" (i, ii, …) and "II.2. Yêu cầu về thiết lập, cấu hình hệ
    thống" (rows 1.1.1 … 1.4.x). Annex I lists 15 + 3 + 3 + 13 rows, Annex II 18 + 5 + 6 + 17,
    Annex III 22 + 7 + 16 + 21; the plan's summary counts each part apart from the rest."""
    plan = plan_of(ANNEX_PROFILE.format(classification=classification))
    assert plan.level == level
    data = plan_json(plan, "vi")
    by_section = data["summary"]["by_annex_section"]
    assert {k: by_section[k] for k in expected} == expected
    assert sum(by_section.values()) == data["summary"]["total"]
    titles = [s["title"] for s in data["annex_sections"]]
    assert titles[0].startswith("Phụ lục, mục I")


def test_plan_markdown_shows_annex_section_counts() -> None:
    """The Markdown plan lays the per-section counts out as a table beside the plan parts."""
    run = run_assure("plan", "--regime", "nd85-2016", DEMO, "--lang", "en")
    assert run.code == 0, run.err
    assert "| Annex section | Requirements |" in run.out
    assert "| Annex, part II.1.b: design measures |" in run.out
