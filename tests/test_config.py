"""`assure.toml`: where it is found, what it sets, what overrides it, and how a bad file fails.

Every run is the real command in a temporary working folder, with `XDG_CONFIG_HOME` pointing
at a temporary user configuration folder, so neither the developer's own settings nor
another test's file can reach it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run, assert_no_traceback, run_assure, write

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"
BINH_AN = ROOT / "profiles" / "dvc-binh-an.yaml"
TODAY = ("--today", "2026-12-01")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty user configuration folder (XDG_CONFIG_HOME) and working folder."""
    (tmp_path / "xdg").mkdir()
    (tmp_path / "work").mkdir()
    return tmp_path


def run(home: Path, *args: str | Path, env: dict[str, str] | None = None) -> Run:
    base = {"XDG_CONFIG_HOME": str(home / "xdg"), "ASSURE_LANG": ""}
    result = run_assure(*args, cwd=home / "work", env={**base, **(env or {})})
    assert_no_traceback(result)
    return result


def regime_of(result: Run) -> str:
    data = json.loads(result.out)
    return str(data[0]["regime"])


def test_language_precedence_option_env_config_default(home: Path) -> None:
    """Vietnamese by default; the file's language; `ASSURE_LANG` over it; `--lang` over all."""
    assert "Cấp độ" in run(home, "classify", BINH_AN).out
    write(home / "work" / "assure.toml", 'language = "en"\n')
    assert "Level" in run(home, "classify", BINH_AN).out
    assert "Cấp độ" in run(home, "classify", BINH_AN, env={"ASSURE_LANG": "vi"}).out
    assert "Level" in run(home, "classify", BINH_AN, "--lang", "en", env={"ASSURE_LANG": "vi"}).out
    assert "Cấp độ" in run(home, "--lang", "vi", "classify", BINH_AN).out
    assert "Cấp độ" in run(home, "classify", BINH_AN, "--lang", "vi").out


def test_language_of_early_errors(home: Path) -> None:
    """An error found before the command runs is worded in the file's language too."""
    write(home / "work" / "assure.toml", 'language = "en"\n')
    result = run(home, "--today", "2026-13-01", "classify", BINH_AN)
    assert result.code == 2
    assert "is not a date" in result.err


def test_user_folder_and_working_folder(home: Path) -> None:
    """The user configuration folder is read when the working folder has no file; the
    working folder's file wins over it."""
    write(home / "xdg" / "assure" / "assure.toml", 'regime = "nd85-2016"\n')
    assert regime_of(run(home, "classify", BINH_AN, "--format", "json", *TODAY)) == "nd85-2016"
    write(home / "work" / "assure.toml", 'regime = "nd331-2026"\n')
    assert regime_of(run(home, "classify", BINH_AN, "--format", "json", *TODAY)) == "nd331-2026"


def test_regime_option_overrides_the_file(home: Path) -> None:
    write(home / "work" / "assure.toml", 'regime = "nd85-2016"\n')
    result = run(home, "classify", BINH_AN, "--format", "json", "--regime", "nd331-2026", *TODAY)
    assert regime_of(result) == "nd331-2026"
    assert "--regime nd331-2026" in json.loads(result.out)[0]["regime_reason"]


def test_regime_from_the_file_is_explained_by_the_file(home: Path) -> None:
    """The reason names the file that chose the regime, not an option nobody typed."""
    write(home / "work" / "assure.toml", 'regime = "nd85-2016"\n')
    for lang, said in (
        ("vi", "tệp cấu hình assure.toml"),
        ("en", "configuration file assure.toml"),
    ):
        result = run(home, "classify", BINH_AN, "--format", "json", "--lang", lang, *TODAY)
        reason = json.loads(result.out)[0]["regime_reason"]
        assert said in reason and "--regime" not in reason, reason


def test_named_file_and_no_file(home: Path) -> None:
    """`ASSURE_CONFIG` names the file; empty, it turns every file off; a named file that
    does not exist is an environment failure (exit 6) naming it."""
    write(home / "work" / "assure.toml", 'regime = "nd85-2016"\n')
    other = write(home / "elsewhere.toml", 'regime = "nd331-2026"\n')
    named = run(home, "classify", BINH_AN, "--format", "json", env={"ASSURE_CONFIG": str(other)})
    assert regime_of(named) == "nd331-2026"
    off = run(home, "classify", BINH_AN, "--format", "json", *TODAY, env={"ASSURE_CONFIG": ""})
    assert regime_of(off) == "nd331-2026"  # the regime in force on the day, no file read
    missing = str(home / "missing.toml")
    result = run(home, "classify", BINH_AN, env={"ASSURE_CONFIG": missing})
    assert result.code == 6
    assert missing in result.err


def test_gate_thresholds_from_the_file_and_options_over_them(home: Path) -> None:
    """`[thresholds]` relaxes the gate's strict defaults; the options still win."""
    args = ("gate", DEMO, "--format", "json", *TODAY)

    def gaps(result: Run) -> str:
        return next(f for f in json.loads(result.out)["findings"] if f["check"] == "gate_gaps")[
            "status"
        ]

    assert gaps(run(home, *args)) == "fail"
    write(
        home / "work" / "assure.toml",
        "[thresholds]\nmin_coverage = 50\nmax_open = 40\nfail_statuses = ['fail', 'warn']\n",
    )
    relaxed = run(home, *args)
    assert gaps(relaxed) == "pass"
    evidence = json.loads(relaxed.out)["findings"][1]["evidence"]["thresholds"]
    assert evidence == {"min_coverage": 50.0, "max_open": 40, "fail_statuses": ["fail", "warn"]}
    assert gaps(run(home, *args, "--min-coverage", "90")) == "fail"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('language = "en"\nregime = \n', "assure.toml:2:10: ", "TOML"),
        ('language = "fr"\n', "assure.toml:1:1: language: ", "vi, en"),
        ("[thresholds]\nmin_coverage = 150\n", "assure.toml:2:1: thresholds.min_coverage: ", "100"),
        ("[thresholds]\n  max_open = 'ba'\n", "assure.toml:2:3: thresholds.max_open: ", "string"),
        ("record = 1\n", "assure.toml:1:1: record: ", "integer"),
        ("[organisation]\nname = 'Sở'\ncity = 'Huế'\n", "assure.toml:3:1: organisation.city: ", ""),
        ("organisation = 'Sở'\n", "assure.toml:1:1: organisation: ", "string"),
        (
            "[thresholds]\nfail_statuses = ['pass']\n",
            "assure.toml:2:1: thresholds.fail_statuses: ",
            "warn",
        ),
        ("colour = 'blue'\n", "assure.toml:1:1: colour: ", "thresholds"),
    ],
)
def test_bad_file_is_invalid_input_with_its_position(
    home: Path, text: str, where: str, words: str
) -> None:
    """A bad file stops every command with exit 3 and `assure.toml:line:column: key:`."""
    write(home / "work" / "assure.toml", text)
    result = run(home, "classify", BINH_AN, "--lang", "en")
    assert result.code == 3, result.err
    line = result.err.splitlines()[0]
    assert line.startswith(where), line
    assert words in line


def test_every_problem_of_a_bad_file_is_reported(home: Path) -> None:
    write(home / "work" / "assure.toml", "record = 'yes'\n[thresholds]\nmax_open = -1\nx = 1\n")
    result = run(home, "classify", BINH_AN)
    assert result.code == 3
    assert [ln.split(": ")[0:2] for ln in result.err.splitlines()] == [
        ["assure.toml:1:1", "record"],
        ["assure.toml:3:1", "thresholds.max_open"],
        ["assure.toml:4:1", "thresholds.x"],
    ]


def test_organisation_database_and_record_reach_commands(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The organisation is read for letterheads, and any command with a `db` or `record`
    parameter gets the file's value unless its option says otherwise (click's default_map)."""
    import click

    from assure import cli, config

    write(
        home / "work" / "assure.toml",
        "database = 'sqlite:///lich-su.db'\nrecord = true\n"
        "[organisation]\nname = 'Sở Khoa học và Công nghệ tỉnh Minh Châu'\n"
        "parent = 'Ủy ban nhân dân tỉnh Minh Châu'\nplace = 'Minh Châu'\n",
    )
    monkeypatch.chdir(home / "work")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    monkeypatch.delenv("ASSURE_CONFIG", raising=False)

    @click.command("ghi-lai")
    @click.option("--db", default=None)
    @click.option("--record/--no-record", default=False)
    def remember(db: str | None, record: bool) -> int:
        org = config.active().organisation
        click.echo(f"{db}|{record}|{org.parent}|{org.place}")
        return 0

    cli.cli.add_command(remember)
    try:
        assert cli.run(["ghi-lai"]) == 0
        assert capsys.readouterr().out == (
            "sqlite:///lich-su.db|True|Ủy ban nhân dân tỉnh Minh Châu|Minh Châu\n"
        )
        assert cli.run(["ghi-lai", "--db", "postgresql://x/y", "--no-record"]) == 0
        assert capsys.readouterr().out.startswith("postgresql://x/y|False|")
    finally:
        cli.cli.commands.pop("ghi-lai")
