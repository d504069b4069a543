"""Benchmark `assure probe` in handshake units, against sslyze, and for memory per format.

    python bench/run.py [--server nginx|asyncio] [--servers 100] [--targets 100] [--repeat 3]
                        [--memory 10000] [--sslyze PATH] [--concurrency N] [--workers 1,2,3]

In one run, on one fleet (bench/nginx_fleet.py: real nginx, or bench/fleet.py: one asyncio
process), with names answered by a loopback DNS server (A 127.0.0.1, AAAA ::1):

1. the handshake ceiling: full TLS handshakes (connect, handshake, close) from a plain thread
   pool over the same endpoints, as fast as this machine does them;
2. `assure probe` on the targets (both addresses each, every check), timed, with the
   connections the server accepted (nginx `stub_status`); its cost per target is given in
   handshake units (seconds per target ÷ seconds per ceiling handshake). The ceiling is
   measured just before and just after every run and the two averaged, so each ratio compares
   measurements seconds apart (the machine's speed drifts within minutes); with
   `--workers 1,2,3` every repeat runs the probe once per number of processes (in a rotated
   order), and the medians are given per number;
3. the floor of the probe's connection plan (bench/conn_floor.py): the same 12 connections
   per target made by a bare client that does nothing else, timed the same way, in each
   repeat — what any client of this check plan costs here;
4. sslyze on the same endpoints when it is installed (skipped with a message otherwise);
5. peak memory at `--memory` targets: one probe writing every format at once, then
   `assure render` of its findings into each format alone (max RSS of each child, `wait4`).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from nginx_fleet import NginxFleet, WildcardDns, bench_pki  # noqa: E402

FORMATS = ("jsonl", "json", "csv", "html", "junit", "sarif", "table")


LAST_CPU = [0.0]  # CPU seconds (user + system) of the last child `timed` ran


GNU_TIME = "/usr/bin/time"  # Debian's package `time`: the child's own peak, see `timed`


def timed(cmd: list[str], **kw: object) -> tuple[float, int, int]:
    """(seconds, exit code, peak RSS in MiB) of one child process; its CPU in LAST_CPU.

    The peak is read by GNU time when it is installed: the maximum RSS that wait4 reports
    for a direct child starts at this process's own RSS (Linux carries the forked copy's
    high-water mark across exec), so it cannot show a child smaller than the benchmark;
    GNU time's own child starts from GNU time's few MiB. Without it, wait4's figure is given
    (an overestimate) and says so."""
    # Bytecode is cached as an installed package has it (some shells set
    # PYTHONDONTWRITEBYTECODE, which makes every start compile the sources again).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.NamedTemporaryFile(prefix="assure-bench-rss-") as rss:
        gnu = os.access(GNU_TIME, os.X_OK)
        full = [GNU_TIME, "-q", "-f", "%M", "-o", rss.name, *cmd] if gnu else cmd
        start = time.monotonic()
        proc = subprocess.Popen(full, env=env, **kw)  # type: ignore[call-overload]
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        LAST_CPU[0] = usage.ru_utime + usage.ru_stime  # GNU time's children included
        text = Path(rss.name).read_text().strip().splitlines() if gnu else []
    if text and text[-1].isdigit():
        return took, proc.returncode, int(text[-1]) // 1024
    if not PEAK_WARNED:
        PEAK_WARNED.append(True)
        print(f"(no {GNU_TIME}: peaks include this benchmark's own RSS)", flush=True)
    return took, proc.returncode, usage.ru_maxrss // 1024


PEAK_WARNED: list[bool] = []


def handshakes(n: int, ports: list[int], concurrency: int) -> float:
    """Seconds for n full TLS handshakes (connect, handshake, close) over the fleet."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    addrs = [(a, p) for p in ports for a in ("127.0.0.1", "::1")]

    def one(i: int) -> None:
        addr = addrs[i % len(addrs)]
        with socket.create_connection(addr, timeout=10) as s, ctx.wrap_socket(s):
            pass

    start = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(n)))
    return time.monotonic() - start


class AsyncioFleet:
    """bench/fleet.py behind the same face as NginxFleet (no plain-HTTP port: closed)."""

    def __init__(self, n: int, cert: Path, key: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "fleet.py"), str(n), str(cert), str(key)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.ctl, *self.ports = map(int, self.proc.stdout.readline().split())
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.http_port = s.getsockname()[1]
        s.close()
        self.dns = WildcardDns()
        self.dns_port = self.dns.port

    def accepts(self) -> int:
        with socket.create_connection(("127.0.0.1", self.ctl)) as s:
            return int(s.makefile().readline())

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()
        self.dns.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", choices=("nginx", "asyncio"), default="nginx")
    ap.add_argument("--servers", type=int, default=100, help="HTTPS ports of the fleet")
    ap.add_argument("--targets", type=int, default=100, help="host names, spread over them")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=None, help="default: assure's own")
    ap.add_argument(
        "--workers",
        default="",
        help="comma-separated `assure probe --workers` values to compare (default: its own)",
    )
    ap.add_argument("--ceiling-concurrency", type=int, default=4)
    ap.add_argument("--nginx-workers", type=int, default=1, help="nginx worker processes")
    ap.add_argument("--sslyze", default=shutil.which("sslyze"))
    ap.add_argument("--memory", type=int, default=10000)
    ap.add_argument("--assure", default=str(Path(sys.executable).parent / "assure"))
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="assure-bench-"))
    cert, key = bench_pki(tmp)
    fleet: NginxFleet | AsyncioFleet = (
        NginxFleet(tmp, args.servers, cert, key, args.nginx_workers, names=args.targets)
        if args.server == "nginx"
        else AsyncioFleet(args.servers, cert, key)
    )
    print(
        f"machine: {os.cpu_count()} CPU, load {os.getloadavg()[0]:.1f}; "
        f"server {args.server}, {args.servers} ports × (127.0.0.1, ::1); {args.targets} targets"
    )
    try:
        n_ports = len(fleet.ports)
        targets = [
            f"https://e{i}.bench.test:{fleet.ports[i % n_ports]}/" for i in range(args.targets)
        ]
        common = [
            "--nameserver",
            f"127.0.0.1:{fleet.dns_port}",
            "--ca-file",
            str(tmp / "root.pem"),
            "--http-port",
            str(fleet.http_port),
            "--timeout",
            "5",
            # the fleet's DNS answers with loopback addresses, which a probe ignores unless the
            # test bed's ranges are allowed (only global unicast counts as a site's address)
            "--allow-range",
            "127.0.0.0/8",
            "--allow-range",
            "::1/128",
            *(["--concurrency", str(args.concurrency)] if args.concurrency else []),
        ]
        choices: list[int | None] = [int(w) for w in args.workers.split(",") if w] or [None]
        ratios: dict[int | None, list[float]] = {w: [] for w in choices}
        cpu_ratios: dict[int | None, list[float]] = {w: [] for w in choices}
        per_target_conns = []
        floors: list[float] = []
        floor_cpus: list[float] = []
        n_raw = 20 * args.servers

        def ceiling() -> tuple[float, float]:
            """(seconds per ceiling handshake, CPU of both ends per ceiling handshake)."""
            own0 = resource.getrusage(resource.RUSAGE_SELF)
            srv0 = fleet.cpu() if isinstance(fleet, NginxFleet) else 0.0
            t_raw = handshakes(n_raw, fleet.ports, args.ceiling_concurrency)
            own1 = resource.getrusage(resource.RUSAGE_SELF)
            srv1 = fleet.cpu() if isinstance(fleet, NginxFleet) else 0.0
            cpu = own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime + srv1 - srv0
            return t_raw / n_raw, cpu / n_raw

        # The ceiling is measured before and after every run and the two averaged: the
        # machine's speed drifts within minutes, and a ratio should compare like with like.
        before = ceiling()
        for r in range(args.repeat):
            for w in choices[r % len(choices) :] + choices[: r % len(choices)]:
                base = fleet.accepts()
                server_cpu = fleet.cpu() if isinstance(fleet, NginxFleet) else 0.0
                own = resource.getrusage(resource.RUSAGE_SELF)
                out = tmp / "assure.jsonl"
                more = ["--workers", str(w)] if w is not None else []
                t, code, mem = timed(
                    [args.assure, "probe", *targets, *common, *more, "-o", f"jsonl={out}"],
                )
                conns = fleet.accepts() - base - 1
                server_cpu = (fleet.cpu() if isinstance(fleet, NginxFleet) else 0.0) - server_cpu
                after = resource.getrusage(resource.RUSAGE_SELF)
                dns_cpu = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
                findings = len(out.read_text(encoding="utf-8").splitlines())
                after_c = ceiling()
                hs, hs_cpu = ((before[0] + after_c[0]) / 2, (before[1] + after_c[1]) / 2)
                spread = f"{before[0] * 1000:.2f}–{after_c[0] * 1000:.2f}"
                before = after_c
                ratio = (t / args.targets) / hs
                cpu_ratio = (LAST_CPU[0] + server_cpu + dns_cpu) / args.targets / hs_cpu
                cpu_ratios[w].append(cpu_ratio)
                ratios[w].append(ratio)
                per_target_conns.append(conns / args.targets)
                print(
                    f"run {r + 1}: ceiling {hs * 1000:.2f} ms/handshake (before–after {spread}; "
                    f"{n_raw} at concurrency {args.ceiling_concurrency}); assure"
                    f"{'' if w is None else f' --workers {w}'} {t:.2f} s = "
                    f"{t / args.targets * 1000:.1f} ms/target = {ratio:.1f} handshakes/target "
                    f"(exit {code}, {findings} findings, "
                    f"{conns / args.targets:.1f} connections/target, "
                    f"CPU {LAST_CPU[0] / args.targets * 1000:.1f} ms/target, nginx CPU "
                    f"{server_cpu / args.targets * 1000:.1f} ms/target, DNS server CPU "
                    f"{dns_cpu / args.targets * 1000:.1f} ms/target, peak {mem} MiB; CPU of "
                    f"both ends {cpu_ratio:.1f} ceiling handshakes' CPU "
                    f"({hs_cpu * 1000:.2f} ms each))",
                    flush=True,
                )
            if isinstance(fleet, NginxFleet):
                f_ratio, f_cpu, before = floor(args, fleet, before, ceiling, r + 1)
                floors.append(f_ratio)
                floor_cpus.append(f_cpu)
        if floors:
            print(
                f"connection floor cost per target: median {statistics.median(floors):.1f} "
                f"handshakes (runs: {', '.join(f'{x:.1f}' for x in floors)}); CPU of both "
                f"ends: median {statistics.median(floor_cpus):.1f} handshakes' CPU"
            )
        for w, got in ratios.items():
            if floors and got:
                each = ", ".join(f"{a / b:.2f}" for a, b in zip(got, floors, strict=True))
                print(
                    f"assure{'' if w is None else f' --workers {w}'} ÷ connection floor: "
                    f"{statistics.median(got) / statistics.median(floors):.2f} "
                    f"(per repeat: {each})"
                )
            if got:
                print(
                    f"assure{'' if w is None else f' --workers {w}'} cost per target: median "
                    f"{statistics.median(got):.1f} handshakes "
                    f"(runs: {', '.join(f'{x:.1f}' for x in got)}); "
                    f"{statistics.median(per_target_conns):.1f} connections per target; CPU of "
                    f"both ends: median {statistics.median(cpu_ratios[w]):.1f} handshakes' CPU"
                )
        t_help, _, _ = timed([args.assure, "probe", "--help"], stdout=subprocess.DEVNULL)
        print(f"start-up: `assure probe --help` {t_help * 1000:.0f} ms")

        if args.sslyze:
            tf = tmp / "sslyze-targets.txt"
            tf.write_text(
                "".join(
                    f"e{i}.bench.test:{p}{{{a}}}\n"
                    for i, p in enumerate(fleet.ports)
                    for a in ("127.0.0.1", "::1")
                )
            )
            base = fleet.accepts()
            t_s, code, mem_s = timed(
                [
                    args.sslyze,
                    "--certinfo",
                    "--sslv3",
                    "--tlsv1",
                    "--tlsv1_1",
                    "--tlsv1_2",
                    "--tlsv1_3",
                    "--http_headers",
                    "--targets_in",
                    str(tf),
                    "--json_out",
                    str(tmp / "sslyze.json"),
                    "--quiet",
                ],
                stdout=subprocess.DEVNULL,
            )
            hs = handshakes(20 * args.servers, fleet.ports, args.ceiling_concurrency) / (
                20 * args.servers
            )
            print(
                f"sslyze: {t_s:.2f} s = {t_s / args.servers / hs:.1f} handshakes/target "
                f"(exit {code}, {(fleet.accepts() - base - 1) / args.servers:.0f} "
                f"connections/target, peak {mem_s} MiB)"
            )
        else:
            print("sslyze: skipped (not installed; see docs/benchmarks.md for its venv)")

        if args.memory:
            memory(args, fleet, common, tmp)
    finally:
        fleet.close()
        shutil.rmtree(tmp, ignore_errors=True)


def floor(
    args: argparse.Namespace,
    fleet: NginxFleet,
    before: tuple[float, float],
    ceiling: Callable[[], tuple[float, float]],
    run: int,
) -> tuple[float, float, tuple[float, float]]:
    """bench/conn_floor.py on the same targets: (handshakes per target, both ends' CPU in
    ceiling handshakes' CPU, the ceiling measured after it), against the mean of the
    ceilings measured just before and just after it."""
    base = fleet.accepts()
    server_cpu = fleet.cpu()
    with tempfile.TemporaryFile() as answers:
        t, code, _mem = timed(
            [
                sys.executable,
                str(HERE / "conn_floor.py"),
                "--ports",
                ",".join(map(str, fleet.ports)),
                "--http-port",
                str(fleet.http_port),
                "--targets",
                str(args.targets),
            ],
            stdout=answers,
        )
        answers.seek(0)
        got = answers.read().decode().strip()
    conns = fleet.accepts() - base - 1
    server_cpu = fleet.cpu() - server_cpu
    after = ceiling()
    hs, hs_cpu = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
    ratio = t / args.targets / hs
    cpu_ratio = (LAST_CPU[0] + server_cpu) / args.targets / hs_cpu
    print(
        f"run {run}: ceiling {hs * 1000:.2f} ms/handshake (before–after {before[0] * 1000:.2f}"
        f"–{after[0] * 1000:.2f}); connection floor {t / args.targets * 1000:.1f} ms/target = "
        f"{ratio:.1f} "
        f"handshakes/target (exit {code}, {conns / args.targets:.1f} connections/target, CPU "
        f"{LAST_CPU[0] / args.targets * 1000:.1f} ms/target, nginx CPU "
        f"{server_cpu / args.targets * 1000:.1f} ms/target; CPU of both ends {cpu_ratio:.1f} "
        f"ceiling handshakes' CPU; answers {got})",
        flush=True,
    )
    return ratio, cpu_ratio, after


def memory(
    args: argparse.Namespace, fleet: NginxFleet | AsyncioFleet, common: list[str], tmp: Path
) -> None:
    """Peak RSS at --memory targets: one probe writing every format, then each format alone
    rendered from its findings."""
    tfile = tmp / "targets.txt"
    tfile.write_text(
        "".join(
            f"https://m{i}.bench.test:{fleet.ports[i % len(fleet.ports)]}/\n"
            for i in range(args.memory)
        )
    )
    outs = [x for f in FORMATS for x in ("-o", f"{f}={tmp / ('m.' + f)}")]
    t, code, mem = timed([args.assure, "probe", "--targets-file", str(tfile), *common, *outs])
    print(
        f"memory: probe of {args.memory} targets writing all {len(FORMATS)} formats at once: "
        f"{t:.1f} s ({args.memory / t:.1f} targets/s, exit {code}), peak {mem} MiB"
    )
    for fmt in FORMATS:
        t, code, mem = timed(
            [args.assure, "render", str(tmp / "m.jsonl"), "-o", f"{fmt}={tmp / ('r.' + fmt)}"]
        )
        size = (tmp / ("r." + fmt)).stat().st_size >> 20
        print(
            f"memory: render {args.memory} targets to {fmt}: {t:.1f} s, {size} MiB, peak {mem} MiB"
        )


if __name__ == "__main__":
    main()
