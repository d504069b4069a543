"""`assure inventory` and `assure annual-report` end to end: both languages, every format,
the workbooks opened by openpyxl and converted by LibreOffice, the documents converted too."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import ROOT, assert_no_traceback, run_assure, write
from tests.docpng import SOFFICE, lo_profile, pdf_text, to_pdf
from tests.langscan import foreign_words, visible_text
from tests.test_language_scan import tool_text

PROFILES = ROOT / "profiles"
TODAY = "2026-12-02"

CLEAN = """\
id: sach
name: Hệ thống một cửa điện tử
lifecycle: operating
owner: {name: Sở Khoa học và Công nghệ tỉnh Bình An}
approval: {decision: 15/QĐ-UBND, date: 2026-10-01, level: 3, regime: nd331-2026}
classification:
  system_type: citizen_business
  information: [public, personal]
  online_public_service_level: 2
  conditional_business: false
  personal_data_users: 150000
  administrative_procedures: true
  sensitive_personal_data_users: 0
"""


def _calc() -> bool:
    """Whether LibreOffice has its spreadsheet (Calc), which reads .xlsx."""
    if not SOFFICE:
        return False
    program = Path(SOFFICE).resolve().parent
    return (program / "libsclo.so").exists() or (program / "scalc").exists()


def to_csv(book: Path, out_dir: Path) -> list[list[str]]:
    """The first sheet of `book` as LibreOffice Calc exports it (UTF-8, cells as shown)."""
    if not _calc():
        pytest.skip("LibreOffice Calc is not installed (Debian: libreoffice-calc-nogui)")
    assert SOFFICE is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={lo_profile().as_uri()}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
            "--outdir",
            str(out_dir),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    target = out_dir / (book.stem + ".csv")
    assert target.exists(), f"LibreOffice wrote no CSV for {book}"
    with target.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_table_lists_every_system_overdue_first_and_exits_1(lang: str) -> None:
    """Something is overdue in the bundled portfolio: the inventory says no (exit 1)."""
    run = run_assure("inventory", PROFILES, "--lang", lang, "--today", TODAY)
    assert run.code == 1, run.err
    assert_no_traceback(run)
    for pid in ("motcua-xa-an-phu", "dvc-binh-an", "ha-tang-so-y-te-hoa-giang"):
        assert pid in run.out
    if lang == "vi":
        assert "Quá hạn (" in run.out and "Phải xác định lại cấp độ" in run.out
        assert "Điều 25 Nghị định số 331/2026/NĐ-CP" in run.out
        assert "việc quá hạn (mã thoát 1)" in run.err
    else:
        assert "Overdue (" in run.out and "Re-determination due" in run.out
        assert "Art. 25 Decree 331/2026/ND-CP" in run.out
    assert foreign_words(tool_text(run.out + run.err), lang) == [], run.out


def test_nothing_overdue_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path / "sach.yaml", CLEAN)
    run = run_assure("inventory", path, "--today", TODAY, "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    (system,) = data["systems"]
    assert system["approval"]["status"] == "current"
    assert system["state"] in ("ok", "due_soon")
    assert data["totals"]["deadlines"]["overdue"] == 0
    assert data["owner_deadlines"][0]["due"] == "2026-12-24"


def test_invalid_profile_is_exit_3_with_its_position(tmp_path: Path) -> None:
    write(tmp_path / "sach.yaml", CLEAN)
    write(
        tmp_path / "hong.yaml",
        CLEAN.replace("id: sach", "id: hong").replace("level: 3", "level: 9"),
    )
    run = run_assure("inventory", tmp_path, "--today", TODAY)
    assert run.code == 3
    assert "hong.yaml:5:" in run.err and "approval.level" in run.err
    assert "sach" in run.out  # the valid profile is still listed
    assert_no_traceback(run)


def test_json_contract() -> None:
    run = run_assure("inventory", PROFILES, "--today", TODAY, "--format", "json", "--lang", "en")
    data = json.loads(run.out)
    assert data["today"] == TODAY
    assert data["totals"]["systems"]["total"] == 20
    deadlines = data["deadlines"]
    overdue = [d["overdue"] for d in deadlines]
    assert overdue == sorted(overdue, reverse=True)  # overdue first
    first = data["systems"][0]
    assert first["state"] == "overdue"
    assert set(first["approval"]) >= {"status", "ok", "approval", "reason", "sources", "due"}
    kinds = {d["kind"] for d in deadlines}
    assert kinds >= {"approval", "inspection", "annual_report", "transition", "waiver", "control"}


def test_xlsx_is_a_real_workbook_that_libreoffice_reads(tmp_path: Path) -> None:
    out = tmp_path / "inventory.xlsx"
    run = run_assure("inventory", PROFILES, "--today", TODAY, "--format", "xlsx", "-o", out)
    assert run.code == 1, run.err
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["Danh mục hệ thống", "Các thời hạn"]
    ws = book["Danh mục hệ thống"]
    head = [c.value for c in ws[4]]
    assert head[0] == "Mã hệ thống" and "Ngày quyết định" in head
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref == f"A4:{ws.cell(row=4, column=len(head)).column_letter}24"
    assert all(c.font.bold for c in ws[4])
    col = head.index("Ngày quyết định") + 1
    dates = [ws.cell(row=r, column=col) for r in range(5, 25) if ws.cell(row=r, column=col).value]
    assert dates and all(c.is_date and c.number_format == "dd/mm/yyyy" for c in dates)
    assert ws.column_dimensions["B"].width > 20
    level_col = head.index("Cấp độ") + 1
    assert {ws.cell(row=r, column=level_col).value for r in range(5, 25)} <= {1, 2, 3, 4, 5}
    dl = book["Các thời hạn"]
    assert dl.freeze_panes == "A5" and dl.cell(row=5, column=1).value is None  # due now
    rows = to_csv(out, tmp_path / "csv")
    ids = {r[0] for r in rows[4:] if r}
    assert {"motcua-xa-an-phu", "dvc-binh-an"} <= ids
    motcua = next(r for r in rows if r and r[0] == "motcua-xa-an-phu")
    assert "01/12/2021" in motcua  # the approval date, as a date shown dd/mm/yyyy


def test_format_follows_the_output_file(tmp_path: Path) -> None:
    out = tmp_path / "danh-muc.xlsx"
    run = run_assure("inventory", PROFILES, "--today", TODAY, "-o", out, "-q")
    assert run.code == 1, run.err
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert run_assure("inventory", PROFILES, "--today", TODAY, "-o", tmp_path / "a.txt").code == 1
    assert "Mã hệ thống" in (tmp_path / "a.txt").read_text(encoding="utf-8")


def test_xlsx_cells_stay_text(tmp_path: Path) -> None:
    """A name that looks like a formula is stored as text, never run."""
    path = write(
        tmp_path / "f.yaml",
        CLEAN.replace("name: Hệ thống một cửa điện tử", 'name: "=HYPERLINK(1)"'),
    )
    out = tmp_path / "f.xlsx"
    run_assure("inventory", path, "--today", TODAY, "--format", "xlsx", "-o", out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    cell = ws.cell(row=5, column=2)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_documents_in_one_language(fmt: str, lang: str, tmp_path: Path) -> None:
    out = tmp_path / f"inventory.{fmt}"
    run = run_assure(
        "inventory", PROFILES, "--today", TODAY, "--format", fmt, "-o", out, "--lang", lang
    )
    assert run.code == 1, run.err
    text = visible_text(out)
    head = "Danh mục hệ thống" if lang == "vi" else "Inventory of information systems"
    assert head.lower() in text.lower()
    assert foreign_words(tool_text(text), lang) == [], text[:2000]


def test_docx_converts_to_pdf(tmp_path: Path) -> None:
    out = tmp_path / "inventory.docx"
    run_assure("inventory", PROFILES, "--today", TODAY, "--format", "docx", "-o", out)
    text = "".join(pdf_text(to_pdf(out, tmp_path / "pdf")).split())  # pdftotext spaces letters
    assert "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM" in text
    assert "DANHMỤCHỆTHỐNGTHÔNGTIN" in text
    assert "motcua-xa-an-" in text  # the ID may wrap after a hyphen


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_annual_report_writes_docx_and_xlsx(lang: str, tmp_path: Path) -> None:
    """Decree 331/2026 Art. 36 (the regime in force on 14/12/2026): twelve items, the third
    the candidates for the national-security list; the report goes to the Ministry of Public
    Security (Art. 35.4.b)."""
    out = tmp_path / "bc"
    run = run_assure(
        "annual-report",
        PROFILES,
        "--year",
        "2026",
        "-o",
        out,
        "--lang",
        lang,
        "--today",
        "2026-12-16",
    )
    assert run.code == 0, run.err
    stem = "bao-cao-nam-2026" if lang == "vi" else "annual-report-2026"
    docx_file, xlsx_file = out / f"{stem}.docx", out / f"{stem}.xlsx"
    assert run.out.split() == [str(docx_file), str(xlsx_file)]
    text = visible_text(docx_file)
    if lang == "vi":
        assert "Kính gửi: Bộ Công an." in text
        assert "Điều 35 và Điều 36 Nghị định số 331/2026/NĐ-CP" in text
        assert "3. Danh sách hệ thống thông tin có căn cứ đề xuất đưa vào Danh mục" in text
        assert "12. Các thông tin khác" in text
        assert "số liệu từ ngày 15/12/2025 đến ngày 14/12/2026" in text
    else:
        assert "To: Ministry of Public Security." in text
    assert foreign_words(tool_text(text), lang) == [], text[:2000]
    book = openpyxl.load_workbook(xlsx_file)
    assert len(book.sheetnames) == 1 + 12 + 1  # summary, the twelve items, the detail
    detail = book.worksheets[-1]
    assert detail.max_row > 100 and detail.freeze_panes is not None
    xtext = visible_text(xlsx_file)
    assert foreign_words(tool_text(xtext), lang) == []
    pdf = "".join(pdf_text(to_pdf(docx_file, tmp_path / "pdf")).split())
    assert ("BÁOCÁO" if lang == "vi" else "REPORT") in pdf
    rows = to_csv(xlsx_file, tmp_path / "csv")
    assert rows[0][0].startswith("Báo cáo" if lang == "vi" else "Report")


def test_annual_report_of_2025_follows_circular_12(tmp_path: Path) -> None:
    """On 14/12/2025 Decree 85/2016 was in force: Circular 12/2022 Art. 14, eleven items,
    to the Ministry of Information and Communications."""
    out = tmp_path / "bc.docx"
    run = run_assure(
        "annual-report", PROFILES, "--year", "2025", "--format", "docx", "-o", out, "--today", TODAY
    )
    assert run.code == 0, run.err
    text = visible_text(out)
    assert "Bộ Thông tin và Truyền thông" in text
    assert "khoản 11 Điều 14 Thông tư số 12/2022/TT-BTTTT" in text
    assert "12. " not in text.split("11. Các thông tin khác")[1][:200]
    assert "an toàn thông tin" in text


def test_annual_report_json_and_usage(tmp_path: Path) -> None:
    run = run_assure(
        "annual-report", PROFILES, "--year", "2026", "--format", "json", "--today", "2026-12-16"
    )
    data = json.loads(run.out)
    assert data["regime"] == "nd331-2026" and data["day"] == "2026-12-14"
    assert data["counts"]["systems"] == 20
    assert data["deadlines"] == {"to_owner": "2026-12-19", "to_ministry": "2026-12-24"}
    level5 = {s["id"] for s in data["systems"] if s["national_security"]}
    assert "csdl-quoc-gia-ho-tich" in level5
    assert dt.date.fromisoformat(data["period"][0]) == dt.date(2025, 12, 15)
    usage = run_assure("annual-report", PROFILES, "--year", "2026")
    assert usage.code == 2 and "-o" in usage.err
