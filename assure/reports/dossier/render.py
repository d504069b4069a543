"""The dossier's blocks rendered: DOCX through the shared builder, HTML through the shared
page template. One renderer per format, so both carry the same content."""

from __future__ import annotations

from collections.abc import Sequence

from assure import __version__
from assure.reports.docx import DocxBuilder, a4, set_widths, stable_bytes
from assure.reports.dossier.model import Block, DocModel
from assure.reports.labels import labels
from assure.reports.templating import render_template


def to_docx(model: DocModel) -> bytes:
    """Render blocks with the shared DocxBuilder (headings, tables, page numbers)."""
    doc = DocxBuilder(model.title, lang="vi-VN" if model.lang == "vi" else "en-GB")
    a4(doc)
    for b in model.blocks:
        if b.kind == "title":
            doc.title(b.text)
        elif b.kind == "h":
            doc.heading(b.text, b.level)
        elif b.kind == "p":
            doc.para(b.text, bold=b.bold, italic=b.italic, center=b.center)
        elif b.kind == "bullet":
            doc.bullet(b.text)
        elif b.kind == "table":
            doc.table(list(b.headers), [list(r) for r in b.rows], grid=b.grid)
            if b.widths:
                set_widths(doc, doc.doc.tables[-1], b.widths)
        elif b.kind == "pagebreak":
            doc.page_break()
    return stable_bytes(doc)


def html_blocks(blocks: Sequence[Block]) -> list[Block | list[Block]]:
    """Blocks with consecutive bullets gathered into one list (one `<ul>` in HTML)."""
    out: list[Block | list[Block]] = []
    for b in blocks:
        last = out[-1] if out else None
        if b.kind == "bullet" and isinstance(last, list):
            last.append(b)
        elif b.kind == "bullet":
            out.append([b])
        else:
            out.append(b)
    return out


def to_html(model: DocModel) -> str:
    """Render blocks as one self-contained, autoescaped HTML page."""
    return render_template(
        "document.html.j2",
        doc=model,
        blocks=html_blocks(model.blocks),
        L=labels(model.lang),
        lang=model.lang,
        version=__version__,
    )
