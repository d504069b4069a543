"""Every text a person reads is in the catalogue, none inline in Python.

A translator edits `assure/messages/vi.json` or `en.json`, nothing else: so no module under
`assure/` may hold a string constant with a Vietnamese letter (docstrings aside: they are
for developers), nor choose between two literals by language (`"…" if vi else "…"`,
`{"vi": "…", "en": "…"}`). Law data stays in `checklists/`. What truly must stay in code
is listed below with its reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "assure"
#: A Vietnamese letter (one that English never writes).
VIETNAMESE = re.compile(
    "[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý"
    "ĂÂĐÊÔƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸÁÀÃÉÈÍÌÓÒÕÚÙÝ]"
)
#: Names that hold the language in a conditional (`vi`, `lang == "vi"`, `lg == "en"`).
_LANG_NAMES = {"vi", "en", "lang", "lg", "language"}

#: A language code or a locale tag ("vi", "en-GB", "vi_VN"): data, not a text.
_TAG = re.compile(r"[a-z]{2}(?:[-_][A-Z]{2})?")

#: Per module, the literals it keeps (the Vietnamese one, or either side of a conditional):
#: recognising Vietnamese input or writing a format pattern is not wording a message.
ALLOWED: dict[str, set[str]] = {
    # Babel's date pattern: the quoted words are CLDR pattern syntax, not a message
    "assure/i18n.py": {"'ngày' dd 'tháng' MM 'năm' y", "dd/MM/y", "d MMMM y", "d MMM y"},
    # Excel number-format codes and the width a date takes in them
    "assure/reports/xlsx.py": {"dd/mm/yyyy", "dd mmm yyyy", "00/00/0000", "00 Mmm 0000"},
    # the JSON evidence label (English data) glosses the body's own Vietnamese name
    "assure/probes/trust.py": {"Government specialised CA (Ban Cơ yếu Chính phủ)"},
}

#: Modules whose inline texts are still to be moved to the catalogue, with how many the scan
#: finds in each: the test fails when a module gains one, and when one is moved and the
#: figure here is not lowered, so the list only shrinks.
NOT_YET_MOVED: dict[str, int] = {}


def _patterns(tree: ast.AST) -> set[int]:
    """ids of the constants a regular expression is compiled from: a pattern recognises
    input (a Vietnamese citation, a template's "[Cần bổ sung: …]" marker), it says nothing."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            out.add(id(node.args[0]))
    return out


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring constants of a module, its classes and functions."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ) and (body := node.body):
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _is_text(node: ast.AST, allowed: frozenset[str] | set[str] = frozenset()) -> bool:
    """A literal string with a letter (an f-string counts), not a language tag nor allowed."""
    if isinstance(node, ast.JoinedStr):
        return True
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value
    return bool(re.search(r"[^\W\d_]", text)) and not _TAG.fullmatch(text) and text not in allowed


def _mentions_language(node: ast.AST) -> bool:
    """Whether a condition reads the language (`vi`, `lang == "en"`, `lg == "vi"`)."""
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id in _LANG_NAMES:
            return True
        if isinstance(n, ast.Attribute) and n.attr in _LANG_NAMES:
            return True
    return False


def problems(path: Path) -> Iterator[str]:
    """`line: what` for each inline text of one module."""
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    docs = _docstrings(tree) | _patterns(tree)
    allowed = ALLOWED.get(rel, set())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docs
            and VIETNAMESE.search(node.value)
            and node.value not in allowed
        ):
            yield f"{node.lineno}: Vietnamese text {node.value[:40]!r}"
        elif (
            isinstance(node, ast.IfExp)
            and _is_text(node.body, allowed)
            and _is_text(node.orelse, allowed)
            and _mentions_language(node.test)
        ):
            yield f"{node.lineno}: a language chooses between two texts"
        elif isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if {"vi", "en"} <= keys and any(_is_text(v, allowed) for v in node.values):
                yield f"{node.lineno}: a text per language in a dict"


def all_problems() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if got := list(problems(path)):
            found[path.relative_to(ROOT).as_posix()] = got
    return found


def test_no_text_outside_the_catalogue() -> None:
    found = all_problems()
    new = {m: p for m, p in found.items() if m not in NOT_YET_MOVED}
    assert new == {}, "\n".join(f"{m}:{p}" for m, ps in new.items() for p in ps)
    counts = {m: len(found.get(m, [])) for m in NOT_YET_MOVED}
    assert counts == NOT_YET_MOVED, "update NOT_YET_MOVED: " + repr(counts)


def test_the_scan_sees_what_it_must() -> None:
    """The three shapes are caught, docstrings and plain English are not."""
    sample = (
        '"""Tài liệu: a docstring."""\n'
        'x = "điểm"\n'
        'y = "a" if vi else "b"\n'
        'z = "a" if lang == "en" else f"b{x}"\n'
        'w = {"vi": "một", "en": "one"}\n'
        'ok = "plain English" if flag else "other"\n'
        'rx = re.compile("điểm [a-zđ]")\n'
        'tag = "vi-VN" if lang == "vi" else "en-GB"\n'
        "def f():\n"
        '    """Hàm."""\n'
    )
    path = PACKAGE / "_scan_sample.py"
    try:
        path.write_text(sample, encoding="utf-8")
        got = [p.split(":")[0] for p in problems(path)]
    finally:
        path.unlink()
    assert sorted(got, key=int) == ["2", "3", "4", "5", "5"]
