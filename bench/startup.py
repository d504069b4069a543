"""Start-up time of `assure --help` and `assure classify` against `python -c "import click"`.

Run: `python bench/startup.py [RUNS]`. Every command is started RUNS times in a fresh
interpreter, interleaved so that machine noise hits all of them alike; the median wall time
of each and its ratio to bare click are printed. The goal (recorded in docs/benchmarks.md):
`assure --help` within 3x of importing click.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    py = sys.executable
    cases = {
        "python -c 'import click'": [py, "-c", "import click"],
        "assure --help": [py, "-m", "assure", "--help"],
        "assure classify profiles/ (20 profiles)": [
            py,
            "-m",
            "assure",
            "classify",
            str(ROOT / "profiles"),
            "--format",
            "json",
        ],
        "assure probe --help": [py, "-m", "assure", "probe", "--help"],
        "assure verify-signature --help": [py, "-m", "assure", "verify-signature", "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, argv in cases.items():
            times[name].append(_time(argv))
    base = statistics.median(times["python -c 'import click'"])
    print(f"{'command':44} {'median ms':>10} {'× click':>8}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:44} {med * 1000:10.1f} {med / base:8.2f}")


if __name__ == "__main__":
    main()
