"""A thin, deterministic layer over python-docx for every Word document we write.

Documents get real headings (so Word's navigation pane and table of contents work), real
tables, page numbers in the footer and a fixed creation date, so the same input always gives
the same content. Fonts are Times New Roman 13 pt, the usual size for Vietnamese
administrative documents.

Page layout lives here too: A4 with administrative margins (Decree 30/2020/NĐ-CP,
Annex I), column widths, and byte-stable packing so equal content gives equal files.

Every text passes through `safe.xml_text`: a control character (from a findings file or a
server) would make python-docx refuse the whole document.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from assure.reports.safe import xml_text as x

FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class DocxBuilder:
    """Build a Word document step by step, then `to_bytes()`."""

    def __init__(self, title: str, *, author: str = "assure", lang: str = "vi-VN") -> None:
        self.doc: Any = docx.Document()
        props = self.doc.core_properties
        props.title = title
        props.author = author
        props.last_modified_by = author
        props.created = FIXED_TIME
        props.modified = FIXED_TIME
        props.revision = 1
        props.language = lang
        style = self.doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(13)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), "Times New Roman")
        self._page_numbers()

    def _page_numbers(self) -> None:
        footer = self.doc.sections[0].footer
        para = footer.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run()
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(x(text), level=level)

    def title(self, text: str) -> None:
        para = self.doc.add_heading(x(text), level=0)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def para(
        self, text: str = "", *, bold: bool = False, italic: bool = False, center: bool = False
    ) -> None:
        p = self.doc.add_paragraph()
        run = p.add_run(x(text))
        run.bold = bold
        run.italic = italic
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def bullet(self, text: str) -> None:
        self.doc.add_paragraph(x(text), style="List Bullet")

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], *, grid: bool = True
    ) -> None:
        """A table with a bold header row; `grid=False` draws no borders (letter headers)."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        if grid:
            table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(x(text)).bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = x(text)
        self.doc.add_paragraph()

    def page_break(self) -> None:
        self.doc.add_page_break()

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


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
