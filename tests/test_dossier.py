"""`assure dossier` and `assure demo`: DOCX/HTML files, determinism, atomic output."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from assure.reports.dossier import cover_letter_model
from tests.assurance_helpers import LEVEL4_NATIONAL, plan_of
from tests.conftest import ROOT, run_assure, write
from tests.docpng import lo_profile

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"
TODAY = dt.date(2026, 11, 22)


def open_docx(path: Path):  # type: ignore[no-untyped-def]
    return docx.Document(io.BytesIO(path.read_bytes()))


def headings(document) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def all_text(document) -> str:  # type: ignore[no-untyped-def]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture(scope="module")
def dossier_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("d") / "dossier"
    run = run_assure("--today", "2026-11-22", "dossier", "--regime", "nd85-2016", DEMO, "-o", out)
    assert run.code == 0, run.err
    return out


def test_dossier_files(dossier_dir: Path) -> None:
    """The dossier and its cover letter are written as DOCX and HTML, with the manifest of
    the files it wrote (what a later --force may replace)."""
    assert sorted(p.name for p in dossier_dir.iterdir()) == [
        ".assure-manifest.json",
        "01-to-trinh.docx",
        "01-to-trinh.html",
        "02-ho-so-de-xuat-cap-do.docx",
        "02-ho-so-de-xuat-cap-do.html",
    ]


def test_dossier_docx_contents(dossier_dir: Path) -> None:
    """The DOCX has the parts of Art. 15 as headings, the overview tables and the plan."""
    document = open_docx(dossier_dir / "02-ho-so-de-xuat-cap-do.docx")
    heads = headings(document)
    for part in (
        "Phần 1. Mô tả, thuyết minh tổng quan hệ thống",
        "Phần 2. Hồ sơ thiết kế",
        "Phần 3. Thuyết minh đề xuất cấp độ",
        "Phần 4. Thuyết minh phương án bảo đảm an toàn hệ thống thông tin theo cấp độ",
        "1.9. Vùng mạng và quy hoạch địa chỉ IP",
    ):
        assert part in heads, part
    assert not (dossier_dir / "03-y-kien-chuyen-mon.docx").exists()  # levels 4–5 only
    text = all_text(document)
    assert "Ủy ban nhân dân tỉnh Minh Châu" in text
    assert "10.20.30.0/26" in text
    assert "Điểm a khoản 2 Điều 9 Nghị định số 85/2016/NĐ-CP" in text
    assert "TCVN 11930:2017 7.1.5.4" in text
    assert "HS-001/TTCĐS" in text  # evidence reference of a declared control
    assert len(document.tables) > 10
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml  # page numbers


def test_cover_letter(dossier_dir: Path) -> None:
    """The cover letter is addressed to the appraising body and lists the attachments."""
    text = all_text(open_docx(dossier_dir / "01-to-trinh.docx"))
    assert "TỜ TRÌNH" in text
    assert "Kính gửi: Sở Khoa học và Công nghệ tỉnh Minh Châu." in text
    assert "Thuyết minh đề xuất cấp độ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "- Lưu: VT." in text
    assert "Lập hồ sơ" in all_text(open_docx(dossier_dir / "02-ho-so-de-xuat-cap-do.docx"))


def test_level4_has_expert_opinion_and_todo_markers(tmp_path: Path) -> None:
    """Levels 4–5 add the expert-opinion form as its own file; unstated facts are marked."""
    prof = write(tmp_path / "l4.yaml", LEVEL4_NATIONAL)
    out = tmp_path / "out"
    run = run_assure("dossier", "--regime", "nd85-2016", prof, "-o", out, "--lang", "en")
    assert run.code == 0, run.err
    document = open_docx(out / "02-level-dossier.docx")
    heads = headings(document)
    assert "3.5. Additional content for levels 4 and 5" in heads
    assert "[To be completed: the system owner's details]" in all_text(document)
    assert "file 03-expert-opinion" in all_text(document)
    opinion = open_docx(out / "03-expert-opinion.docx")
    assert "1. On the fitness of the proposed level" in headings(opinion)
    assert "Proposed level: 4" in all_text(opinion)
    assert sorted(p.name for p in out.iterdir() if p.name != ".assure-manifest.json") == [
        "01-cover-letter.docx",
        "01-cover-letter.html",
        "02-level-dossier.docx",
        "02-level-dossier.html",
        "03-expert-opinion.docx",
        "03-expert-opinion.html",
    ]


def test_deterministic(tmp_path: Path) -> None:
    """Same input, same bytes: two runs give identical files."""
    digests = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert (
            run_assure(
                "--today", "2026-11-22", "dossier", "--regime", "nd85-2016", DEMO, "-o", out
            ).code
            == 0
        )
        digests.append(
            {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}
        )
    assert digests[0] == digests[1]


def test_non_empty_folder_refused_without_force(tmp_path: Path) -> None:
    """A non-empty output folder is refused (exit 2) and left alone; --force writes the
    dossier beside the user's own files, which it never touches."""
    out = tmp_path / "out"
    keep = write(out / "keep.txt", "mine")
    run = run_assure("dossier", "--regime", "nd85-2016", DEMO, "-o", out, "--lang", "en")
    assert run.code == 2
    assert "not empty" in run.err
    assert keep.read_text() == "mine"
    run = run_assure("dossier", "--regime", "nd85-2016", DEMO, "-o", out, "--force")
    assert run.code == 0, run.err
    assert keep.read_text() == "mine"
    assert (out / "02-ho-so-de-xuat-cap-do.docx").exists()


def test_failed_run_leaves_no_folder(tmp_path: Path) -> None:
    """An invalid profile writes nothing: the output folder is not created."""
    bad = write(tmp_path / "bad.yaml", "id: x\nname: x\nclassification: {system_type: nope}\n")
    out = tmp_path / "out"
    run = run_assure("dossier", "--regime", "nd85-2016", bad, "-o", out)
    assert run.code == 3
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_the_dossier(dossier_dir: Path, tmp_path: Path) -> None:
    """LibreOffice converts the DOCX dossier to PDF (it opens it)."""
    proc = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={lo_profile().as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(dossier_dir / "02-ho-so-de-xuat-cap-do.docx"),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "02-ho-so-de-xuat-cap-do.pdf"
    assert pdf.exists(), proc.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


def test_demo_writes_plan_gap_and_dossier(tmp_path: Path) -> None:
    """`assure demo` keeps its level table and writes the example's documents atomically."""
    run = run_assure("demo", "--out", tmp_path / "demo")
    assert run.code == 0, run.err
    assert "cong-dvc-demo" in run.out
    written = {p.relative_to(tmp_path / "demo").as_posix() for p in (tmp_path / "demo").rglob("*")}
    for name in (
        "plan.md",
        "plan.html",
        "plan.docx",
        "plan.json",
        "gap.md",
        "gap.html",
        "gap.docx",
        "gap.json",
        "gap.junit.xml",
        "dossier/02-ho-so-de-xuat-cap-do.docx",
    ):
        assert name in written, name
        assert f"demo/{name}" in run.out
    # a second run replaces what the first wrote (`--out` is the old spelling of `-o`)
    again = run_assure("demo", "--out", tmp_path / "demo")
    assert again.code == 0, again.err
    # a file the demo did not write is not thrown away without --force
    write(tmp_path / "demo" / "mine.txt", "mine")
    again = run_assure("demo", "-o", tmp_path / "demo")
    assert again.code == 2 and "không trống" in again.err
    assert (tmp_path / "demo" / "mine.txt").read_text() == "mine"
    assert run_assure("demo", "--output", tmp_path / "demo", "--force").code == 0


def test_english_dossier_uses_english_unit_names() -> None:
    """In English the letter names units by `name_en` when the profile gives one."""
    text = LEVEL4_NATIONAL + (
        "operator: {name: Cục Chính phủ số, name_en: Digital Government Agency}\n"
    )
    plan = plan_of(text)
    letter = " ".join(b.text for b in cover_letter_model(plan, TODAY, "en").blocks)
    assert "Digital Government Agency (operating unit)" in letter
    letter_vi = " ".join(b.text for b in cover_letter_model(plan, TODAY, "vi").blocks)
    assert "Cục Chính phủ số (đơn vị vận hành)" in letter_vi


def _plan_331(text: str):  # type: ignore[no-untyped-def]
    from assure.inputs.profile import parse_profile
    from assure.inputs.yamldoc import parse_yaml
    from assure.law.catalogue import load_catalogues
    from assure.law.classify import classify
    from assure.law.plan import build_plan
    from assure.law.regime import load_regime

    p = parse_profile(parse_yaml(text, "p.yaml"))
    return build_plan(classify(p, load_regime("nd331-2026")), load_catalogues("nd331-2026"), p)


def test_decree_331_letter_follows_its_forms() -> None:
    """Decree 331/2026, annex "Mẫu văn bản xác định cấp độ hệ thống thông tin": Form 02
    ("V/v đề nghị thẩm định hồ sơ đề xuất cấp độ") opens "Căn cứ Luật An ninh mạng số
    116/2025/QH15", has "Phần 1. Thông tin chung" and "Phần 2. Hồ sơ kèm theo" with the expert
    opinion of the cybersecurity unit for levels 4-5 (Art. 21.5). A Decree 331 letter never
    cites Decree 85/2016 or Circular 12/2022."""
    plan = _plan_331(LEVEL4_NATIONAL)
    assert plan.level == 4
    text = " ".join(
        [b.text for b in cover_letter_model(plan, TODAY, "vi").blocks]
        + [c for b in cover_letter_model(plan, TODAY, "vi").blocks for r in b.rows for c in r]
        + [h for b in cover_letter_model(plan, TODAY, "vi").blocks for h in b.headers]
    )
    assert "Mẫu số 02" in text
    assert "V/v đề nghị thẩm định hồ sơ đề xuất cấp độ" in text
    assert "Căn cứ Luật An ninh mạng số 116/2025/QH15;" in text
    assert "Căn cứ Nghị định số 331/2026/NĐ-CP" in text
    assert "Phần 1. Thông tin chung" in text and "Phần 2. Hồ sơ kèm theo" in text
    assert "Ý kiến về mặt chuyên môn của đơn vị chuyên trách về an ninh mạng" in text
    assert "85/2016" not in text and "12/2022" not in text


def test_decree_331_level2_letter_is_form_01() -> None:
    """Form 01 asks the cybersecurity unit to appraise and approve (levels 1-2 are approved by
    that unit, Decree 331/2026 Art. 20.3.a); it lists four attachments, no expert opinion."""
    plan = _plan_331(
        "id: noi-bo\nname: Nội bộ\nclassification:\n  system_type: internal\n"
        "  information: [public, private]\n"
    )
    assert plan.level == 2
    blocks = cover_letter_model(plan, TODAY, "vi").blocks
    text = " ".join(b.text for b in blocks)
    assert "Mẫu số 01" in text
    assert "4. Tài liệu thuyết minh phương án bảo đảm an ninh mạng" in text
    assert "5. " not in " ".join(b.text for b in blocks if b.text.startswith("5."))


def test_decree_85_authorities_name_their_successor_or_unconfirmed() -> None:
    """Under Decree 85/2016 the level 4-5 appraiser is the Ministry of Information and
    Communications (Cục An toàn thông tin); that ministry was merged in 2025. The body is stated
    as the text names it, followed by the successor, marked UNCONFIRMED where no text confirms
    who holds the function."""
    from assure.law.regime import load_regime

    r = load_regime("nd85-2016")
    for key in ("mic", "ais", "pm"):
        vi, en = r.actor(key, "vi") or "", r.actor(key, "en") or ""
        assert "Bộ Thông tin và Truyền thông" in vi
        assert " — nay: " in vi and " — now: " in en
        assert "CHƯA XÁC NHẬN" in vi and "UNCONFIRMED" in en


def test_decree_331_level5_letter_asks_for_the_list() -> None:
    """Decree 331/2026 Form 02, note 1: "Bổ sung đề nghị đưa hệ thống vào Danh mục hệ thống
    thông tin quan trọng về an ninh quốc gia trường hợp hệ thống thuộc Danh mục này"; every
    level-5 system is on it (Art. 16.4)."""
    plan = _plan_331(
        "id: kho\nname: Kho\nclassification:\n  system_type: other\n"
        "  information: [public]\n  national_data_store: true\n"
    )
    assert plan.level == 5
    text = " ".join(b.text for b in cover_letter_model(plan, TODAY, "vi").blocks)
    assert (
        "đề nghị đưa hệ thống vào Danh mục hệ thống thông tin quan trọng về an ninh quốc gia"
        in text
    )


def test_dossier_names_the_articles_of_appraisal_and_approval(dossier_dir: Path) -> None:
    """A level-3 dossier under Decree 85/2016 says on what basis it is appraised and
    approved: Art. 12.2 ("a) Đơn vị chuyên trách về an toàn thông tin của chủ quản hệ thống
    thông tin thực hiện thẩm định hồ sơ đề xuất cấp độ; b) Chủ quản hệ thống thông tin phê
    duyệt hồ sơ đề xuất cấp độ"), Art. 14.1.c (the operating unit sends it to the appraiser)
    and Art. 14.3.b (it submits it to the owner for approval)."""
    text = all_text(open_docx(dossier_dir / "02-ho-so-de-xuat-cap-do.docx"))
    for cited in (
        "điểm a khoản 2 Điều 12 Nghị định số 85/2016/NĐ-CP",
        "điểm c khoản 1 Điều 14 Nghị định số 85/2016/NĐ-CP",
        "điểm b khoản 2 Điều 12 Nghị định số 85/2016/NĐ-CP",
        "điểm b khoản 3 Điều 14 Nghị định số 85/2016/NĐ-CP",
    ):
        assert cited in text, cited
    assert "khoản 3 Điều 14 Nghị định số 85/2016/NĐ-CP;" not in text  # always with its point
