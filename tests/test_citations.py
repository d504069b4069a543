"""Every citation in `checklists/` and in the code names a place its document has.

The outlines in `checklists/outlines/` are counted from the legal texts themselves (the
Official Gazette for Circular 12/2022); a citation to a clause or point an outline lacks
fails here, whatever the project's other data says.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from assure.inputs.yamldoc import load_yaml
from assure.law.citation import Citation, cite, load_outlines, parse
from assure.law.regime import load_regime
from tests.conftest import ROOT

#: Documents cited whose outline is not built yet: a citation to any other document without
#: an outline fails, so a newly cited document cannot slip past the check.
NOT_OUTLINED = {
    "Decree 333/2026",
    "Decree 224/2026",
    "Decree 30/2020",
    "Law 86/2015",
    "Circular 03/2017",
    "Circular 31/2017",
    "Circular 32/2017",
}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _checklist_sources() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "checklists").rglob("*.yaml")):
        if "outlines" in path.parts:
            continue
        for text in _strings(load_yaml(path).data):
            yield str(path.relative_to(ROOT)), text


def _code_sources() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "assure").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def _citations() -> list[tuple[str, str, Citation]]:
    out = []
    for where, text in [*_checklist_sources(), *_code_sources()]:
        for c in parse(text):
            out.append((where, text, c))
    return out


CITATIONS = _citations()


def test_the_scan_finds_citations() -> None:
    """The scan reads the catalogues, the regimes and the code (a broken scan passes all)."""
    docs = {c.document for _, _, c in CITATIONS}
    assert {"Decree 85/2016", "Circular 12/2022", "Decree 331/2026", "Law 116/2025"} <= docs
    assert len(CITATIONS) > 300


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


def test_level_dossiers_cite_articles_12_and_14_by_their_clauses() -> None:
    """Decree 85/2016 Art. 12 (appraisal) and Art. 14 (approval) have three clauses each;
    levels 1–3 are approved under Art. 14.3, so no level cites Art. 12.4 or 14.4 and levels
    1–3 cite Art. 14.3 for approval."""
    regime = load_regime("nd85-2016")
    for level in range(1, 6):
        sources = regime.level_data(level)["dossier"]["sources"]
        cited = [c for s in sources for c in parse(s)]
        assert all(c.clause is None or c.clause <= 3 for c in cited), (level, sources)
        approval = [c for c in cited if c.article == 14]
        assert approval, level
        if level <= 3:
            assert all(c.clause == 3 for c in approval), (level, sources)


def test_dossier_parts_and_report_deadlines_cite_the_right_clauses() -> None:
    """Circular 12/2022 Art. 8.2.a–c names the three parts of the dossier explanation (their
    contents are clauses 3–6); Art. 13.4 sets the annual-report deadlines ("a) … trước ngày 20
    tháng 12 hàng năm; b) … trước ngày 25 tháng 12 hàng năm"), Art. 14 only its content."""
    raw = load_regime("nd85-2016").raw
    parts = " ".join(p["source"] for p in raw["dossier_parts"])
    assert "Circular 12/2022 Art. 8.2.a" in parts and "Circular 12/2022 Art. 8.2.c" in parts
    deadlines = {d["by"]: d["source"] for d in raw["reporting"]["deadlines"]}
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
            "Decree 85/2016/ND-CP Art. 16.2.a",
        ),
        (
            "Circular 12/2022 Annex III",
            "Phụ lục III Thông tư số 12/2022/TT-BTTTT",
            "Circular 12/2022/TT-BTTTT Annex III",
        ),
        (
            "Decree 85/2016 Art. 19.đ",
            "điểm đ Điều 19 Nghị định số 85/2016/NĐ-CP",
            "Decree 85/2016/ND-CP Art. 19.đ",
        ),
        (
            "Law 116/2025 Art. 10.4–10.5",
            "các khoản từ 4 đến 5 Điều 10 Luật An ninh mạng số 116/2025/QH15",
            "Law on Cybersecurity 116/2025/QH15 Art. 10.4–10.5",
        ),
    ],
)
def test_render_per_language(source: str, vi: str, en: str) -> None:
    """Vietnamese legal style names the smallest unit first and the document in full, never
    "Art." or "Decree"; English keeps the compact form."""
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
