"""Where the client's CPU goes in one `assure probe` run: thread CPU per phase, per target.

    python bench/cpu_account.py [--targets 1000] [--workers 1]

Starts the benchmark's nginx fleet (bench/nginx_fleet.py: 100 HTTPS ports on 127.0.0.1 and
::1, the loopback DNS server), then runs `assure probe` in this process with each phase of a
target wrapped in a timer of the calling thread's CPU (`time.thread_time`: OpenSSL's work
outside the interpreter lock counts, waiting for the lock or the network does not). What no
phase holds is the run's own overhead (the thread pool, handing the interpreter lock
between threads); what comes before the first target is start-up. With `--workers 2` the
figures are the parent's alone (the workers are forks: their phases are not summed here).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from nginx_fleet import NginxFleet, bench_pki  # noqa: E402

from assure.commands import _outputs  # noqa: E402
from assure.probes import http, runner, second_opinion, tls  # noqa: E402

CPU: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)
LOCK = threading.Lock()
MARKS: dict[str, float] = {}


def timed(owner: Any, name: str, label: Callable[[tuple[Any, ...], dict[str, Any]], str]) -> None:
    """Replace owner.name by the same function with its thread CPU added to its label."""
    fn = getattr(owner, name)

    def wrapper(*a: Any, **k: Any) -> Any:
        start = time.thread_time()
        try:
            return fn(*a, **k)
        finally:
            spent = time.thread_time() - start
            with LOCK:
                CPU[label(a, k)] += spent
                CALLS[label(a, k)] += 1

    setattr(owner, name, wrapper)


def fixed(text: str) -> Callable[[tuple[Any, ...], dict[str, Any]], str]:
    return lambda _a, _k: text


PHASES = [
    (runner, "gather_dns", fixed("DNS (A, AAAA, zone, NS, NS over IPv6)")),
    (runner, "make_resolver", fixed("resolver object per target")),
    (runner, "vantage_ipv6", fixed("IPv6 route of this machine")),
    (
        http,
        "fetch",
        lambda _a, k: "HTTPS page (handshake + GET)" if k.get("tls") else "HTTP redirect (GET)",
    ),
    (tls, "gather_tls", fixed("version and suite hellos")),
    (second_opinion, "openssl_opinion", fixed("OpenSSL's second opinion")),
    (runner, "judge_target", fixed("judging (certificates, roll-up, findings)")),
    (_outputs.Sinks, "add", fixed("report writing (main thread)")),
    # The workers' findings as JSON (`--workers` above 1), where the code has it.
    (_outputs.Sinks, "add_json", fixed("report writing (main thread)")),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--format", default="jsonl", help="what the probe writes (jsonl, or a spooled one: json)"
    )
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="assure-account-"))
    cert, key = bench_pki(tmp)
    for owner, name, label in PHASES:
        if hasattr(owner, name):
            timed(owner, name, label)
    real_run = runner.run

    def run(*a: Any, **k: Any) -> Iterator[runner.TargetResult]:
        MARKS["start"] = time.process_time()
        yield from real_run(*a, **k)
        MARKS["end"] = time.process_time()

    runner.run = run  # type: ignore[assignment]
    from assure.cli import run as assure

    with NginxFleet(tmp, 100, cert, key, names=args.targets) as fleet:
        targets = tmp / "targets.txt"
        targets.write_text(
            "".join(
                f"https://e{i}.bench.test:{fleet.ports[i % 100]}/\n" for i in range(args.targets)
            )
        )
        before = time.process_time()
        assure(
            [
                "probe",
                "--targets-file",
                str(targets),
                "--nameserver",
                f"127.0.0.1:{fleet.dns_port}",
                "--ca-file",
                str(tmp / "root.pem"),
                "--http-port",
                str(fleet.http_port),
                "--allow-range",
                "127.0.0.0/8",
                "--allow-range",
                "::1/128",
                "--workers",
                str(args.workers),
                "-o",
                f"{args.format}={tmp / ('out.' + args.format)}",
            ]
        )
        total = time.process_time() - before
    n = args.targets
    print(f"client CPU per target, {n} targets, --workers {args.workers} (ms):")
    held = 0.0
    for label, spent in sorted(CPU.items(), key=lambda kv: -kv[1]):
        held += spent
        print(f"  {label:48s} {spent / n * 1000:6.2f}  ({CALLS[label]} calls)")
    in_run = MARKS.get("end", total) - MARKS.get("start", before)
    rest = "the run itself (pool, lock handoffs, trust store)"
    print(f"  {rest:48s} {(in_run - held) / n * 1000:6.2f}")
    print(f"  {'start-up (command, trust store, context)':48s} {(total - in_run) / n * 1000:6.2f}")
    print(f"  {'total':48s} {total / n * 1000:6.2f}")


if __name__ == "__main__":
    main()
