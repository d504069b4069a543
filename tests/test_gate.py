"""`assure gate`: one launch verdict, one test per condition, through the real command.

The bundled demonstration profile (approved at level 3) is the system; variants of it lose
the approval or change its level. Endpoints are judged from findings files or probed now
against a TLS server on loopback (tests/probes); the signed sample document is a PDF signed
by the test PKI of the signature tests, with its OCSP responder on loopback.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import sigpki
from tests.conftest import ROOT, Run, assert_no_traceback, run_assure, write
from tests.probes import pki
from tests.probes.dnsserver import DnsServer
from tests.probes.servers import Server, closed_port, has_ipv6_loopback, response, server_context
from tests.schemas import assert_valid_junit, assert_valid_sarif

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"
PORTAL = "https://dichvucong.minhchau.gov.vn"
ENDPOINT_LINE = (
    '  - {url: "https://dichvucong.minhchau.gov.vn", description: Cổng Dịch vụ công, public: true}'
)
APPROVAL = (
    "approval:\n  decision: 1234/QĐ-UBND\n  date: 2024-09-16\n  level: 3\n  regime: nd85-2016\n"
)
LENIENT = ("--min-coverage", "0", "--max-open", "1000")
TODAY = ("--today", "2026-12-01")
#: No user or working-folder configuration reaches these runs.
NO_CONFIG = {"ASSURE_CONFIG": "", "ASSURE_LANG": ""}


def gate(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    run = run_assure("gate", *args, *TODAY, cwd=cwd, env={**NO_CONFIG, **(env or {})})
    assert_no_traceback(run)
    return run


def conditions(run: Run) -> dict[str, str]:
    data = json.loads(run.out)
    return {f["check"]: f["status"] for f in data["findings"]}


def profile(tmp_path: Path, *, approval: str = APPROVAL, endpoint_extra: str = "") -> Path:
    """The demonstration profile, with another approval block or endpoint fields."""
    text = DEMO.read_text(encoding="utf-8")
    assert APPROVAL in text and ENDPOINT_LINE in text
    text = text.replace(APPROVAL, approval)
    text = text.replace(ENDPOINT_LINE, ENDPOINT_LINE[:-1] + endpoint_extra + "}")
    return write(tmp_path / "he-thong.yaml", text)


def findings_file(path: Path, target: str, statuses: dict[str, str]) -> Path:
    items = [
        {"check": c, "target": target, "status": s, "summary": f"{c} {s}", "evidence": {}}
        for c, s in statuses.items()
    ]
    return write(path, json.dumps({"findings": items}))


PASSING = {"https_available": "pass", "tls_cert_trusted": "pass", "web_aaaa": "pass"}


def test_bundled_profile_fails_on_gaps_and_leaves_endpoints_undecided() -> None:
    """The demo system is approved, but its plan has open gaps (strict defaults: 100 %, none
    open) and nothing was probed: gaps fail, endpoints are inconclusive, never pass."""
    run = gate(DEMO, "--format", "json")
    assert conditions(run) == {
        "gate_approval": "pass",
        "gate_gaps": "fail",
        "gate_endpoints": "inconclusive",
        "gate_documents": "not_applicable",
    }
    data = json.loads(run.out)
    assert data["gate"]["verdict"] == "fail" and data["gate"]["exit_code"] == 1
    gaps = next(f for f in data["findings"] if f["check"] == "gate_gaps")
    assert gaps["evidence"]["open"] == len(gaps["evidence"]["open_requirements"]) > 0
    assert run.code == 1


def test_only_undecided_conditions_exit_4() -> None:
    """Thresholds met and no failure, but the endpoints were not judged: exit 4."""
    run = gate(DEMO, *LENIENT, "--format", "json")
    assert conditions(run)["gate_gaps"] == "pass"
    assert conditions(run)["gate_endpoints"] == "inconclusive"
    assert run.code == 4


def test_everything_passes_with_findings_and_a_signed_document(
    tmp_path: Path, signed: SignedDocs
) -> None:
    """Approved level, gaps within the thresholds, passing probe findings and a sample
    document signed by a trusted signer: every condition passes, exit 0."""
    (tmp_path / "ket-qua.pdf").write_bytes(signed.good)
    prof = profile(tmp_path, endpoint_extra=", signed_documents: [ket-qua.pdf]")
    probes = findings_file(tmp_path / "probe.json", PORTAL, PASSING)
    run = gate(prof, *LENIENT, "--findings", probes, "--trust", signed.root_pem, "--format", "json")
    assert conditions(run) == dict.fromkeys(
        ("gate_approval", "gate_gaps", "gate_endpoints", "gate_documents"), "pass"
    ), run.out
    assert run.code == 0


def test_tampered_document_fails(tmp_path: Path, signed: SignedDocs) -> None:
    """A sample document changed after signing fails the documents condition."""
    (tmp_path / "ket-qua.pdf").write_bytes(sigpki.tamper(signed.good))
    prof = profile(tmp_path, endpoint_extra=", signed_documents: [ket-qua.pdf]")
    probes = findings_file(tmp_path / "probe.json", PORTAL, PASSING)
    run = gate(prof, *LENIENT, "--findings", probes, "--trust", signed.root_pem, "--format", "json")
    assert conditions(run)["gate_documents"] == "fail"
    docs = next(f for f in json.loads(run.out)["findings"] if f["check"] == "gate_documents")
    assert docs["evidence"]["subjects"][0]["subject"] == "ket-qua.pdf"
    assert "doc_signature_valid" in docs["evidence"]["subjects"][0]["failing"]
    assert run.code == 1


def test_document_at_a_url_waits_for_probe_or_findings(tmp_path: Path) -> None:
    """Without --probe the gate does not fetch a document from the network: it stays
    undecided (inconclusive), unless findings about it are given."""
    url = f"http://127.0.0.1:{closed_port()}/ket-qua.pdf"
    prof = profile(tmp_path, endpoint_extra=f", signed_documents: ['{url}']")
    probes = findings_file(tmp_path / "probe.json", PORTAL, PASSING)
    run = gate(prof, *LENIENT, "--findings", probes, "--format", "json")
    assert conditions(run)["gate_documents"] == "inconclusive"
    assert run.code == 4
    docs = findings_file(tmp_path / "docs.json", url, {"doc_signature_valid": "pass"})
    run = gate(prof, *LENIENT, "--findings", probes, "--findings", docs, "--format", "json")
    assert conditions(run)["gate_documents"] == "pass"
    assert run.code == 0


def test_no_approval_fails(tmp_path: Path) -> None:
    """A system whose level was never approved may not launch."""
    prof = profile(tmp_path, approval="")
    run = gate(prof, *LENIENT, "--format", "json")
    assert conditions(run)["gate_approval"] == "fail"
    approval = json.loads(run.out)["findings"][0]
    assert approval["evidence"]["status"] == "not_approved"
    assert run.code == 1


def test_approved_level_the_facts_no_longer_give_fails(tmp_path: Path) -> None:
    """Approved at level 2 while today's facts give level 3: re-determination is due."""
    prof = profile(tmp_path, approval=APPROVAL.replace("level: 3", "level: 2"))
    run = gate(prof, *LENIENT, "--lang", "en")
    assert run.code == 1
    line = next(ln for ln in run.out.splitlines() if ln.startswith("Level approval"))
    assert "FAIL" in line and "level 3" in line


def test_failing_probe_status_and_warn_threshold(tmp_path: Path) -> None:
    """A failed probe check fails the endpoints; a warning fails only when the thresholds
    say warnings fail (`--fail-status warn`)."""
    prof = profile(tmp_path)
    failing = findings_file(tmp_path / "f.json", PORTAL, {**PASSING, "tls_cert_expiry": "fail"})
    run = gate(prof, *LENIENT, "--findings", failing, "--format", "json")
    assert conditions(run)["gate_endpoints"] == "fail"
    warned = findings_file(tmp_path / "w.json", PORTAL, {**PASSING, "https_hsts": "warn"})
    run = gate(prof, *LENIENT, "--findings", warned, "--format", "json")
    assert conditions(run)["gate_endpoints"] == "pass"
    run = gate(prof, *LENIENT, "--findings", warned, "--fail-status", "warn", "--format", "json")
    assert conditions(run)["gate_endpoints"] == "fail"
    assert run.code == 1
    # a failure fails whatever the list says: a decided `fail` never reads as a pass
    run = gate(prof, *LENIENT, "--findings", failing, "--fail-status", "warn", "--format", "json")
    assert conditions(run)["gate_endpoints"] == "fail"


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A TLS portal on loopback and the probe options that reach it as dvc.test."""
    root = pki.make_ca("Gate Root")
    leaf = pki.make_leaf("dvc.test", root, san=["dvc.test"])
    cert, key = pki.write_chain(tmp_path, "leaf", leaf, root.cert)
    (tmp_path / "root.pem").write_bytes(pki.pem(root.cert))
    srv = Server(
        tls=server_context(cert, key),
        handler=lambda _p, _h: response(headers={"Strict-Transport-Security": "max-age=31536000"}),
        v6=has_ipv6_loopback(),
    )
    opts = ["--resolve", f"dvc.test:{srv.port}:127.0.0.1", "--ca-file", str(tmp_path / "root.pem")]
    opts += ["--timeout", "2", "--http-port", str(closed_port())]
    try:
        yield f"https://dvc.test:{srv.port}/", opts
    finally:
        srv.close()


def test_probe_now(tmp_path: Path, portal: tuple[str, list[str]]) -> None:
    """`--probe` probes the endpoints as `assure probe --profile` does: the portal's TLS
    checks pass, the name-server checks cannot be decided with pinned addresses, so the
    condition is inconclusive (never a pass); a stale failing findings file is replaced."""
    url, opts = portal
    text = DEMO.read_text(encoding="utf-8").replace(PORTAL, url.rstrip("/"))
    prof = write(tmp_path / "p.yaml", text)
    stale = findings_file(tmp_path / "old.json", url, {"tls_cert_trusted": "fail"})
    run = gate(prof, *LENIENT, "--probe", *opts, "--findings", stale, "--format", "json")
    endpoint = next(f for f in json.loads(run.out)["findings"] if f["check"] == "gate_endpoints")
    assert endpoint["status"] == "inconclusive", endpoint
    row = endpoint["evidence"]["subjects"][0]
    assert row["failing"] == [] and "ns_aaaa" in row["undecided"]
    assert run.code == 4


def probe_gate(prof: Path, root_pem: Path, *network: str) -> Run:
    """`gate --probe` of `prof` with the lenient thresholds, trusting `root_pem`, reaching the
    portal by `network` (--resolve or --nameserver …), JSON out."""
    return gate(
        prof,
        *LENIENT,
        "--probe",
        *network,
        "--ca-file",
        root_pem,
        "--timeout",
        "2",
        "--http-port",
        str(closed_port()),
        "--format",
        "json",
    )


def endpoint_condition(run: Run) -> dict[str, Any]:
    """The `gate_endpoints` finding of a JSON gate run."""
    found: dict[str, Any] = next(
        f for f in json.loads(run.out)["findings"] if f["check"] == "gate_endpoints"
    )
    return found


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no ::1 on this machine")
def test_probe_now_asks_the_named_dns_server(tmp_path: Path) -> None:
    """`gate --probe --nameserver` asks a real DNS server on loopback, as `probe` does:
    the portal's name, its two name servers and their IPv6 addresses come from DNS, so the
    name-server checks are decided too, where pinned addresses leave them inconclusive."""
    zone = "dvc.test."
    soa = f"ns1.{zone} hostmaster.{zone} 1 3600 600 86400 60"
    dns_server = DnsServer(
        {
            zone: {
                "SOA": [soa],
                "NS": [f"ns1.{zone}", f"ns2.{zone}"],
                "A": ["127.0.0.1"],
                "AAAA": ["::1"],
            },
            f"ns1.{zone}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
            f"ns2.{zone}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        },
        ("127.0.0.1", "::1"),
    )
    root = pki.make_ca("Gate Root")
    cert, key = pki.write_chain(
        tmp_path, "leaf", pki.make_leaf("dvc.test", root, san=["dvc.test"]), root.cert
    )
    (tmp_path / "root.pem").write_bytes(pki.pem(root.cert))
    hsts = {"Strict-Transport-Security": "max-age=31536000"}
    srv = Server(tls=server_context(cert, key), handler=lambda _p, _h: response(headers=hsts))
    try:
        url = f"https://dvc.test:{srv.port}"
        prof = write(tmp_path / "p.yaml", DEMO.read_text(encoding="utf-8").replace(PORTAL, url))
        run = probe_gate(
            prof,
            tmp_path / "root.pem",
            "--nameserver",
            f"127.0.0.1:{dns_server.port}",
            "--allow-range",
            "127.0.0.0/8",
            "--allow-range",
            "::1/128",
        )
    finally:
        srv.close()
        dns_server.close()
    row = endpoint_condition(run)["evidence"]["subjects"][0]
    assert "ns_aaaa" not in row["undecided"] and "ns_reach_ipv6" not in row["undecided"], row
    assert "web_aaaa" not in row["undecided"] and row["failing"] == [], row


def test_probe_now_expired_certificate_fails(tmp_path: Path) -> None:
    """An expired certificate found by `--probe` fails the endpoints condition."""
    root = pki.make_ca("Gate Root")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    leaf = pki.make_leaf(
        "dvc.test", root, san=["dvc.test"], not_before=past - dt.timedelta(days=90), not_after=past
    )
    cert, key = pki.write_chain(tmp_path, "leaf", leaf, root.cert)
    (tmp_path / "root.pem").write_bytes(pki.pem(root.cert))
    srv = Server(tls=server_context(cert, key), handler=lambda _p, _h: response())
    try:
        url = f"https://dvc.test:{srv.port}"
        prof = write(tmp_path / "p.yaml", DEMO.read_text(encoding="utf-8").replace(PORTAL, url))
        run = probe_gate(prof, tmp_path / "root.pem", "--resolve", f"dvc.test:{srv.port}:127.0.0.1")
    finally:
        srv.close()
    endpoint = endpoint_condition(run)
    assert endpoint["status"] == "fail"
    assert "tls_cert_expiry" in endpoint["evidence"]["subjects"][0]["failing"]
    assert run.code == 1


def test_outputs_junit_sarif_json_and_render(tmp_path: Path) -> None:
    """`-o FORMAT=FILE` writes several formats in one run: JUnit with one test case per
    condition, SARIF with a result per condition that did not pass, JSON that
    `assure render` reads back."""
    run = gate(
        DEMO,
        "-o",
        f"json={tmp_path / 'g.json'}",
        "-o",
        f"junit={tmp_path / 'g.xml'}",
        "-o",
        f"sarif={tmp_path / 'g.sarif'}",
    )
    assert run.code == 1 and run.out == ""
    junit = assert_valid_junit((tmp_path / "g.xml").read_text(encoding="utf-8"))
    cases = junit.findall(".//testcase")
    assert [c.get("name") for c in cases] == [
        "gate_approval",
        "gate_gaps",
        "gate_endpoints",
        "gate_documents",
    ]
    assert cases[1].find("failure") is not None and cases[2].find("skipped") is not None
    sarif = assert_valid_sarif((tmp_path / "g.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"]: r["kind"] for r in results} == {
        "gate_gaps": "fail",
        "gate_endpoints": "open",
    }
    assert sarif["runs"][0]["invocations"][0]["exitCode"] == 1
    rendered = run_assure("render", tmp_path / "g.json", "--format", "json", env=NO_CONFIG)
    assert rendered.code == 1
    assert len(json.loads(rendered.out)["findings"]) == 4


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("vi", ("Phê duyệt cấp độ", "KHÔNG ĐẠT (FAIL)", "Kết luận")),
        ("en", ("Level approval", "FAIL", "Verdict")),
    ],
)
def test_table_in_both_languages(lang: str, words: tuple[str, ...]) -> None:
    run = gate(DEMO, "--lang", lang)
    assert run.code == 1
    for word in words:
        assert word in run.out


def test_bad_findings_file_is_invalid_input(tmp_path: Path) -> None:
    """A findings file that is not findings stops the gate with exit 3 and its position."""
    bad = write(tmp_path / "bad.json", '{"findings": [{"check": "x"}]}')
    run = gate(DEMO, "--findings", bad)
    assert run.code == 3
    assert str(bad) in run.err


@dataclass(frozen=True)
class SignedDocs:
    good: bytes
    root_pem: Path


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedDocs]:
    """A PDF signed by the test PKI's signer; its OCSP responder answers on loopback."""
    responder = sigpki.Responder()
    server, base = sigpki.serve(responder)
    world = sigpki.build_pki(base, responder)
    folder = tmp_path_factory.mktemp("gate-sig")
    root_pem = sigpki.write_pem(folder / "root.pem", world.root)
    good = sigpki.sign_pdf(sigpki.pdf_with_fields(), world.signer, world.chain_of(world.signer))
    yield SignedDocs(good, root_pem)
    server.shutdown()
    server.server_close()


def test_gaps_broken_only_by_undecided_requirements_are_inconclusive(tmp_path: Path) -> None:
    """Probes that could not decide leave four requirements undecided (20 open in all): with
    room for 16 open the threshold is broken only by those four, so the condition is
    inconclusive; with room for 15 it is broken whatever they turn out to be: fail."""
    from assure.probes import CHECKS

    undecided = findings_file(
        tmp_path / "u.json", PORTAL, {c.value: "inconclusive" for c in CHECKS}
    )
    args = ("--findings", undecided, "--min-coverage", "0", "--format", "json")
    run = gate(DEMO, *args, "--max-open", "16")
    gaps = json.loads(run.out)["findings"][1]
    assert (gaps["status"], gaps["evidence"]["open"], gaps["evidence"]["undecided"]) == (
        "inconclusive",
        20,
        4,
    )
    assert run.code == 4
    assert conditions(gate(DEMO, *args, "--max-open", "15"))["gate_gaps"] == "fail"


def test_record_keeps_the_verdict_in_the_history(tmp_path: Path) -> None:
    """`gate --record` stores the four conditions as one run of the system: `assure history`
    lists it under the command `gate` with the gate's exit code, and its findings are the
    conditions, so `assure drift` can tell a condition that starts failing."""
    db = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    run = gate(DEMO, *LENIENT, "--record", "--db", db)
    assert run.code == 4, run.err  # the portal was not probed: inconclusive, not pass
    listed = run_assure("history", "cong-dvc-demo", "--db", db, "--format", "json", env=NO_CONFIG)
    assert listed.code == 0, listed.err
    runs = json.loads(listed.out)
    runs = runs["runs"] if isinstance(runs, dict) else runs
    assert [(r["command"], r["exit_code"]) for r in runs] == [("gate", 4)]
    # the gate's run names its profile, so `--since approval` finds the approval date there
    since = run_assure("drift", "cong-dvc-demo", "--db", db, "--since", "approval", env=NO_CONFIG)
    assert since.code in (0, 1), since.err
    assert "16/09/2024" in since.out
