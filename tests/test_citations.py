"""Every citation in `checklists/` and in the code names a place its document has.

The outlines in `checklists/outlines/` are counted from the legal texts themselves (the
Official Gazette for Circular 12/2022); a citation to a clause or point an outline lacks
fails here, whatever the project's other data says. The data's citations are structured
entries (`{doc: Decree 85/2016, art: 16, clause: 2, point: a}`) read as they are; prose in
the data and string constants in the code are still read with the parser.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assure.inputs.yamldoc import load_yaml
from assure.law.citation import (
    SOURCE_KEYS,
    SOURCES_KEYS,
    Citation,
    citations_in,
    cite,
    compact,
    from_data,
    load_outlines,
    parse,
)
from assure.law.regime import load_regime
from tests.conftest import ROOT

#: Documents cited whose outline is not built yet: a citation to any other document without
#: an outline fails, so a newly cited document cannot slip past the check.
NOT_OUTLINED = {
    "Decree 224/2026",
    "Law 86/2015",
    "Circular 03/2017",
    "Circular 31/2017",
    "Circular 32/2017",
}


def _strings(value: object) -> Iterator[str]:
    """The prose of the data: every string outside its citation fields."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in (*SOURCE_KEYS, *SOURCES_KEYS) or not isinstance(v, list):
                yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _checklist_files() -> list[Path]:
    return [p for p in sorted((ROOT / "checklists").rglob("*.yaml")) if "outlines" not in p.parts]


def _checklist_sources() -> Iterator[tuple[str, str]]:
    for path in _checklist_files():
        for text in _strings(load_yaml(path).data):
            yield str(path.relative_to(ROOT)), text


def _structured() -> list[tuple[str, str, Citation]]:
    out = []
    for path in _checklist_files():
        for c in citations_in(load_yaml(path).data):
            if c.text is None:
                out.append((str(path.relative_to(ROOT)), c.compact(), c))
    return out


def _code_sources() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "assure").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


#: A citation in Vietnamese legal style inside prose: "điểm a khoản 2 Điều 16", then the
#: document when the text names it ("Nghị định số 85/2016/NĐ-CP", "Thông tư 12/2022").
_VI = re.compile(
    r"(?:[Đđ]iểm (?P<point>[a-zđ]) )?(?:[Kk]hoản (?P<clause>\d+) )?Điều (?P<art>\d+)"
    r"(?: (?:của )?(?P<kind>Nghị định|NĐ|Thông tư|TT|Luật(?: [^\d,;()]*?)?)(?: số)?"
    r" (?P<num>\d+)/(?P<year>\d{4}))?"
)
_KINDS = {"Nghị định": "Decree", "NĐ": "Decree", "Thông tư": "Circular", "TT": "Circular"}


def parse_vi(text: str) -> list[Citation | None]:
    """The Vietnamese-style citations of a text; None for one that names no document (it
    cannot be held against an outline, so code must not write one)."""
    out: list[Citation | None] = []
    for m in _VI.finditer(text):
        if m["kind"] is None:
            out.append(None)
            continue
        kind = _KINDS.get(m["kind"], "Law")
        clause = int(m["clause"]) if m["clause"] else None
        document = f"{kind} {m['num']}/{m['year']}"
        out.append(Citation(document, int(m["art"]), clause, m["point"]))
    return out


def _constructed() -> Iterator[tuple[str, str, Citation]]:
    """Every `Citation(...)` the code builds from constants (a fallback, an annex)."""
    for path in sorted((ROOT / "assure").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Citation"):
                continue
            if any(k.arg is None for k in node.keywords) or any(
                isinstance(a, ast.Starred) for a in node.args
            ):
                continue  # built from data (`Citation(**kw)`): the data is scanned itself
            try:
                args = [ast.literal_eval(a) for a in node.args]
                kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            except ValueError:
                continue  # built from variables: the data it reads is scanned on its own
            c = Citation(*args, **kw)
            if c.document and c.text is None:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", c.compact(), c


def _citations() -> list[tuple[str, str, Citation]]:
    out = _structured()
    for where, text in [*_checklist_sources(), *_code_sources()]:
        for c in parse(text):
            out.append((where, text, c))
        for v in parse_vi(text):
            if v is not None:
                out.append((where, text, v))
    out.extend(_constructed())
    return out


CITATIONS = _citations()


def test_the_scan_finds_citations() -> None:
    """The scan reads the catalogues, the regimes and the code (a broken scan passes all)."""
    docs = {c.document for _, _, c in CITATIONS}
    assert {"Decree 85/2016", "Circular 12/2022", "Decree 331/2026", "Law 116/2025"} <= docs
    assert len(CITATIONS) > 300
    assert len(_structured()) > 250


def test_the_code_builds_citations_and_names_their_document() -> None:
    """The code's own citations are found and checked too: the `Citation`s it constructs
    (the annex of a level, the dossier's fallbacks), and no Vietnamese citation in a string
    of the code lacks its document ("khoản 1 Điều 39" alone cannot be checked; sentences
    word the rules' own citations instead)."""
    constructed = list(_constructed())
    assert any(c.annex == "I" or c.document == "Circular 12/2022" for _, _, c in constructed)
    bare = [
        f"{where}: {text!r}"
        for where, text in _code_sources()
        if any(v is None for v in parse_vi(text))
    ]
    assert not bare, "\n".join(bare)
    assert parse_vi("theo khoản 1 Điều 39 Nghị định số 331/2026/NĐ-CP") == [
        Citation("Decree 331/2026", 39, 1)
    ]


def test_no_citation_is_left_as_a_string_in_the_data() -> None:
    """Every `source`/`sources` field of `checklists/` is a list of entries, and no entry of
    free text (`{text: ...}`) hides a citation the parser would recognise."""
    problems = []
    for path in _checklist_files():
        if "trust" in path.parts:  # the trust registry's `source` says where a root came from
            continue

        def walk(value: object, where: str) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    if k in (*SOURCE_KEYS, *SOURCES_KEYS) and not isinstance(v, list):
                        problems.append(f"{where}.{k}: {v!r} is not a list of citations")
                    elif k in (*SOURCE_KEYS, *SOURCES_KEYS):
                        for e in v:
                            c = from_data(e)
                            if c.text is not None and parse(c.text):
                                problems.append(f"{where}.{k}: {c.text!r} cites as free text")
                    else:
                        walk(v, f"{where}.{k}")
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, f"{where}[{i}]")

        walk(load_yaml(path).data, str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("entries", "text"),
    [
        (
            [{"doc": "Decree 85/2016", "art": 16, "clause": 2, "point": "a"}],
            "Decree 85/2016 Art. 16.2.a",
        ),
        (
            [
                {"doc": "Law 116/2025", "art": 10, "clause": 2, "point": "đ"},
                {"doc": "Law 116/2025", "art": 10, "clause": 4, "to_clause": 5},
                {"doc": "Decree 331/2026", "art": 28, "clause": 1},
            ],
            "Law 116/2025 Art. 10.2.đ, 10.4–10.5; Decree 331/2026 Art. 28.1",
        ),
        (
            [
                {"doc": "Law 116/2025", "art": 9, "clause": 3},
                {"doc": "Law 116/2025", "art": 10, "clause": 5},
            ],
            "Law 116/2025 Arts. 9.3, 10.5",
        ),
        (
            [{"doc": "Circular 12/2022", "annex": "I", "to_annex": "V"}],
            "Circular 12/2022 Annexes I–V",
        ),
        ([{"doc": "Decree 85/2016", "art": 19, "to_art": 20}], "Decree 85/2016 Arts. 19–20"),
        (
            [{"doc": "Decree 331/2026", "art": 31, "clause": 1, "point": "b", "to_point": "c"}],
            "Decree 331/2026 Art. 31.1.b–c",
        ),
        (
            [{"doc": "Circular 32/2017", "art": 20, "note": "status UNCONFIRMED"}],
            "Circular 32/2017 Art. 20 (status UNCONFIRMED)",
        ),
        ([{"text": "Directive 14/CT-TTg (2019)"}], "Directive 14/CT-TTg (2019)"),
    ],
)
def test_structured_citations_read_as_the_compact_text(
    entries: list[dict[str, object]], text: str
) -> None:
    """The JSON outputs carry the compact English text; it is rendered from the entries, and
    the parser reads it back into the same citations (notes and free text aside)."""
    cites = [from_data(e) for e in entries]
    assert compact(cites) == text
    if all(c.text is None and c.note is None for c in cites):
        assert parse(text) == cites


def test_a_malformed_citation_is_a_data_error_with_its_place(tmp_path: Path) -> None:
    """A citation entry the schema rejects (a clause without an article, an unknown
    document, a point that is not a letter) stops the load with file:line:column."""
    import shutil

    from assure.errors import DataError
    from assure.law.transition import parse_transition

    root = tmp_path / "checklists"
    shutil.copytree(ROOT / "checklists", root)
    path = root / "transitions" / "nd85-2016__nd331-2026.yaml"
    text = path.read_text(encoding="utf-8")
    bad = text.replace(
        "source: [{doc: Decree 331/2026, art: 29, clause: 2, point: g}]",
        "source: [{doc: Decree 331/2026, clause: 2, point: gg}]",
    )
    assert bad != text
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError) as err:
        parse_transition(path, root)
    message = str(err.value)
    assert "nd85-2016__nd331-2026.yaml:" in message and "source" in message


def test_every_citation_is_in_the_outline_of_its_document() -> None:
    """A citation to an article, clause, point or annex the document lacks is an error."""
    outlines = load_outlines()
    problems = []
    for where, text, c in CITATIONS:
        outline = outlines.get(c.document)
        if outline is None:
            if c.document not in NOT_OUTLINED:
                problems.append(f"{where}: {text!r}: no outline of {c.document}")
            continue
        problem = outline.problem(c)
        if problem:
            problems.append(f"{where}: {text!r}: {problem}")
    assert not problems, "\n".join(problems)


def test_outline_rejects_clauses_that_do_not_exist() -> None:
    """Decree 85/2016 Art. 12 and Art. 14 each have three clauses; Circular 12/2022 Art. 8
    has six, its dossier parts being points a–c of clause 2 ("2. Thuyết minh Hồ sơ đề xuất
    cấp độ, bao gồm các thành phần sau đây: a) … b) … c) …"); Decree 331/2026 Art. 18 has
    four clauses, clause 3 with points a–đ, and the decree ends at Art. 40."""
    outlines = load_outlines()
    nd85, tt12 = outlines["Decree 85/2016"], outlines["Circular 12/2022"]
    for bad in ("Decree 85/2016 Art. 12.4", "Decree 85/2016 Art. 14.4"):
        assert (
            nd85.problem(parse(bad)[0]) == f"Decree 85/2016 Art. {bad[-4:-2]} has 3 clauses, not 4"
        )
    assert tt12.problem(parse("Circular 12/2022 Art. 8.a")[0]) is not None
    assert tt12.problem(parse("Circular 12/2022 Art. 8.2.c")[0]) is None
    assert tt12.problem(parse("Circular 12/2022 Art. 8.7")[0]) is not None
    assert tt12.problem(parse("Circular 12/2022 Annex VI")[0]) is not None
    nd331 = outlines["Decree 331/2026"]
    assert nd331.problem(parse("Decree 331/2026 Art. 18.3.đ")[0]) is None
    assert nd331.problem(parse("Decree 331/2026 Art. 18.5")[0]) is not None
    assert nd331.problem(parse("Decree 331/2026 Art. 31.2.e")[0]) is not None
    assert nd331.problem(parse("Decree 331/2026 Art. 41")[0]) is not None


def test_outlines_of_decrees_30_2020_and_333_2026() -> None:
    """Decree 30/2020 Art. 8.2 lists nine main parts of an administrative document, points
    a–i ("a) Quốc hiệu và Tiêu ngữ … i) Nơi nhận"), and the decree ends at Art. 38 with
    Annexes I–VI; Decree 333/2026 Art. 16.6 keeps system logs, point c retrievable "ít nhất
    trong vòng 12 tháng", Art. 6.3 lists the conditions a–o, and the decree ends at Art. 32."""
    outlines = load_outlines()
    nd30, nd333 = outlines["Decree 30/2020"], outlines["Decree 333/2026"]
    assert nd30.problem(parse("Decree 30/2020 Art. 8.2.i")[0]) is None
    assert nd30.problem(parse("Decree 30/2020 Art. 8.2.k")[0]) is not None
    assert nd30.problem(parse("Decree 30/2020 Annex VI")[0]) is None
    assert nd30.problem(parse("Decree 30/2020 Annex VII")[0]) is not None
    assert nd30.problem(parse("Decree 30/2020 Art. 39")[0]) is not None
    assert max(nd30.articles) == 38 and max(nd333.articles) == 32
    assert nd333.problem(parse("Decree 333/2026 Art. 16.6.c")[0]) is None
    assert nd333.problem(parse("Decree 333/2026 Art. 6.3.o")[0]) is None
    assert nd333.problem(parse("Decree 333/2026 Art. 6.3.p")[0]) is not None
    assert nd333.problem(parse("Decree 333/2026 Art. 30.1")[0]) is not None


def test_level_dossiers_cite_articles_12_and_14_by_their_clauses() -> None:
    """Decree 85/2016 Art. 12 (authority) and Art. 14 (procedure for an operating system)
    have three clauses each. Art. 14.3 sets approval by level: "a) Đối với hệ thống thông tin
    được đề xuất là cấp độ 1 hoặc cấp độ 2: Đơn vị chuyên trách về an toàn thông tin … phê
    duyệt …; b) … cấp độ 3 hoặc cấp độ 4: Đơn vị vận hành … trình chủ quản hệ thống thông tin
    phê duyệt …; c) … cấp độ 5: … trình Thủ tướng Chính phủ phê duyệt Danh mục hệ thống thông
    tin cấp độ 5". Art. 12.3 names the level 4–5 appraisers in points a–c, the owner's
    approval in point d and the Prime Minister's list in point đ; Art. 14.1.b–d routes the
    dossier to its appraiser."""
    regime = load_regime("nd85-2016")
    approval_point = {1: "a", 2: "a", 3: "b", 4: "b", 5: "c"}
    routing_point = {1: "b", 2: "b", 3: "c", 4: "d", 5: "d"}
    for level in range(1, 6):
        dossier = regime.level_data(level)["dossier"]
        cited = list(dossier["sources"])
        assert all(isinstance(c, Citation) for c in cited), "the model carries the structure"
        assert all(c.clause is None or c.clause <= 3 for c in cited), (level, cited)
        approval = dossier["approval_sources"]
        assert [(c.clause, c.point) for c in approval if c.article == 14] == [
            (3, approval_point[level])
        ], level
        appraisal = dossier["appraisal_sources"]
        assert [(c.clause, c.point) for c in appraisal if c.article == 14] == [
            (1, routing_point[level])
        ], level
    level5 = regime.level_data(5)["dossier"]["approval_sources"]
    assert {(c.clause, c.point) for c in level5 if c.article == 12} == {(3, "d"), (3, "đ")}


def test_the_decree_85_outline_is_the_compendium_text() -> None:
    """The outline is counted from the official compendium and complete: 26 articles; Art.
    19 has two clauses, the plan's parts being "2. Phương án bảo đảm an toàn hệ thống thông
    tin bao gồm các nội dung sau đây: a) … g) Kết thúc vận hành, khai thác, thanh lý, hủy bỏ"
    (so a part is cited Art. 19.2.a, never Art. 19.a); Art. 12.3 has points a–đ and Art.
    14.3 points a–c."""
    nd85 = load_outlines()["Decree 85/2016"]
    assert nd85.complete and "fbaa690e1c9ff35deabbf5e9a8b8830ce3d54048" in nd85.source
    assert max(nd85.articles) == 26 and set(nd85.articles) == set(range(1, 27))
    assert nd85.problem(parse("Decree 85/2016 Art. 19.2.g")[0]) is None
    assert nd85.problem(parse("Decree 85/2016 Art. 19.a")[0]) is not None
    assert nd85.problem(parse("Decree 85/2016 Art. 19.3")[0]) is not None
    assert nd85.problem(parse("Decree 85/2016 Art. 12.3.đ")[0]) is None
    assert nd85.problem(parse("Decree 85/2016 Art. 12.3.e")[0]) is not None
    assert nd85.problem(parse("Decree 85/2016 Art. 14.3.c")[0]) is None
    assert nd85.problem(parse("Decree 85/2016 Art. 14.3.d")[0]) is not None
    assert nd85.problem(parse("Decree 85/2016 Art. 27")[0]) is not None
    obligations = load_yaml(ROOT / "checklists" / "nd85-2016" / "obligations.yaml").data
    parts = [c for c in citations_in(obligations) if c.article == 19]
    assert parts and all(c.clause == 2 for c in parts if c.point), parts


def test_dossier_parts_and_report_deadlines_cite_the_right_clauses() -> None:
    """Circular 12/2022 Art. 8.2.a–c names the three parts of the dossier explanation (their
    contents are clauses 3–6); Art. 13.4 sets the annual-report deadlines ("a) … trước ngày 20
    tháng 12 hàng năm; b) … trước ngày 25 tháng 12 hàng năm"), Art. 14 only its content."""
    raw = load_regime("nd85-2016").raw
    parts = " ".join(compact(p["source"]) for p in raw["dossier_parts"])
    assert "Circular 12/2022 Art. 8.2.a" in parts and "Circular 12/2022 Art. 8.2.c" in parts
    deadlines = {d["by"]: compact(d["source"]) for d in raw["reporting"]["deadlines"]}
    assert deadlines == {
        "12-20": "Circular 12/2022 Art. 13.4.a",
        "12-25": "Circular 12/2022 Art. 13.4.b",
    }


@pytest.mark.parametrize(
    ("source", "vi", "en"),
    [
        (
            "Decree 85/2016 Art. 16.2.a",
            "điểm a khoản 2 Điều 16 Nghị định số 85/2016/NĐ-CP",
            "Art. 16.2.a Decree 85/2016/ND-CP",
        ),
        (
            "Circular 12/2022 Annex III",
            "Phụ lục III Thông tư số 12/2022/TT-BTTTT",
            "Annex III Circular 12/2022/TT-BTTTT",
        ),
        (
            "Decree 85/2016 Art. 19.2.đ",
            "điểm đ khoản 2 Điều 19 Nghị định số 85/2016/NĐ-CP",
            "Art. 19.2.đ Decree 85/2016/ND-CP",
        ),
        (
            "Law 116/2025 Art. 10.4–10.5",
            "các khoản từ 4 đến 5 Điều 10 Luật An ninh mạng số 116/2025/QH15",
            "Art. 10.4–10.5 Law on Cybersecurity 116/2025/QH15",
        ),
    ],
)
def test_render_per_language(source: str, vi: str, en: str) -> None:
    """Vietnamese legal style names the smallest unit first and the document in full, never
    "Art." or "Decree"; English names the place, then the document in full."""
    (c,) = parse(source)
    assert c.render("vi") == vi
    assert c.render("en") == en
    assert "Art." not in cite(source, "vi") and "Decree" not in cite(source, "vi")


def test_cite_keeps_the_document_across_a_semicolon() -> None:
    """ "Decree 331/2026 Art. 28.5.a; Art. 31.2.c" cites Decree 331 twice."""
    assert cite("Decree 331/2026 Art. 28.5.a; Art. 31.2.c", "vi") == (
        "điểm a khoản 5 Điều 28 Nghị định số 331/2026/NĐ-CP; "
        "điểm c khoản 2 Điều 31 Nghị định số 331/2026/NĐ-CP"
    )


def test_outlines_name_their_source() -> None:
    """Each outline says which text it was counted from."""
    for outline in load_outlines().values():
        assert outline.source
        assert Path(ROOT / outline.file).is_file()


def test_decree_331_dossiers_cite_articles_18_and_20_by_their_points() -> None:
    """Decree 331/2026 keeps Decree 85's procedure under new numbers: Art. 20.1.b–d routes
    the dossier ("b) … cấp độ 1 hoặc cấp độ 2: … gửi hồ sơ đề xuất cấp độ tới đơn vị thẩm
    định …; c) … cấp độ 3 …; d) … cấp độ 4 hoặc cấp độ 5: … xin ý kiến chuyên môn …"), Art.
    20.3 sets approval ("a) … cấp độ 1 hoặc cấp độ 2 …; b) … cấp độ 3 hoặc cấp độ 4: đơn vị
    vận hành … trình chủ quản hệ thống thông tin phê duyệt …; c) … cấp độ 5 …"), and Art.
    18.3.a–c name the appraisers of levels 4–5 (Ministry of Public Security, of National
    Defence for military systems, Government Cipher Committee), 18.3.d the owner's approval
    and 18.3.đ the Prime Minister's list."""
    regime = load_regime("nd331-2026")
    approval_point = {1: "a", 2: "a", 3: "b", 4: "b", 5: "c"}
    routing_point = {1: "b", 2: "b", 3: "c", 4: "d", 5: "d"}
    for level in range(1, 6):
        dossier = regime.level_data(level)["dossier"]
        approval = [(c.clause, c.point) for c in dossier["approval_sources"] if c.article == 20]
        assert approval == [(3, approval_point[level])], level
        routing = [(c.clause, c.point) for c in dossier["appraisal_sources"] if c.article == 20]
        assert routing == [(1, routing_point[level])], level
    level4 = regime.level_data(4)["dossier"]["appraisal_sources"]
    assert Citation("Decree 331/2026", 18, 3, "a", point_to="c") in level4


def test_vietnamese_prose_cites_in_legal_style() -> None:
    """Vietnamese text never cites in the compact form ("Điều 13.2.b"): the unit comes
    first, "điểm b khoản 2 Điều 13", in the data's prose and in the code alike."""
    hybrid = re.compile(r"Điều \d+\.\d")
    found = [
        f"{where}: {text!r}"
        for where, text in [*_checklist_sources(), *_code_sources()]
        if hybrid.search(text)
    ]
    assert not found, "\n".join(found)


def test_wording_from_the_structure_matches_the_compact_text() -> None:
    """Every source of the data worded straight from its structure reads as its compact
    text read back would, in both languages, and a JSON `citations` array words the same
    again: one wording, whichever way a page reaches it."""
    from assure.law.citation import cited, render_all, to_json

    sources = []
    for path in _checklist_files():

        def walk(value: object) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    if k in (*SOURCE_KEYS, *SOURCES_KEYS) and isinstance(v, list) and v:
                        if all(isinstance(e, dict) for e in v):
                            sources.append(tuple(from_data(e) for e in v))
                    else:
                        walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        if "trust" not in path.parts:
            walk(load_yaml(path).data)
    assert len(sources) > 250
    for cites in sources:
        for lang in ("vi", "en"):
            worded = render_all(cites, lang)  # type: ignore[arg-type]
            assert cited(to_json(cites, lang), lang) == worded  # type: ignore[arg-type]
            if any(c.note or c.text for c in cites):
                # the compact text read back kept only its last note; the structure keeps all
                kept = [c.render("vi") if lang == "vi" else c.note or c.text or "" for c in cites]
                assert all(k in worded for k in kept), (cites, worded)
            elif lang == "vi":
                assert worded == cite(compact(cites), lang), cites
