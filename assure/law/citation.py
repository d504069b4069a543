"""Citations of the law as structured data, and their wording per language.

Catalogues and regimes cite in a compact English form ("Decree 85/2016 Art. 16.2.a",
"Law 116/2025 Art. 10.2.đ, 10.4–10.5; Decree 331/2026 Art. 28.1"), which is the JSON
contract. `parse` turns such a text into `Citation`s (document, article, clause, point), so
that a test can hold every citation against the outline of the document it cites
(`checklists/outlines/`), and `Citation.render` words it the way each language does: in
Vietnamese legal style, smallest unit first and the document's full name ("điểm a khoản 2
Điều 16 Nghị định số 85/2016/NĐ-CP"), never "Art." or "Decree".

This is law, not presentation: the plan puts citations in its data, so the wording lives
beside the regimes rather than in `reports/`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assure.law.regime import Lang, Text

#: Documents the catalogues cite, by the key they are cited with: the full name of each as
#: its own text gives it, per language.
DOCUMENTS: Mapping[str, Text] = {
    "Decree 85/2016": Text("Nghị định số 85/2016/NĐ-CP", "Decree 85/2016/ND-CP"),
    "Decree 331/2026": Text("Nghị định số 331/2026/NĐ-CP", "Decree 331/2026/ND-CP"),
    "Decree 333/2026": Text("Nghị định số 333/2026/NĐ-CP", "Decree 333/2026/ND-CP"),
    "Decree 224/2026": Text("Nghị định số 224/2026/NĐ-CP", "Decree 224/2026/ND-CP"),
    "Decree 30/2020": Text("Nghị định số 30/2020/NĐ-CP", "Decree 30/2020/ND-CP"),
    "Circular 12/2022": Text("Thông tư số 12/2022/TT-BTTTT", "Circular 12/2022/TT-BTTTT"),
    "Circular 03/2017": Text("Thông tư số 03/2017/TT-BTTTT", "Circular 03/2017/TT-BTTTT"),
    "Circular 31/2017": Text("Thông tư số 31/2017/TT-BTTTT", "Circular 31/2017/TT-BTTTT"),
    "Circular 32/2017": Text("Thông tư số 32/2017/TT-BTTTT", "Circular 32/2017/TT-BTTTT"),
    "Law 116/2025": Text(
        "Luật An ninh mạng số 116/2025/QH15", "Law on Cybersecurity 116/2025/QH15"
    ),
    "Law 86/2015": Text(
        "Luật An toàn thông tin mạng số 86/2015/QH13",
        "Law on Network Information Security 86/2015/QH13",
    ),
}

_DOC = re.compile(r"(?P<kind>Decree|Circular|Law)\s+(?P<num>\d+)/(?P<year>\d{4})(?:/[A-Z0-9Đ-]+)?")
_ANNEX = re.compile(r"\s*Annex(?:es)?\s+(?P<annex>[IVX]+(?:\s*[–-]\s*[IVX]+)?)")
_ART = re.compile(r"\s*Arts?\.\s*")
#: One reference inside an article list: 16, 16.2, 16.2.a, 19.a, 10.4–10.5, 5–20.
_REF = re.compile(
    r"(?P<art>\d+)(?:\.(?P<clause>\d+))?(?:\.(?P<point>[a-zđ]))?"
    r"(?:\s*[–-]\s*(?P<art2>\d+)(?:\.(?P<clause2>\d+))?(?:\.(?P<point2>[a-zđ]))?)?"
    r"(?![\d.])"
)
_POINT_ONLY = re.compile(r"(?P<art>\d+)\.(?P<point>[a-zđ])(?![\w.])")


@dataclass(frozen=True, slots=True)
class Citation:
    """One place in one legal document: an article, its clause (khoản), its point (điểm).

    A range ("10.4–10.5", "Arts. 5–20") keeps its far end in `clause_to` or `article_to`;
    a citation of an annex has `annex` and no article.
    """

    document: str
    article: int | None = None
    clause: int | None = None
    point: str | None = None
    article_to: int | None = None
    clause_to: int | None = None
    annex: str | None = None

    def name(self, lang: Lang) -> str:
        """The document's full name in `lang` (the cited key when it is not registered)."""
        known = DOCUMENTS.get(self.document)
        return known(lang) if known else self.document

    def render(self, lang: Lang) -> str:
        """The citation worded in `lang`: Vietnamese legal style or the compact English."""
        return self._vi() if lang == "vi" else self._en()

    def _vi(self) -> str:
        doc = self.name("vi")
        if self.annex:
            return f"Phụ lục {self.annex} {doc}"
        if self.article_to is not None:
            return f"các Điều từ {self.article} đến {self.article_to} {doc}"
        bits = []
        if self.point:
            bits.append(f"điểm {self.point}")
        if self.clause is not None:
            bits.append(
                f"khoản {self.clause}"
                if self.clause_to is None
                else f"các khoản từ {self.clause} đến {self.clause_to}"
            )
        bits.append(f"Điều {self.article}")
        return " ".join([*bits, doc])

    def _en(self) -> str:
        doc = self.name("en")
        if self.annex:
            return f"{doc} Annex {self.annex}"
        if self.article_to is not None:
            return f"{doc} Arts. {self.article}–{self.article_to}"
        ref = str(self.article)
        if self.clause is not None:
            ref += f".{self.clause}"
            if self.clause_to is not None:
                ref += f"–{self.article}.{self.clause_to}"
        if self.point:
            ref += f".{self.point}"
        return f"{doc} Art. {ref}"


def _refs(document: str, text: str) -> tuple[list[Citation], str]:
    """The references of one article list (`16.2.a, 17`, `10.4–10.5`), and what follows."""
    out: list[Citation] = []
    rest = text
    while True:
        m = _REF.match(rest)
        if not m:
            break
        art = int(m["art"])
        clause = int(m["clause"]) if m["clause"] else None
        point = m["point"]
        if m["art2"] is not None:
            art2 = int(m["art2"])
            if m["clause2"] is not None and clause is not None and art2 == art:
                out.append(Citation(document, art, clause, None, clause_to=int(m["clause2"])))
            elif m["clause2"] is None and clause is None:
                out.append(Citation(document, art, article_to=art2))
            else:  # "10.2.đ–11.1": two ends, each a citation of its own
                out.append(Citation(document, art, clause, point))
                out.append(Citation(document, art2, int(m["clause2"] or 0) or None, m["point2"]))
        else:
            out.append(Citation(document, art, clause, point))
        rest = rest[m.end() :]
        sep = re.match(r"\s*,\s*(?:Arts?\.\s*)?(?=\d)", rest)
        if not sep:
            break
        rest = rest[sep.end() :]
    return out, rest


def parse(source: str) -> list[Citation]:
    """Every citation in a source text, in order (`[]` when it names no known form).

    "Decree 85/2016 Art. 19.a" is point a of Article 19 (an article without clauses); in
    "Decree 331/2026 Art. 28.5.a; Art. 31.2.c" the second part cites the same document.
    """
    out: list[Citation] = []
    document: str | None = None
    pos = 0
    while pos < len(source):
        doc = _DOC.match(source, pos)
        if doc:
            document = f"{doc['kind']} {doc['num']}/{doc['year']}"
            pos = doc.end()
            annex = _ANNEX.match(source, pos)
            if annex:
                out.append(Citation(document, annex=annex["annex"].replace(" ", "")))
                pos = annex.end()
                continue
        art = _ART.match(source, pos)
        if art and document is not None:
            refs, rest = _refs(document, source[art.end() :])
            out.extend(refs)
            pos = len(source) - len(rest)
            continue
        pos += 1
    return out


_CITES_VI: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (
            r"\(status after Decree (\d+)/(\d{4}) UNCONFIRMED\)",
            r"(hiệu lực sau Nghị định \1/\2: CHƯA XÁC NHẬN)",
        ),
        (r"\(status UNCONFIRMED\)", "(hiệu lực: CHƯA XÁC NHẬN)"),
        (r"Directive (\d+)/CT-TTg", r"Chỉ thị \1/CT-TTg"),
        (r"MIC Official Letter ", "Công văn "),
    )
)

_NOTE = re.compile(r"\s*(\([^)]*\))\s*$")


def cite(source: str, lang: Lang) -> str:
    """A source text in `lang`: English as the catalogues write it; in Vietnamese each
    citation worded by `Citation.render` (what does not parse keeps its words, translated
    where a fixed phrase is known)."""
    if lang != "vi":
        return source
    note = _NOTE.search(source)
    body = source[: note.start()] if note else source
    parts = [p.strip() for p in body.split(";")]
    worded: list[str] = []
    document: str | None = None
    for part in parts:
        if document and part.startswith("Art"):
            part = f"{document} {part}"  # "…; Art. 31.2.c" keeps citing the same document
        found = parse(part)
        if found:
            document = found[-1].document
            worded.append(", ".join(c.render("vi") for c in found))
        else:
            worded.append(part)
    text = "; ".join(worded)
    if note:
        text += " " + note.group(1)
    for pattern, repl in _CITES_VI:
        text = pattern.sub(repl, text)
    return text


@dataclass(frozen=True, slots=True)
class ArticleOutline:
    """What an outline establishes about one article.

    `clauses` is the exact number of clauses when `exact`, else the number established so
    far; `points` maps a clause (0 for an article without clauses) to its point letters.
    """

    clauses: int
    exact: bool
    points: Mapping[int, tuple[str, ...]]
    points_exact: bool


@dataclass(frozen=True, slots=True)
class Outline:
    """The structure of one legal document (articles → clauses → points), from its text."""

    document: str
    source: str
    complete: bool
    articles: Mapping[int, ArticleOutline]
    annexes: tuple[str, ...]
    file: str

    def problem(self, c: Citation) -> str | None:
        """Why `c` names a place this outline does not have (None when it has it)."""
        if c.annex is not None:
            ends = [a.strip() for a in re.split(r"[–-]", c.annex)]
            missing = [a for a in ends if a not in self.annexes]
            return f"{self.document} has no Annex {missing[0]}" if missing else None
        assert c.article is not None
        for art in range(c.article, (c.article_to or c.article) + 1):
            if art not in self.articles:
                return f"{self.document} Art. {art} is not in the outline ({self.file})"
        a = self.articles[c.article]
        clauses = [x for x in (c.clause, c.clause_to) if x is not None]
        for k in clauses:
            if k > a.clauses and a.exact:
                return f"{self.document} Art. {c.article} has {a.clauses} clauses, not {k}"
            if k > a.clauses:
                return f"{self.document} Art. {c.article}.{k} is not established by the outline"
        if c.point is not None:
            key = c.clause or 0
            if c.clause is None and a.clauses and a.exact:
                return f"{self.document} Art. {c.article} has clauses; cite the clause of {c.point}"
            letters = a.points.get(key)
            if letters is None or c.point not in letters:
                where = f"Art. {c.article}" + (f".{c.clause}" if c.clause else "")
                return f"{self.document} {where} has no point {c.point} in the outline"
        return None


def _article(data: object) -> ArticleOutline:
    if isinstance(data, list):
        return ArticleOutline(
            len(data), True, {i + 1: tuple(p) for i, p in enumerate(data) if p}, True
        )
    assert isinstance(data, dict)
    if "points" in data:
        return ArticleOutline(0, True, {0: tuple(data["points"])}, True)
    if "clauses" in data:
        return ArticleOutline(int(data["clauses"]), True, {}, False)
    known = {int(k): tuple(v) for k, v in (data.get("points_at_least") or {}).items()}
    return ArticleOutline(int(data["clauses_at_least"]), False, known, False)


def load_outlines(folder: Path | None = None) -> dict[str, Outline]:
    """Every outline in `checklists/outlines/`, by the document key citations use."""
    from assure.inputs.yamldoc import load_yaml
    from assure.paths import checklists_dir

    out: dict[str, Outline] = {}
    for path in sorted((folder or checklists_dir() / "outlines").glob("*.yaml")):
        data = load_yaml(path).data
        out[data["document"]] = Outline(
            document=data["document"],
            source=data["source"],
            complete=bool(data.get("complete", False)),
            articles={int(k): _article(v) for k, v in data["articles"].items()},
            annexes=tuple(data.get("annexes") or ()),
            file=f"checklists/outlines/{path.name}",
        )
    return out
