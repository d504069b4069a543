"""A thin, deterministic layer over python-docx for every Word document we write.

Documents are laid out as Decree 30/2020/NĐ-CP (Annex I) lays out administrative documents,
so an official signs the file as it comes instead of retyping it: Times New Roman 13 pt,
headings in black bold Times (not Word's blue sans-serif theme), the letterhead (issuing
body under its parent body, number and symbol; the national title and motto; place and date
in italics) and the signature block with its list of recipients. Tables repeat their header
row on every page, never split a row across pages, and give each column at least the width
of its longest unbreakable word. `[Cần bổ sung: …]` markers are highlighted, so what is left
to fill in stands out.

An agency's own letterhead is a `.docx` given as template: its styles, header and footer are
kept and only the body is written. The document properties name the document, its author
(the operating unit) and the day it was generated; the same input and day give the same bytes.

Every text passes through `safe.xml_text`: a control character (from a findings file or a
server) would make python-docx refuse the whole document.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from assure.reports.safe import xml_text as x

FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FONT = "Times New Roman"
#: Body text size (Decree 30/2020: 13–14 pt) and the sizes of the letterhead's lines.
BODY_PT = 13
_HEADING_PT = {0: 14, 1: 14, 2: 13, 3: 13, 4: 13}
#: A "[Cần bổ sung: …]" / "[To be completed: …]" marker: a fact the profile does not state.
MARKER = re.compile(r"\[(?:Cần bổ sung|To be completed): [^\]]*\]")


def upper(text: str) -> str:
    """Capitals, as the letterhead and titles are written, except inside the markers of what
    is left to complete (they stay readable and highlighted)."""
    out, pos = [], 0
    for m in MARKER.finditer(text):
        out += [text[pos : m.start()].upper(), m.group(0)]
        pos = m.end()
    return "".join([*out, text[pos:].upper()])


def _fonts(rpr: Any) -> None:
    """Times New Roman for every script, and no theme font that would override it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _administrative_styles(document: Any) -> None:
    """Normal text and headings as Decree 30/2020 writes them: Times, black, bold headings."""
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(6)
    for level, size in _HEADING_PT.items():
        name = "Title" if level == 0 else f"Heading {level}"
        try:
            style = document.styles[name]
        except KeyError:
            continue
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        _fonts(rpr)
        color = rpr.find(qn("w:color"))
        if color is not None:
            for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
                if color.get(qn(attr)) is not None:
                    del color.attrib[qn(attr)]
        # the Title style of Word's template draws a blue rule under the text
        ppr = style.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
        style.paragraph_format.space_before = Pt(12 if level <= 1 else 6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True


def _clear_body(document: Any) -> None:
    """Remove an agency template's sample content, keeping its section (page, header, footer)."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


class DocxBuilder:
    """Build a Word document step by step, then `to_bytes()`."""

    def __init__(
        self,
        title: str,
        *,
        author: str = "",
        lang: str = "vi-VN",
        created: dt.date | None = None,
        template: Path | None = None,
    ) -> None:
        self.doc: Any = docx.Document(str(template)) if template else docx.Document()
        self.from_template = template is not None
        props = self.doc.core_properties
        props.title = x(title)
        props.author = x(author)
        props.last_modified_by = x(author)
        props.comments = ""
        props.keywords = ""
        when = (
            dt.datetime(created.year, created.month, created.day, tzinfo=dt.UTC)
            if created
            else FIXED_TIME
        )
        props.created = when
        props.modified = when
        props.revision = 1
        props.language = lang
        if template is None:
            _administrative_styles(self.doc)
            self._page_numbers()
        else:
            _clear_body(self.doc)
            if not any(
                p.text.strip() or p._p.xpath(".//w:fldChar")
                for p in self.doc.sections[0].footer.paragraphs
            ):
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
        para = self.doc.add_heading("", level=level)
        _write_runs(para, text)

    def title(self, text: str) -> None:
        """The document's title: bold capitals, centred (Decree 30/2020, Annex I)."""
        para = self.doc.add_heading("", level=0)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _write_runs(para, upper(text))

    def para(
        self,
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        center: bool = False,
        size: float | None = None,
    ) -> None:
        p = self.doc.add_paragraph()
        _write_runs(p, text, bold=bold, italic=italic, size=size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            p.paragraph_format.first_line_indent = Mm(10)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def bullet(self, text: str) -> None:
        p = self.doc.add_paragraph(style="List Bullet")
        _write_runs(p, text)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        grid: bool = True,
        widths: Sequence[float] = (),
    ) -> Any:
        """A table with a bold header row repeated on every page; rows never split across
        pages; columns as wide as their content needs (`widths`: preferred proportions).
        `grid=False` draws no borders (letter headers)."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if grid:
            table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            _write_runs(cell.paragraphs[0], text, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                _write_runs(cell.paragraphs[0], text)
        _repeat_header(table)
        set_widths(self, table, widths or ())
        self.doc.add_paragraph()
        return table

    def letterhead(
        self,
        parent: str,
        body: str,
        number: str,
        place_date: str,
        *,
        national: Sequence[str],
        subject: str = "",
    ) -> None:
        """The head of an administrative document (Decree 30/2020, Annex I, items 1–4): on the
        left the parent body, the issuing body in bold under it and the number and symbol; on
        the right the national title in bold on one line, the motto bold and underlined, and
        the place and date in italics."""
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        _lines(
            left,
            [
                (upper(parent), {"size": 12}),
                (upper(body), {"size": 12, "bold": True}),
                ("", {"size": 6}),
                (number, {"size": 13}),
                *([(subject, {"size": 12})] if subject else []),
            ],
        )
        _lines(
            right,
            [
                (national[0].upper(), {"size": 12, "bold": True}),
                (national[1], {"size": 13, "bold": True, "underline": True}),
                ("", {"size": 6}),
                (place_date, {"size": 13, "italic": True}),
            ],
        )
        set_widths(self, table, (36, 64), fit=False)
        _no_wrap(right.paragraphs[0])
        self.doc.add_paragraph()

    def signature(self, recipients: Sequence[str], signer: Sequence[str]) -> None:
        """The foot of the document: "Nơi nhận" on the left (bold italic 12 pt, then the
        recipients in 11 pt) and the signer's position, the signing note and the name on the
        right (Decree 30/2020, Annex I, items 7–8)."""
        if self.doc.paragraphs:  # the closing sentence stays on the page of the signature
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        head, *items = recipients or ("",)
        _lines(
            left,
            [(head, {"size": 12, "bold": True, "italic": True})]
            + [(i, {"size": 11}) for i in items],
            center=False,
        )
        title, *rest = signer or ("",)
        note = rest[0] if rest else ""
        name = rest[1] if len(rest) > 1 else ""
        _lines(
            right,
            [
                (upper(title), {"size": 13, "bold": True}),
                (note, {"size": 13, "italic": True}),
                ("", {"size": 13}),
                ("", {"size": 13}),
                ("", {"size": 13}),
                (name, {"size": 13, "bold": True}),
            ],
        )
        set_widths(self, table, (45, 55), fit=False)
        for row in table.rows:
            _cant_split(row)

    def page_break(self) -> None:
        self.doc.add_page_break()

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def _write_runs(
    paragraph: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
) -> None:
    """`text` as runs, each `[Cần bổ sung: …]` marker highlighted in yellow."""
    pos = 0
    pieces: list[tuple[str, bool]] = []
    for m in MARKER.finditer(text):
        if m.start() > pos:
            pieces.append((text[pos : m.start()], False))
        pieces.append((m.group(0), True))
        pos = m.end()
    if pos < len(text) or not pieces:
        pieces.append((text[pos:], False))
    for piece, marked in pieces:
        run = paragraph.add_run(x(piece))
        run.bold = bold or None
        run.italic = italic or None
        run.underline = underline or None
        if size:
            run.font.size = Pt(size)
        if marked:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _lines(cell: Any, lines: Sequence[tuple[str, dict[str, Any]]], *, center: bool = True) -> None:
    """Lines of a letterhead or signature cell, each its own paragraph with its own look."""
    first = cell.paragraphs[0]
    for run in list(first.runs):
        run._r.getparent().remove(run._r)
    for i, (text, look) in enumerate(lines):
        para = first if i == 0 else cell.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.paragraph_format.space_before = Pt(0)
        para.paragraph_format.first_line_indent = None
        if center:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _write_runs(
            para,
            text,
            bold=look.get("bold", False),
            italic=look.get("italic", False),
            underline=look.get("underline", False),
            size=look.get("size"),
        )


def _no_wrap(paragraph: Any) -> None:
    """Keep one line on one line (the national title): shrink the spacing, never wrap."""
    for run in paragraph.runs:
        rpr = run._r.get_or_add_rPr()
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), "-4")
        rpr.append(spacing)


def _repeat_header(table: Any) -> None:
    """The first row repeats on every page; no row is split across a page break."""
    for i, row in enumerate(table.rows):
        _cant_split(row)
        if i == 0:
            trpr = row._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            trpr.append(el)


def _cant_split(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    if trpr.find(qn("w:cantSplit")) is None:
        el = OxmlElement("w:cantSplit")
        el.set(qn("w:val"), "true")
        trpr.append(el)


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


#: Where a line may break inside a word: after a hyphen or a slash (not after a dot: word
#: processors keep "TK.INTERNET-" together).
_BREAKS = re.compile(r"\s+|(?<=[-/])")


def _char_em(ch: str) -> float:
    """Rough width of a character of Times New Roman in ems (enough to size a column)."""
    if ch.isupper():
        return 0.72
    if ch.isdigit():
        return 0.52
    if ch in "il.,;:'|!":
        return 0.3
    return 0.55


def _word_em(text: str, *, bold: bool = False) -> float:
    """The width in ems of the longest piece of `text` a line cannot break."""
    pieces = [p for p in _BREAKS.split(text) if p]
    widest = max((sum(_char_em(c) for c in p) for p in pieces), default=0.0)
    return widest * (1.1 if bold else 1.0)


def _cell_pt(cell: Any) -> float:
    sizes = [r.font.size.pt for p in cell.paragraphs for r in p.runs if r.font.size is not None]
    return max(sizes, default=float(BODY_PT))


def set_widths(
    doc: DocxBuilder, table: Any, fractions: Sequence[float] = (), *, fit: bool = True
) -> None:
    """Give a table's columns widths over the text width of the current page.

    Each column gets at least the width of its longest word (so "TK.INTERNET-REDUNDANCY" is
    never cut into "TK.INTERN/ET-REDUNDA/NCY"); the rest of the width goes by `fractions`
    (equal when empty) or by how much text each column holds.
    """
    section = doc.doc.sections[-1]
    text_width = int(section.page_width - section.left_margin - section.right_margin)
    columns = len(table.columns)
    padding = int(Mm(4.5))  # the cell's left and right margins, and a little air
    need = [0] * columns
    amount = [1.0] * columns
    if fit:
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells[:columns]):
                em = _word_em(cell.text, bold=r == 0)
                need[c] = max(need[c], int(Pt(em * _cell_pt(cell))) + padding)
                amount[c] += min(len(cell.text), 120)
    prefer = list(fractions) if fractions else amount
    total = sum(prefer)
    widths = [int(text_width * f / total) for f in prefer]
    if fit and sum(need) <= text_width:
        # raise the columns that are too narrow, taking the width from those that can spare it
        for _ in range(columns):
            short = [i for i in range(columns) if widths[i] < need[i]]
            if not short:
                break
            for i in short:
                widths[i] = need[i]
            spare = [i for i in range(columns) if widths[i] > need[i]]
            excess = sum(widths) - text_width
            room = sum(widths[i] - need[i] for i in spare)
            if excess <= 0 or room <= 0:
                break
            for i in spare:
                widths[i] -= int(excess * (widths[i] - need[i]) / room) + 1
    table.autofit = False
    # LibreOffice reads the grid columns, Word the cell widths: set both
    for column, width in zip(table.columns, widths, strict=False):
        column.width = Emu(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Emu(width)


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
