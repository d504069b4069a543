"""Outputs stay well-formed and inert whatever the text in them: every JUnit file validates
against the Jenkins xunit schema, every SARIF log against the OASIS 2.1.0 schema, CSV cells
never run as formulas, Markdown shows user text literally (checked with GitHub's own
renderer), and control characters from a server never reach a file or a terminal raw."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from assure.findings import Finding, Status
from assure.reports.findings import to_csv
from assure.reports.junit import findings_junit
from assure.reports.safe import csv_cell, md_text, xml_text
from tests.assurance_helpers import LEVEL3_PORTAL
from tests.conftest import ROOT, assert_no_traceback, run_assure, write
from tests.probes import pki
from tests.probes.servers import Server, response, server_context
from tests.schemas import assert_valid_junit, assert_valid_sarif

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"
EVIL = '=HYPERLINK("http://evil.test","x")\x01\x1b[31m\x7f'


@pytest.fixture(scope="module")
def evil_site() -> Iterator[dict[str, Any]]:
    """A TLS portal on loopback whose (untrusted) root CA is named with a spreadsheet
    formula, control characters and a terminal escape."""
    tmp = Path(tempfile.mkdtemp(prefix="evil-site-"))
    root = pki.make_ca(EVIL)
    leaf = pki.make_leaf("portal.test", root, san=["portal.test"])
    cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
    srv = Server(tls=server_context(cert, key), handler=lambda _p, _h: response(headers={}))
    args = ["--resolve", f"portal.test:{srv.port}:127.0.0.1", "--timeout", "2"]
    yield {"target": f"https://portal.test:{srv.port}/", "args": args, "tmp": tmp}
    srv.close()


def probe(site: dict[str, Any], *extra: str | Path) -> Any:
    run = run_assure("probe", site["target"], *site["args"], "--http-port", "1", *extra)
    assert_no_traceback(run)
    assert run.code == 1, run.err  # the untrusted root fails tls_cert_trusted
    return run


def test_junit_with_server_text_is_valid_xml(evil_site: dict[str, Any]) -> None:
    """A certificate subject with control characters: the JUnit file stays well-formed
    (before: lxml "invalid character in attribute value") and keeps to junit-10.xsd, with
    the characters shown as escapes."""
    run = probe(evil_site, "--format", "junit")
    root = assert_valid_junit(run.out)
    messages = [f.get("message", "") for f in root.iter("failure")]
    assert any("\\x01\\x1b[31m\\x7f" in m for m in messages), messages


def test_sarif_validates_and_leaves_undecided_at_level_none(evil_site: dict[str, Any]) -> None:
    """The SARIF log validates against the OASIS 2.1.0 schema; fail results are `kind:
    fail`, undecided ones `level: none` (§3.27.10); the invocation records the exit code and
    times; every rule has a full description and a help URI."""
    run = probe(evil_site, "--format", "sarif")
    log = assert_valid_sarif(run.out)
    (sarif_run,) = log["runs"]
    (invocation,) = sarif_run["invocations"]
    assert invocation["exitCode"] == run.code == 1
    assert invocation["executionSuccessful"] is True
    assert invocation["startTimeUtc"].endswith("Z") and invocation["endTimeUtc"].endswith("Z")
    assert invocation["startTimeUtc"] <= invocation["endTimeUtc"]
    for rule in sarif_run["tool"]["driver"]["rules"]:
        assert rule["fullDescription"]["text"] and rule["helpUri"].startswith("https://")
    results = sarif_run["results"]
    assert any(r["ruleId"] == "tls_cert_trusted" and r["kind"] == "fail" for r in results)
    assert results, results
    for r in results:
        if r["kind"] != "fail":
            assert r["level"] == "none", r
        else:
            assert r["level"] in ("error", "warning"), r


def test_sarif_of_an_undecided_run(tmp_path: Path) -> None:
    """Nothing reachable: every result is open at level none, exit code 4 in the log."""
    run = run_assure(
        "probe", "unreachable.test", "--nameserver", "127.0.0.1:1", "--timeout", "0.5",
        "--format", "sarif", "-o", tmp_path / "x.sarif",
    )  # fmt: skip
    assert run.code == 4, run.err
    log = assert_valid_sarif((tmp_path / "x.sarif").read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    assert results and {(r["kind"], r["level"]) for r in results} == {("open", "none")}
    assert log["runs"][0]["invocations"][0]["exitCode"] == 4


def test_csv_file_has_a_bom_and_no_raw_controls(evil_site: dict[str, Any]) -> None:
    """`-o NAME.csv` starts with a UTF-8 BOM (Excel then reads Vietnamese right); standard
    output does not; neither holds a raw control character."""
    out = Path(evil_site["tmp"]) / "probe.csv"
    probe(evil_site, "--format", "csv", "-o", out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert not any(ord(c) < 32 and c not in "\n" for c in text), repr(text[:200])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["target", "check", "status", "summary", "reason", "evidence"]
    stdout = probe(evil_site, "--format", "csv").out
    assert not stdout.startswith("\ufeff")


def test_html_report_carries_no_raw_control_character(evil_site: dict[str, Any]) -> None:
    """The probe's HTML report shows the server's control characters as escapes."""
    html = probe(evil_site, "--format", "html").out
    assert not any(ord(c) < 32 and c not in "\n\t" for c in html)
    assert "\\x01" in html


def test_gap_docx_with_control_characters_in_findings(tmp_path: Path) -> None:
    """A findings file whose summaries and evidence hold control characters (JSON allows
    them): the gap report is still written in every format, and the DOCX opens."""
    import docx

    finding = {
        "target": "https://dichvucong.minhchau.gov.vn",
        "check": "tls_versions",
        "status": "fail",
        "summary": "bad\u0001\u001b[31m",
        "evidence": {"banner": "\u0001\u0002"},
        "reason": "r\u0001",
    }
    f = write(tmp_path / "f.json", json.dumps({"findings": [finding]}, ensure_ascii=True))
    for fmt in ("docx", "md", "html", "junit"):
        out = tmp_path / f"gap.{fmt}"
        run = run_assure("gap", DEMO, "--findings", f, "--format", fmt, "-o", out)
        assert run.code == 0, (fmt, run.err)
        if fmt == "docx":
            docx.Document(str(out))
        else:
            text = out.read_text(encoding="utf-8")
            assert not any(ord(c) < 32 and c not in "\n\t" for c in text), fmt
        if fmt == "junit":
            assert_valid_junit(out.read_text(encoding="utf-8"))


def test_table_on_the_terminal_shows_no_escape_sequence(evil_site: dict[str, Any]) -> None:
    """A server's ESC cannot recolour or rewrite the user's terminal."""
    out = probe(evil_site).out
    assert "\x1b" not in out and "\x01" not in out
    assert "\\x1b[31m" in out


@pytest.mark.parametrize(
    "cell", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x","y")']
)
def test_csv_cells_that_would_be_formulas_are_text(cell: str) -> None:
    """OWASP CSV injection: cells starting with = + - @ or tab get a leading `'` (a carriage
    return is shown as `\\r`, so it starts nothing)."""
    f = Finding("tls_versions", cell, Status.FAIL, cell, reason=cell)
    rows = list(csv.reader(io.StringIO(to_csv([f]))))
    target, _check, _status, summary, reason, _evidence = rows[1]
    for value in (target, summary, reason):
        assert value.startswith("'") or value.startswith("\\r="), value
        assert "\r" not in value
    assert csv_cell(-5) == -5  # numbers are not text and stay numbers
    assert csv_cell("portal.gov.vn") == "portal.gov.vn"


def test_findings_junit_with_every_control_character() -> None:
    """The JUnit writer survives every C0/C1 control character in every field."""
    nasty = "".join(chr(c) for c in [*range(0, 32), *range(127, 160)]) + "\ufffe\ud800"
    f = Finding("tls_cert_trusted", nasty, Status.FAIL, nasty, {"subject": nasty}, reason=nasty)
    g = Finding("tls_cert_key", nasty, Status.ERROR, nasty, reason=nasty)
    h = Finding("tls_cert_expiry", nasty, Status.INCONCLUSIVE, nasty, reason=nasty)
    root = assert_valid_junit(findings_junit([f, g, h], [nasty], name=nasty))
    assert root.tag == "testsuites"
    assert "\\x01" in xml_text("\x01") and xml_text("tab\tok\n") == "tab\tok\n"


def test_gap_junit_validates_against_the_xunit_schema() -> None:
    """The gap report's JUnit had `skipped` on <testsuites>, which junit-10.xsd rejects."""
    run = run_assure("--today", "2026-11-22", "gap", DEMO, "--format", "junit")
    assert run.code == 0, run.err
    root = assert_valid_junit(run.out)
    assert root.get("skipped") is None
    assert any(s.get("skipped") for s in root.iter("testsuite"))


def test_verify_signature_junit_validates(tmp_path: Path) -> None:
    """verify-signature's JUnit (here for a document that is not signed) keeps to the XSD."""
    doc = write(tmp_path / "plain.xml", "<r>unsigned</r>\n")
    run = run_assure("verify-signature", doc, "--format", "junit")
    assert run.code in (1, 4), run.err
    assert_valid_junit(run.out)


HOSTILE_NAME = "<script>alert(1)</script> <img src=x onerror=alert(2)> [go](javascript:alert(3))"


def render_gfm(markdown: str) -> str:
    """GitHub's renderer with raw HTML allowed: the strictest viewer of our Markdown."""
    html: str = cmarkgfm.markdown_to_html_with_extensions(
        markdown,
        options=Options.CMARK_OPT_UNSAFE,
        extensions=["table", "autolink", "strikethrough"],
    )
    return html


@pytest.mark.parametrize("command", ["plan", "gap"])
def test_markdown_shows_user_html_and_links_as_text(tmp_path: Path, command: str) -> None:
    """A system named with a script tag, an image with onerror and a javascript: link:
    the Markdown renders them as text, with no tag or link of the user's making."""
    text = LEVEL3_PORTAL.replace("name: Cổng dịch vụ công thử nghiệm", f"name: '{HOSTILE_NAME}'")
    p = write(tmp_path / "p.yaml", text)
    assert run_assure("validate", p).code == 0
    run = run_assure("--today", "2026-11-22", command, p)
    assert run.code in (0, 1), run.err
    html = render_gfm(run.out)
    assert "<script" not in html and "<img" not in html, html[:500]
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[go](javascript:alert(3))" in html  # shown literally


def test_md_text_folds_lines_and_escapes_markup() -> None:
    """One line, no emphasis, no table break, no HTML."""
    assert md_text("a|b\n# c *d* _e_ `f` ~g~ <h> & \\") == (
        "a\\|b # c \\*d\\* \\_e\\_ \\`f\\` \\~g\\~ &lt;h&gt; &amp; \\\\"
    )
    assert md_text("Cổng dịch vụ công (demo) 1.0 - tốt.") == "Cổng dịch vụ công (demo) 1.0 - tốt."


def test_gap_names_only_the_checks_that_warned(tmp_path: Path) -> None:
    """A CT.TLS row whose seven checks ran and one warned says "checks warn: tls_ciphers",
    not all seven."""
    target = "https://dvc.example.gov.vn"
    checks = [
        "tls_versions", "tls_ciphers", "tls_cert_trusted", "tls_cert_hostname",
        "tls_cert_expiry", "tls_cert_key", "tls_cert_signature",
    ]  # fmt: skip
    findings = [
        Finding(c, target, Status.WARN if c == "tls_ciphers" else Status.PASS, c).to_json()
        for c in checks
    ]
    f = write(tmp_path / "probe.json", json.dumps({"findings": findings}))
    p = write(tmp_path / "p.yaml", LEVEL3_PORTAL)
    run = run_assure(
        "--today", "2026-11-22", "gap", p, "--regime", "nd85-2016", "--findings", f,
        "--format", "json", "--lang", "en",
    )  # fmt: skip
    assert run.code == 0, run.err
    row = next(x for x in json.loads(run.out)["findings"] if x["check"] == "CT.TLS")
    assert row["status"] == "warn"
    assert row["summary"].endswith("Automated checks warn: tls_ciphers"), row["summary"]
