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

from assure.cli import COMMANDS

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
    r"\b\w+:\w+\b|"
    # options (--resolve), names with digits (TLSv1.2, secp256r1), dotted names (portal.test,
    # budget.it_total), header names (Strict-Transport-Security), paths
    r"(?<!\w)--?[a-z][\w-]*|\b\w*\d\w*(?:\.\w+)*\b|\b\w+(?:\.\w+)+\b|"
    r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)+\b|(?<!\w)/[\w./-]+|"
    # what a message quotes is data: a signature's name, a server's or a library's words
    r"“[^”]*”|'[^'\n]*'|"
    # the tool's commands and a profile's field names in parentheses
    r"\bassure (?:" + "|".join(map(re.escape, sorted(COMMANDS, key=len, reverse=True))) + r")\b|"
    r"\((?:endpoints)\)"
)


#: JSON fields that are data or the contract's own English, not text for a reader: the
#: compact English citations (interface §5), a finding's English `summary` and its
#: `message` key (interface §6: reports word it), evidence (what a server or document said).
JSON_DATA = {
    "source",
    "sources",
    "regime_basis",
    "basis",
    "citations",
    "regime_citations",
    "doc",
    "summary",
    "message",
    "evidence",
    "reason",
    "detail",
    "validator_message",
}


def _json_text(node: object, key: str = "") -> list[str]:
    """The sentences of a JSON document: string values with a space, outside `JSON_DATA`."""
    if key in JSON_DATA:
        return []
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _json_text(v, str(k))]
    if isinstance(node, list):
        return [t for v in node for t in _json_text(v, key)]
    return [node] if isinstance(node, str) and " " in node.strip() else []


def visible_text(path: Path) -> str:
    """The text a reader sees in the file.

    JSON, JSONL and SARIF: their sentences (see `_json_text`); CSV: the summary and reason
    columns (the header and evidence are field names and data); JUnit: the messages and
    outputs of the test cases (a failure's body is the evidence, data).
    """
    import csv
    import json
    import xml.etree.ElementTree as ET

    if path.suffix in (".json", ".sarif"):
        return "\n".join(_json_text(json.loads(path.read_text(encoding="utf-8"))))
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        return "\n".join(t for line in lines if line for t in _json_text(json.loads(line)))
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        return "\n".join(f"{r.get('summary', '')} {r.get('reason', '')}" for r in rows)
    if path.suffix in (".junit", ".xml") and "<testsuite" in path.read_text(encoding="utf-8"):
        root = ET.fromstring(path.read_bytes())  # noqa: S314 (our own output)
        parts = [el.get("message", "") for el in root.iter()]
        parts += [el.text or "" for el in root.iter("system-out")]
        return "\n".join(parts)
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


#: Letters only Vietnamese writes (after the tone marks are taken off by NFD).
_VI_LETTERS = re.compile(r"[đĐ]|[\u0300-\u0309\u0323\u031b\u0306\u0302]")
#: A Vietnamese syllable written without its marks: initial consonant, vowels, final.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?"
)
#: English words that are also Vietnamese syllables once the marks are gone ("the" = thể).
_AMBIGUOUS = {
    "the",
    "then",
    "than",
    "to",
    "in",
    "on",
    "no",
    "not",
    "at",
    "be",
    "by",
    "he",
    "we",
    "go",
    "up",
    "but",
    "via",
    "out",
    "into",
    "my",
    "me",
    "it",
    "is",
}
#: Names a Vietnamese text keeps as they are: products, formats, standards, protocol fields,
#: and the loanwords Vietnamese official texts themselves use (web, Internet, logic).
NAMES = {
    "nginx",
    "apache",
    "openssl",
    "chromium",
    "libreoffice",
    "word",
    "excel",
    "python",
    "pyhanko",
    "signxml",
    "junit",
    "sarif",
    "jsonl",
    "json",
    "csv",
    "html",
    "docx",
    "markdown",
    "yaml",
    "pdf",
    "xml",
    "xades",
    "pades",
    "cades",
    "https",
    "http",
    "ipv",
    "tls",
    "dns",
    "aaaa",
    "hsts",
    "ocsp",
    "crl",
    "rsa",
    "ecdsa",
    "sha",
    "assure",
    "let",
    "encrypt",
    "windows",
    "linux",
    "github",
    "sqlite",
    "postgresql",
    "gitlab",
    "web",
    "km",
    "internet",
    "vn",
    "gov",
    "ddos",
    "byte",
    "logic",
    "email",
    "subjectaltname",
    "keyinfo",
    "keyvalue",
    "virtualhost",
    "xmldsig",
    "x509data",
    # X.509 extension and key-usage names a certificate defect names (RFC 5280 fields)
    "basicconstraints",
    "keyusage",
    "extendedkeyusage",
    "authoritykeyidentifier",
    "subjectkeyidentifier",
    "keycertsign",
    "digitalsignature",
    "keyencipherment",
    # "CA/B Forum", the body whose Baseline Requirements a profile rule cites
    "forum",
}


#: Vietnamese names an English text gives after their English gloss: "regulation (Quy chế)".
GLOSSED = re.compile(r"\((?:Quy chế|Ban Cơ yếu Chính phủ)\)")


def strip_identifiers(text: str) -> str:
    """`text` without identifiers (IDs, names with dots or digits, options, URLs, quotes)."""
    return _IDENT.sub(" ", re.sub(r"\b\w+(?:[._]\w+)+\b", " ", text))


def foreign_words(text: str, lang: str) -> list[str]:
    """Words of the other language found in `text` (identifiers removed), in order.

    Vietnamese output: any word that cannot be a Vietnamese syllable (or is a common English
    word that looks like one), beyond acronyms in capitals and the names in `NAMES`.
    English output: any word with a letter only Vietnamese writes, or a common Vietnamese
    word without its marks.
    """
    import unicodedata

    text = strip_identifiers(text)
    if lang == "en":
        text = GLOSSED.sub(" ", text)
    found: list[str] = []
    for word in re.findall(r"[^\W\d_]+", text):
        low = word.lower()
        if lang == "en":
            if len(word) > 1 and (
                low in VIETNAMESE or _VI_LETTERS.search(unicodedata.normalize("NFD", word))
            ):
                found.append(low)
            continue
        if low in ENGLISH:
            found.append(low)
            continue
        if len(word) == 1 or word.isupper() or low in NAMES:
            continue
        bare = unicodedata.normalize("NFD", low)
        bare = "".join(c for c in bare if not unicodedata.combining(c)).replace("đ", "d")
        if low in _AMBIGUOUS or not _SYLLABLE.fullmatch(bare):
            found.append(low)
    return found
