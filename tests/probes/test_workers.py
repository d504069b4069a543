"""`assure probe --workers N`: several processes, the same reports as one process.

The probe's own Python runs under one interpreter lock, so a long list needs several
processes to use several cores. What must not change is everything a user reads: the
verdicts, the order, every byte of every format, the exit code; and a worker that dies or a
Ctrl-C must end the run with a clear line, never a hang or a half-written report.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assure.findings import Finding, Status
from assure.probes import CheckId, workers
from assure.probes.context import ProbeContext
from assure.probes.targets import Target
from assure.reports import findings as writers
from tests.conftest import assert_no_traceback, assure_command, run_assure, write
from tests.probes import pki
from tests.probes.servers import Server, closed_port, has_ipv6_loopback, response, server_context

HSTS = {"Strict-Transport-Security": "max-age=31536000"}
# Times of the run itself (generated, started, ended, judged), which differ between two runs.
_INSTANT = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Three real servers (a good one, one without HSTS, one whose certificate names other
    hosts) and a silent one, under nine names: every kind of verdict, several per worker."""
    tmp: Path = tmp_path_factory.mktemp("workers")
    root = pki.make_ca("Workers Test Root")
    names = [f"portal{i}.test" for i in range(6)]
    leaf = pki.make_leaf("portal0.test", root, san=names[:4])
    cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
    (tmp / "root.pem").write_bytes(pki.pem(root.cert))
    v6 = has_ipv6_loopback()
    good = Server(
        tls=server_context(cert, key), handler=lambda _p, _h: response(headers=HSTS), v6=v6
    )
    bare = Server(tls=server_context(cert, key), handler=lambda _p, _h: response(), v6=v6)
    silent = Server(mode="silent", v6=False)
    servers = [good, bare, good, bare, good, bare]
    args = ["--ca-file", str(tmp / "root.pem"), "--timeout", "1", "--deadline", "4"]
    args += ["--http-port", str(closed_port())]
    targets = []
    for name, srv in zip(names, servers, strict=True):
        addrs = "127.0.0.1" + (",[::1]" if v6 else "")
        args += ["--resolve", f"{name}:{srv.port}:{addrs}"]
        targets.append(f"https://{name}:{srv.port}/")
    args += ["--resolve", f"quiet.test:{silent.port}:127.0.0.1"]
    targets += [f"https://quiet.test:{silent.port}/", f"https://portal1.test:{bare.port}/a"]
    targets += [f"https://portal0.test:{good.port}/b"]
    listed = write(tmp / "targets.txt", "".join(t + "\n" for t in targets))
    yield {"args": ["--targets-file", str(listed), *args], "n": len(targets)}
    for srv in (good, bare, silent):
        srv.close()


def _normalised(path: Path) -> str:
    return _INSTANT.sub("<instant>", path.read_text(encoding="utf-8"))


def test_several_workers_write_what_one_writes(fleet: dict[str, Any], tmp_path: Path) -> None:
    """Every format of a three-worker run is byte for byte the one-worker run's (apart from
    the run's own instants), in the order the targets were given; JSONL holds the same
    findings in finish order; the exit code is the same."""
    formats = [f for f in writers.FORMATS if f != "table"]
    runs = {}
    for n in (1, 3):
        out = tmp_path / f"w{n}"
        out.mkdir()
        opts = [x for f in formats for x in ("-o", f"{f}={out / ('r.' + f)}")]
        run = run_assure(
            "probe",
            *fleet["args"],
            "--workers",
            str(n),
            *opts,
            "-o",
            "table=-",
            "--at",
            "2026-12-01T00:00:00Z",
        )
        assert_no_traceback(run)
        runs[n] = (run, out)
    (one, d1), (three, d3) = runs[1], runs[3]
    assert one.code == three.code == 1, (one.err, three.err)
    assert one.out == three.out  # the table, on standard output
    for f in formats:
        if f == "jsonl":
            continue
        assert _normalised(d1 / f"r.{f}") == _normalised(d3 / f"r.{f}"), f
    doc = json.loads((d1 / "r.json").read_text(encoding="utf-8"))
    assert doc["summary"]["targets"] == fleet["n"]
    statuses = {f["status"] for f in doc["findings"]}
    assert {"pass", "fail", "inconclusive"} <= statuses, statuses

    def lines(d: Path) -> list[str]:
        return sorted(_INSTANT.sub("", x) for x in (d / "r.jsonl").read_text().splitlines())

    assert lines(d1) == lines(d3)


def _fake(target: Target, _ctx: ProbeContext) -> list[Finding]:
    """A probe with no network: one passing finding per target, and a worker that dies on
    the target named `die.test` (the kernel's SIGKILL, as the out-of-memory killer sends)."""
    if target.host == "die.test":
        os.kill(os.getpid(), signal.SIGKILL)
    if target.host == "raise.test":
        raise SystemExit(3)  # not an Exception: escapes probe_target's own net
    return [Finding(CheckId.WEB_AAAA, target.name, Status.PASS, "ok", {}, None)]


def _targets(*hosts: str) -> list[Target]:
    from assure.probes.targets import parse_target

    return [parse_target(h) for h in hosts]


def test_slices_keep_hosts_together_and_balance() -> None:
    """Every host to one worker (the per-host politeness holds across processes), the
    hosts dealt round-robin in the order given, so the split is stable and even."""
    ts = _targets(*(f"h{i}.test" for i in range(10)), "https://h0.test/x", "h1.test:8443")
    parts = workers.slices(ts, 3)
    assert sorted(i for p in parts for i in p) == list(range(len(ts)))
    assert [len(p) for p in parts] == [5, 4, 3]
    hosts = [{ts[i].host for i in p} for p in parts]
    assert all(a.isdisjoint(b) for a in hosts for b in hosts if a is not b)
    assert workers.slices(ts, 3) == parts
    assert workers.default_workers(40, cores=2) == 1
    assert workers.default_workers(99, cores=2) == 1
    assert workers.default_workers(100, cores=2) == 2
    assert workers.default_workers(10_000, cores=2) == 2
    assert workers.default_workers(10_000, cores=1) == 1


def _ctx() -> ProbeContext:
    return ProbeContext(timeout=1, deadline=2)


def test_results_come_back_whole() -> None:
    ts = _targets(*(f"ok{i}.test" for i in range(40)))
    got = list(workers.run(ts, _ctx(), 3, 6, probe=_fake))
    assert sorted(r.target.name for r in got) == sorted(t.name for t in ts)
    assert all(r.findings[0].status is Status.PASS for r in got)
    assert all(r.target is next(t for t in ts if t.name == r.target.name) for r in got)


@pytest.mark.parametrize(("host", "reason"), [("die.test", "SIGKILL"), ("raise.test", "3")])
def test_a_dead_worker_ends_the_run_with_its_name(host: str, reason: str) -> None:
    """A worker killed by a signal, or one that leaves on its own, is named in one line
    (exit 5 through the CLI's AssureError) within seconds, never a hang, and leaves no
    process behind."""
    ts = _targets(*(f"ok{i}.test" for i in range(20)), host)
    started = time.monotonic()
    with pytest.raises(workers.WorkerError) as err:
        list(workers.run(ts, _ctx(), 2, 4, probe=_fake))
    assert time.monotonic() - started < 10
    assert reason in str(err.value)
    assert int(err.value.exit_code) == 5
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every worker reaped


def test_ctrl_c_stops_every_worker(fleet: dict[str, Any], tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the terminal's process group) while workers wait on a silent
    server: exit 130 with one line within seconds, no traceback, no report left behind."""
    quiet = Server(mode="silent", v6=False)
    try:
        names = [f"q{i}.test" for i in range(8)]
        args = [x for n in names for x in ("--resolve", f"{n}:{quiet.port}:127.0.0.1")]
        targets = [f"https://{n}:{quiet.port}/" for n in names]
        out = tmp_path / "r.json"
        proc = subprocess.Popen(
            [
                *assure_command(),
                "probe",
                *targets,
                *args,
                "--timeout",
                "20",
                "--workers",
                "2",
                "-o",
                f"json={out}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            text=True,
        )
        time.sleep(2.5)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=15)
        assert proc.returncode == 130, err
        assert "Traceback" not in err and err.strip()
        assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
        with pytest.raises(ProcessLookupError):
            os.killpg(proc.pid, 0)  # nothing of the group is left running
    finally:
        quiet.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_worker_killed_from_outside_is_exit_5(tmp_path: Path, lang: str) -> None:
    """The kernel kills one worker (as the out-of-memory killer would) while it waits on a
    silent server: the run ends at once with exit 5 and one line naming the worker and the
    signal, in the user's language, no traceback, no report, no process left behind."""
    quiet = Server(mode="silent", v6=False)
    try:
        names = [f"k{i}.test" for i in range(6)]
        args = [x for n in names for x in ("--resolve", f"{n}:{quiet.port}:127.0.0.1")]
        out = tmp_path / "r.json"
        proc = subprocess.Popen(
            [
                *assure_command(),
                "--lang",
                lang,
                "probe",
                *(f"https://{n}:{quiet.port}/" for n in names),
                *args,
                "--timeout",
                "30",
                "--workers",
                "2",
                "-o",
                f"json={out}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            text=True,
        )
        for _ in range(100):
            kids = _children(proc.pid)
            if len(kids) == 2:
                break
            time.sleep(0.1)
        assert len(kids) == 2, "the workers did not start"
        time.sleep(0.5)
        os.kill(kids[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=15)
        assert proc.returncode == 5, err
        assert "Traceback" not in err and "SIGKILL" in err
        assert ("worker" in err) == (lang == "en") and ("tiến trình" in err) == (lang == "vi")
        assert len(err.strip().splitlines()) == 1, err
        assert not out.exists()
        with pytest.raises(ProcessLookupError):
            os.killpg(proc.pid, 0)
    finally:
        quiet.close()


def test_findings_as_json_are_written_as_the_findings_are(tmp_path: Path) -> None:
    """The parent writes a worker's findings from their JSON form: every line of the spool
    and of the live JSONL must be the one the findings themselves give, Vietnamese text,
    a lone surrogate, reasons, requirements and messages included, and in check order."""
    import io

    from assure.i18n import Msg

    found = [
        Finding(
            CheckId.HTTPS_HSTS.value,
            "https://a.example/",
            Status.FAIL,
            "Không có HSTS \udcff",
            {"headers": {"x": "ư"}},
            reason="no header",
            requirements=("điểm a khoản 2 Điều 16",),
            message=Msg("ipv6.aaaa", (("addresses", "::1"),)),
        ),
        Finding(CheckId.WEB_AAAA.value, "https://a.example/", Status.PASS, "ok", {}),
    ]
    items = [json.loads(json.dumps(f.to_json()).encode("ascii")) for f in found]
    direct, relayed = writers.Spool(), writers.Spool()
    direct.add(found)
    relayed.add_json(items)
    assert [f.to_json() for f in relayed.findings()] == [f.to_json() for f in direct.findings()]
    assert relayed.rollups() == direct.rollups()
    one, other = io.StringIO(), io.StringIO()
    writers.JsonlStream(one).write_target(found)
    writers.JsonlStream(other).write_target_json(items)
    assert other.getvalue() == one.getvalue()
    direct.close()
    relayed.close()
