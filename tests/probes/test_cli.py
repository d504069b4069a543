"""`assure probe` as a user runs it: formats, exit codes, target lists, deadlines."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_no_traceback, assure_command, run_assure, write
from tests.probes import pki
from tests.probes.servers import Server, closed_port, has_ipv6_loopback, response, server_context
from tests.schemas import assert_valid_junit, assert_valid_sarif


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("site")
    root = pki.make_ca("CLI Test Root")
    leaf = pki.make_leaf("portal.test", root, san=["portal.test", "other.test"])
    cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
    (tmp / "root.pem").write_bytes(pki.pem(root.cert))
    srv = Server(
        tls=server_context(cert, key),
        handler=lambda _p, _h: response(),  # no HSTS: https_hsts fails
        v6=has_ipv6_loopback(),
    )
    silent = Server(mode="silent", v6=has_ipv6_loopback())
    args = [
        "--resolve",
        f"portal.test:{srv.port}:127.0.0.1",
        "--ca-file",
        str(tmp / "root.pem"),
        "--timeout",
        "2",
        "--http-port",
        str(closed_port()),
    ]
    yield {
        "target": f"https://portal.test:{srv.port}/",
        "args": args,
        "tmp": tmp,
        "port": srv.port,
        "silent": silent,
    }
    srv.close()
    silent.close()


def test_table_is_default_and_exit_1_on_fail(site: dict[str, Any]) -> None:
    """A target without HSTS fails https_hsts: the table says so and the exit code is 1."""
    run = run_assure("probe", site["target"], *site["args"])
    assert_no_traceback(run)
    assert run.code == 1
    assert "https_hsts" in run.out and "KHÔNG ĐẠT (FAIL)" in run.out
    assert "tls_cert_trusted" in run.out


@pytest.mark.parametrize("fmt", ["csv", "junit", "sarif", "html", "jsonl"])
def test_formats(site: dict[str, Any], fmt: str, tmp_path: Path) -> None:
    """Every format is written to -o FILE and parses as what it claims to be."""
    out = tmp_path / f"report.{fmt}"
    run = run_assure("probe", site["target"], *site["args"], "--format", fmt, "-o", out)
    assert run.code == 1, run.err
    assert run.out == ""
    text = out.read_text(encoding="utf-8")
    if fmt == "csv":
        assert text.startswith("\ufeff")  # -o NAME.csv: a BOM for Excel
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
        assert len(rows) == 15
        assert {r["check"] for r in rows} >= {"web_aaaa", "tls_cert_trusted"}
    elif fmt == "junit":
        root = ET.fromstring(text)  # noqa: S314 — our own output
        assert_valid_junit(text)
        cases = root.findall(".//testcase")
        assert len(cases) == 15
        assert root.find(".//testcase[@name='https_hsts']/failure") is not None
    elif fmt == "sarif":
        doc = assert_valid_sarif(text)
        assert doc["version"] == "2.1.0"
        assert any(
            r["ruleId"] == "https_hsts" and r["level"] == "error" for r in doc["runs"][0]["results"]
        )
        assert len(doc["runs"][0]["tool"]["driver"]["rules"]) == 15
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>")
        assert "tls_cert_trusted" in text and site["target"] in text
        # one inline script sorts the overview; nothing is loaded from elsewhere
        assert text.count("<script") == 1 and "<script src" not in text
    else:
        lines = [json.loads(line) for line in text.splitlines()]
        assert len(lines) == 15 and all(line["target"] == site["target"] for line in lines)


def test_pinned_ipv4_only_leaves_aaaa_unknown(site: dict[str, Any]) -> None:
    """Only an IPv4 address pinned with --resolve, DNS never asked: web_aaaa is inconclusive
    and says why, not "no AAAA record"."""
    run = run_assure("probe", site["target"], *site["args"], "--format", "json")
    by = {f["check"]: f for f in json.loads(run.out)["findings"]}
    aaaa = by["web_aaaa"]
    assert aaaa["status"] == "inconclusive", aaaa
    assert aaaa["reason"] == "DNS not consulted"
    assert "--resolve" in aaaa["summary"]


def test_json_to_stdout_only(site: dict[str, Any]) -> None:
    """--format json writes only JSON to stdout."""
    run = run_assure("probe", site["target"], *site["args"], "--format", "json")
    doc = json.loads(run.out)
    assert doc["tool"]["name"] == "assure"
    assert doc["targets"][0]["status"] == "fail"
    assert doc["summary"]["findings"] == 15


def test_nothing_decided_is_exit_4(tmp_path: Path) -> None:
    """When DNS cannot be asked, nothing is decided: every check inconclusive, exit 4."""
    run = run_assure(
        "probe",
        "unreachable.test",
        "--nameserver",
        f"127.0.0.1:{closed_port()}",
        "--timeout",
        "0.5",
        "--format",
        "json",
    )
    assert_no_traceback(run)
    assert run.code == 4, run.err
    doc = json.loads(run.out)
    assert {f["status"] for f in doc["findings"]} == {"inconclusive"}
    assert all(f["reason"] for f in doc["findings"])


def test_silent_server_never_hangs_past_deadline(site: dict[str, Any]) -> None:
    """A server that accepts and says nothing is cut at the deadline; results inconclusive,
    and since nothing about the service was decided, the exit code is 4 (not 0)."""
    if not has_ipv6_loopback():
        pytest.skip("no ::1 on this machine")
    port = site["silent"].port
    start = time.monotonic()
    run = run_assure(
        "probe",
        f"https://hang.test:{port}/",
        "--resolve",
        f"hang.test:{port}:127.0.0.1",
        "--resolve",
        f"hang.test:{port}:[::1]",
        "--http-port",
        str(port),
        "--timeout",
        "2",
        "--deadline",
        "2",
        "--format",
        "json",
        timeout=60,
    )
    elapsed = time.monotonic() - start
    assert_no_traceback(run)
    assert elapsed < 10, elapsed
    by = {f["check"]: f for f in json.loads(run.out)["findings"]}
    assert by["https_available"]["status"] == "inconclusive"
    assert by["https_redirect"]["status"] == "inconclusive"
    assert by["tls_cert_trusted"]["status"] == "inconclusive"
    assert by["web_aaaa"]["status"] == "pass"
    assert run.code == 4


def test_targets_file_comments_and_duplicates(site: dict[str, Any], tmp_path: Path) -> None:
    """Comments are skipped and duplicate targets are probed once."""
    f = write(
        tmp_path / "targets.txt", f"# portals\n{site['target']}\n\n{site['target']}  # again\n"
    )
    run = run_assure("probe", "--targets-file", f, *site["args"], "--format", "json")
    doc = json.loads(run.out)
    assert len(doc["targets"]) == 1
    assert len(doc["findings"]) == 15


def test_bad_target_file_is_exit_3_with_position(tmp_path: Path) -> None:
    """A bad line in a targets file is exit 3, reported as file:line:col: target: message."""
    f = write(tmp_path / "targets.txt", "good.test\nftp://bad.test/\nexa mple\n")
    run = run_assure("probe", "--targets-file", f)
    assert run.code == 3
    assert f"{f}:2:1: target:" in run.err
    assert f"{f}:3:1: target:" in run.err
    assert_no_traceback(run)


@pytest.mark.parametrize(
    "args",
    [
        ["x.test", "--timeout", "abc"],
        ["x.test", "--format", "pdf"],
        ["x.test", "--resolve", "nonsense"],
        ["x.test", "--resolve", "x.test:443:not-an-ip"],
        ["x.test", "--at", "yesterday"],
        [],
    ],
)
def test_bad_options_are_exit_2(args: list[str]) -> None:
    """Bad options and arguments are usage errors (exit 2), without a traceback."""
    run = run_assure("probe", *args)
    assert run.code == 2, (run.out, run.err)
    assert_no_traceback(run)


def test_bad_ca_file_is_exit_3(tmp_path: Path) -> None:
    """A --ca-file that holds no PEM certificate is invalid input data (exit 3)."""
    f = write(tmp_path / "ca.pem", "not a certificate\n")
    run = run_assure("probe", "x.test", "--ca-file", f)
    assert run.code == 3
    assert str(f) in run.err


def test_ipv6_literal_target(site: dict[str, Any]) -> None:
    """An IPv6 literal target is probed on that address (SAN lacks it: hostname fails)."""
    if not has_ipv6_loopback():
        pytest.skip("no ::1 on this machine")
    run = run_assure(
        "probe",
        f"https://[::1]:{site['port']}/",
        "--ca-file",
        site["tmp"] / "root.pem",
        "--timeout",
        "2",
        "--http-port",
        str(closed_port()),
        "--format",
        "json",
    )
    by = {f["check"]: f for f in json.loads(run.out)["findings"]}
    assert by["web_aaaa"]["status"] == "pass"
    assert by["https_available"]["status"] == "pass"
    assert by["tls_cert_hostname"]["status"] == "fail"
    assert list(by["tls_cert_key"]["evidence"]["addresses"]) == ["::1"]


def test_progress_bar_on_a_terminal() -> None:
    """With stderr on a terminal and several targets, a progress bar is drawn there."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [
            *assure_command(),
            "probe",
            "a.test",
            "b.test",
            "--nameserver",
            f"127.0.0.1:{closed_port()}",
            "--timeout",
            "0.3",
            "--format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
    )
    os.close(slave)
    out, _ = proc.communicate(timeout=60)
    chunks = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks += data
    os.close(master)
    assert b"2/2" in chunks and b"[#" in chunks
    assert json.loads(out)["summary"]["targets"] == 2


def test_html_report_opens_in_a_browser(site: dict[str, Any], tmp_path: Path) -> None:
    """The HTML report loads in headless Chromium and shows every check of the target."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed")
    out = tmp_path / "report.html"
    run_assure("probe", site["target"], *site["args"], "--format", "html", "-o", out)
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    ).stdout
    assert site["target"] in dom
    for check in ("web_aaaa", "https_hsts", "tls_cert_trusted", "tls_cert_signature"):
        assert check in dom


def test_private_root_without_ca_file_is_untrusted(site: dict[str, Any]) -> None:
    """Without --ca-file the test root is unknown: untrusted root, with the chain listed."""
    args = [a for a in site["args"] if not a.endswith("root.pem") and a != "--ca-file"]
    run = run_assure("probe", site["target"], *args, "--format", "json")
    by = {f["check"]: f for f in json.loads(run.out)["findings"]}
    trusted = by["tls_cert_trusted"]
    assert trusted["status"] == "fail"
    ev = trusted["evidence"]["addresses"]["127.0.0.1"]
    assert ev["cause"] == "untrusted_root"
    assert ev["issuer_family"] == "other"
    assert len(ev["chain"]) == 2
    assert "CN=CLI Test Root" in ev["chain"][1]["subject"]


def test_json_matches_the_findings_schema(site: dict[str, Any]) -> None:
    """The JSON output validates against the published findings schema (when shipped)."""
    import jsonschema

    from assure.paths import schema_path

    path = schema_path("findings")
    if not path.exists():
        pytest.skip("findings schema not shipped in this tree")
    run = run_assure("probe", site["target"], *site["args"], "--format", "json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(run.out), schema)
