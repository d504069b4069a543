"""Hostile input through the installed `assure`: exit 3 at `validate`, one positioned line
per problem, never a traceback or an exit 5 later in `gap`, `plan` or `dossier`."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run, assert_no_traceback, run_assure, write

GOOD = """\
id: cong-thong-tin
name: Cổng thông tin điện tử Sở Tư pháp
classification:
  system_type: citizen_business
  information: [public, personal]
  online_public_service_level: 3
"""

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"
POSITION = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")


def only_line(run: Run) -> re.Match[str]:
    """The run failed with exit 3 and exactly one `file:line:col: message` line (beside
    `validate`'s closing count)."""
    assert run.code == 3, (run.code, run.err)
    assert_no_traceback(run)
    lines = [x for x in run.err.strip().splitlines() if not re.fullmatch(r"\d+/\d+ valid", x)]
    assert len(lines) == 1, run.err
    m = POSITION.match(lines[0])
    assert m, lines[0]
    return m


@pytest.mark.parametrize(
    ("extra", "line", "col", "field", "words"),
    [
        ("scope: {users_served: !!int abc}\n", 7, 23, "scope.users_served", "not a valid int"),
        ("budget: {it_total: !!float lots}\n", 7, 20, "budget.it_total", "not a valid float"),
        ("hosting: {kind: !!bool perhaps}\n", 7, 17, "hosting.kind", "not a valid bool"),
        ("description: !!null words\n", 7, 14, "description", "not a valid null"),
        ("owner: {name: !!int }\n", 7, 15, "owner.name", "'' is not a valid int"),  # fuzz
        ("budget: {it_total: .inf}\n", 7, 20, "budget.it_total", "numbers must be finite"),
        ("budget: {security: -.Inf}\n", 7, 20, "budget.security", "numbers must be finite"),
        ("hosting: {standby_distance_km: .nan}\n", 7, 32, "hosting.standby_distance_km", "finite"),
        ("budget: {it_total: 1.0e+999}\n", 7, 20, "budget.it_total", "numbers must be finite"),
        ('description: "a\\x01b"\n', 7, 14, "description", "control character U+0001"),
        ('scope: {service_hours: "x\\e[31m"}\n', 7, 24, "scope.service_hours", "U+001B"),
        ('owner: {name: "\\x7f"}\n', 7, 15, "owner.name", "U+007F"),
        ('"bad\\x02key": 1\n', 7, 1, "bad\x02key", "U+0002"),
    ],
)
def test_wrong_scalars_are_exit_3_at_validate(
    tmp_path: Path, extra: str, line: int, col: int, field: str, words: str
) -> None:
    """A tag that does not fit its text, a non-finite number or a control character in text
    is one positioned error at `validate`, and `gap`/`dossier` refuse the file the same way
    (before: exit 5 "ValueError: invalid literal for int()", `Infinity` in JSON, a DOCX
    writer crash)."""
    p = write(tmp_path / "p.yaml", GOOD + extra)
    m = only_line(run_assure("validate", p))
    assert (m["file"], int(m["line"]), int(m["col"])) == (str(p), line, col), m[0]
    assert m["rest"].startswith(f"{field}: ") or field.startswith("bad"), m["rest"]
    assert words in m["rest"], m["rest"]
    for args in (["gap", p, "--format", "json"], ["dossier", p, "-o", tmp_path / "d"]):
        run = run_assure(*args)
        assert run.code == 3, (args, run.err)
        assert_no_traceback(run)
    assert not (tmp_path / "d").exists()


def test_tag_on_the_right_kind_still_loads(tmp_path: Path) -> None:
    """Core tags that fit their text keep working (`!!int 12`, `!!str 5`)."""
    extra = "scope: {users_served: !!int 12, service_hours: !!str 5}\n"
    p = write(tmp_path / "p.yaml", GOOD + extra)
    run = run_assure("validate", p)
    assert run.code == 0, run.err


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://[::1", "Invalid IPv6 URL"),
        ("https://portal.example.vn:99999/", "Port out of range"),
        ("https://portal.example.vn:0/", "port 0"),
        ("https://:443/", "names no host"),
        ("https://[portal]/", "does not appear to be an IPv4 or IPv6 address"),
        ("https://a^b.vn/", "not a host name"),
    ],
)
def test_endpoint_url_that_does_not_parse_is_exit_3(tmp_path: Path, url: str, words: str) -> None:
    """An endpoint URL whose host or port does not parse is refused where the profile is
    loaded, at the URL's position (it passed `validate` and crashed `gap` before)."""
    p = write(tmp_path / "p.yaml", GOOD + f'endpoints:\n  - url: "{url}"\n')
    m = only_line(run_assure("validate", p))
    assert (int(m["line"]), int(m["col"])) == (8, 10), m[0]
    assert m["rest"].startswith("endpoints[0].url: "), m["rest"]
    assert words in m["rest"], m["rest"]
    run = run_assure("gap", p, "--format", "json")
    assert run.code == 3, run.err
    assert_no_traceback(run)


def test_good_endpoint_urls_pass(tmp_path: Path) -> None:
    """IPv6 literals, ports and IDN hosts stay valid."""
    text = GOOD + (
        'endpoints:\n  - url: "https://[2001:db8::1]:8443/x"\n'
        '  - url: "http://dichvucong.example.gov.vn"\n  - url: "https://bộ.vn/"\n'
    )
    run = run_assure("validate", write(tmp_path / "p.yaml", text))
    assert run.code == 0, run.err


@pytest.mark.parametrize(
    ("raw", "line", "col"),
    [
        (b"\x01", 7, 14),
        (b"\x1b[2J", 7, 14),
        (b"\x7f", 7, 14),
        (b"\xc2\x85\xc2\x9b", 7, 15),
        (b"\x00", 7, 14),
        ("Đà ".encode() + b"\x00", 7, 17),
    ],
)
def test_raw_control_character_is_one_line_at_its_position(
    tmp_path: Path, raw: bytes, line: int, col: int
) -> None:
    """A raw control character in the file: one line, at its real line and column (before:
    two lines from the YAML reader, at 1:1)."""
    p = tmp_path / "p.yaml"
    p.write_bytes(GOOD.encode() + b"description: " + raw + b" x\n")
    m = only_line(run_assure("validate", p))
    assert (int(m["line"]), int(m["col"])) == (line, col), m[0]
    assert "control character" in m["rest"] or "NUL byte" in m["rest"], m["rest"]


# --- gap --findings --------------------------------------------------------------------

FINDING = {
    "target": "x.test",
    "check": "tls_versions",
    "status": "pass",
    "summary": "ok",
    "evidence": {},
}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{"findings": 5}', 1, "expected a list"),
        ('"findings"', 1, "expected a mapping"),
        ('{"findings": [', 1, "invalid JSON"),
        ('{"findings": [{"evidence": NaN}]}', 1, "NaN is not a JSON number"),
        (json.dumps({"findings": [FINDING]}).replace("{}", '{"n": Infinity}'), 1, "Infinity"),
        pytest.param("[" * 100_000 + "]" * 100_000, 1, "too deep", id="deep"),
        (json.dumps(FINDING) + "\n" + json.dumps(FINDING) + "\n{broken\n", 3, "JSON Lines"),
        (json.dumps(FINDING) + "\n" + json.dumps(FINDING) + "\n[1]\n", 3, "one finding"),
        ("\ufeff\x00", 1, "binary data"),
    ],
)
def test_findings_files_that_are_not_findings(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    """Malformed JSON, JSON Lines with one bad line, the wrong shape, NaN and nesting too
    deep for the parser: exit 3 with the file and line (deep nesting was exit 5)."""
    f = write(tmp_path / "f.json", text)
    run = run_assure("gap", DEMO, "--regime", "nd85-2016", "--findings", f, "--format", "json")
    assert run.code == 3, run.err
    assert_no_traceback(run)
    m = POSITION.match(run.err.splitlines()[0])
    assert m and m["file"] == str(f) and int(m["line"]) == line, run.err
    assert words in run.err, run.err


def test_nan_in_findings_is_reported_where_it_stands(tmp_path: Path) -> None:
    """JSON's parser does not say where a NaN is; the message still points at it."""
    f = write(tmp_path / "f.json", '{"findings": [\n  {"evidence": {"x": NaN}}\n]}\n')
    run = run_assure("gap", DEMO, "--regime", "nd85-2016", "--findings", f)
    assert run.code == 3, run.err
    assert run.err.startswith(f"{f}:2:22: invalid JSON: NaN"), run.err


def test_huge_findings_file_is_refused_before_reading(tmp_path: Path) -> None:
    """A findings file over the size limit is refused (exit 3), not read into memory."""
    f = tmp_path / "big.json"
    with f.open("wb") as fh:
        fh.truncate(33 * 1024 * 1024)  # sparse: costs no disk
    run = run_assure("gap", DEMO, "--findings", f)
    assert run.code == 3, run.err
    assert f"{f}:1:1: file is larger than" in run.err


# --- user catalogue folders --------------------------------------------------------------


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    folder = tmp_path / "cat"
    folder.mkdir()
    for f in (ROOT / "checklists" / "nd85-2016").glob("*.yaml"):
        (folder / f.name).write_bytes(f.read_bytes())
    return folder


@pytest.mark.parametrize("kind", ["fifo", "folder", "dangling", "binary", "not-yaml", "tag"])
def test_broken_catalogue_entries_are_exit_3(catalogue: Path, kind: str) -> None:
    """A user catalogue folder with a FIFO (which would block the run), a folder, a dangling
    link, binary data or broken YAML among its entries: exit 3 naming the entry."""
    entry = catalogue / "zz.yaml"
    if kind == "fifo":
        os.mkfifo(entry)
    elif kind == "folder":
        entry.mkdir()
    elif kind == "dangling":
        entry.symlink_to(catalogue / "nowhere")
    elif kind == "binary":
        entry.write_bytes(b"\x00\x01")
    elif kind == "not-yaml":
        entry.write_text("catalogue: [\n")
    else:
        entry.write_text("catalogue: !!int portal\n")
    run = run_assure("plan", DEMO, "--catalogue", catalogue, timeout=60)
    assert run.code == 3, run.err
    assert_no_traceback(run)
    assert POSITION.match(run.err.splitlines()[0]), run.err
    assert str(entry) in run.err, run.err
