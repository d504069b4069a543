"""Documents an official signs without retyping (Decree 30/2020/NĐ-CP, Annex I).

The layout is checked twice: in the Word file's XML (styles, fonts, table properties, the
document properties) and on the pages LibreOffice prints from it (text of the PDF, page
images), because what matters is what the official sees when the file is opened.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn

from tests.assurance_helpers import LEVEL4_NATIONAL
from tests.conftest import ROOT, run_assure, write
from tests.docpng import documents_pages, pdf_fonts, pdf_text, to_pdf, to_pdfs

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"
TODAY = "2026-12-01"


def open_docx(path: Path):  # type: ignore[no-untyped-def]
    return docx.Document(io.BytesIO(path.read_bytes()))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    run = run_assure("demo", "-o", out, "--today", TODAY, "-q")
    assert run.code == 0, run.err
    return out


@pytest.fixture(scope="module")
def letter85(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's dossier under Decree 85/2016: its request letter is a tờ trình."""
    out = tmp_path_factory.mktemp("l85") / "out"
    run = run_assure("dossier", "--regime", "nd85-2016", DEMO, "-o", out, "--today", TODAY)
    assert run.code == 0, run.err
    return out


@pytest.fixture(scope="module")
def sparse_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A level-4 profile that states almost nothing: the markers are many."""
    base = tmp_path_factory.mktemp("sparse")
    prof = write(base / "l4.yaml", LEVEL4_NATIONAL)
    run = run_assure("dossier", prof, "-o", base / "out", "--today", TODAY)
    assert run.code == 0, run.err
    assert "nội dung cần bổ sung trước khi trình ký" in run.err
    return base / "out"


def _docx_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.docx"))


def test_headings_are_black_bold_times(demo_dir: Path) -> None:
    """No Word default blue sans-serif heading: Times New Roman, black, bold."""
    for path in _docx_files(demo_dir):
        document = open_docx(path)
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            style = document.styles[name]
            assert style.font.name == "Times New Roman", (path.name, name)
            assert style.font.bold is True
            assert str(style.font.color.rgb) == "000000", (path.name, name)
            fonts = style.element.rPr.find(qn("w:rFonts"))
            assert fonts.get(qn("w:asciiTheme")) is None, (path.name, name)
        normal = document.styles["Normal"]
        assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13


def test_tables_repeat_headers_and_keep_rows_whole(demo_dir: Path) -> None:
    for path in _docx_files(demo_dir):
        document = open_docx(path)
        for table in document.tables:
            if table.style is None or table.style.name != "Table Grid":
                continue
            first = table.rows[0]._tr.trPr
            assert first is not None and first.find(qn("w:tblHeader")) is not None, path.name
            for row in table.rows:
                assert row._tr.trPr.find(qn("w:cantSplit")) is not None, path.name


def test_document_properties(demo_dir: Path) -> None:
    """Title, author (the operating unit; for the portfolio's documents the owner most of
    its systems name) and the day it was made; never "python-docx"."""
    for path in _docx_files(demo_dir):
        props = open_docx(path).core_properties
        assert props.title, path.name
        author = (
            "Bộ Phát triển Số"
            if "portfolio" in path.parts
            else "Trung tâm Chuyển đổi số tỉnh Minh Châu"
        )
        assert props.author == author, path.name
        assert props.created.date() == dt.date(2026, 12, 1), path.name
        core = zipfile.ZipFile(path).read("docProps/core.xml").decode()
        assert "python-docx" not in core, path.name


def test_form_letter_heads_as_the_decree_lays_it(demo_dir: Path) -> None:
    """Under Decree 331 the request follows its form, with the same letterhead: number and
    the letter's subject ("V/v …") under the issuing body, and the signature block."""
    document = open_docx(demo_dir / "dossier" / "01-to-trinh.docx")
    left, right = (c.paragraphs for c in document.tables[0].rows[0].cells)
    assert left[1].text == "TRUNG TÂM CHUYỂN ĐỔI SỐ TỈNH MINH CHÂU" and left[1].runs[0].bold
    assert left[-2].text.startswith("Số:") and left[-1].text.startswith("V/v ")
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert "ngày 01 tháng 12 năm 2026" in right[-1].text
    recipients, signer = (c.paragraphs for c in document.tables[-1].rows[0].cells)
    assert recipients[0].text == "Nơi nhận:"
    assert signer[0].text == "ĐẠI DIỆN CỦA CƠ QUAN, TỔ CHỨC"


def test_cover_letter_heads_as_the_decree_lays_it(letter85: Path, tmp_path: Path) -> None:
    """Parent body above the issuing body (bold), number and symbol; the national title bold
    on one line, the motto bold and underlined, place and date in italics; the title in
    bold capitals; "Nơi nhận" and the signer."""
    path = letter85 / "01-to-trinh.docx"
    document = open_docx(path)
    head = document.tables[0]
    left, right = (c.paragraphs for c in head.rows[0].cells)
    assert left[0].text == "ỦY BAN NHÂN DÂN TỈNH MINH CHÂU"
    assert left[1].text == "TRUNG TÂM CHUYỂN ĐỔI SỐ TỈNH MINH CHÂU" and left[1].runs[0].bold
    assert left[-1].text.startswith("Số:") and "/TTr-" in left[-1].text
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and right[0].runs[0].bold
    motto = right[1].runs[0]
    assert right[1].text == "Độc lập - Tự do - Hạnh phúc" and motto.bold and motto.underline
    date = right[-1]
    assert "ngày 01 tháng 12 năm 2026" in date.text
    assert all(r.italic for r in date.runs if "ngày" in r.text)
    title = next(p for p in document.paragraphs if p.text == "TỜ TRÌNH")
    assert title.alignment == 1  # centred
    foot = document.tables[-1]
    recipients, signer = (c.paragraphs for c in foot.rows[0].cells)
    assert recipients[0].text == "Nơi nhận:" and recipients[0].runs[0].bold
    assert recipients[0].runs[0].italic
    assert [p.text for p in recipients[1:]] == ["- Như trên;", "- Lưu: VT."]
    assert signer[0].text == "GIÁM ĐỐC" and signer[0].runs[0].bold
    assert signer[-1].text == "Đỗ Thị Hạnh" and signer[-1].runs[0].bold
    # what LibreOffice prints: the national title on one line, Times (or its metric twin)
    pdf = to_pdf(path, tmp_path)
    lines = pdf_text(pdf).splitlines()
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in lines)
    assert re.search(r"Times|LiberationSerif", pdf_fonts(pdf))


def test_long_ids_are_not_cut_inside_a_word(tmp_path: Path) -> None:
    """Columns are at least as wide as their longest word: "TK.INTERNET-REDUNDANCY" may break
    after its hyphen, never inside "INTERNET"."""
    names = ("plan", "gap")
    for name in names:
        out = tmp_path / f"{name}.docx"
        run = run_assure(
            name, "--regime", "nd85-2016", DEMO, "--format", "docx", "-o", out, "--today", TODAY
        )
        assert run.code == 0, run.err
    pdfs = to_pdfs([tmp_path / f"{name}.docx" for name in names], tmp_path / "pdf")
    for name, pdf in zip(names, pdfs, strict=True):
        text = pdf_text(pdf)
        assert "TK.INTERNET-" in text, name
        assert not re.search(r"TK\.INTERNE\s", text), name
        for word in ("Trọng số", "Tổng số yêu cầu"):
            for piece in word.split():
                assert not re.search(rf"\b{piece[:-1]}\s*\n", text), (name, piece)


def test_markers_highlighted_and_listed_at_the_end(sparse_dir: Path) -> None:
    """Every `[Cần bổ sung: …]` is highlighted in the DOCX and marked in the HTML, and the
    dossier ends with them as a to-do list naming the file and section of each."""
    markers = 0
    for path in _docx_files(sparse_dir):
        document = open_docx(path)
        runs = [r for p in document.paragraphs for r in p.runs]
        runs += [
            r
            for t in document.tables
            for row in t.rows
            for c in row.cells
            for p in c.paragraphs
            for r in p.runs
        ]
        marked = [r for r in runs if r.text.startswith("[Cần bổ sung:")]
        assert marked, path.name
        assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in marked), path.name
        markers += len({r.text for r in marked if "Tệp" not in r.text})
        html = path.with_suffix(".html").read_text(encoding="utf-8")
        assert '<mark class="todo">[Cần bổ sung:' in html
    dossier = open_docx(sparse_dir / "02-ho-so-de-xuat-cap-do.docx")
    heads = [p.text for p in dossier.paragraphs if p.style.name.startswith("Heading")]
    assert heads[-1] == "Các nội dung cần bổ sung"
    todo = dossier.tables[-1]
    assert [c.text for c in todo.rows[0].cells] == [
        "#",
        "Nội dung cần bổ sung",
        "Tệp",
        "Mục",
        "Trường trong hồ sơ YAML",
    ]
    # the text names what is missing in words; the profile field is only in the to-do list
    markers = [row.cells[1].text for row in todo.rows[1:]]
    assert not [m for m in markers if re.search(r"\[Cần bổ sung: [a-z_]+(\.[a-z_]+)*\]", m)]
    assert "architecture.devices" in {row.cells[4].text for row in todo.rows[1:]}
    assert "[Cần bổ sung: danh mục thiết bị]" in markers
    files = {row.cells[2].text for row in todo.rows[1:]}
    assert {"01-to-trinh", "02-ho-so-de-xuat-cap-do", "03-y-kien-chuyen-mon"} <= files
    assert len(todo.rows) - 1 >= 10


def test_agency_template_keeps_its_header_and_styles(tmp_path: Path) -> None:
    """`--template letterhead.docx`: the agency's header, footer and styles stay; the body
    is the dossier's."""
    tpl = docx.Document()
    tpl.sections[0].header.paragraphs[0].text = "SỞ KHOA HỌC VÀ CÔNG NGHỆ — MẪU VĂN BẢN"
    tpl.sections[0].footer.paragraphs[0].text = "Địa chỉ: 2 Hùng Vương"
    tpl.styles["Normal"].font.name = "Arial"
    tpl.add_paragraph("sample text of the template")
    template = tmp_path / "letterhead.docx"
    tpl.save(str(template))
    out = tmp_path / "out"
    run = run_assure("dossier", DEMO, "-o", out, "--template", template, "--today", TODAY)
    assert run.code == 0, run.err
    document = open_docx(out / "01-to-trinh.docx")
    assert document.sections[0].header.paragraphs[0].text.startswith("SỞ KHOA HỌC")
    assert document.sections[0].footer.paragraphs[0].text == "Địa chỉ: 2 Hùng Vương"
    assert document.styles["Normal"].font.name == "Arial"
    texts = [p.text for p in document.paragraphs]
    assert "sample text of the template" not in texts
    assert any(t.startswith("Kính gửi:") for t in texts)
    bad = run_assure("dossier", DEMO, "-o", tmp_path / "x", "--template", tmp_path / "no.docx")
    assert bad.code == 2


def test_every_document_turns_into_pages(demo_dir: Path, tmp_path: Path) -> None:
    """Each Word file opens in LibreOffice and prints to pages (PNG images to look at)."""
    documents = _docx_files(demo_dir)
    assert documents
    for path, pages in documents_pages(documents, tmp_path, dpi=40).items():
        assert pages, path.name
        assert all(p.stat().st_size > 1000 for p in pages), path.name


def test_english_documents_read_as_english(tmp_path: Path) -> None:
    out = tmp_path / "en"
    run = run_assure("demo", "-o", out, "--today", TODAY, "--lang", "en", "-q")
    assert run.code == 0, run.err
    letter = open_docx(out / "dossier" / "01-cover-letter.docx")
    head = letter.tables[0]
    right = head.rows[0].cells[1].paragraphs
    assert right[0].text == "SOCIALIST REPUBLIC OF VIET NAM"
    assert "1 December 2026" in right[-1].text
    gap = open_docx(out / "gap.docx")
    text = "\n".join(p.text for p in gap.paragraphs)
    assert re.search(r"Covered \(incl\. waived\): \d+\.\d%", text)
    assert "1 Dec 2026" in text


def test_markers_in_capitals_stay_markers(sparse_dir: Path) -> None:
    """The letterhead writes names in capitals, but a missing name stays a highlighted marker."""
    letter = open_docx(sparse_dir / "01-to-trinh.docx")
    left = letter.tables[0].rows[0].cells[0].paragraphs
    runs = [r for p in left for r in p.runs if r.text]
    assert any(
        r.text.startswith("[Cần bổ sung:") and r.font.highlight_color == WD_COLOR_INDEX.YELLOW
        for r in runs
    )
    assert not any("CẦN BỔ SUNG" in r.text for r in runs)
    html = (sparse_dir / "01-to-trinh.html").read_text(encoding="utf-8")
    assert "CẦN BỔ SUNG" not in html
