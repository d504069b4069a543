"""Documents turned into page images, to check their layout by eye and in tests.

A DOCX (or HTML) file is converted by LibreOffice headless to PDF, then each page to PNG by
poppler's `pdftoppm`: what an official would see when opening the file, not what python-docx
thinks it wrote. Both tools are installed by `.ci/run`; tests that need them skip (with the
reason) where they are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")


def need_tools() -> None:
    if not SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    if not PDFTOPPM or not PDFTOTEXT:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed")


def to_pdf(document: Path, out_dir: Path) -> Path:
    """`document` converted to PDF by LibreOffice headless, in a profile of its own (so
    parallel runs do not share one)."""
    need_tools()
    assert SOFFICE is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / f".lo-profile-{os.getpid()}"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out_dir / (document.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {document}"
    return pdf


def pdf_pages(pdf: Path, out_dir: Path, *, dpi: int = 70) -> list[Path]:
    """Every page of `pdf` as a PNG (page-1.png, page-2.png, …)."""
    assert PDFTOPPM is not None
    prefix = out_dir / pdf.stem
    subprocess.run(
        [PDFTOPPM, "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=180
    )
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"))


def pdf_text(pdf: Path) -> str:
    """The text of `pdf` with its layout (`pdftotext -layout`)."""
    assert PDFTOTEXT is not None
    out = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=120
    )
    return out.stdout.decode("utf-8")


def pdf_fonts(pdf: Path) -> str:
    """The fonts embedded in `pdf` (`pdffonts`), to see that Times is what was used."""
    tool = shutil.which("pdffonts")
    assert tool is not None
    return subprocess.run(
        [tool, str(pdf)], check=True, capture_output=True, timeout=60
    ).stdout.decode()


def document_pages(document: Path, out_dir: Path, *, dpi: int = 70) -> list[Path]:
    """`document` as page images: LibreOffice to PDF, then pdftoppm to PNG."""
    return pdf_pages(to_pdf(document, out_dir), out_dir, dpi=dpi)
