"""Many outputs per run, `assure render`, `--shard K/N`, and reports that stream.

A national list is tens of thousands of portals: one probe run must feed every report CI
needs, shards probed on several machines must merge into one report, and no format may hold
the whole run in memory.
"""

from __future__ import annotations

import collections
import csv
import io
import json
import select
import subprocess
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from assure.commands.probe import in_shard, parse_shard
from assure.errors import UsageError
from assure.findings import Finding, Status
from assure.probes import CheckId, net, runner
from assure.probes.context import ProbeContext
from assure.probes.targets import Target
from assure.reports import findings as writers
from tests.conftest import assert_no_traceback, assure_command, run_assure, write
from tests.probes import pki
from tests.probes.dnsserver import DnsServer
from tests.probes.servers import Server, closed_port, has_ipv6_loopback, response, server_context

HSTS = {"Strict-Transport-Security": "max-age=31536000"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("outputs")
    root = pki.make_ca("Outputs Test Root")
    leaf = pki.make_leaf("portal.test", root, san=["portal.test"])
    cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
    (tmp / "root.pem").write_bytes(pki.pem(root.cert))
    srv = Server(
        tls=server_context(cert, key),
        handler=lambda _p, _h: response(),  # no HSTS: one definite failure (https_hsts)
        v6=has_ipv6_loopback(),
    )
    silent = Server(mode="silent", v6=False)
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
    yield {"target": f"https://portal.test:{srv.port}/", "args": args, "silent": silent}
    srv.close()
    silent.close()


# --- many outputs, one run ------------------------------------------------------------------


def test_one_run_writes_every_output(site: dict[str, Any], tmp_path: Path) -> None:
    """`-o FORMAT=FILE` (repeatable): one probe, six reports of the same findings, and the
    table on standard output (`table=-`)."""
    outs = {fmt: tmp_path / f"r.{fmt}" for fmt in writers.FORMATS if fmt != "table"}
    opts = [x for fmt, p in outs.items() for x in ("-o", f"{fmt}={p}")] + ["-o", "table=-"]
    run = run_assure("probe", site["target"], *site["args"], *opts)
    assert_no_traceback(run)
    assert run.code == 1, run.err
    assert "https_hsts" in run.out and "FAIL" in run.out  # the table, on stdout
    doc = json.loads(outs["json"].read_text(encoding="utf-8"))
    assert doc["summary"]["findings"] == 15
    assert doc["targets"][0]["status"] == "fail"
    by_json = {(f["check"], f["status"]) for f in doc["findings"]}
    lines = [json.loads(x) for x in outs["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert {(f["check"], f["status"]) for f in lines} == by_json
    rows = list(csv.DictReader(io.StringIO(outs["csv"].read_text(encoding="utf-8"))))
    assert {(r["check"], r["status"]) for r in rows} == by_json
    root = ET.fromstring(outs["junit"].read_text(encoding="utf-8"))  # noqa: S314 — ours
    assert len(root.findall(".//testcase")) == 15
    sarif = json.loads(outs["sarif"].read_text(encoding="utf-8"))
    assert any(r["ruleId"] == "https_hsts" for r in sarif["runs"][0]["results"])
    html = outs["html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "tls_cert_trusted" in html
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


def test_plain_output_keeps_format(site: dict[str, Any], tmp_path: Path) -> None:
    """The old `--format F -o FILE` still writes F to FILE, and nothing to stdout."""
    out = tmp_path / "p.json"
    run = run_assure("probe", site["target"], *site["args"], "--format", "json", "-o", out)
    assert run.code == 1 and run.out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["findings"] == 15


@pytest.mark.parametrize(
    ("opts", "message", "thong_bao"),
    [
        (["-o", "xml=r.xml"], "unknown format", "không có định dạng"),
        (["-o", "-", "-o", "json=-"], "standard output", "đầu ra chuẩn"),
        (["-o", "a.json", "-o", "csv=a.json"], "same file", "cùng một tệp"),
        (["--shard", "3/2"], "between 1 and N", "từ 1 đến N"),
        (["--shard", "x"], "K/N", "cần dạng K/N"),
        (["--nameserver", "127.0.0.1:x"], "bad port", "số cổng không hợp lệ"),
        (["--allow-range", "not-a-range"], "not an address range", "không phải dải địa chỉ"),
    ],
)
def test_bad_output_and_shard_options_are_exit_2(
    opts: list[str], message: str, thong_bao: str
) -> None:
    """Exit 2 with the reason, in Vietnamese by default and in English with --lang en."""
    for lang, expected in (("vi", thong_bao), ("en", message)):
        run = run_assure("probe", "portal.test", *opts, "--lang", lang)
        assert_no_traceback(run)
        assert run.code == 2, (run.code, run.err)
        assert expected in run.err, (lang, run.err)


# --- streaming ------------------------------------------------------------------------------


def test_jsonl_is_written_as_targets_finish(site: dict[str, Any]) -> None:
    """A fast target's findings reach the reader while a silent target is still being
    waited for: the report of N targets is written incrementally, not at the end."""
    port = site["silent"].port
    proc = subprocess.Popen(
        [
            *assure_command(),
            "probe",
            site["target"],
            f"https://hang.test:{port}/",
            *site["args"],
            "--resolve",
            f"hang.test:{port}:127.0.0.1",
            "--timeout",
            "3",
            "--deadline",
            "4",
            "--concurrency",
            "2",
            "--format",
            "jsonl",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "no output within 30 s"
        first = json.loads(proc.stdout.readline())
        assert first["target"] == site["target"]
        assert proc.poll() is None, "the run was over before its first line was read"
        rest = [json.loads(x) for x in proc.stdout.read().splitlines()]
        assert {f["target"] for f in rest} == {site["target"], f"https://hang.test:{port}/"}
        assert len(rest) == 29
    finally:
        proc.kill()
        proc.communicate()  # reaps it and closes both pipes


def _fake_findings(target: str, evidence_kib: int) -> list[Finding]:
    blob = "x" * (evidence_kib * 1024)
    return [
        Finding(c.value, target, Status.FAIL if i == 0 else Status.PASS, "s", {"blob": blob})
        for i, c in enumerate(CheckId)
    ]


def _peak_writing(fmt: str, n_targets: int) -> int:
    """Peak Python memory (bytes) of spooling then writing n targets' findings."""
    sink = io.StringIO()
    tracemalloc.start()
    try:
        with writers.Spool() as spool:
            for i in range(n_targets):
                spool.add(_fake_findings(f"https://t{i}.test/", 2))
            sink.truncate(0)

            class Null(io.StringIO):
                def write(self, s: str) -> int:
                    return len(s)

            writers.write(fmt, Null(), spool, "2026-12-01T00:00:00+00:00")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", writers.FORMATS)
def test_every_format_streams_in_flat_memory(fmt: str) -> None:
    """Ten times the targets (each with 30 KiB of evidence) must not cost ten times the
    memory: findings live in the spool file, and writers hold one target at a time. 400
    targets are ≈ 12 MiB of findings; the peak stays a fraction of that."""
    small = _peak_writing(fmt, 40)
    large = _peak_writing(fmt, 400)
    assert large < 3 * small + (1 << 20), (fmt, small, large)
    assert large < 4 << 20, (fmt, large)


def test_spool_reads_back_in_target_order() -> None:
    with writers.Spool(["b", "a"]) as spool:
        spool.add(list(reversed(_fake_findings("a", 0))))
        spool.add(_fake_findings("b", 0))
        spool.add(_fake_findings("c", 0))
        got = list(spool.findings())
        assert [f.target for f in got[::15]] == ["b", "a", "c"]
        assert [f.check for f in got[15:30]] == [c.value for c in CheckId]
        assert spool.summary()["findings"] == 45
        assert spool.rollups()[1] == {
            "target": "a",
            "status": "fail",
            "counts": {**dict.fromkeys((s.value for s in Status), 0), "fail": 1, "pass": 14},
        }


# --- shards and render ------------------------------------------------------------------------


def test_shards_partition_the_list() -> None:
    """Every target is in exactly one shard, whatever N, and the choice never changes."""
    names = [f"https://portal{i}.gov.vn/" for i in range(300)]
    for n in (1, 2, 3, 7):
        parts = [{t for t in names if in_shard(t, (k, n))} for k in range(1, n + 1)]
        assert set().union(*parts) == set(names)
        assert sum(len(p) for p in parts) == len(names)
        if n > 1:
            assert all(len(p) > len(names) / n / 2 for p in parts), "badly unbalanced"
    assert parse_shard("2/5") == (2, 5)
    with pytest.raises(UsageError):
        parse_shard("0/5")
    # Stable across runs and machines: a hash of the name alone.
    assert in_shard("https://portal0.gov.vn/", (1, 3)) == in_shard(
        "https://portal0.gov.vn/", (1, 3)
    )


def _unreachable_args(tmp_path: Path) -> list[str]:
    """Targets whose DNS cannot be asked: fast, every check inconclusive (exit 4)."""
    targets = write(tmp_path / "list.txt", "".join(f"site{i}.test\n" for i in range(9)))
    return [
        "--targets-file",
        str(targets),
        "--nameserver",
        f"127.0.0.1:{closed_port()}",
        "--timeout",
        "0.3",
    ]


def test_shards_probed_apart_render_as_one(tmp_path: Path) -> None:
    """Three shards of one list, probed apart, cover it exactly once; `assure render`
    merges them into one report with every target, and refuses overlapping files."""
    args = _unreachable_args(tmp_path)
    shards = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}.jsonl"
        run = run_assure("probe", *args, "--shard", f"{k}/3", "-o", f"jsonl={out}")
        assert_no_traceback(run)
        assert run.code == 4, run.err
        shards.append(out)
    seen = [
        {json.loads(x)["target"] for x in p.read_text(encoding="utf-8").splitlines()}
        for p in shards
    ]
    assert sum(len(s) for s in seen) == 9 and len(set().union(*seen)) == 9
    merged = tmp_path / "all.json"
    run = run_assure("render", *shards, "-o", f"json={merged}", "-o", f"csv={tmp_path / 'a.csv'}")
    assert_no_traceback(run)
    assert run.code == 4, run.err
    doc = json.loads(merged.read_text(encoding="utf-8"))
    assert doc["summary"]["targets"] == 9 and doc["summary"]["findings"] == 9 * 15
    assert {t["status"] for t in doc["targets"]} == {"inconclusive"}
    overlap = run_assure("render", shards[0], shards[0], "--format", "json")
    assert overlap.code == 3
    assert f"{shards[0]}:1:1: target:" in overlap.err and "overlap" in overlap.err


def test_render_reproduces_a_probe_report(site: dict[str, Any], tmp_path: Path) -> None:
    """JSON saved from a probe renders to the same findings in every format; exit 1 as the
    probe's (a check failed)."""
    saved = tmp_path / "probe.json"
    run_assure("probe", site["target"], *site["args"], "-o", f"json={saved}")
    original = json.loads(saved.read_text(encoding="utf-8"))
    again = run_assure("render", saved, "--format", "json")
    assert again.code == 1, again.err
    doc = json.loads(again.out)
    assert doc["findings"] == original["findings"]
    assert doc["targets"] == original["targets"]
    sarif = run_assure("render", saved, "--format", "sarif")
    assert json.loads(sarif.out)["version"] == "2.1.0"
    table = run_assure("render", saved)
    assert "tls_cert_trusted" in table.out


def test_render_merges_probe_and_signature_findings(tmp_path: Path) -> None:
    """`verify-signature --format json` output (findings beside documents) merges with a
    probe's JSONL; an all-pass run renders with exit 0."""
    doc_finding = {
        "check": "doc_signature_valid",
        "target": "mau.pdf",
        "status": "pass",
        "summary": "The signature is valid.",
        "evidence": {},
    }
    sig = write(
        tmp_path / "sig.json",
        json.dumps({"findings": [doc_finding], "documents": [], "invalid": []}, indent=2),
    )
    probe = write(
        tmp_path / "p.jsonl",
        json.dumps({**doc_finding, "check": "https_hsts", "target": "https://a.test/"}) + "\n",
    )
    run = run_assure("render", sig, probe, "--format", "junit")
    assert_no_traceback(run)
    assert run.code == 0, run.err
    root = ET.fromstring(run.out)  # noqa: S314 — ours
    assert [s.get("name") for s in root.findall("testsuite")] == ["mau.pdf", "https://a.test/"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            '{"findings": [\n  {"check": "x", "target": "t", "summary": "s"}\n]}',
            ":2:3: findings[0].status:",
        ),
        ('{"check": "x", "target": "t", "status": "ok", "summary": "s"}\n', ":1:1: status:"),
        (
            '{"check": "x", "target": "t", "status": "pass", "summary": "s"}\n{oops\n',
            ":2:2: not JSON",
        ),
        ('{"findings": 3}', ":1:1: findings:"),
        ("[1, 2", ":1:6: not JSON"),
    ],
)
def test_render_bad_input_is_exit_3_with_position(tmp_path: Path, text: str, where: str) -> None:
    bad = write(tmp_path / "bad.json", text)
    out = tmp_path / "never.html"
    run = run_assure("render", bad, "-o", f"html={out}")
    assert_no_traceback(run)
    assert run.code == 3, (run.code, run.err)
    assert f"{bad}{where}" in run.err
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_verify_signature_writes_several_outputs(tmp_path: Path) -> None:
    """`verify-signature` takes `-o FORMAT=FILE` too; its JSON is what `render` reads."""
    doc = write(tmp_path / "plain.xml", "<a>not signed</a>")
    j, x = tmp_path / "v.json", tmp_path / "v.xml"
    run = run_assure("verify-signature", doc, "--no-store", "-o", f"json={j}", "-o", f"junit={x}")
    assert_no_traceback(run)
    assert run.code == 1, run.err
    assert ET.fromstring(x.read_text(encoding="utf-8")).findall(".//testcase")  # noqa: S314
    again = run_assure("render", j, "--format", "csv")
    assert again.code == 1
    assert "doc_signature_valid" in again.out


# --- the run's shared machinery -------------------------------------------------------------


def test_host_locks_are_forgotten_after_each_target() -> None:
    """The per-host lock table holds only targets in flight: a run over 2,000 hosts ends
    with none (it used to keep one lock per host ever seen)."""
    seen: list[int] = []
    locks: list[Any] = []

    def probe(t: Target, _c: ProbeContext) -> list[Finding]:
        return []

    original = runner._HostLocks

    class Spy(original):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            locks.append(self)

    runner._HostLocks = Spy  # type: ignore[misc]
    try:
        targets = (Target(f"h{i}", f"h{i}.test") for i in range(2000))
        for _ in runner.run(targets, ProbeContext(), 8, probe=probe):
            seen.append(len(locks[0]))
    finally:
        runner._HostLocks = original  # type: ignore[misc]
    assert len(seen) == 2000
    assert max(seen) <= 16  # the window: 2 × concurrency
    assert len(locks[0]) == 0


def test_default_concurrency_follows_cores_and_targets() -> None:
    assert runner.default_concurrency(1, cores=2) == 1
    assert runner.default_concurrency(100, cores=2) == 8
    assert runner.default_concurrency(10_000, cores=64) == 32


def test_ssl_contexts_are_built_once_per_configuration() -> None:
    """Each attempt used to build its own SSL context, which costs more than the handshake."""
    a = net.insecure_context(ciphers="DEFAULT:@SECLEVEL=0")
    assert a is net.insecure_context(ciphers="DEFAULT:@SECLEVEL=0")
    assert a is not net.insecure_context(ciphers="ALL:@SECLEVEL=0")


def test_anchor_index_is_built_once_per_run() -> None:
    root = pki.make_ca("Index Root")
    ctx = ProbeContext(anchors=(root.cert,))
    assert ctx.anchor_index.store() is ctx.anchor_index.store()
    assert root.cert.subject in ctx.anchor_index.subjects()


def test_the_page_and_the_redirect_share_the_main_handshake(tmp_path: Path) -> None:
    """One address answers the HTTPS page once: the main TLS handshake carries the GET, and
    the redirect chain's last hop (the same URL on the same address) reuses that answer
    instead of another handshake. The findings are those of a full probe."""
    root = pki.make_ca("Reuse Root")
    leaf = pki.make_leaf("reuse.test", root, san=["reuse.test"])
    cert, key = pki.write_chain(tmp_path, "leaf", leaf, root.cert)
    (tmp_path / "root.pem").write_bytes(pki.pem(root.cert))
    pages: list[str] = []

    def page(path: str, _h: str) -> bytes:
        pages.append(path)
        return response(headers=HSTS)

    tls_srv = Server(tls=server_context(cert, key), handler=page, v6=False)
    redirect = Server(
        handler=lambda _p, _h: response(
            301, b"", {"Location": f"https://reuse.test:{tls_srv.port}/"}
        ),
        v6=False,
    )
    try:
        run = run_assure(
            "probe",
            f"https://reuse.test:{tls_srv.port}/",
            "--resolve",
            f"reuse.test:{tls_srv.port}:127.0.0.1",
            "--resolve",
            f"reuse.test:{redirect.port}:127.0.0.1",
            "--http-port",
            str(redirect.port),
            "--ca-file",
            str(tmp_path / "root.pem"),
            "--timeout",
            "2",
            "--format",
            "json",
        )
    finally:
        tls_srv.close()
        redirect.close()
    assert_no_traceback(run)
    by = {f["check"]: f["status"] for f in json.loads(run.out)["findings"]}
    assert by["https_available"] == by["https_redirect"] == by["https_hsts"] == "pass"
    assert by["tls_cert_trusted"] == by["tls_versions"] == "pass"
    assert pages == ["/"], pages


@pytest.mark.parametrize("lame", [False, True])
def test_targets_of_one_zone_ask_its_name_servers_once(lame: bool) -> None:
    """The run's resolver cache: three targets of one zone look up the zone, its name
    servers and their addresses once, while each target's own names are asked for each. A
    name server that answered for the zone over IPv6 is not asked again in the run; one that
    did not (here: it refuses, `lame`) is asked again by every target."""
    if not has_ipv6_loopback():
        pytest.skip("no ::1 on this machine")
    zone = "cached.test."
    asked: list[tuple[str, str]] = []

    class Counting(DnsServer):
        def answer(self, wire: bytes) -> bytes | None:
            q = dns.message.from_wire(wire)
            question = q.question[0]
            key = (question.name.to_text(), dns.rdatatype.to_text(question.rdtype))
            asked.append(key)
            own = not q.flags & dns.flags.RD  # the name server's own answer, not a lookup
            if own:
                asked.append(("own", key[0]))
            if lame and own:
                r = dns.message.make_response(q)
                r.set_rcode(dns.rcode.REFUSED)
                return r.to_wire()
            return super().answer(wire)

    recs = {
        zone: {"SOA": [f"ns1.{zone} h.{zone} 1 3600 600 86400 60"], "NS": [f"ns1.{zone}"]},
        f"ns1.{zone}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        **{f"w{i}.{zone}": {"A": ["127.0.0.1"]} for i in range(3)},
    }
    server = Counting(recs, ("127.0.0.1", "::1"))
    try:
        ctx = ProbeContext(
            timeout=1,
            nameservers=(("127.0.0.1", server.port),),
            http_port=9,
            allow_ranges=("::1/128",),  # the test bed's name server is on loopback
        )
        targets = [Target(f"w{i}.cached.test", f"w{i}.cached.test", port=9) for i in range(3)]
        results = list(runner.run(targets, ctx, 1))
    finally:
        server.close()
    assert len(results) == 3
    by = collections.Counter(asked)
    assert by[(zone, "NS")] == 1, by
    assert by[(f"ns1.{zone}", "AAAA")] == 1, by
    assert all(by[(f"w{i}.{zone}", "A")] == 1 for i in range(3)), by
    # The name server's own answer over IPv6: once when it answered, by every target when
    # it did not (its IPv4 address is outside the allowed ranges, so not asked instead).
    assert by[("own", zone)] == (3 if lame else 1), by
    reach = {
        f.target: f.evidence for r in results for f in r.findings if f.check == "ns_reach_ipv6"
    }
    assert len(reach) == 3 and len({json.dumps(e, sort_keys=True) for e in reach.values()}) == 1


def test_render_reads_standard_input() -> None:
    """`-` reads findings from a pipe (`probe --format jsonl | assure render - ...`)."""
    line = {"check": "https_hsts", "target": "https://a.test/", "status": "fail", "summary": "s"}
    run = run_assure("render", "-", "--format", "csv", input=json.dumps(line) + "\n")
    assert_no_traceback(run)
    assert run.code == 1, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert len(rows) == 1 and rows[0]["status"] == "fail"
