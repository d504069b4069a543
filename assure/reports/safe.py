"""Text made inert for the format it lands in: XML, CSV cells, Markdown.

Text in reports comes from people and servers we do not control: a profile's names, a
certificate's subject, a signer's name, a server's banner. Each writer passes it through
the one function here for its format, so that hostile text stays text:

- `xml_text`: XML 1.0 cannot hold most control characters (lxml and python-docx refuse
  them, a JUnit parser chokes); they are written as visible `\\xNN` escapes instead.
- `csv_cell`: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return is a formula
  to a spreadsheet (OWASP "CSV injection"); it is prefixed with `'`, which spreadsheets
  read as "this is text".
- `md_text`: Markdown and inline HTML in user text (`<script>`, `<img onerror=…>`,
  `[x](javascript:…)`) are escaped so a Markdown viewer shows them literally.
"""

from __future__ import annotations

import re

#: Characters XML 1.0 cannot carry (§2.2: Char), plus DEL and the C1 controls, which it can
#: carry but which no reader expects in a report.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(text: str) -> str:
    """`text` with every character XML cannot hold written as a visible escape."""
    return _XML_BAD.sub(_visible, text)


#: First characters a spreadsheet treats as the start of a formula (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula.

    Only text is touched: numbers stay numbers (a negative count is not an attack). Control
    characters are no better in a spreadsheet than in XML, and a lone carriage return would
    split the row for some readers, so both are shown as escapes.
    """
    if isinstance(value, str):
        value = xml_text(value).replace("\r", "\\r")
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def excel_bom(text: str) -> str:
    """CSV for a file a spreadsheet will open: a UTF-8 byte-order mark first, without which
    Excel reads UTF-8 as the local code page and Vietnamese turns to mojibake. `assure probe`
    adds it when `-o` names a `.csv` file, not on standard output (where other programs read
    the stream and a BOM would be a stray character)."""
    return text if text.startswith("\ufeff") else "\ufeff" + text


#: Characters with a meaning inside a Markdown line: emphasis, code, links and images
#: (`[`/`]`: no `[x](javascript:…)` survives), table cells, strikethrough (CommonMark §2.4
#: allows a backslash before any ASCII punctuation). Block markers (`#`, `-`, `1.`) only
#: count at the start of a line, and the text is folded onto one line after other text.
#: `&`, `<` and `>` become entities so no HTML tag or autolink survives.
_MD_PUNCT = re.compile(r"([\\`*_\[\]|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def md_text(text: str) -> str:
    """`text` escaped for a Markdown paragraph or table cell: one line, no markup, no HTML."""
    text = xml_text(text)
    text = " ".join(text.split("\n")).replace("\r", " ")
    text = _MD_PUNCT.sub(r"\\\1", text)
    return "".join(_HTML.get(c, c) for c in text)
