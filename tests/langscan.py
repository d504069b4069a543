"""Words of the other language in an output: the scan behind `tests/test_language_scan.py`.

Visible text only: HTML without its tags, scripts and styles; Word files by paragraph and
table cell; Markdown and terminal text without code spans. Identifiers (check and requirement
IDs, URLs, file names, e-mail addresses) are not words of a language and are dropped first.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

#: Common English words that a Vietnamese page never needs (IDs and names are dropped first).
ENGLISH = {
    "the",
    "and",
    "with",
    "from",
    "this",
    "that",
    "which",
    "level",
    "levels",
    "requirement",
    "requirements",
    "system",
    "systems",
    "coverage",
    "status",
    "passed",
    "failed",
    "waived",
    "partial",
    "summary",
    "generated",
    "overdue",
    "report",
    "target",
    "targets",
    "evidence",
    "owner",
    "none",
    "applicable",
    "inconclusive",
    "warning",
    "note",
    "checks",
    "findings",
    "finding",
    "valid",
    "invalid",
    "missing",
    "required",
    "unknown",
    "should",
    "must",
    "because",
    "implemented",
    "planned",
    "measure",
    "verification",
    "document",
    "documents",
    "sources",
    "basis",
    "regime",
    "total",
    "management",
    "technical",
    "roadmap",
    "weight",
    "criteria",
}
#: Vietnamese words that an English page never needs.
VIETNAMESE = {
    "của",
    "và",
    "các",
    "những",
    "được",
    "không",
    "yêu",
    "cầu",
    "cấp",
    "độ",
    "đạt",
    "chưa",
    "trạng",
    "thái",
    "tổng",
    "số",
    "hạn",
    "bằng",
    "chứng",
    "kiểm",
    "tra",
    "nguồn",
    "biện",
    "pháp",
    "phương",
    "án",
    "tiêu",
    "chí",
    "quyết",
    "định",
    "đáp",
    "ứng",
}
_IDENT = re.compile(
    r"https?://\S+|[\w.+-]+@[\w.-]+|`[^`]*`|\b[A-Z0-9]{2,}(?:[._-][A-Za-z0-9]+)+\b|"
    r"\b[a-z0-9]+(?:[-_][a-z0-9]+)+\b|\S+\.(?:docx|html|md|json|xml|yaml|pdf)\b|"
    r"\b\w+:\w+\b"
)


def visible_text(path: Path) -> str:
    """The text a reader sees in the file."""
    if path.suffix == ".docx":
        import docx

        document = docx.Document(io.BytesIO(path.read_bytes()))
        parts = [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
        for s in document.sections:
            parts += [p.text for p in s.header.paragraphs + s.footer.paragraphs]
        return "\n".join(parts)
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
        cells = [ws.title for ws in book.worksheets]
        for ws in book.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += [v for v in row if isinstance(v, str)]
        return "\n".join(cells)
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".html", ".htm"):
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
        text = re.sub(r"<pre\b.*?</pre>", " ", text, flags=re.S | re.I)  # evidence (data)
        text = re.sub(r"<code\b.*?</code>", " ", text, flags=re.S | re.I)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def foreign_words(text: str, lang: str) -> list[str]:
    """Words of the other language found in `text` (identifiers removed), in order."""
    text = _IDENT.sub(" ", text)
    words = re.findall(r"[^\W\d_]+", text.lower())
    other = ENGLISH if lang == "vi" else VIETNAMESE
    return [w for w in words if w in other]
