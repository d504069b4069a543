"""Bad input through the installed `assure` command: exit 3, file:line:column, no traceback."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assure import i18n
from tests.conftest import ROOT, assert_no_traceback, run_assure, write

#: Tests of the default (Vietnamese) wording; the others compare English messages.
_VIETNAMESE = {
    "test_table_in_vietnamese_and_english",
    "test_warnings_do_not_fail",
    "test_decree_331_fact_is_noted_as_unused",
    "test_demo_runs_offline_on_bundled_examples",
}


@pytest.fixture(autouse=True)
def _english(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Most tests here compare the English wording of messages (`ASSURE_LANG=en`); the
    Vietnamese wording is held by `tests/test_language_scan.py` and `_VIETNAMESE`."""
    if request.node.originalname not in _VIETNAMESE:
        monkeypatch.setenv("ASSURE_LANG", "en")
        with i18n.speaking("en"):  # in-process calls too, whatever an earlier run chose
            yield
    else:
        yield


GOOD = """\
id: cong-thong-tin
name: Cổng thông tin điện tử Sở Tư pháp
classification:
  system_type: citizen_business
  information: [public, personal]
  online_public_service_level: 3
"""

POSITION = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$", re.M)


def first_problem(err: str) -> re.Match[str]:
    m = POSITION.search(err)
    assert m, f"no file:line:column message in {err!r}"
    return m


def check_bad(path: Path, line: int, field: str, words: str) -> None:
    run = run_assure("classify", path, "--lang", "en")
    assert run.code == 3, run.err
    assert_no_traceback(run)
    m = first_problem(run.err)
    assert m["file"] == str(path)
    assert int(m["line"]) == line
    assert m["rest"].startswith(f"{field}: " if field else ""), m["rest"]
    assert words in m["rest"], m["rest"]


def test_malformed_yaml_names_its_line(tmp_path: Path) -> None:
    """A syntax error is reported at the line where the parser stopped."""
    p = write(tmp_path / "a.yaml", GOOD + "components: [\n  {id: x\n")
    run = run_assure("validate", p)
    assert run.code == 3
    m = first_problem(run.err)
    assert int(m["line"]) >= 7
    assert "invalid YAML" in m["rest"]


def test_unknown_enum_value(tmp_path: Path) -> None:
    """An unknown system_type names the field, the choices and the closest one."""
    p = write(tmp_path / "a.yaml", GOOD.replace("citizen_business", "citizen_busines"))
    check_bad(p, 4, "classification.system_type", "did you mean 'citizen_business'")


def test_unknown_key_is_a_typo(tmp_path: Path) -> None:
    """An unknown key is an error pointing at the key, with a suggestion."""
    p = write(tmp_path / "a.yaml", GOOD + "  personal_data_user: 12000\n")
    check_bad(p, 7, "classification.personal_data_user", "did you mean 'personal_data_users'")


def test_negative_count(tmp_path: Path) -> None:
    """A negative user count is out of range."""
    p = write(tmp_path / "a.yaml", GOOD + "  personal_data_users: -5\n")
    check_bad(p, 7, "classification.personal_data_users", "must be ≥ 0")


def test_wrong_type(tmp_path: Path) -> None:
    """Text where a number belongs is named as such."""
    p = write(tmp_path / "a.yaml", GOOD + "  personal_data_users: nhiều\n")
    check_bad(p, 7, "classification.personal_data_users", "expected a whole number")


def test_non_mapping_document(tmp_path: Path) -> None:
    """A list at the top of the file is not a profile."""
    check_bad(write(tmp_path / "a.yaml", "- a\n- b\n"), 1, "", "expected a mapping")


def test_empty_file(tmp_path: Path) -> None:
    """An empty file says so."""
    check_bad(write(tmp_path / "a.yaml", ""), 1, "", "empty")


def test_binary_garbage(tmp_path: Path) -> None:
    """Binary data is refused as such, not decoded into nonsense."""
    p = tmp_path / "a.yaml"
    p.write_bytes(b"id: x\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    check_bad(p, 4, "", "binary")


def test_latin1_text(tmp_path: Path) -> None:
    """Text that is not UTF-8 is named with the line of the first bad byte."""
    p = tmp_path / "a.yaml"
    p.write_bytes(GOOD.encode() + "notes: Cổng\n".encode("cp1258", errors="replace") + b"\xff\n")
    run = run_assure("classify", p)
    assert run.code == 3
    assert "UTF-8" in run.err
    assert_no_traceback(run)


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """A billion-laughs document is rejected without expanding it."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    p = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    run = run_assure("classify", p, timeout=30)
    assert run.code == 3
    assert "alias bomb" in run.err
    assert_no_traceback(run)


def test_python_tags_are_refused(tmp_path: Path) -> None:
    """`!!python/object` is an error, never an object (and never runs code)."""
    marker = tmp_path / "pwned"
    p = write(
        tmp_path / "a.yaml",
        GOOD + f'notes: !!python/object/apply:os.system ["touch {marker}"]\n',
    )
    check_bad(p, 7, "notes", "not allowed")
    assert not marker.exists()


def test_duplicate_key(tmp_path: Path) -> None:
    """A key given twice is an error, not a silent overwrite."""
    check_bad(write(tmp_path / "a.yaml", GOOD + "name: Khác\n"), 7, "name", "duplicate key")


def test_missing_required_field(tmp_path: Path) -> None:
    """A profile without `classification` names the missing field."""
    check_bad(
        write(tmp_path / "a.yaml", "id: a\nname: A\n"), 1, "classification", "missing required"
    )


def test_bad_slug(tmp_path: Path) -> None:
    """IDs are slugs; the message says what form is expected."""
    check_bad(
        write(tmp_path / "a.yaml", GOOD.replace("cong-thong-tin", "Cổng TT")), 1, "id", "lowercase"
    )


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    """All problems of one file come out in one run, in file order."""
    text = GOOD.replace("citizen_business", "nope") + "  personal_data_users: -1\n  oops: 1\n"
    run = run_assure("validate", write(tmp_path / "a.yaml", text))
    assert run.code == 3
    lines = [int(m["line"]) for m in POSITION.finditer(run.err)]
    assert lines == [4, 7, 8]


def test_good_files_still_get_results(tmp_path: Path) -> None:
    """With several files, each bad one is reported and the good ones are classified."""
    write(tmp_path / "1-good.yaml", GOOD)
    write(tmp_path / "2-bad.yaml", GOOD.replace("3\n", "9\n"))
    write(tmp_path / "3-empty.yaml", "")
    run = run_assure("classify", tmp_path, "--format", "json")
    assert run.code == 3
    data = json.loads(run.out)
    assert [d["id"] for d in data] == ["cong-thong-tin"]
    assert "2-bad.yaml:6:" in run.err
    assert "3-empty.yaml:1:1" in run.err


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist is a command-line mistake: exit 2."""
    run = run_assure("classify", tmp_path / "nope.yaml")
    assert run.code == 2
    assert "no such file" in run.err


def test_unknown_regime_lists_the_known_ones(tmp_path: Path) -> None:
    """An unknown regime is exit 2 and names the regimes that exist."""
    run = run_assure("classify", write(tmp_path / "a.yaml", GOOD), "--regime", "nd999")
    assert run.code == 2
    assert "nd85-2016" in run.err


def test_bad_option_is_a_usage_error() -> None:
    """An unknown format is exit 2."""
    assert run_assure("classify", "profiles", "--format", "pdf").code == 2


def test_json_contract(tmp_path: Path) -> None:
    """`--format json` writes only JSON to stdout, shaped as interface §4."""
    run = run_assure(
        "classify", "--regime", "nd85-2016", write(tmp_path / "a.yaml", GOOD), "--format", "json"
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    item = data[0]
    assert {
        "id",
        "name",
        "regime",
        "level",
        "criteria",
        "components",
        "appraisal",
        "approval",
    } <= set(item)
    assert item["regime"] == "nd85-2016"
    assert item["level"] == 3
    assert re.fullmatch(r"nd85-2016:art\d+(\.\d+(\.[a-z])?)?", item["criteria"][0]["id"])
    assert {"id", "level", "reason"} <= set(item["criteria"][0])


def test_yaml_format_round_trips(tmp_path: Path) -> None:
    """`--format yaml` is valid YAML with the same content as JSON."""
    import yaml

    p = write(tmp_path / "a.yaml", GOOD)
    as_yaml = yaml.safe_load(
        run_assure("--today", "2026-11-22", "classify", p, "--format", "yaml").out
    )
    as_json = json.loads(run_assure("--today", "2026-11-22", "classify", p, "--format", "json").out)
    assert as_yaml == as_json


def test_output_file_is_written(tmp_path: Path) -> None:
    """`-o FILE` writes the result there and nothing to stdout."""
    out = tmp_path / "sub" / "levels.json"
    run = run_assure(
        "classify",
        "--regime",
        "nd85-2016",
        write(tmp_path / "a.yaml", GOOD),
        "--format",
        "json",
        "-o",
        out,
    )
    assert run.code == 0
    assert run.out == ""
    assert json.loads(out.read_text(encoding="utf-8"))[0]["level"] == 3


def test_table_in_vietnamese_and_english(tmp_path: Path) -> None:
    """The table speaks Vietnamese by default and English on request."""
    p = write(tmp_path / "a.yaml", GOOD)
    vi = run_assure("classify", "--regime", "nd85-2016", p, "-x")
    assert "Cấp độ" in vi.out and "Vì sao không phải cấp độ 4" in vi.out
    en = run_assure("classify", "--regime", "nd85-2016", p, "-x", "--lang", "en")
    assert "Level" in en.out and "Why not level 4" in en.out


def test_unclassifiable_system_exits_1(tmp_path: Path) -> None:
    """A system no criterion applies to is reported, and the gate says no."""
    p = write(tmp_path / "a.yaml", "id: x\nname: X\nclassification:\n  system_type: other\n")
    run = run_assure("classify", p)
    assert run.code == 1
    assert "—" in run.out


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    """A contradictory but valid fact is a warning with its position, exit 0."""
    p = write(tmp_path / "a.yaml", GOOD + "  ics_works_grade: I\n")
    run = run_assure("validate", p)
    assert run.code == 0
    assert f"{p}:7:3: classification.ics_works_grade: cảnh báo:" in run.err
    english = run_assure("validate", p, "--lang", "en")
    assert f"{p}:7:3: classification.ics_works_grade: warning:" in english.err


def test_decree_331_fact_is_noted_as_unused(tmp_path: Path) -> None:
    """A Decree 331 fact under nd85-2016 is accepted and reported as unused."""
    p = write(tmp_path / "a.yaml", GOOD + "  administrative_procedures: true\n")
    run = run_assure("classify", "--regime", "nd85-2016", p)
    assert run.code == 0
    assert "administrative_procedures: ghi chú: không được chế độ quy định nd85-2016" in run.err
    english = run_assure("classify", "--regime", "nd85-2016", p, "--lang", "en")
    assert "administrative_procedures: note: not used by regime nd85-2016" in english.err


def test_python_m_assure_is_the_same_program() -> None:
    """`python -m assure` works like the command."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "assure", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0
    assert "assure" in proc.stdout


@pytest.mark.parametrize("cmd", ["validate", "classify", "demo"])
def test_help_works_everywhere(cmd: str) -> None:
    """Every command answers --help with exit 0, in the language of the run."""
    run = run_assure(cmd, "--help")
    assert run.code == 0
    assert "Usage:" in run.out
    run = run_assure(cmd, "--help", "--lang", "vi")
    assert run.code == 0
    assert "Cách dùng:" in run.out


def test_broken_rules_file_is_invalid_data(tmp_path: Path) -> None:
    """A rules folder given by ASSURE_CHECKLISTS is validated like any input: exit 3."""
    write(tmp_path / "checklists" / "regimes" / "nd85-2016.yaml", "- not a mapping\n")
    p = write(tmp_path / "a.yaml", GOOD)
    run = run_assure(
        "classify",
        "--regime",
        "nd85-2016",
        p,
        env={"ASSURE_CHECKLISTS": str(tmp_path / "checklists")},
    )
    assert run.code == 3
    assert "nd85-2016.yaml:1:1" in run.err
    assert_no_traceback(run)


def test_internal_error_is_one_line_without_debug(capsys: pytest.CaptureFixture[str]) -> None:
    """An unexpected exception is exit 5 and one line; --debug adds the traceback."""
    import click

    from assure.cli import cli, run

    @click.command("explode")
    def explode() -> None:
        raise RuntimeError("boom")

    cli.add_command(explode)
    try:
        assert run(["explode", "--lang", "en"]) == 5
        err = capsys.readouterr().err
        assert err.strip().count("\n") == 0
        assert "internal error: RuntimeError: boom" in err
        assert "Traceback" not in err
        assert run(["--debug", "explode"], debug=True) == 5
        assert "Traceback" in capsys.readouterr().err
    finally:
        cli.commands.pop("explode")


def test_huge_file_is_refused(tmp_path: Path) -> None:
    """A profile larger than the size bound is refused before parsing."""
    p = write(tmp_path / "big.yaml", GOOD + "notes: |\n" + ("  " + "x" * 100 + "\n") * 30_000)
    run = run_assure("validate", p)
    assert run.code == 3
    assert "larger than" in run.err
    assert_no_traceback(run)


def test_demo_runs_offline_on_bundled_examples(tmp_path: Path) -> None:
    """`assure demo` validates and classifies every bundled profile and prints the table."""
    run = run_assure("demo", cwd=tmp_path)
    assert run.code == 0, run.err
    assert "dvc-binh-an" in run.out
    assert "Cấp độ" in run.out
