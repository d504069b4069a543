"""Recording, listing and drift through the real command line, on both engines: gap
reports of a profile that changes, probes of a live TLS server whose certificate is
renewed, signed documents, and several `--record` processes at once losing nothing."""

from __future__ import annotations

import json
import ssl
import subprocess
from pathlib import Path

import pytest

from assure.history.store import open_store
from tests import sigpki
from tests.conftest import ROOT, assert_no_traceback, assure_command, run_assure
from tests.probes import pki
from tests.probes.servers import Server, closed_port, response, server_context

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"


def _edit(src: Path, dst: Path, *pairs: tuple[str, str]) -> Path:
    text = src.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    dst.write_text(text, encoding="utf-8")
    return dst


REGRESS = (
    "  L116.10.1: {status: implemented, evidence: [{ref: HS-101/TTCĐS, date: 2026-09-01}]}",
    "  L116.10.1: {status: planned, owner: Phòng An toàn thông tin, due: 2027-06-30}",
)
FIX = (
    "  ND331.31.2.c.1: {status: planned, owner: Phòng An toàn thông tin, due: 2027-02-28}",
    "  ND331.31.2.c.1: {status: implemented, evidence: [{ref: HS-200/TTCĐS, date: 2026-11-20}]}",
)


def test_gap_record_history_and_drift(db_url: str, tmp_path: Path) -> None:
    """Two recorded gap reports of a profile whose controls changed: drift names the control
    that regressed (a new failure, exit 1) and the one fixed; history lists both runs."""
    profile = _edit(DEMO, tmp_path / "cong-dvc-demo.yaml")
    db = ("--db", db_url)
    first = run_assure(
        "--today", "2026-11-01", "gap", profile, "--record", *db, "-o", tmp_path / "gap1.md"
    )
    assert first.code == 0, first.err
    assert "cong-dvc-demo" in first.err  # the note naming the run recorded
    _edit(DEMO, profile, REGRESS, FIX)
    second = run_assure(
        "--today", "2026-12-01", "gap", profile, "--record", *db, "--format", "json", "-q"
    )
    assert second.code == 0, second.err
    json.loads(second.out)  # stdout stays pure JSON; the note went to stderr (and -q hid it)
    assert second.err == ""

    hist = run_assure("history", "cong-dvc-demo", *db, "--format", "json")
    assert hist.code == 0, hist.err
    runs = json.loads(hist.out)["runs"]
    assert [r["day"] for r in runs] == ["2026-12-01", "2026-11-01"]
    assert {r["command"] for r in runs} == {"gap"}
    assert runs[0]["regime"] == "nd331-2026" and runs[0]["inputs"][0]["sha256"]
    assert runs[0]["inputs"][0]["sha256"] != runs[1]["inputs"][0]["sha256"]
    assert len(runs[0]["findings"]) == 57

    drift = run_assure("drift", "cong-dvc-demo", *db, "--format", "json")
    assert_no_traceback(drift)
    assert drift.code == 1, drift.err
    doc = json.loads(drift.out)
    changes = doc["changes"]
    assert [(c["key"], c["before"], c["after"]) for c in changes["new_failure"]] == [
        ("L116.10.1", "pass", "fail")
    ]
    assert [c["key"] for c in changes["regressed"]] == ["L116.10.1"]
    assert [(c["key"], c["before"], c["after"]) for c in changes["fixed"]] == [
        ("ND331.31.2.c.1", "fail", "pass")
    ]
    assert changes["coverage"] == []  # one fixed, one regressed: the same coverage
    table = run_assure("drift", "cong-dvc-demo", *db, "--lang", "en")
    assert table.code == 1
    assert "New failure" in table.out and "L116.10.1" in table.out and "Fixed" in table.out

    # a baseline after both runs: nothing is new
    same = run_assure("drift", "cong-dvc-demo", *db, "--since", "2026-12-31", "--format", "json")
    assert same.code == 0 and json.loads(same.out)["changes"]["new_failure"] == []
    # since the approval (16/09/2024, before any run): every failure of today is new
    since = run_assure("drift", "cong-dvc-demo", *db, "--since", "approval", "--format", "json")
    assert since.code == 1, since.err
    assert json.loads(since.out)["since"] == {"kind": "date", "run": None, "day": "2024-09-16"}
    by_run = run_assure("drift", "cong-dvc-demo", *db, "--since", str(runs[1]["id"]))
    assert by_run.code == 1


def test_level_change_is_shown_with_its_facts(tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    profile = _edit(DEMO, tmp_path / "p.yaml")
    assert run_assure("--today", "2026-11-01", "classify", profile, "--record", *db).code == 0
    _edit(
        DEMO,
        profile,
        ("  online_public_service_level: 4", "  online_public_service_level: 0"),
        ("  personal_data_users: 120000", "  personal_data_users: 50"),
        ("  administrative_procedures: true", "  administrative_procedures: false"),
    )
    assert run_assure("--today", "2026-12-01", "classify", profile, "--record", *db).code == 0
    run = run_assure("drift", "cong-dvc-demo", *db, "--format", "json")
    assert run.code == 0, run.err  # a lower level is no new failure
    changes = json.loads(run.out)["changes"]
    assert [(c["before"], c["after"]) for c in changes["level"]] == [(3, 2)]
    assert {c["key"] for c in changes["fact"]} == {
        "classification.online_public_service_level",
        "classification.personal_data_users",
        "classification.administrative_procedures",
    }
    md = run_assure("drift", "cong-dvc-demo", *db, "--format", "md", "--lang", "en")
    assert "| Level changed | classify | cong-dvc-demo | — |" in md.out


def _tls(tmp: Path, name: str, root: pki.Issued) -> ssl.SSLContext:
    leaf = pki.make_leaf("portal.test", root, san=["portal.test"])
    cert, key = pki.write_chain(tmp, name, leaf, root.cert)
    return server_context(cert, key)


def test_probe_record_and_certificate_drift(db_url: str, tmp_path: Path) -> None:
    """A portal probed, its certificate renewed, probed again: drift of the system (its
    endpoints from --profile) names the new fingerprint and expiry; HTML draws the trend."""
    root = pki.make_ca("History Test Root")
    (tmp_path / "root.pem").write_bytes(pki.pem(root.cert))
    srv = Server(tls=_tls(tmp_path, "leaf1", root), handler=lambda _p, _h: response(), v6=False)
    port = srv.port
    target = f"https://portal.test:{port}/"
    args = [
        "--resolve",
        f"portal.test:{port}:127.0.0.1",
        "--ca-file",
        tmp_path / "root.pem",
        "--timeout",
        "2",
        "--http-port",
        str(closed_port()),
        "--record",
        "--db",
        db_url,
    ]
    profile = _edit(DEMO, tmp_path / "p.yaml", ("https://dichvucong.minhchau.gov.vn", target))
    try:
        first = run_assure("--today", "2026-11-01", "probe", target, *args)
        assert first.code == 1, first.err  # no HSTS
        srv.tls = _tls(tmp_path, "leaf2", root)  # the certificate renewed
        second = run_assure("--today", "2026-12-01", "probe", "--profile", profile, *args)
        assert second.code == 1, second.err
    finally:
        srv.close()
    # probed through the profile: filed under the system as well as under the target
    mine = run_assure("history", "cong-dvc-demo", "--db", db_url, "--format", "json")
    [filed] = json.loads(mine.out)["runs"]
    assert (filed["command"], filed["subject"], filed["system"]) == (
        "probe",
        target,
        "cong-dvc-demo",
    )
    hist = run_assure("history", target, "--db", db_url, "--format", "json")
    runs = json.loads(hist.out)["runs"]
    assert [r["command"] for r in runs] == ["probe", "probe"]
    assert runs[0]["summary"]["counts"]["fail"] >= 1
    drift = run_assure(
        "drift", "cong-dvc-demo", "--profile", profile, "--db", db_url, "--format", "json"
    )
    assert drift.code == 0, drift.err  # the same checks fail as before
    [cert] = json.loads(drift.out)["changes"]["certificate"]
    assert cert["target"] == target
    assert cert["before"]["sha256"] != cert["after"]["sha256"]
    html = tmp_path / "drift.html"
    run = run_assure(
        "drift",
        "cong-dvc-demo",
        "--profile",
        profile,
        "--db",
        db_url,
        "--format",
        "html",
        "-o",
        html,
        "--lang",
        "en",
    )
    assert run.code == 0, run.err
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and page.count("<polyline") == 2  # pass and fail lines
    assert "Certificate changed" in page


def test_probe_record_from_workers_is_what_one_process_records(tmp_path: Path) -> None:
    """With `--workers`, the parent writes the workers' findings from their JSON and rebuilds
    them only for the history: each target's record holds what a one-process run records."""
    root = pki.make_ca("History Test Root")
    (tmp_path / "root.pem").write_bytes(pki.pem(root.cert))
    srv = Server(tls=_tls(tmp_path, "leaf1", root), handler=lambda _p, _h: response(), v6=False)
    targets = [f"https://p{i}.portal.test:{srv.port}/" for i in range(2)]
    pins = [x for i in range(2) for x in ("--resolve", f"p{i}.portal.test:{srv.port}:127.0.0.1")]
    common = [*pins, "--ca-file", tmp_path / "root.pem", "--timeout", "2"]
    common += ["--http-port", str(closed_port()), "--record"]
    recorded = {}
    try:
        for workers in ("1", "2"):
            db = f"sqlite:///{tmp_path / ('h' + workers + '.db')}"
            got = run_assure("probe", *targets, *common, "--workers", workers, "--db", db)
            assert got.code == 1, got.err  # no HSTS
            recorded[workers] = [
                json.loads(run_assure("history", t, "--db", db, "--format", "json").out)["runs"]
                for t in targets
            ]
    finally:
        srv.close()
    for one, two in zip(recorded["1"], recorded["2"], strict=True):
        assert [r["summary"] for r in two] == [r["summary"] for r in one]
        assert one[0]["summary"]["checks"] > 0


def test_verify_signature_record(tmp_path: Path) -> None:
    doc = tmp_path / "unsigned.pdf"
    doc.write_bytes(sigpki.pdf_with_fields())
    db = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    run = run_assure("verify-signature", doc, "--no-store", "--record", "--db", db)
    assert run.code == 1, run.err
    store = open_store(db)
    [got] = store.runs([str(doc)], with_findings=True)
    store.close()
    assert got.command == "verify-signature" and got.exit_code == 1
    assert {f.check for f in got.findings} == {
        "doc_signature_valid",
        "doc_signer_trusted",
        "doc_signature_coverage",
    }


def test_concurrent_record_runs_lose_nothing(db_url: str) -> None:
    """Six processes classify the whole bundled portfolio into one fresh database at once
    (the first ones also race to create the schema): every run and finding arrives."""
    n = 6
    procs = [
        subprocess.Popen(
            [
                *assure_command(),
                "classify",
                str(ROOT / "profiles"),
                "--record",
                "--db",
                db_url,
                "-q",
                "--format",
                "json",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    assert codes == [0] * n, [e for _o, e in outs]
    systems = json.loads(outs[0][0])
    criteria = sum(len(s["criteria"]) for s in systems)
    store = open_store(db_url)
    try:
        assert store.count() == n * len(systems)
        runs = store.runs([s["id"] for s in systems], with_findings=True)
        assert len(runs) == n * len(systems)
        assert sum(len(r.findings) for r in runs) == n * criteria
        assert len({r.invocation for r in runs}) == n
    finally:
        store.close()


def test_history_of_nothing_recorded(tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    run = run_assure("history", "no-such-system", *db, "--lang", "en")
    assert run.code == 0 and "No run of no-such-system" in run.err
    drift = run_assure("drift", "no-such-system", *db, "--lang", "en")
    assert drift.code == 4
    bad = run_assure("drift", "x", *db, "--since", "yesterday")
    assert bad.code == 2 and "--since yesterday" in bad.err


def test_migrations_go_down_and_up_again(db_url: str) -> None:
    """The shipped revision's downgrade leaves an empty database and upgrading rebuilds it
    (what a later revision's rollback relies on)."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from assure.history.store import MIGRATIONS

    store = open_store(db_url)
    try:
        with store.engine.begin() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert not {"runs", "findings"} & set(sa.inspect(store.engine).get_table_names())
    finally:
        store.close()
    again = open_store(db_url)
    assert again.count() == 0
    again.close()


def test_assure_db_variable_and_invalid_profile(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    run = run_assure("classify", DEMO, "--record", "-q", env={"ASSURE_DB": url})
    assert run.code == 0, run.err
    assert (tmp_path / "env.sqlite3").is_file()
    listed = run_assure("history", "cong-dvc-demo", "--format", "json", env={"ASSURE_DB": url})
    assert [r["command"] for r in json.loads(listed.out)["runs"]] == ["classify"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: X\nclassification: {system_type: nonsense}\n", encoding="utf-8")
    drift = run_assure("drift", "x", "--profile", bad, env={"ASSURE_DB": url})
    assert_no_traceback(drift)
    assert drift.code == 3 and "bad.yaml:3:" in drift.err, drift.err


def test_drift_html_renders_in_chromium(tmp_path: Path) -> None:
    """Three recorded gap reports: the drift page renders its coverage chart (one point per
    run, Vietnamese percentages) in a real browser without console errors."""
    from tests.test_html_chromium import CHROMIUM, dump_dom

    if CHROMIUM is None:
        pytest.skip("chromium not installed")
    db = ("--db", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    profile = _edit(DEMO, tmp_path / "cong-dvc-demo.yaml")
    for day, edits in (("2026-09-01", ()), ("2026-10-01", (REGRESS,)), ("2026-11-01", (FIX,))):
        if edits:
            _edit(profile, profile, *edits)
        assert run_assure("--today", day, "gap", profile, "--record", *db, "-q").code == 0
    page = tmp_path / "drift.html"
    run = run_assure(
        "drift", "cong-dvc-demo", *db, "--since", "2026-09-15", "--format", "html", "-o", page
    )
    assert run.code == 1, run.err
    proc = dump_dom(page, tmp_path / "chrome")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert dom.count("<svg") == 1 and dom.count("<circle") == 3
    assert "Mức đáp ứng theo thời gian" in dom and "64,9 %" in dom
    assert [line for line in proc.stderr.splitlines() if "CONSOLE" in line] == []
