"""Benchmark: plan + gap for many profiles, as a ratio to merely loading their YAML files.

Run: python bench/plan_gap.py [N]   (default N = 1000)

The peer is PyYAML reading the same files with nothing else done (its pure-Python
`safe_load`, and its libyaml-backed loader), in the same run on the same machine.

Profiles are written to a temporary folder from the bundled demo profile with varied facts,
so every level and many conditions are exercised. The target is a ratio of at most 3: the
pipeline should cost little next to parsing the files it reads.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import yaml

from assure.inputs.profile import load_many
from assure.law.catalogue import load_catalogues
from assure.law.classify import classify
from assure.law.gap import gap_report
from assure.law.plan import NoLevelError, build_plan
from assure.law.regime import load_regime
from assure.paths import profiles_dir

FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

VARIANTS = [
    "  system_type: citizen_business\n  information: [public, personal]\n"
    "  online_public_service_level: 4\n  personal_data_users: {n}\n",
    "  system_type: internal\n  information: [public]\n",
    "  system_type: infrastructure\n  infrastructure_scope: province\n  information: [public]\n",
    "  system_type: citizen_business\n  information: [public]\n  national_system: true\n"
    "  availability_24x7: true\n",
    "  system_type: other\n  information: [public, state_secret]\n"
    "  defence_security_harm: harm\n  national_data_store: true\n",
]


def make_profiles(folder: Path, count: int) -> None:
    text = (profiles_dir() / "cong-dvc-demo.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("\nclassification:\n")
    for i in range(count):
        body = head.replace("id: cong-dvc-demo", f"id: he-thong-{i:04d}")
        facts = VARIANTS[i % len(VARIANTS)].format(n=1000 + i * 37)
        (folder / f"p{i:04d}.yaml").write_text(
            body + "\nclassification:\n" + facts, encoding="utf-8"
        )


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    today = dt.date(2026, 11, 22)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_profiles(folder, count)
        regime = load_regime()
        catalogues = load_catalogues(regime.id)  # loaded once, as a command run does

        load_many([str(folder / "p0000.yaml")])  # warm-up: schema validators are built once

        files = sorted(folder.glob("*.yaml"))
        start = time.perf_counter()
        for f in files:
            yaml.safe_load(f.read_text(encoding="utf-8"))
        pyyaml_s = time.perf_counter() - start
        start = time.perf_counter()
        for f in files:
            yaml.load(f.read_text(encoding="utf-8"), Loader=FAST_LOADER)  # noqa: S506 (safe)
        libyaml_s = time.perf_counter() - start

        start = time.perf_counter()
        loaded = load_many([str(folder)])
        load_s = time.perf_counter() - start
        assert not loaded.errors, loaded.errors[0]

        start = time.perf_counter()
        requirements = gaps = 0
        for profile in loaded.profiles:
            try:
                plan = build_plan(classify(profile, regime), catalogues, profile)
            except NoLevelError:
                continue
            report = gap_report(plan, [], today)
            requirements += len(plan.items)
            gaps += len(report.gaps)
        pipeline_s = time.perf_counter() - start
    full_s = load_s + pipeline_s
    print(f"profiles: {count}")
    print(f"peer: PyYAML safe_load only:         {pyyaml_s:8.2f} s")
    print(f"peer: PyYAML + libyaml (C) only:     {libyaml_s:8.2f} s")
    print(f"assure load (positions + schema):    {load_s:8.2f} s")
    print(
        f"assure plan + gap:                   {pipeline_s:8.2f} s"
        f"  ({requirements} requirements, {gaps} gaps)"
    )
    print(f"assure load + plan + gap:            {full_s:8.2f} s")
    print(f"ratio to PyYAML safe_load:           {full_s / pyyaml_s:8.2f}  (target ≤ 3)")
    print(f"ratio to libyaml safe load:          {full_s / libyaml_s:8.2f}")
    print(f"ratio to assure's own load:          {full_s / load_s:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
