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
#: Names a Vietnamese text keeps as they are: products, formats, standards, Latin terms.
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
    "gitlab",
}


def foreign_words(text: str, lang: str) -> list[str]:
    """Words of the other language found in `text` (identifiers removed), in order.

    Vietnamese output: any word that cannot be a Vietnamese syllable (or is a common English
    word that looks like one), beyond acronyms in capitals and the names in `NAMES`.
    English output: any word with a letter only Vietnamese writes, or a common Vietnamese
    word without its marks.
    """
    import unicodedata

    text = _IDENT.sub(" ", text)
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
