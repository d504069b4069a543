"""A thin, deterministic layer over python-docx for every Word document we write.

Documents get real headings (so Word's navigation pane and table of contents work), real
tables, page numbers in the footer and a fixed creation date, so the same input always gives
the same content. Fonts are Times New Roman 13 pt, the usual size for Vietnamese
administrative documents.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

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
        self.doc.add_heading(text, level=level)

    def title(self, text: str) -> None:
        para = self.doc.add_heading(text, level=0)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def para(
        self, text: str = "", *, bold: bool = False, italic: bool = False, center: bool = False
    ) -> None:
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def bullet(self, text: str) -> None:
        self.doc.add_paragraph(text, style="List Bullet")

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], *, grid: bool = True
    ) -> None:
        """A table with a bold header row; `grid=False` draws no borders (letter headers)."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        if grid:
            table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
        self.doc.add_paragraph()

    def page_break(self) -> None:
        self.doc.add_page_break()

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
