"""Every message in the user's language: the catalogues, the formatting, the conventions
every command shares (`--lang`, `ASSURE_LANG`, `--today` after the command, `-q`)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from assure import i18n
from assure.cli import COMMANDS
from tests.conftest import ROOT, run_assure, write

CATALOGUES = ROOT / "assure" / "messages"


def _load(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def test_every_message_exists_in_both_languages() -> None:
    """A message written in one language only fails here, with its key."""
    vi, en = _load("vi"), _load("en")
    assert sorted(set(vi) - set(en)) == []
    assert sorted(set(en) - set(vi)) == []


def test_translations_keep_their_placeholders() -> None:
    """A translation that drops or renames a `{name}` would fail only when printed."""
    vi, en = _load("vi"), _load("en")
    wrong = {k: (vi[k], en[k]) for k in vi if i18n.placeholders(vi[k]) != i18n.placeholders(en[k])}
    assert wrong == {}


def test_no_message_is_empty_or_untranslated_english() -> None:
    """Vietnamese texts are written in Vietnamese: the same text in both catalogues is only
    allowed where it holds no word (a separator, a placeholder, a symbol)."""
    vi, en = _load("vi"), _load("en")
    assert [k for k, v in vi.items() if not v.strip()] == []
    assert [k for k, v in en.items() if not v.strip()] == []
    same = [
        k
        for k in vi
        if vi[k] == en[k] and re.search(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", vi[k]))
    ]
    # product and format names read the same in both languages
    names = {"family.ipv6", "family.https"}  # protocol names read the same in both languages
    assert [k for k in same if k not in names] == []


def test_every_key_used_in_the_code_is_in_the_catalogue() -> None:
    """`t("key")`, `Msg.of("key")`, `plural(n, "key")` and `label("key")` name real messages."""
    used: set[str] = set()
    for path in (ROOT / "assure").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b(?:t|Msg\.of)\(\s*["']([a-z_]+\.[a-z_.]+)["']""", text))
        used |= {
            k + form
            for k in re.findall(r"""plural\([^,]+,\s*["']([a-z_]+\.[a-z_]+)["']""", text)
            for form in (".one", ".other")
        }
    missing = sorted(k for k in used if k not in _load("vi"))
    assert missing == []


@pytest.mark.parametrize(
    ("lang", "number", "percent", "long", "short"),
    [
        ("vi", "800.000", "4,9 %", "ngày 01 tháng 12 năm 2026", "01/12/2026"),
        ("en", "800,000", "4.9%", "1 December 2026", "1 Dec 2026"),
    ],
)
def test_numbers_percentages_and_dates_per_language(
    lang: i18n.Lang, number: str, percent: str, long: str, short: str
) -> None:
    day = dt.date(2026, 12, 1)
    assert i18n.number(800000, lang) == number
    assert i18n.percent(4.9, lang) == percent
    assert i18n.date_long(day, lang) == long
    assert i18n.date_short("2026-12-01", lang) == short
    assert i18n.number(4.25, lang, digits=2) == ("4,25" if lang == "vi" else "4.25")


def test_plural_reads_as_english() -> None:
    assert i18n.plural(1, "classify.systems", "en") == "1 system"
    assert i18n.plural(2, "classify.systems", "en") == "2 systems"
    assert i18n.plural(1, "classify.systems", "vi") == "1 hệ thống"


@pytest.mark.parametrize("name", [n for n in COMMANDS if n != "trust"])
def test_every_command_has_lang_today_and_quiet(name: str) -> None:
    run = run_assure(name, "--help")
    assert run.code == 0, run.err
    for option in ("--lang", "--today", "-q, --quiet", "ASSURE_LANG"):
        assert option in run.out, (name, option)


@pytest.mark.parametrize("sub", ["add", "list"])
def test_trust_subcommands_have_lang_today_and_quiet(sub: str) -> None:
    run = run_assure("trust", sub, "--help")
    assert run.code == 0, run.err
    assert "--lang" in run.out and "--quiet" in run.out and "--today" in run.out


def test_validation_messages_in_both_languages(tmp_path: Path) -> None:
    """Default Vietnamese; `--lang en` or `ASSURE_LANG=en` for English; same positions."""
    bad = write(tmp_path / "p.yaml", "id: p\nname: P\nclassificaton: {}\n")
    vi = run_assure("validate", bad)
    assert vi.code == 3
    assert "trường không xác định 'classificaton' (có phải là 'classification'?)" in vi.err
    assert "thiếu trường bắt buộc 'classification'" in vi.err
    assert "0/1 hợp lệ" in vi.err
    for en in (
        run_assure("validate", bad, "--lang", "en"),
        run_assure("validate", bad, env={"ASSURE_LANG": "en"}),
    ):
        assert en.code == 3
        assert "unknown field 'classificaton' (did you mean 'classification'?)" in en.err
        assert "0/1 valid" in en.err
        assert "trường" not in en.err
    assert [line.split(": ")[0] for line in vi.err.splitlines()[:-1]] == [
        line.split(": ")[0] for line in en.err.splitlines()[:-1]
    ]


def test_wrong_type_is_worded_per_language(tmp_path: Path) -> None:
    prof = write(
        tmp_path / "p.yaml",
        "id: p\nname: P\nclassification:\n  system_type: internal\n  personal_data_users: many\n",
    )
    vi = run_assure("classify", prof)
    en = run_assure("classify", prof, "--lang", "en")
    assert vi.code == en.code == 3
    assert 'cần số nguyên, nhận được văn bản "many"' in vi.err
    assert 'expected a whole number, got text "many"' in en.err


def test_today_after_the_command(tmp_path: Path) -> None:
    """`assure gap P --today D` is `assure --today D gap P`."""
    demo = ROOT / "profiles" / "cong-dvc-demo.yaml"
    before = run_assure("--today", "2030-01-01", "gap", demo, "--format", "json")
    after = run_assure("gap", demo, "--format", "json", "--today", "2030-01-01")
    assert before.code == after.code == 0
    assert json.loads(before.out) == json.loads(after.out)
    assert json.loads(after.out)["as_of"] == "2030-01-01"
    bad = run_assure("gap", demo, "--today", "01/12/2026")
    assert bad.code == 2 and "YYYY-MM-DD" in bad.err


def test_quiet_silences_notes(tmp_path: Path) -> None:
    prof = write(
        tmp_path / "p.yaml",
        "id: p\nname: P\nclassification:\n  system_type: internal\n"
        "  administrative_procedures: true\n",
    )
    loud = run_assure("classify", prof, "--regime", "nd85-2016")
    quiet = run_assure("classify", prof, "--regime", "nd85-2016", "-q")
    assert "ghi chú" in loud.err
    assert quiet.err == "" and quiet.out == loud.out


def test_gate_message_per_language() -> None:
    demo = ROOT / "profiles" / "cong-dvc-demo.yaml"
    vi = run_assure("gap", demo, "--fail-under", "99.5", "--today", "2026-12-01")
    en = run_assure("gap", demo, "--fail-under", "99.5", "--today", "2026-12-01", "--lang", "en")
    assert vi.code == en.code == 1
    assert re.search(r"mức độ đáp ứng \d+,\d % thấp hơn 99,5 %", vi.err), vi.err
    assert re.search(r"coverage \d+\.\d% is below 99.5%", en.err), en.err


def test_verify_missing_file_prints_the_error_only(tmp_path: Path) -> None:
    run = run_assure("verify-signature", tmp_path / "missing.pdf")
    assert run.code == 3
    assert run.out == ""
    assert "missing.pdf" in run.err
    assert "trust anchor" not in run.err and "chứng thư gốc" not in run.err


def test_internal_error_is_worded_in_vietnamese_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import click

    from assure.cli import cli, run

    @click.command("explode-vi")
    def explode() -> None:
        raise RuntimeError("boom")

    cli.add_command(explode)
    try:
        assert run(["explode-vi", "--lang", "vi"]) == 5
        err = capsys.readouterr().err
        assert "lỗi nội bộ: RuntimeError: boom" in err and "--debug" in err
    finally:
        cli.commands.pop("explode-vi", None)
        i18n.set_active("vi")


def test_lang_before_the_command() -> None:
    """`assure --lang en classify …` is `assure classify … --lang en`."""
    before = run_assure("--lang", "en", "classify", ROOT / "profiles", "-q")
    after = run_assure("classify", ROOT / "profiles", "-q", "--lang", "en")
    assert before.code == after.code == 0
    assert before.out == after.out and "20 systems" in before.out


def test_reasons_and_dates_in_messages_are_worded_per_language() -> None:
    """A finding's English `reason` and the ISO day inside a message read in the reader's
    language; details after a known phrase, and unknown phrases, are kept as they are."""
    assert i18n.reason("DNS not consulted", "vi") == "không tra cứu DNS"
    assert i18n.reason("DNS not consulted", "en") == "DNS not consulted"
    cut = "interference during cipher probes: reset after ClientHello"
    assert i18n.reason(cut, "vi") == "bị can thiệp khi thử các bộ mã: reset after ClientHello"
    assert i18n.reason("verification took longer than 2.5 s", "vi") == "việc xác minh quá 2.5 giây"
    assert i18n.reason("a server's own words", "vi") == "a server's own words"
    expired = i18n.Msg.of("cert.expired", date="2026-11-29")
    assert expired.text("vi") == "Chứng thư đã hết hạn ngày 29/11/2026."
    assert expired.text("en") == "The certificate expired on 29 Nov 2026."
    refused = i18n.Msg.of("http.handshake_fails", detail="connection refused")
    assert "kết nối bị từ chối" in refused.text("vi")
    assert "connection refused" in refused.text("en")
