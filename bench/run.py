"""Benchmark `assure probe` against sslyze and against this machine's raw handshake rate.

    python bench/run.py [--endpoints 200] [--concurrency 32] [--sslyze PATH] [--memory 10000]

1. Starts a local fleet (bench/fleet.py): N/2 ports, each on 127.0.0.1 and ::1 = N endpoints.
2. Probes them with `assure probe` (every check), counting the TLS connections it makes.
3. Scans the same endpoints with sslyze, scan commands equivalent to our checks
   (certinfo, sslv3, tlsv1, tlsv1_1, tlsv1_2, tlsv1_3, http_headers).
4. Makes the same number of raw TLS handshakes as assure did, with the same concurrency:
   the ceiling of this machine.
5. Probes --memory targets (live fleet endpoints, jsonl output) and records peak memory.
Prints throughput, ratios and peak memory (max RSS of each child process).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.probes import pki  # noqa: E402


def timed(cmd: list[str], **kw: object) -> tuple[float, int, int]:
    """(seconds, exit code, peak RSS in MiB) of one child process."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, **kw)  # type: ignore[call-overload]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - start, proc.returncode, usage.ru_maxrss // 1024


def count(ctl: int) -> int:
    with socket.create_connection(("127.0.0.1", ctl)) as s:
        return int(s.makefile().readline())


def handshakes(n: int, ports: list[int], concurrency: int) -> float:
    """Seconds for n raw TLS handshakes (connect, handshake, close) over the fleet."""
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


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoints", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--sslyze", default=shutil.which("sslyze"))
    ap.add_argument("--memory", type=int, default=10000)
    ap.add_argument("--assure", default=str(Path(sys.executable).parent / "assure"))
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="assure-bench-"))
    root = pki.make_ca("Bench Root")
    leaf = pki.make_leaf("bench.test", root, san=["*.bench.test", "bench.test"])
    cert, key = pki.write_chain(tmp, "leaf", leaf, root.cert)
    (tmp / "root.pem").write_bytes(pki.pem(root.cert))
    n_ports = args.endpoints // 2
    fleet = subprocess.Popen(
        [sys.executable, str(HERE / "fleet.py"), str(n_ports), str(cert), str(key)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert fleet.stdout is not None
    ctl, *ports = map(int, fleet.stdout.readline().split())
    http_port = str(closed_port())
    try:
        targets, pins = [], []
        for i, p in enumerate(ports):
            host = f"e{i}.bench.test"
            targets.append(f"https://{host}:{p}/")
            pins += ["--resolve", f"{host}:{p}:127.0.0.1", "--resolve", f"{host}:{p}:[::1]"]
        base = count(ctl)
        cmd = [
            args.assure,
            "probe",
            *targets,
            *pins,
            "--ca-file",
            str(tmp / "root.pem"),
            "--timeout",
            "5",
            "--concurrency",
            str(args.concurrency),
            "--http-port",
            http_port,
            "--format",
            "jsonl",
            "-o",
            str(tmp / "assure.jsonl"),
        ]
        t_assure, code, mem_assure = timed(cmd)
        n_hs = count(ctl) - base
        lines = (tmp / "assure.jsonl").read_text().splitlines()
        print(
            f"assure: {len(ports)} targets / {2 * len(ports)} endpoints in {t_assure:.2f} s "
            f"(exit {code}, {len(lines)} findings, {n_hs} TLS connections, "
            f"peak {mem_assure} MiB)"
        )

        t_raw = handshakes(n_hs, ports, args.concurrency)
        print(f"raw:    {n_hs} handshakes in {t_raw:.2f} s ({n_hs / t_raw:.0f}/s)")

        t_sslyze = None
        if args.sslyze:
            tf = tmp / "sslyze-targets.txt"
            tf.write_text(
                "".join(
                    f"e{i}.bench.test:{p}{{{a}}}\n"
                    for i, p in enumerate(ports)
                    for a in ("127.0.0.1", "::1")
                )
            )
            base = count(ctl)
            t_sslyze, code, mem_s = timed(
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
            print(
                f"sslyze: {2 * len(ports)} endpoints in {t_sslyze:.2f} s (exit {code}, "
                f"{count(ctl) - base} TLS connections, peak {mem_s} MiB)"
            )

        print(
            f"ratio sslyze/assure time: "
            f"{(t_sslyze / t_assure) if t_sslyze else float('nan'):.2f}x (target >= 3x)"
        )
        print(f"ratio assure/raw-handshake time: {t_assure / t_raw:.2f}x (target <= 2x)")

        if args.memory:
            mtargets, mpins = [], []
            for i in range(args.memory):
                p = ports[i % len(ports)]
                host = f"m{i}.bench.test"
                mtargets.append(f"{host}:{p}")
                mpins.append(f"{host}:{p}:127.0.0.1")
            tfile = tmp / "targets.txt"
            tfile.write_text("\n".join(f"https://{t}/" for t in mtargets) + "\n")
            rfile = [a for r in mpins for a in ("--resolve", r)]
            t_mem, code, mem = timed(
                [
                    args.assure,
                    "probe",
                    "--targets-file",
                    str(tfile),
                    *rfile,
                    "--ca-file",
                    str(tmp / "root.pem"),
                    "--timeout",
                    "5",
                    "--concurrency",
                    str(args.concurrency),
                    "--http-port",
                    http_port,
                    "--format",
                    "jsonl",
                    "-o",
                    str(tmp / "memory.jsonl"),
                ]
            )
            print(
                f"memory: {args.memory} targets in {t_mem:.1f} s (exit {code}), "
                f"peak {mem} MiB (target < 300 MiB)"
            )
    finally:
        fleet.terminate()
        fleet.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
