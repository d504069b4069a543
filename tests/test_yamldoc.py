"""Safe YAML loading: positions, core types only, bounded expansion."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assure import i18n
from assure.errors import DataError
from assure.inputs.yamldoc import format_path, parse_yaml


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """These tests compare the English wording of messages (`ASSURE_LANG=en`); the
    Vietnamese wording is held by `tests/test_language_scan.py`."""
    monkeypatch.setenv("ASSURE_LANG", "en")
    with i18n.speaking("en"):  # in-process calls too, whatever an earlier run chose
        yield


def problem(text: str) -> str:
    with pytest.raises(DataError) as info:
        parse_yaml(text, "t.yaml")
    return str(info.value)


def test_positions_of_values_and_keys() -> None:
    """Every value and key keeps its 1-based line and column."""
    doc = parse_yaml("a: 1\nb:\n  - x: yes\n    y: 2026-01-01\n", "t.yaml")
    assert doc.data == {"a": 1, "b": [{"x": True, "y": "2026-01-01"}]}
    assert str(doc.position(("b", 0, "y"))) == "t.yaml:4:8"
    assert str(doc.position(("b", 0, "y"), key=True)) == "t.yaml:4:5"
    assert str(doc.position(("b", 0, "missing"))) == "t.yaml:3:5"


def test_dates_stay_text_and_keys_stay_text() -> None:
    """Dates are left as written; a key like `yes` or `1` is text, not a bool or int."""
    doc = parse_yaml("yes: 2026-07-01\n1: a\n", "t.yaml")
    assert doc.data == {"yes": "2026-07-01", "1": "a"}


def test_text_is_nfc_normalised() -> None:
    """Decomposed Vietnamese (NFD) becomes the composed form used everywhere else."""
    decomposed = "Ho\u0302\u0300 so\u031b"  # "Hồ sơ" written with combining marks
    assert parse_yaml(f"name: {decomposed}\n", "t.yaml").data == {"name": "Hồ sơ"}


def test_anchors_and_aliases_within_budget_work() -> None:
    """Plain anchors are fine; only runaway expansion is refused."""
    assert parse_yaml("a: &x [1, 2]\nb: *x\n", "t.yaml").data == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("a: &x\n  b: *x\n", "recursive alias"),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", "merge keys"),
        ("? [a, b]\n: 1\n", "plain text"),
        ("a: !!set {x}\n", "not allowed"),
        ("a: !custom 1\n", "not allowed"),
        ("a: !!python/name:os.system\n", "not allowed"),
        ("a: \x07\n", "invalid YAML"),
    ],
)
def test_refused_documents(text: str, words: str) -> None:
    """Constructs outside plain data are refused with a message naming them."""
    assert words in problem(text)


def test_path_format() -> None:
    """Paths read like the YAML they point into."""
    assert format_path(("components", 0, "classification", "system_type")) == (
        "components[0].classification.system_type"
    )
    assert format_path(()) == ""
