"""`--help` and click's own messages in the language of the run.

Every help page (the root's, every command's, the trust subcommands') is read through the
installed command in Vietnamese and in English and must pass the strict scan of
`tests/langscan.py`: the descriptions and option texts come from the catalogue, the section
titles and click's own phrases ("Usage:", "Show this message and exit.", "[default: …]")
from the Vietnamese translation of click's messages. Option names, metavars, choices,
default values and command names are identifiers and are taken out first; the prose is not.

Usage errors of every kind click raises (unknown option or command, missing argument, bad
choice, bad path, extra argument, a `BadParameter` of ours) are worded in the language asked
for and still exit 2.
"""

from __future__ import annotations

import gettext
import inspect
import os
import re
import string
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from assure import cli, i18n
from assure.commands._common import CLICK_DOMAIN, help_texts
from tests import clickpo
from tests.conftest import ROOT, Run, assert_no_traceback, run_assure, write
from tests.langscan import foreign_words

PROFILE = ROOT / "profiles" / "dvc-binh-an.yaml"
#: Every help page: the root, each command, and the subcommands of groups.
PAGES: list[tuple[str, ...]] = [
    (),
    *((name,) for name in cli.COMMANDS),
    ("trust", "add"),
    ("trust", "list"),
]
#: Where the other language's titles would show that a page was not worded.
TITLES = {"vi": ("Cách dùng:", "Tùy chọn:"), "en": ("Usage:", "Options:")}


def _lang_env(lang: str) -> dict[str, str]:
    return {"ASSURE_LANG": lang}


def prose(page: str) -> str:
    """A help page without its identifiers: the usage line's command and metavars, each
    option's names and metavar, each command's name, and the values in `[default: …]`."""
    kept: list[str] = []
    for line in page.splitlines():
        m = re.match(r"^(\S[^:]*:) assure\b", line)
        if m:  # "Usage: assure classify [OPTIONS] PATHS...": the title only
            kept.append(m.group(1))
            continue
        m = re.match(r"^  (?:-|\w[\w-]*  )\S*(?:[ ,]+\S+)*?(?: {2,}|$)", line)
        kept.append(line[m.end() :] if m else line)
    text = "\n".join(kept)
    return re.sub(r"((?:mặc định|default):\s)[^\];]+", r"\1", text)


def _help(page: tuple[str, ...], lang: str, flag: str = "--help") -> Run:
    run = run_assure(*page, flag, env=_lang_env(lang))
    assert run.code == 0, run.err
    assert_no_traceback(run)
    return run


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: " ".join(p) or "assure")
def test_help_page_is_in_the_language_of_the_run(page: tuple[str, ...], lang: str) -> None:
    out = _help(page, lang).out
    for title in TITLES[lang]:
        assert title in out, (page, title)
    other = TITLES["en" if lang == "vi" else "vi"]
    assert not any(t in out for t in other), out
    assert foreign_words(prose(out), lang) == [], out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_root_help_lists_the_commands_in_the_language(lang: str) -> None:
    out = _help((), lang, "-h").out
    assert ("Lệnh:" if lang == "vi" else "Commands:") in out
    for name in cli.COMMANDS:
        first = i18n.t(f"help.{name}.short", i18n.as_lang(lang)).split()[0]
        assert re.search(rf"^  {re.escape(name)} +{re.escape(first)}", out, re.M), name
    shown = {"vi": "Hiện trợ giúp này rồi thoát.", "en": "Show this message and exit."}
    version = {"vi": "Hiện phiên bản rồi thoát.", "en": "Show the version and exit."}
    assert shown[lang] in out and version[lang] in out
    assert ("[biến môi trường: ASSURE_LANG]" if lang == "vi" else "[env var: ASSURE_LANG]") in (
        " ".join(out.split())
    )


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_line_is_worded(flag: str) -> None:
    from assure import __version__

    assert run_assure(flag).out == f"assure, phiên bản {__version__}\n"
    assert run_assure(flag, env=_lang_env("en")).out == f"assure, version {__version__}\n"


def test_default_values_and_choices_are_worded() -> None:
    vi = " ".join(_help(("classify",), "vi").out.split())
    en = " ".join(_help(("classify",), "en").out.split())
    assert "--format [table|json|yaml] Định dạng đầu ra. [mặc định: table]" in vi
    assert "--format [table|json|yaml] Output format. [default: table]" in en


def test_english_help_is_today_s_english() -> None:
    """The English of the catalogue is the text written beside each option in the code
    (what the English help always said), so neither can drift from the other."""
    for _holder, _attr, key, code in _code_texts():
        if code is None or key.endswith(".short") or key == "help.common.help":
            continue  # `-h/--help` is click's own, created in whatever language ran first
        assert i18n.t(key, "en") == inspect.cleandoc(code), (key, code)


def test_every_option_and_command_has_a_text_in_both_catalogues() -> None:
    """No option, command or subcommand is silently English only."""
    texts = list(_code_texts())
    assert [key for _h, _a, key, _c in texts if key.startswith("?")] == []
    for lang in i18n.LANGS:
        assert [key for _h, _a, key, _c in texts if key not in i18n.catalogue(lang)] == []
    for name in cli.COMMANDS:  # the root's listing, without loading the commands
        for lang in i18n.LANGS:
            assert f"help.{name}.short" in i18n.catalogue(lang)


def _code_texts() -> Iterator[tuple[object, str, str, str | None]]:
    """(holder, attribute, the catalogue key that words it or `?…`, the code's text) of
    every help text of every page: commands, subcommands, options, the help option."""
    root = click.Context(cli.cli, info_name="assure")
    contexts = [root]
    for name in cli.COMMANDS:
        command = cli.cli.get_command(root, name)
        assert command is not None
        ctx = click.Context(command, parent=root, info_name=name)
        contexts.append(ctx)
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                contexts.append(click.Context(sub, parent=ctx, info_name=sub_name))
    for ctx in contexts:
        for holder, attr, keys in help_texts(ctx.command, ctx, _path(ctx)):
            found = next((k for k in keys if i18n.has(k)), None)
            code = getattr(holder, attr)
            if attr == "short_help" and found is None:
                continue  # a one-line help of its own is optional: click shortens the help
            yield holder, attr, found or f"?{keys[0]}", code


def _path(ctx: click.Context) -> str:
    from assure.commands._common import help_path

    return help_path(ctx)


@pytest.mark.parametrize(
    ("args", "vi", "en"),
    [
        (
            ["classify", "--bogus", str(PROFILE)],
            "Lỗi: Không có tùy chọn '--bogus'.",
            "Error: No such option '--bogus'.",
        ),
        (
            ["classify", "--formt", "json", str(PROFILE)],
            "(Có phải ý bạn là '--format'?)",
            "Did you mean '--format'?",
        ),
        (["classify"], "Lỗi: Thiếu đối số 'PATHS...'.", "Error: Missing argument 'PATHS...'."),
        (
            ["classify", "--format", "x", str(PROFILE)],
            "Lỗi: Giá trị không hợp lệ cho '--format': 'x' không phải là một trong 'table',"
            " 'json', 'yaml'.",
            "Error: Invalid value for '--format': 'x' is not one of 'table', 'json', 'yaml'.",
        ),
        (
            ["classify", str(PROFILE), "--format"],
            "Lỗi: Tùy chọn '--format' cần 1 giá trị.",
            "Error: Option '--format' requires an argument.",
        ),
        (
            ["plan", "no-such-profile.yaml"],
            "Lỗi: Giá trị không hợp lệ cho 'PATH': Tệp 'no-such-profile.yaml' không tồn tại.",
            "Error: Invalid value for 'PATH': File 'no-such-profile.yaml' does not exist.",
        ),
        (
            ["history", "a", "b"],
            "Lỗi: Có đối số thừa (b)",
            "Error: Got unexpected extra argument (b)",
        ),
        (["clasify"], "Lỗi: Không có lệnh 'clasify'.", "Error: No such command 'clasify'."),
        (
            ["--today", "2026-13-01", "classify", str(PROFILE)],
            "Lỗi: Giá trị không hợp lệ cho '--today': ",
            "Error: Invalid value for '--today': ",
        ),
        (["trust", "-q"], "Lỗi: Thiếu lệnh.", "Error: Missing command."),
    ],
    ids=[
        "no-such-option",
        "did-you-mean",
        "missing-argument",
        "bad-choice",
        "option-needs-value",
        "no-such-file",
        "extra-argument",
        "no-such-command",
        "bad-parameter",
        "group-without-command",
    ],
)
def test_usage_errors_are_worded_in_the_language(args: list[str], vi: str, en: str) -> None:
    for lang, expected in (("vi", vi), ("en", en)):
        for run in (
            run_assure(*args, env=_lang_env(lang)),
            run_assure("--lang", lang, *args, env={"ASSURE_LANG": ""}),
        ):
            assert run.code == 2, (lang, run)
            assert_no_traceback(run)
            assert expected in run.err, (lang, run.err)
            assert foreign_words(prose(run.err), lang) == [], run.err
            if args != ["classify", str(PROFILE), "--format"]:
                hint = "Thử 'assure" if lang == "vi" else "Try 'assure"
                usage = "Cách dùng: assure" if lang == "vi" else "Usage: assure"
                assert hint in run.err and usage in run.err, run.err


def _english(run: Run) -> None:
    assert run.code == 0, run.err
    assert "Usage: assure" in run.out and "Options:" in run.out
    assert "Cách dùng" not in run.out
    assert foreign_words(prose(run.out), "en") == [], run.out


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_root_help_in_english_by_environment_option_or_configuration(
    flag: str, tmp_path: Path
) -> None:
    _english(run_assure(flag, env={"ASSURE_LANG": "en"}))
    _english(run_assure("classify", flag, "--lang", "en", env={"ASSURE_LANG": ""}))
    _english(run_assure("--lang", "en", flag, env={"ASSURE_LANG": ""}))
    (tmp_path / "xdg").mkdir()
    write(tmp_path / "assure.toml", 'language = "en"\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "ASSURE_LANG": ""}
    _english(run_assure(flag, cwd=tmp_path, env=env))
    _english(run_assure("trust", "add", flag, cwd=tmp_path, env=env))
    vi = run_assure(flag, "--lang", "vi", cwd=tmp_path, env=env)
    assert "Cách dùng: assure" in vi.out and "Usage" not in vi.out


def test_a_run_in_process_leaves_no_language_behind(capsys: pytest.CaptureFixture[str]) -> None:
    """`cli.run` in the test process: click's text domain, `LANGUAGE` and the English of
    the help texts are what they were after a Vietnamese help page and a usage error."""
    domain, language = gettext.textdomain(), os.environ.get("LANGUAGE")
    debug = next(p for p in cli.cli.params if p.name == "debug")
    before = (cli.cli.help, debug.help)
    assert cli.run(["--help", "--lang", "vi"]) == 0
    assert cli.run(["classify", "--bogus", "--lang", "vi"]) == 2
    out, err = capsys.readouterr()
    assert "Cách dùng: assure" in out and "Lỗi: Không có tùy chọn" in err
    assert (gettext.textdomain(), os.environ.get("LANGUAGE")) == (domain, language)
    assert (cli.cli.help, debug.help) == before
    assert cli.run(["classify", "--help", "--lang", "vi"]) == 0
    assert cli.run(["classify", "--help", "--lang", "en"]) == 0
    out = capsys.readouterr().out.split("Usage: assure classify")
    assert len(out) == 2 and "Hiện trợ giúp này rồi thoát." in out[0]
    assert "Show this message and exit." in out[1] and "Hiện" not in out[1]


def test_shipped_mo_is_the_po_compiled() -> None:
    """The `.mo` gettext reads is the `.po` compiled (`python -m tests.clickpo` rewrites it)."""
    assert clickpo.MO.read_bytes() == clickpo.compiled(), "run: python -m tests.clickpo"


def test_every_message_of_the_installed_click_is_translated() -> None:
    """A click upgrade with new messages fails here (`python -m tests.clickpo --check`)."""
    done = {k for k, v in clickpo.translated().items() if v}
    assert sorted(clickpo.click_msgids() - done) == []


def _fields(text: str) -> set[str]:
    fields = {f for _l, f, _s, _c in string.Formatter().parse(text) if f is not None}
    return fields | set(re.findall(r"%\((\w+)\)s", text))


def test_translations_use_only_the_placeholders_click_fills() -> None:
    """A placeholder click does not pass would turn the message into a KeyError."""
    from babel.messages.pofile import read_po

    with clickpo.PO.open("rb") as f:
        catalog = read_po(f, locale="vi", domain=CLICK_DOMAIN)
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple | list) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        allowed = set().union(*(_fields(i) for i in ids))
        for s in strings:
            assert _fields(s) <= allowed, (m.id, s)


#: The English placeholders of usage lines and option lists, click's type names among them.
ENGLISH_PLACEHOLDERS = re.compile(
    r"\[OPTIONS\]|COMMAND \[ARGS\]|\b(?:INTEGER RANGE|FLOAT RANGE|TEXT|INTEGER|FLOAT|PATHS?"
    r"|FILES?|TARGETS|FINDINGS|HOST|ADDR|PORT|SUBJECT|SYSTEM)\b"
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: " ".join(p) or "assure")
def test_placeholders_are_worded_in_vietnamese(page: tuple[str, ...]) -> None:
    """The placeholders of the usage line and of the options ("[TÙY_CHỌN] ĐƯỜNG_DẪN...",
    "--timeout SỐ_THỰC", "--resolve MÁY:CỔNG:ĐỊA_CHỈ") read in Vietnamese, as translated
    command-line tools write them; in English they are click's and ours, unchanged."""
    vi = _help(page, "vi").out
    synopsis = [
        line.split("  ")[0] if line.startswith("  -") else line
        for line in vi.splitlines()
        if line.startswith(("Cách dùng:", "  -"))
    ]
    assert synopsis and synopsis[0].startswith("Cách dùng: assure")
    leaks = [s for s in synopsis if ENGLISH_PLACEHOLDERS.search(s)]
    assert leaks == [], leaks
    en = _help(page, "en").out
    assert en.startswith("Usage: assure") and "[OPTIONS]" in en.splitlines()[0]


def test_usage_error_shows_the_worded_usage_line() -> None:
    """A usage error repeats the usage line in the run's language, placeholders too."""
    vi = run_assure("classify", env=_lang_env("vi"))
    assert vi.code == 2 and "Cách dùng: assure classify [TÙY_CHỌN] ĐƯỜNG_DẪN..." in vi.err
    en = run_assure("classify", env=_lang_env("en"))
    assert en.code == 2 and "Usage: assure classify [OPTIONS] PATHS..." in en.err
