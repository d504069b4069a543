"""The probe HTML report people act on: grouped by family, failures first, why and how to
fix each failed or warned check, a tally per target, a sortable overview; Vietnamese first."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from assure.findings import Finding, Status
from assure.reports import findings as output

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _findings() -> list[Finding]:
    a, b = "https://cong.example.gov.vn/", "https://dvc.example.gov.vn/"
    return [
        Finding("web_aaaa", a, Status.FAIL, "The host has no AAAA record."),
        Finding("https_available", a, Status.PASS, "HTTPS answers."),
        Finding("https_hsts", a, Status.WARN, "HSTS max-age is 300 seconds."),
        Finding("tls_versions", a, Status.PASS, "TLS 1.2 and 1.3 only."),
        Finding("tls_cert_expiry", a, Status.INCONCLUSIVE, "No answer.", reason="timeout"),
        Finding("doc_signature_valid", a, Status.PASS, "Signature valid."),
        Finding("web_aaaa", b, Status.PASS, "AAAA 2001:db8::1."),
        Finding("tls_versions", b, Status.FAIL, "TLS 1.0 is offered."),
    ]


def _page(lang: str) -> str:
    order = ["https://cong.example.gov.vn/", "https://dvc.example.gov.vn/"]
    return output.render("html", _findings(), order, "2026-12-01T08:00:00+00:00", lang)  # type: ignore[arg-type]


def test_groups_in_family_order_failures_first() -> None:
    page = _page("vi")
    first = page.split('<section class="target" id="t2">')[0]
    families = re.findall(r'data-family="(\w+)"', first)
    assert families == ["ipv6", "https", "tls", "documents"]
    https = first.split('data-family="https"')[1].split('data-family="tls"')[0]
    statuses = re.findall(r'class="finding" data-status="(\w+)"', https)
    assert statuses == ["warn", "pass"]  # the warning before the pass
    tls = first.split('data-family="tls"')[1].split('data-family="documents"')[0]
    assert re.findall(r'data-status="(\w+)"', tls) == ["inconclusive", "pass"]


def test_failed_and_warned_checks_say_why_and_how_to_fix() -> None:
    page = html.unescape(_page("vi"))
    assert page.count('<div class="advice') == 3  # web_aaaa, https_hsts, tls_versions (b)
    assert "Vì sao quan trọng" in page and "Cách khắc phục" in page
    assert 'add_header Strict-Transport-Security "max-age=31536000" always;' in page
    assert "Header always set Strict-Transport-Security" in page  # Apache
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in page and "<dt>IIS</dt>" in page


def test_tally_per_target_and_overview() -> None:
    page = _page("vi")
    assert 'Đạt: 3</span> · <span class="n-fix">Cần khắc phục: 2</span>' in page
    assert "Chưa kiểm tra được: 1" in page
    overview = page.split('id="overview"')[1].split("</table>")[0]
    assert overview.count("<tr>") == 3 and 'class="sortable' in overview


def test_english_page_reads_as_english() -> None:
    page = _page("en")
    assert '<html lang="en">' in page
    for word in ("Portal probe report", "Why it matters", "How to fix", "To fix", "Could not test"):
        assert word in page
    for word in ("Vì sao", "Khắc phục", "Đạt", "Tổng quan", "đối tượng"):
        assert word not in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_report_renders_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "probe.html"
    page.write_text(_page("vi"), encoding="utf-8")
    common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
    ]
    assert CHROMIUM is not None
    dom = subprocess.run(
        [CHROMIUM, *common, f"--user-data-dir={tmp_path / 'a'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Báo cáo kiểm tra cổng thông tin" in dom.stdout
    assert [line for line in dom.stderr.splitlines() if "CONSOLE" in line] == []
    shot = tmp_path / "probe.png"
    subprocess.run(
        [
            CHROMIUM,
            *common,
            f"--user-data-dir={tmp_path / 'b'}",
            "--window-size=1100,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000
