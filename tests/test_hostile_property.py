"""Property: whatever a profile holds, every command ends with exit 0, 1 or 3 and a
message, never a traceback (exit 5). Profiles are generated from a valid one with hostile
values put in its fields: control characters, YAML tags that do not fit, non-finite and huge
numbers, URLs that do not parse, raw bytes YAML forbids, wrong kinds of value."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assure.cli import run
from tests.conftest import assert_no_traceback, run_assure

#: Fields of a valid profile that take a hostile value: (parent mapping or None, key).
FIELDS = [
    (None, "name"),
    (None, "description"),
    ("scope", "users_served"),
    ("scope", "service_hours"),
    ("scope", "description"),
    ("budget", "it_total"),
    ("budget", "security"),
    ("budget", "year"),
    ("hosting", "standby_distance_km"),
    ("hosting", "provider"),
    ("owner", "name"),
    ("operator", "name"),
    ("endpoint", "url"),
    ("endpoint", "description"),
]

control_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(
        ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9b", "\ufffe", "\t", "\n", "\r", ":", "#"]
    ),
    max_size=30,
)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([".inf", "-.inf", ".nan", ".NaN", "1.0e+999", "0x1F", "0o17", "1_000"]),
)
tagged = st.tuples(
    st.sampled_from(["!!int", "!!float", "!!bool", "!!null", "!!str", "!!timestamp", "!!binary"]),
    st.sampled_from(["abc", "1", "1.5", "yes", "~", "", ".inf", "2026-13-45", "[1]"]),
).map(lambda t: f"{t[0]} {t[1]}")
urls = st.one_of(
    st.sampled_from(
        [
            "https://[::1",
            "https://[::1]:99999/",
            "https://h:0/",
            "https://:443/",
            "http://[zz]/",
            "ftp://x.vn",
            "https://a b.vn/",
            "https://xn--.vn/",
            "https://[fe80::1%25eth0]/",
        ]
    ),
    st.text(max_size=20).map(lambda s: "https://" + s),
)
benign = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.text(st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=20).map(
        json.dumps
    ),
)
values = st.one_of(
    *([benign] * 10),  # most fields stay ordinary, so many profiles load and reach the writers
    control_text.map(lambda s: json.dumps(s, ensure_ascii=True)),  # double-quoted escapes
    st.text(max_size=20).map(json.dumps),  # ordinary text, often valid
    control_text,  # raw, unquoted: may not even parse
    numbers,
    tagged,
    urls.map(json.dumps),
    st.sampled_from(["[]", "{}", "[1, [2]]", "{a: 1}", "&x a", "*x", "- a", "? a", "|", ">"]),
)


@st.composite
def profiles(draw: st.DrawFn) -> bytes:
    """A profile text with one to three fields set to hostile values (and, now and then, a
    raw byte YAML forbids put anywhere in it)."""
    level = draw(st.sampled_from(["2", "3", "3", "4", "4", "5", "!!int x", ".nan"]))
    lines = [
        "id: fuzz-system",
        "classification:\n  system_type: citizen_business\n  information: [public, personal]\n"
        f"  online_public_service_level: {level}",
    ]
    chosen = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True))
    groups: dict[str | None, list[str]] = {}
    for parent, key in chosen:
        groups.setdefault(parent, []).append(f"{key}: {draw(values)}")
    if (None, "name") not in chosen:
        lines.append("name: Hệ thống thử")
    for parent, items in groups.items():
        if parent is None:
            lines.extend(items)
        elif parent == "endpoint":
            if not any(i.startswith("url:") for i in items):
                items.append("url: https://dvc.example.gov.vn")
            lines.append("endpoints:\n  - " + "\n    ".join(items))
        else:
            lines.append(f"{parent}:\n  " + "\n  ".join(items))
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        raw = draw(st.sampled_from([b"\x01", b"\x1b[2J", b"\xff", b"\x00", b"\xc2\x9b"]))
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + raw + data[at:]
    return data


COMMANDS = (
    ["validate"],
    ["classify", "--format", "json"],
    ["plan", "--format", "json"],
    ["gap", "--format", "json"],
    ["gap", "--format", "junit"],
    ["plan", "--format", "md"],
)


def run_in_process(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = run(args)
    return code, err.getvalue()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(profiles())
def test_generated_profiles_never_crash(data: bytes) -> None:
    """Every command on every generated profile: exit 0, 1 or 3, never a traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_bytes(data)
        for cmd in COMMANDS:
            code, err = run_in_process([*cmd, str(path)])
            assert code in (0, 1, 3), (cmd, code, err, data)
            assert "Traceback" not in err and "internal error" not in err, (cmd, err, data)
            if code == 3:
                assert err.strip(), (cmd, data)  # a refusal always says why


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_generated_profiles_through_the_installed_command(data: bytes) -> None:
    """A few generated profiles through the installed `assure`, DOCX writers included."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_bytes(data)
        for cmd in (["validate"], ["gap", "--format", "docx", "-o", str(Path(tmp) / "g.docx")]):
            result = run_assure(*cmd, path, installed=True)
            assert result.code in (0, 1, 3), (cmd, result)
            assert_no_traceback(result)
        result = run_assure("dossier", path, "-o", Path(tmp) / "d", installed=True)
        assert result.code in (0, 1, 3), result
        assert_no_traceback(result)


#: Text a profile may hold (no control characters), leaning on what breaks writers: markup,
#: formulas, quotes, table bars, backslashes, non-characters of other scripts.
allowed_text = st.one_of(
    st.text(
        st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
        ),
        min_size=1,
    ),
    st.lists(
        st.sampled_from(
            [
                "<script>",
                "</b>",
                "<img src=x onerror=alert(1)>",
                "[a](javascript:x)",
                "=SUM(",
                "+1",
                "-",
                "@",
                "|",
                "*",
                "_",
                "`",
                "\\",
                "&amp;",
                "]]>",
                "'",
                '"',
                "\t",
                "Đ",
                "😀",
            ]
        ),
        min_size=1,
        max_size=6,
    ).map("".join),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=allowed_text, owner=allowed_text, description=allowed_text)
def test_allowed_hostile_text_reaches_every_writer_intact(
    name: str, owner: str, description: str
) -> None:
    """Text the schema accepts, however hostile, goes through every writer: Markdown,
    HTML, JUnit (which stays valid XML) and DOCX, with exit 0 and no traceback."""
    from lxml import etree

    text = (
        "id: fuzz-system\n"
        f"name: {json.dumps(name, ensure_ascii=False)}\n"
        f"description: {json.dumps(description, ensure_ascii=False)}\n"
        f"owner: {{name: {json.dumps(owner, ensure_ascii=False)}}}\n"
        "endpoints: [{url: 'https://dvc.example.gov.vn', public: true}]\n"
        "classification:\n  system_type: citizen_business\n  information: [public, personal]\n"
        "  online_public_service_level: 3\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_text(text, encoding="utf-8")
        assert run_in_process(["validate", str(path)])[0] == 0, text
        for fmt in ("md", "html", "docx", "junit"):
            out = Path(tmp) / f"gap.{fmt}"
            code, err = run_in_process(["gap", str(path), "--format", fmt, "-o", str(out)])
            assert code == 0, (fmt, err, text)
            if fmt == "junit":
                etree.fromstring(out.read_bytes())
        code, err = run_in_process(["dossier", str(path), "-o", str(Path(tmp) / "d")])
        assert code == 0, (err, text)
