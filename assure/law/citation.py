"""Citations of the law as structured data, and their wording per language.

The data cites structurally (`{doc: Decree 85/2016, art: 16, clause: 2, point: a}`); the
loaders turn each citation field into `Citation`s (document, article, clause, point) with
`structure`, and the model carries them as they are (`Cites`) to the report that words
them: `Citation.render` in Vietnamese legal style, smallest unit first and the document's
full name ("điểm a khoản 2 Điều 16 Nghị định số 85/2016/NĐ-CP"), never "Art." or "Decree";
in English the compact form ("Decree 85/2016 Art. 16.2.a"), which is also the JSON
contract's string (`compact`). JSON outputs keep those strings and add the structure
(`to_json`). `parse` reads a citation back out of prose, so that a test can hold every
citation, in the data or in the code, against the outline of the document it cites
(`checklists/outlines/`).

This is law, not presentation: the plan puts citations in its data, so the wording lives
beside the regimes rather than in `reports/`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assure.i18n import t
from assure.law.regime import Lang, Text

#: Documents the catalogues cite, by the key they are cited with; the full name of each,
#: as its own text gives it, is the message `cite.doc.<key>` of each language.
_DOCUMENT_KEYS: tuple[str, ...] = (
    "Decree 85/2016",
    "Decree 331/2026",
    "Decree 333/2026",
    "Decree 224/2026",
    "Decree 30/2020",
    "Circular 12/2022",
    "Circular 03/2017",
    "Circular 31/2017",
    "Circular 32/2017",
    "Law 116/2025",
    "Law 86/2015",
)


def _message_key(document: str) -> str:
    """`cite.doc.decree_85_2016` for "Decree 85/2016"."""
    return "cite.doc." + re.sub(r"[^a-z0-9]+", "_", document.lower())


DOCUMENTS: Mapping[str, Text] = {
    d: Text(t(_message_key(d), "vi"), t(_message_key(d), "en")) for d in _DOCUMENT_KEYS
}

_DOC = re.compile(r"(?P<kind>Decree|Circular|Law)\s+(?P<num>\d+)/(?P<year>\d{4})(?:/[A-Z0-9Đ-]+)?")
_ANNEX = re.compile(r"\s*Annex(?:es)?\s+(?P<annex>[IVX]+(?:\s*[–-]\s*[IVX]+)?)")
_ART = re.compile(r"\s*Arts?\.\s*")
#: One reference inside an article list: 16, 16.2, 16.2.a, 3.a, 10.4–10.5, 5–20.
_REF = re.compile(
    r"(?P<art>\d+)(?:\.(?P<clause>\d+))?(?:\.(?P<point>[a-zđ])(?:[–-](?P<pto>[a-zđ])(?![\w.]))?)?"
    r"(?:\s*[–-]\s*(?P<art2>\d+)(?:\.(?P<clause2>\d+))?(?:\.(?P<point2>[a-zđ]))?)?"
    r"(?![\d.])"
)
_POINT_ONLY = re.compile(r"(?P<art>\d+)\.(?P<point>[a-zđ])(?![\w.])")


@dataclass(frozen=True, slots=True)
class Citation:
    """One place in one legal document: an article, its clause (khoản), its point (điểm).

    A range ("10.4–10.5", "Arts. 5–20", "31.1.b–c", "Annexes I–V") keeps its far end in
    `article_to`, `clause_to`, `point_to` or `annex_to`; a citation of an annex has `annex`
    and no article. `note` is a remark printed after it ("status UNCONFIRMED"). A source the
    project cannot hold against an outline (a directive, a standard, an official letter) is
    `text` alone, kept in its words, with no document key.
    """

    document: str
    article: int | None = None
    clause: int | None = None
    point: str | None = None
    article_to: int | None = None
    clause_to: int | None = None
    annex: str | None = None
    point_to: str | None = None
    annex_to: str | None = None
    note: str | None = None
    text: str | None = None

    def name(self, lang: Lang) -> str:
        """The document's full name in `lang` (the cited key when it is not registered)."""
        known = DOCUMENTS.get(self.document)
        return known(lang) if known else self.document

    def render(self, lang: Lang) -> str:
        """The citation worded in `lang` with the document's full name: Vietnamese legal
        style, or the English place-then-document ("Art. 16.2.a Decree 85/2016/ND-CP")."""
        if self.text is not None:
            return cite(self.text, lang)
        body = self._vi() if lang == "vi" else self._en()
        if self.note:
            body = cite(f"{body} ({self.note})", lang) if lang == "vi" else f"{body} ({self.note})"
        return body

    def compact(self) -> str:
        """The compact English form the JSON outputs carry ("Decree 85/2016 Art. 16.2.a")."""
        if self.text is not None:
            return self.text
        out = f"{self.document} {self._where()}"
        return f"{out} ({self.note})" if self.note else out

    def _where(self) -> str:
        if self.annex:
            if self.annex_to:
                return f"Annexes {self.annex}–{self.annex_to}"
            return f"Annex {self.annex}"
        word = "Arts." if self.article_to is not None else "Art."
        return f"{word} {self.ref()}"

    def ref(self) -> str:
        """The article part alone: "16.2.a", "10.4–10.5", "5–20", "31.1.b–c"."""
        if self.article_to is not None:
            return f"{self.article}–{self.article_to}"
        ref = str(self.article)
        if self.clause is not None:
            ref += f".{self.clause}"
            if self.clause_to is not None:
                ref += f"–{self.article}.{self.clause_to}"
        if self.point:
            ref += f".{self.point}"
            if self.point_to:
                ref += f"–{self.point_to}"
        return ref

    def _vi(self) -> str:
        """Smallest unit first (point, clause, article), each named by its `cite.unit.*`."""
        lg: Lang = "vi"
        doc = self.name(lg)
        if self.annex:
            if self.annex_to:
                return t("cite.unit.annexes", lg, annex=self.annex, to=self.annex_to, doc=doc)
            return t("cite.unit.annex", lg, annex=self.annex, doc=doc)
        if self.article_to is not None:
            return t("cite.unit.articles", lg, article=self.article, to=self.article_to, doc=doc)
        bits = []
        if self.point:
            bits.append(
                t("cite.unit.point", lg, point=self.point)
                if not self.point_to
                else t("cite.unit.points", lg, point=self.point, to=self.point_to)
            )
        if self.clause is not None:
            bits.append(
                t("cite.unit.clause", lg, clause=self.clause)
                if self.clause_to is None
                else t("cite.unit.clauses", lg, clause=self.clause, to=self.clause_to)
            )
        bits.append(t("cite.unit.article", lg, article=self.article))
        return " ".join([*bits, doc])

    def _en(self) -> str:
        return f"{self._where()} {self.name('en')}"


#: The keys of one citation entry in `checklists/`, and the `Citation` field each fills.
_FIELDS: Mapping[str, str] = {
    "doc": "document",
    "art": "article",
    "clause": "clause",
    "point": "point",
    "to_art": "article_to",
    "to_clause": "clause_to",
    "to_point": "point_to",
    "annex": "annex",
    "to_annex": "annex_to",
    "note": "note",
    "text": "text",
}


def from_data(entry: Mapping[str, object]) -> Citation:
    """One citation entry of the data (`{doc: Decree 85/2016, art: 16, clause: 2, point: a}`),
    already checked by the schema's `$defs/citation`, as a `Citation`."""
    kw: dict[str, object] = {_FIELDS[k]: v for k, v in entry.items() if k in _FIELDS}
    kw.setdefault("document", "")
    for key in ("annex", "annex_to", "point", "point_to", "note", "text", "document"):
        if key in kw and kw[key] is not None:
            kw[key] = str(kw[key])
    return Citation(**kw)  # type: ignore[arg-type]


def to_data(c: Citation) -> dict[str, object]:
    """The entry `from_data` reads back into `c` (keys in the documented order)."""
    out: dict[str, object] = {}
    for key, attr in _FIELDS.items():
        value = getattr(c, attr)
        if value is not None and value != "":
            out[key] = value
    return out


#: One source as the model carries it: the citations that read together as one text.
Cites = tuple[Citation, ...]


def from_list(entries: object) -> Cites:
    """A source as the data writes it, a list of citation entries, as `Citation`s."""
    assert isinstance(entries, list), entries
    return tuple(from_data(e) for e in entries)


def _groups(citations: Cites | list[Citation]) -> list[list[Citation]]:
    """Neighbours that cite one document in one breath (no annex, no note between)."""
    groups: list[list[Citation]] = []
    for c in citations:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and c.text is None
            and last.text is None
            and not c.annex
            and not last.annex
            and not last.note
            and c.document == last.document
        ):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def compact(citations: Cites | list[Citation]) -> str:
    """Several citations as one compact English text, the JSON contract's form.

    Neighbours in one document share its name ("Law 116/2025 Art. 10.2.a, 10.4–10.5";
    "Arts." when they span articles); documents are separated by "; ". A note ends its group.
    """
    parts: list[str] = []
    for group in _groups(citations):
        if len(group) == 1:
            parts.append(group[0].compact())
            continue
        articles = {g.article for g in group}
        ranged = any(g.article_to is not None for g in group)
        word = "Art." if len(articles) == 1 and not ranged else "Arts."
        text = f"{group[0].document} {word} " + ", ".join(g.ref() for g in group)
        note = group[-1].note
        parts.append(f"{text} ({note})" if note else text)
    return "; ".join(parts)


def _english(group: list[Citation]) -> str:
    """One group as an English page words it: the place first, then the document ("Art.
    16.2.a Decree 85/2016"; neighbours share it, "Arts. 16.2.a, 17.2 Decree 85/2016"), as
    the units come first in the Vietnamese; a note ends the group."""
    first = group[0]
    if first.text is not None:
        return first.text
    if len(group) == 1:
        text = f"{first._where()} {first.document}"
    else:
        articles = {g.article for g in group}
        ranged = any(g.article_to is not None for g in group)
        word = "Art." if len(articles) == 1 and not ranged else "Arts."
        text = f"{word} " + ", ".join(g.ref() for g in group) + f" {first.document}"
    note = group[-1].note
    return f"{text} ({note})" if note else text


def render_all(citations: Cites | list[Citation], lang: Lang) -> str:
    """Several citations worded in `lang` for a page, straight from the structure (nothing
    re-parsed). Vietnamese: each citation in legal style, in full and smallest unit first,
    neighbours in one document joined by commas. English: the place, then the document
    ("Art. 16.2.a Decree 85/2016"). Documents are separated by "; ". JSON strings keep the
    contract's compact form instead (`compact`)."""
    if lang != "vi":
        return "; ".join(_english(g) for g in _groups(citations))
    return "; ".join(", ".join(c.render("vi") for c in g) for g in _groups(citations))


def in_words(citations: Cites | list[Citation], lang: Lang) -> str:
    """Citations for a sentence: each one in full with its document's full name, in either
    language ("khoản 1 Điều 39 Nghị định số 331/2026/NĐ-CP", "Decree 331/2026/ND-CP Art.
    39.1"); a sentence never types an article number of its own."""
    return "; ".join(c.render(lang) for c in citations)


def to_json(citations: Cites | list[Citation], lang: Lang) -> list[dict[str, object]]:
    """The structured `citations` array of a JSON output: each entry as the data writes it
    (`doc`, `art`, `clause`, `point`, …) with `cited`, its wording in `lang` as a page
    gives it (`render_all`)."""
    return [{**to_data(c), "cited": render_all((c,), lang)} for c in citations]


def source_json(citations: Cites | None, lang: Lang) -> dict[str, object]:
    """The fields of a JSON object that cites one source: `source`, its compact text (the
    contract), and `citations`, its structure (`to_json`); `source: null` when none."""
    if not citations:
        return {"source": None}
    return {"source": compact(citations), "citations": to_json(citations, lang)}


def sources_json(citations: Cites | None, lang: Lang) -> dict[str, object]:
    """The fields of a JSON object that cites several sources each on its own: `sources`,
    one compact text per citation (the contract), and `citations`, their structure."""
    cites = citations or ()
    return {"sources": [c.compact() for c in cites], "citations": to_json(cites, lang)}


def cited(entries: object, lang: Lang) -> str:
    """The wording in `lang` of a JSON `citations` array (what `to_json` wrote), for a page
    laid out from the JSON: the entries read back as `Citation`s and worded by
    `render_all`, so neighbours in one document still share its name."""
    if not isinstance(entries, list):
        return ""
    cites = [from_data(e) for e in entries if isinstance(e, dict)]
    return render_all(cites, lang)


def cited_each(obj: Mapping[str, Any]) -> str:
    """A plan item's citations, each worded on its own ("; " between), as its table cell
    shows them: the `cited` texts `to_json` wrote in the run's language."""
    return "; ".join(str(e["cited"]) for e in obj.get("citations") or [] if "cited" in e)


def source_text(obj: Mapping[str, Any] | None, lang: Lang) -> str:
    """How a page words the citations of one JSON object (`source_json`/`sources_json`):
    from its structured `citations`; its contract string where it has none; "" if neither."""
    if not obj:
        return ""
    worded = cited(obj.get("citations"), lang)
    if worded:
        return worded
    source = obj.get("source")
    return str(source) if source else ", ".join(obj.get("sources") or [])


#: The fields of the data that hold citations: `source` one source (a list of entries that
#: reads as one text), `sources` a list of entries each read on its own. Both are loaded as
#: `Cites`; a JSON output writes a `source` as one compact text and `sources` as one text
#: per citation.
SOURCE_KEYS = ("source", "current_from_source", "transition_source", "parts_source", "article")
SOURCES_KEYS = ("sources", "appraisal_sources", "approval_sources")


def structure(data: Any) -> Any:
    """The data with every citation field turned into `Cites`: what the loaders hand on is
    the structure itself, worded only when a report or a JSON output is written."""
    if isinstance(data, dict):
        out: dict[object, object] = {}
        for k, v in data.items():
            if k in (*SOURCE_KEYS, *SOURCES_KEYS) and _is_entries(v):
                out[k] = from_list(v)
            else:
                out[k] = structure(v)
        return out
    if isinstance(data, list):
        return [structure(v) for v in data]
    return data


def _is_entries(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(e, dict) for e in value)


def citations_in(data: object) -> list[Citation]:
    """Every citation entry in loaded (undecoded) data, in order."""
    out: list[Citation] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k in (*SOURCE_KEYS, *SOURCES_KEYS) and _is_entries(v):
                out.extend(from_list(v))
            else:
                out.extend(citations_in(v))
    elif isinstance(data, list):
        for v in data:
            out.extend(citations_in(v))
    return out


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
            out.append(Citation(document, art, clause, point, point_to=m["pto"]))
        rest = rest[m.end() :]
        sep = re.match(r"\s*,\s*(?:Arts?\.\s*)?(?=\d)", rest)
        if not sep:
            break
        rest = rest[sep.end() :]
    return out, rest


def parse(source: str) -> list[Citation]:
    """Every citation in a source text, in order (`[]` when it names no known form).

    "Decree 85/2016 Art. 19.2.a" is point a of clause 2 of Article 19; an article without
    numbered clauses cites its point directly (article, dot, letter), which the outline test
    rejects where the article has clauses. In "Decree 331/2026 Art. 28.5.a; Art. 31.2.c" the
    second part cites the same document.
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
                ends = re.split(r"\s*[–-]\s*", annex["annex"])
                out.append(
                    Citation(document, annex=ends[0], annex_to=ends[1] if len(ends) > 1 else None)
                )
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


#: Fixed English phrases the data writes in its notes and sources, each with the message
#: that words it in Vietnamese (`cite.phrase.*`; the English text is the phrase itself).
_CITES_VI: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), key)
    for p, key in (
        (
            r"\(status after Decree (?P<num>\d+)/(?P<year>\d{4}) UNCONFIRMED\)",
            "cite.phrase.status_after",
        ),
        (r"\(status UNCONFIRMED\)", "cite.phrase.status_unconfirmed"),
        (r"Directive (?P<num>\d+)/CT-TTg", "cite.phrase.directive"),
        (r"MIC Official Letter(?= )", "cite.phrase.official_letter"),
        (r"\(third-party summary; UNCONFIRMED\)", "cite.phrase.third_party"),
        (
            r"(?P<std>TCVN [\d:]+) clauses (?P<first>\d+)[–-](?P<last>\d+)",
            "cite.phrase.tcvn_clauses",
        ),
        (r"(?P<std>TCVN [\d:]+) clause (?P<clause>\d+)", "cite.phrase.tcvn_clause"),
    )
)


_NOTE = re.compile(r"\s*(\([^)]*\))\s*$")


def cite(source: str | Cites, lang: Lang) -> str:
    """A source in `lang`. Structured citations (`Cites`, as every loader hands them on)
    are worded by `render_all`; a text is prose that may name a citation (a note written
    in the data, a docstring), English as written, and in Vietnamese each citation found in
    it worded by `Citation.render` (what does not parse keeps its words, translated where a
    fixed phrase is known)."""
    if not isinstance(source, str):
        return render_all(source, lang)
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
    for pattern, key in _CITES_VI:
        text = pattern.sub(_worded(key), text)
    return text


def _worded(key: str) -> Callable[[re.Match[str]], str]:
    """The replacement of a fixed phrase: its Vietnamese message, filled from the match."""
    return lambda m: t(key, "vi", **m.groupdict())


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
            ends = [a for a in (c.annex, c.annex_to) if a]
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
        for point in [p for p in (c.point, c.point_to) if p is not None]:
            key = c.clause or 0
            if c.clause is None and a.clauses and a.exact:
                return f"{self.document} Art. {c.article} has clauses; cite the clause of {point}"
            letters = a.points.get(key)
            if letters is None or point not in letters:
                where = f"Art. {c.article}" + (f".{c.clause}" if c.clause else "")
                return f"{self.document} {where} has no point {point} in the outline"
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
