"""Plain-text tables for terminals: aligned columns, Vietnamese-safe widths.

Cells may hold server or user text; control characters (an ESC would let a server's banner
recolour or rewrite the terminal) are shown as `\\xNN` escapes (`safe.xml_text`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from assure.reports.safe import xml_text


def width(text: str) -> int:
    """Display width: combining marks take no column, wide characters take two."""
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def pad(text: str, cols: int) -> str:
    return text + " " * max(0, cols - width(text))


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], *, gap: int = 2) -> str:
    """A table with a header rule; the last column is not padded."""
    rows = [[xml_text(c) for c in row] for row in rows]
    widths = [width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], width(cell))
    sep = " " * gap

    def line(cells: Sequence[str]) -> str:
        parts = [pad(c, widths[i]) for i, c in enumerate(cells[:-1])]
        return sep.join([*parts, cells[-1]]).rstrip()

    rule = sep.join("─" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)]) + "\n"
