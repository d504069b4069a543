"""Workbooks for the people who live in Excel: real sheets, not CSV in disguise.

Officials keep their portfolio in spreadsheets, so a workbook must be one they can filter
and sort at once: the header row frozen and bold, an autofilter over the table, columns as
wide as their content (within bounds), dates stored as dates (so they sort and compute) and
shown the way the language writes them, numbers as numbers. Text is made inert: a cell
that begins with "=" is stored as text, never as a formula (openpyxl would otherwise write
it as one), and characters XML cannot carry are shown as escapes (`safe.xml_text`).

openpyxl is imported only when a workbook is written.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from assure.law.regime import Lang
from assure.reports.safe import xml_text
from assure.reports.text import width

#: Cell values a sheet holds: text, whole or decimal numbers, dates, or nothing.
Cell = str | int | float | dt.date | None

#: Excel's number format for dates, per language (the format code, not the locale's).
DATE_FORMAT = {"vi": "dd/mm/yyyy", "en": "dd mmm yyyy"}
#: Column widths are kept within these bounds (in characters).
MIN_WIDTH, MAX_WIDTH = 6, 60


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table: a title (the tab's name), a header row and the rows under it."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    #: Lines written above the table (a heading, the day, the source), bold first.
    preamble: Sequence[str] = field(default=())


def _tab(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\\`."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return clean[:31] or "Sheet"


def _shown(value: Cell, lang: Lang) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return "00/00/0000" if lang == "vi" else "00 Mmm 0000"
    return str(value)


def workbook(sheets: Sequence[Sheet], lang: Lang, *, title: str = "", author: str = "") -> bytes:
    """The sheets as one .xlsx file (bytes identical for identical content)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.title = xml_text(title)
    wb.properties.creator = xml_text(author) or "assure"
    wb.properties.lastModifiedBy = xml_text(author) or "assure"
    bold = Font(bold=True)
    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for sheet in sheets:
        ws = wb.create_sheet(_tab(sheet.title))
        row = 1
        for i, line in enumerate(sheet.preamble):
            c = ws.cell(row=row, column=1, value=xml_text(line))
            c.data_type = "s"
            if i == 0:
                c.font = Font(bold=True, size=13)
            row += 1
        if sheet.preamble:
            row += 1
        head_row = row
        widths = [width(h) for h in sheet.headers]
        for col, h in enumerate(sheet.headers, start=1):
            c = ws.cell(row=head_row, column=col, value=xml_text(h))
            c.data_type = "s"
            c.font = bold
            c.alignment = wrapped
        for r, values in enumerate(sheet.rows, start=head_row + 1):
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=col)
                if isinstance(value, str):
                    cell.value = xml_text(value)
                    cell.data_type = "s"  # "=…" stays text, never a formula
                elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    cell.value = value
                    cell.number_format = DATE_FORMAT[lang]
                else:
                    cell.value = value
                cell.alignment = wrapped if isinstance(value, str) else top
                widths[col - 1] = max(widths[col - 1], width(_shown(value, lang)))
        for col, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = max(
                MIN_WIDTH, min(MAX_WIDTH, w + 2)
            )
        last_col = get_column_letter(max(1, len(sheet.headers)))
        ws.freeze_panes = ws.cell(row=head_row + 1, column=1)
        ws.auto_filter.ref = f"A{head_row}:{last_col}{head_row + max(1, len(sheet.rows))}"
        ws.print_title_rows = f"{head_row}:{head_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        # Printed, a sheet is as wide as the page and as long as it needs.
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The archive rewritten with fixed entry timestamps, so equal content is equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


__all__ = ["Cell", "Sheet", "workbook"]
