"""`assure gap`: status rules, probes overriding claims, waivers, gates and outputs."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import docx
import pytest

from assure.errors import DataError
from assure.findings import Finding, Status
from assure.inputs.validation import validator_for
from assure.law.gap import gap_report, load_findings, relevant_findings
from assure.reports.gap import gap_docx, gap_markdown
from tests.assurance_helpers import LEVEL3_PORTAL, LEVEL5_STORE, plan_of
from tests.conftest import ROOT, run_assure, write
from tests.schemas import assert_valid_junit

TODAY = dt.date(2026, 11, 22)

CONTROLS = """controls:
  QL.1.1.1: {status: implemented, evidence: [{ref: QD-12/2026, date: 2026-02-01}]}
  QL.1.1.2: {status: partial, owner: Phòng ATTT, due: 2027-01-31}
  QL.1.1.3: {status: planned, owner: Phòng ATTT, due: 2026-06-30}
  QL.1.3.1: {status: not_applicable, justification: Không tuyển dụng mới cho hệ thống.}
  CT.HTTPS: {status: implemented}
  CT.TLS: {status: implemented}
waivers:
  - {requirement: TK.DLP, reason: Đang mua sắm, approver: Giám đốc Sở, expires: 2027-01-01}
  - {requirement: TK.SIEM, reason: Đã hết hạn, approver: Giám đốc Sở, expires: 2026-01-01}
"""


def finding(check: str, status: str, target: str = "https://dvc.example.gov.vn") -> Finding:
    return Finding(check, target, Status(status), f"{check} {status}")


def report(findings: list[Finding] | None = None):  # type: ignore[no-untyped-def]
    return gap_report(plan_of(LEVEL3_PORTAL + CONTROLS), findings or [], TODAY, "en")


def status_of(rep, rid: str) -> Status:  # type: ignore[no-untyped-def]
    return next(i.finding.status for i in rep.items if i.item.id == rid)


def test_declared_statuses_map_to_findings() -> None:
    """implemented → pass, partial → warn, planned → fail, not_applicable → not_applicable."""
    rep = report()
    assert status_of(rep, "QL.1.1.1") is Status.PASS
    assert status_of(rep, "QL.1.1.2") is Status.WARN
    assert status_of(rep, "QL.1.1.3") is Status.FAIL
    assert status_of(rep, "QL.1.3.1") is Status.NOT_APPLICABLE
    assert status_of(rep, "QL.1.2.1") is Status.FAIL  # nothing declared
    f = next(i.finding for i in rep.items if i.item.id == "QL.1.1.1")
    assert (f.check, f.target) == ("QL.1.1.1", "cong-l3")
    assert f.evidence["documents"] == [{"ref": "QD-12/2026", "date": "2026-02-01"}]


def test_failed_probe_overrides_claimed_implementation() -> None:
    """A probe fail on a mapped check turns a declared `implemented` into `fail`."""
    rep = report([finding("https_hsts", "fail"), finding("https_available", "pass")])
    assert status_of(rep, "CT.HTTPS") is Status.FAIL
    f = next(i.finding for i in rep.items if i.item.id == "CT.HTTPS")
    assert "https_hsts" in f.summary
    assert status_of(rep, "CT.TLS") is Status.PASS


def test_inconclusive_probe_never_passes() -> None:
    """Without a declaration, only-inconclusive probes give `inconclusive`, never `pass`."""
    rep = report([finding("web_aaaa", "inconclusive"), finding("web_reach_ipv6", "error")])
    assert status_of(rep, "CT.IPV6.WEB") is Status.INCONCLUSIVE
    rep = report([finding(c, "pass") for c in ("web_aaaa", "web_reach_ipv6", "web_ipv46_parity")])
    assert status_of(rep, "CT.IPV6.WEB") is Status.PASS


def test_findings_for_other_targets_are_ignored() -> None:
    """Probe results about a host that is not one of the profile's endpoints do not count."""
    rep = report([finding("https_hsts", "fail", "https://other.example.vn")])
    assert status_of(rep, "CT.HTTPS") is Status.PASS


def test_waivers_valid_and_expired() -> None:
    """A valid waiver gives `info` and keeps the underlying result; an expired one is a gap."""
    rep = report()
    dlp = next(i.finding for i in rep.items if i.item.id == "TK.DLP")
    assert dlp.status is Status.INFO
    assert dlp.evidence["underlying_status"] == "fail"
    assert dlp.evidence["waiver"]["approver"] == "Giám đốc Sở"
    siem = next(i.finding for i in rep.items if i.item.id == "TK.SIEM")
    assert siem.status is Status.FAIL
    assert siem.evidence["waiver_expired"] is True
    assert "expired on 2026-01-01" in siem.summary


def test_overdue_and_roadmap_order() -> None:
    """A gap past its due date is overdue and leads the roadmap; gaps sort by weight."""
    rep = report()
    assert [i.item.id for i in rep.overdue] == ["QL.1.1.3"]
    assert rep.roadmap[0].item.id == "QL.1.1.3"
    weights = [i.item.requirement.weight for i in rep.gaps]
    assert weights == sorted(weights, reverse=True)


def test_coverage_counts() -> None:
    """Coverage leaves not_applicable out and counts valid waivers as covered, not passed."""
    cov = report().overall
    assert cov.applicable == cov.total - 1
    assert cov.passed == 3 and cov.waived == 1
    assert cov.covered_pct == pytest.approx(100 * 4 / cov.applicable)
    assert cov.implemented_pct == pytest.approx(100 * 3 / cov.applicable)


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    return write(tmp_path / "cong.yaml", LEVEL3_PORTAL + CONTROLS)


def test_cli_json_findings_model(profile_file: Path, tmp_path: Path) -> None:
    """`--format json` writes the findings model of interface §6 plus coverage."""
    probe = write(
        tmp_path / "probe.json",
        json.dumps({"findings": [finding("https_hsts", "fail").to_json()]}),
    )
    run = run_assure(
        "--today",
        "2026-11-22",
        "gap",
        "--regime",
        "nd85-2016",
        profile_file,
        "--findings",
        probe,
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    validator_for("findings").validate(data)  # gap output is itself a valid findings file
    assert {"check", "target", "status", "summary", "evidence"} <= set(data["findings"][0])
    https = next(f for f in data["findings"] if f["check"] == "CT.HTTPS")
    assert https["status"] == "fail"
    assert data["coverage"]["overall"]["total"] == len(data["findings"])
    assert data["roadmap"][0] == {
        "id": "QL.1.1.3",
        "title": "Rà soát, sửa đổi chính sách",
        "status": "fail",
        "due": "2026-06-30",
        "owner": "Phòng ATTT",
        "overdue": True,
        "weight": 2,
    }


def test_gates(profile_file: Path) -> None:
    """--fail-under and --fail-on make the report a CI gate (exit 1), else exit 0."""
    base = ("--today", "2026-11-22", "gap", "--regime", "nd85-2016", profile_file)
    assert run_assure(*base, "--fail-under", "0").code == 0
    run = run_assure(*base, "--fail-under", "90")
    assert run.code == 1 and "thấp hơn 90 %" in run.err
    run = run_assure(*base, "--fail-under", "90", "--lang", "en")
    assert run.code == 1 and "below 90%" in run.err
    run = run_assure(*base, "--fail-on", "overdue")
    assert run.code == 1 and "quá hạn" in run.err
    run = run_assure(*base, "--fail-on", "gap", "--format", "json")
    assert run.code == 1 and "khoảng cách" in run.err
    assert json.loads(run.out)["gaps"]  # the report is still written in full
    run = run_assure(
        "--today",
        "2026-01-01",
        "gap",
        "--regime",
        "nd85-2016",
        profile_file,
        "--fail-on",
        "overdue",
    )
    assert run.code == 0, run.err


def test_junit(profile_file: Path) -> None:
    """JUnit output parses; fail/partial are failures, waived/not-applicable are skipped."""
    run = run_assure(
        "--today", "2026-11-22", "gap", "--regime", "nd85-2016", profile_file, "--format", "junit"
    )
    assert run.code == 0
    root = ET.fromstring(run.out)  # noqa: S314 (our own output)
    assert_valid_junit(run.out)
    cases = {c.get("name", "").split(" ")[0]: c for c in root.iter("testcase")}
    assert cases["QL.1.1.3"].find("failure") is not None
    assert cases["QL.1.1.2"].find("failure") is not None
    assert cases["TK.DLP"].find("skipped") is not None
    assert cases["QL.1.3.1"].find("skipped") is not None
    assert cases["QL.1.1.1"].find("failure") is None
    assert int(root.get("tests", "0")) == len(cases)


def test_html_has_inline_svg_charts(profile_file: Path) -> None:
    """The HTML report is self-contained with inline SVG coverage bars and overdue flags."""
    run = run_assure(
        "--today", "2026-11-22", "gap", "--regime", "nd85-2016", profile_file, "--format", "html"
    )
    assert run.code == 0
    html = run.out
    assert html.count("<svg") == 2
    assert "<script" not in html and "<link" not in html
    assert "QUÁ HẠN" in html
    assert "QD-12/2026 (01/02/2026)" in html  # evidence reference with its date, in Vietnamese
    assert 'name="viewport"' in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"findings": [\n  {"check": "x"\n', "bad.json:3:1: invalid JSON"),
        (
            '{"findings": [\n  {"check": "web_aaaa", "target": "t", "status": "passed",'
            ' "summary": "s", "evidence": {}}\n]}',
            "bad.json:2:",
        ),
        ('{"results": []}', "missing required field 'findings'"),
        ('{"findings": [{"check": "a", "target": "t", "status": "pass"}]}', "'summary'"),
    ],
)
def test_bad_findings_file_exit_3(
    profile_file: Path, tmp_path: Path, text: str, expected: str
) -> None:
    """Bad findings files give exit 3 with file:line and field."""
    bad = write(tmp_path / "bad.json", text)
    run = run_assure(
        "gap", "--regime", "nd85-2016", profile_file, "--findings", bad, "--lang", "en"
    )
    assert run.code == 3, run.err
    assert expected in run.err


def test_findings_status_field_position(tmp_path: Path) -> None:
    """A schema error in a findings file points at the line of the bad value."""
    bad = write(
        tmp_path / "f.json",
        '{\n  "findings": [\n    {\n      "check": "web_aaaa",\n      "target": "t",\n'
        '      "status": "passed",\n      "summary": "s",\n      "evidence": {}\n    }\n  ]\n}\n',
    )
    with pytest.raises(DataError) as exc:
        load_findings(bad)
    message = str(exc.value)
    assert message.startswith(f"{bad}:6:")
    assert "findings[0].status" in message


def test_demo_profile_gap_is_reproducible() -> None:
    """Same profile and day give the same JSON (the report is a pure function)."""
    args = (
        "--today",
        "2026-11-22",
        "gap",
        "--regime",
        "nd85-2016",
        ROOT / "profiles" / "cong-dvc-demo.yaml",
        "--format",
        "json",
    )
    first, second = run_assure(*args), run_assure(*args)
    assert first.code == 0 and first.out == second.out


def test_profile_facts_confirm_or_contradict_controls() -> None:
    """Declared zones, standby distance and budget share confirm or override controls."""
    text = LEVEL5_STORE.replace("standby_distance_km: 45", "standby_distance_km: 20") + (
        "architecture:\n  network_zones:\n    - {name: DMZ, kind: dmz}\n"
        "budget: {it_total: 1000, security: 50}\n"
        "controls:\n  TK.ZONE.DATABASE: {status: implemented}\n"
        "  TK.STANDBY-SITE: {status: implemented}\n  CT14.BUDGET: {status: implemented}\n"
    )
    rep = gap_report(plan_of(text), [], TODAY, "en")
    by_id = {i.item.id: i.finding for i in rep.items}
    assert by_id["TK.ZONE.DMZ"].status is Status.PASS  # declared zone, no control needed
    assert by_id["TK.ZONE.DATABASE"].status is Status.FAIL  # claimed, but not in architecture
    assert "no network zone of kind 'database'" in by_id["TK.ZONE.DATABASE"].summary
    assert by_id["TK.STANDBY-SITE"].status is Status.FAIL
    assert "20 km" in by_id["TK.STANDBY-SITE"].summary
    assert by_id["CT14.BUDGET"].status is Status.FAIL
    assert by_id["CT14.BUDGET"].evidence["profile_check"]["value"] == 5.0


def test_gap_docx_and_markdown() -> None:
    """The DOCX gap report has its sections and tables; Markdown flags overdue items."""
    rep = report()
    document = docx.Document(io.BytesIO(gap_docx(rep, "vi")))
    heads = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert {"Mức độ đáp ứng", "Lộ trình khắc phục", "Tất cả yêu cầu"} <= set(heads)
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "30/06/2026 (QUÁ HẠN)" in cells
    md = gap_markdown(rep, "en")
    assert "30 Jun 2026 **OVERDUE**" in md
    assert "| `QL.1.1.3` |" in md


def test_probe_targets_match_endpoints_by_host() -> None:
    """Targets match the profile's endpoints by host: URL, bare name, case, trailing dot."""
    data = {"endpoints": [{"url": "https://dvc.example.gov.vn/portal"}]}
    targets = [
        "https://dvc.example.gov.vn",
        "dvc.example.gov.vn",
        "DVC.Example.gov.vn.",
        "dvc.example.gov.vn:443",
        "other.example.gov.vn",
        "[2001:db8::1]:443",
    ]
    kept = relevant_findings([finding("web_aaaa", "pass", t) for t in targets], data)
    assert [f.target for f in kept] == targets[:4]
    assert len(relevant_findings([finding("web_aaaa", "pass", "x")], {})) == 1


def test_json_lines_findings(tmp_path: Path) -> None:
    """JSON Lines findings (`assure probe --format jsonl`) are read; errors name the line."""
    good = [finding("https_hsts", "fail").to_json(), finding("web_aaaa", "pass").to_json()]
    path = write(tmp_path / "f.jsonl", "\n".join(json.dumps(f) for f in good) + "\n")
    assert [f.check for f in load_findings(path)] == ["https_hsts", "web_aaaa"]
    bad = {**good[1], "status": "okay"}
    path = write(tmp_path / "g.jsonl", json.dumps(good[0]) + "\n\n" + json.dumps(bad) + "\n")
    with pytest.raises(DataError) as exc:
        load_findings(path)
    assert str(exc.value).startswith(f"{path}:3:1: findings[1].status:")


def test_signed_document_findings_count_for_non_repudiation() -> None:
    """Signature findings on the profile's sample documents verify non-repudiation."""
    text = LEVEL3_PORTAL.replace(
        "    public: true\n",
        "    public: true\n    signed_documents: [kq/giay-phep.pdf]\n",
    )
    doc_fail = finding("doc_signer_trusted", "fail", "kq/giay-phep.pdf")
    other = finding("doc_signer_trusted", "fail", "elsewhere/x.pdf")
    rep = gap_report(plan_of(text), [other], TODAY, "en")
    assert status_of(rep, "CH.2.3.5") is Status.FAIL  # nothing declared
    assert "probes" not in next(i.finding for i in rep.items if i.item.id == "CH.2.3.5").evidence
    rep = gap_report(plan_of(text), [doc_fail], TODAY, "en")
    f = next(i.finding for i in rep.items if i.item.id == "CH.2.3.5")
    assert f.evidence["probes"][0]["target"] == "kq/giay-phep.pdf"


def test_declared_pass_says_when_probes_were_inconclusive() -> None:
    """A declared implementation stays `pass`, and the summary says probes could not confirm."""
    rep = report([finding("tls_versions", "inconclusive")])
    f = next(i.finding for i in rep.items if i.item.id == "CT.TLS")
    assert f.status is Status.PASS
    assert "inconclusive: tls_versions" in f.summary
