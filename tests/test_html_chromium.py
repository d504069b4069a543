"""HTML reports in a real browser: headless Chromium renders them without console errors."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_assure

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


def dump_dom(page: Path, profile_dir: Path) -> subprocess.CompletedProcess[str]:
    """Load `page` headless (no network, no first-run tasks) and print the rendered DOM."""
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile_dir}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=390,844",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def screenshot(page: Path, profile_dir: Path, png: Path, size: str = "1000,1400") -> None:
    """A PNG of `page` as headless Chromium draws it (to look at, and to know it drew)."""
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile_dir}",
            f"--window-size={size}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )


def test_gap_report_renders_in_chromium(tmp_path: Path) -> None:
    """The gap report renders at phone width with its charts and no console errors."""
    page = tmp_path / "gap.html"
    run = run_assure(
        "--today",
        "2026-11-22",
        "gap",
        ROOT / "profiles" / "cong-dvc-demo.yaml",
        "--format",
        "html",
        "-o",
        page,
    )
    assert run.code == 0, run.err
    proc = dump_dom(page, tmp_path / "chrome")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "Báo cáo đánh giá khoảng cách" in dom
    assert "Cổng Dịch vụ công tỉnh Minh Châu" in dom
    assert dom.count("<svg") == 2
    # chart labels are wrapped onto lines, never cut off with "…"
    charts = "".join(re.findall(r"<svg.*?</svg>", dom, re.S))
    assert "…" not in charts
    assert "thiết</tspan>" in charts or "thiết kế" in charts
    assert re.search(r"\d+,\d %", dom)  # Vietnamese percentages
    shot = tmp_path / "gap.png"
    screenshot(page, tmp_path / "chrome-shot", shot)
    assert shot.stat().st_size > 10_000
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    assert "Uncaught" not in proc.stderr


def test_dossier_html_renders_in_chromium(tmp_path: Path) -> None:
    """The dossier's HTML renders with its parts and Vietnamese text, without console errors."""
    out = tmp_path / "dossier"
    run = run_assure("dossier", ROOT / "profiles" / "cong-dvc-demo.yaml", "-o", out)
    assert run.code == 0, run.err
    proc = dump_dom(out / "02-ho-so-de-xuat-cap-do.html", tmp_path / "chrome")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Phần 3. Thuyết minh đề xuất cấp độ" in proc.stdout
    assert "Ủy ban nhân dân tỉnh Minh Châu" in proc.stdout
    assert [line for line in proc.stderr.splitlines() if "CONSOLE" in line] == []
