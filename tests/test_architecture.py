"""The house's arrows point down only (docs/architecture.md).

Every `import` of an `assure` module anywhere in the package, at module level or inside a
function, is read from the source and checked against the layer order:

    commands (and cli) → reports → law → probes, signatures, history → trust → inputs
    → foundations

A module may import its own layer or any layer below it, never one above. One condition
evaluator is also pinned here: the condition language is walked in `assure.law.conditions`
and nowhere else.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "assure"

FOUNDATIONS = {
    "assure",
    "assure.errors",
    "assure.findings",
    "assure.paths",
    "assure.atomic",
    "assure.i18n",
    "assure.config",
}
LAYERS = (
    ("foundations", 0),
    ("inputs", 1),
    ("trust", 2),
    ("probes", 3),
    ("signatures", 3),
    ("history", 3),
    ("law", 4),
    ("reports", 5),
    ("commands", 6),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> tuple[str, int]:
    if module in FOUNDATIONS:
        return ("foundations", 0)
    head = module.split(".")[1]
    if head in ("cli", "__main__"):
        return ("commands", 6)
    for name, rank in LAYERS:
        if head == name:
            return (name, rank)
    raise AssertionError(f"{module}: not in any layer of docs/architecture.md")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "assure":
                found += [(node.lineno, f"assure.{a.name}") for a in node.names]
            elif node.module.startswith("assure."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("assure")]
    return found


def _resolve(name: str) -> str:
    """`assure.reports.text` is a module; `assure.__version__` is a name in `assure`."""
    parts = name.split(".")
    while parts:
        candidate = ROOT.joinpath(*parts)
        if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()
    raise AssertionError(f"import of {name}: no such module")


MODULES = sorted(p for p in PKG.rglob("*.py") if "_data" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_only(path: Path) -> None:
    me = _module_name(path)
    my_layer, my_rank = _layer(me)
    upward = []
    for line, name in _imports(path):
        target = _resolve(name)
        layer, rank = _layer(target)
        if rank > my_rank:
            upward.append(
                f"{path.relative_to(ROOT)}:{line}: {me} ({my_layer}) imports {target} ({layer})"
            )
    assert not upward, "\n".join(upward)


def test_law_and_probes_never_import_reports() -> None:
    for path in MODULES:
        me = _module_name(path)
        if me.split(".")[1:2] in (["law"], ["probes"], ["signatures"]):
            bad = [n for _, n in _imports(path) if _resolve(n).startswith("assure.reports")]
            assert not bad, f"{me} imports {bad}"


def test_history_reads_only_inputs_and_foundations() -> None:
    """The history store is I/O at the edge: it may read profiles (`inputs`) and use the
    foundations, never the law, the probes or the reports (drift is a diff of records)."""
    for path in MODULES:
        me = _module_name(path)
        if me.split(".")[1:2] != ["history"]:
            continue
        for _, name in _imports(path):
            target = _resolve(name)
            layer, _rank = _layer(target)
            assert layer in ("foundations", "inputs", "history"), f"{me} imports {target}"


def test_one_condition_evaluator() -> None:
    """Only `assure.law.conditions` walks `all`/`any` of the condition language."""
    walkers = []
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        if 'cond["all"]' in text or 'cond["any"]' in text:
            walkers.append(_module_name(path))
    assert walkers == ["assure.law.conditions"]
