"""The dossier's blocks rendered: DOCX through the shared builder, HTML through the shared
page template. One renderer per format, so both carry the same content."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from assure import __version__
from assure.reports.docx import DocxBuilder, a4, stable_bytes
from assure.reports.dossier.model import Block, DocModel
from assure.reports.labels import labels
from assure.reports.templating import render_template


def to_docx(
    model: DocModel,
    *,
    author: str = "",
    created: dt.date | None = None,
    template: Path | None = None,
    landscape: bool = False,
) -> bytes:
    """Render blocks with the shared DocxBuilder (headings, tables, page numbers), on the
    agency's own `template` when one is given (A4 `landscape` for wide tables)."""
    doc = DocxBuilder(
        model.title,
        author=author,
        lang="vi-VN" if model.lang == "vi" else "en-GB",
        created=created,
        template=template,
    )
    if template is None:
        a4(doc, landscape=landscape)
    for b in model.blocks:
        if b.kind == "letterhead":
            parent, body, number, subject = b.headers
            national, (place_date,) = b.rows
            doc.letterhead(parent, body, number, place_date, national=national, subject=subject)
        elif b.kind == "signature":
            doc.signature(b.headers, b.rows[0])
        elif b.kind == "title":
            doc.title(b.text)
        elif b.kind == "h":
            doc.heading(b.text, b.level)
        elif b.kind == "p":
            doc.para(b.text, bold=b.bold, italic=b.italic, center=b.center)
        elif b.kind == "bullet":
            doc.bullet(b.text)
        elif b.kind == "table":
            doc.table(list(b.headers), [list(r) for r in b.rows], grid=b.grid, widths=b.widths)
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
