"""Page layout for Word documents: A4 with administrative margins, and column widths.

python-docx starts from a US Letter template with equal column widths; Vietnamese
administrative documents are A4, and requirement tables read better when the ID column is
narrow and the text columns are wide. Wide tables (the plan's six columns) get a landscape
page.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from assure.docxwriter import DocxBuilder

#: A4 with the margins of Vietnamese administrative documents (Decree 30/2020/NĐ-CP, Annex I:
#: top and bottom 20 mm, left 30 mm, right 15 mm).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}


def a4(doc: DocxBuilder, *, landscape: bool = False) -> None:
    """Set every section to A4 (portrait or landscape) with administrative margins."""
    short, long = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    for section in doc.doc.sections:
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = long, short
        else:
            section.page_width, section.page_height = short, long
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])


def set_widths(doc: DocxBuilder, table: Any, fractions: Sequence[float]) -> None:
    """Give a table's columns relative widths over the text width of the current page."""
    section = doc.doc.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    total = sum(fractions)
    widths = [int(text_width * f / total) for f in fractions]
    table.autofit = False
    # LibreOffice reads the grid columns, Word the cell widths: set both
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


_FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _stable_zip(data: bytes) -> bytes:
    """Re-pack a DOCX with fixed member timestamps so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def stable_bytes(doc: DocxBuilder) -> bytes:
    """The document's bytes, identical for identical content (fixed zip timestamps)."""
    return _stable_zip(doc.to_bytes())
