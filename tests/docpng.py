"""Documents turned into page images, to check their layout by eye and in tests.

A DOCX (or HTML) file is converted by LibreOffice headless to PDF, then each page to PNG by
poppler's `pdftoppm`: what an official would see when opening the file, not what python-docx
thinks it wrote. Both tools are installed by `.ci/run`; tests that need them skip (with the
reason) where they are missing.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from functools import cache
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
    """`document` converted to PDF by LibreOffice headless."""
    return to_pdfs([document], out_dir)[0]


def to_pdfs(documents: Sequence[Path], out_dir: Path) -> list[Path]:
    """Each of `documents` converted to PDF by one LibreOffice run (starting the office suite
    costs more than converting a document), in `out_dir`; their names must differ.

    The profile is this process's own (parallel runs do not share one) and is kept for the
    session: LibreOffice builds a new profile on first start, which costs a second more."""
    need_tools()
    assert SOFFICE is not None
    stems = [d.stem for d in documents]
    assert len(set(stems)) == len(stems), f"two documents would write one PDF: {stems}"
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={lo_profile().as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *map(str, documents),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdfs = [out_dir / (stem + ".pdf") for stem in stems]
    for document, pdf in zip(documents, pdfs, strict=True):
        assert pdf.exists(), f"LibreOffice wrote no PDF for {document}"
    return pdfs


@cache
def lo_profile() -> Path:
    """A LibreOffice user profile for this process, removed when it ends."""
    folder = Path(tempfile.mkdtemp(prefix=f"assure-lo-{os.getpid()}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder / "profile"


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


def documents_pages(
    documents: Sequence[Path], out_dir: Path, *, dpi: int = 70
) -> dict[Path, list[Path]]:
    """Each of `documents` as page images, converted by one LibreOffice run."""
    pdfs = to_pdfs(documents, out_dir / "pdf")
    pages: dict[Path, list[Path]] = {}
    for document, pdf in zip(documents, pdfs, strict=True):
        (out_dir / document.stem).mkdir(parents=True, exist_ok=True)
        pages[document] = pdf_pages(pdf, out_dir / document.stem, dpi=dpi)
    return pages
