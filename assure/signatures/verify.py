"""Read a document (file or URL), recognise it by content, verify its signatures.

The format is decided by the bytes, never by the file name: a `.pdf` that holds HTML is
invalid data, not a PDF that fails. Files are read with the same byte cap as downloads, so a
huge input is refused before it is parsed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from assure.errors import DataError
from assure.signatures import chain, fetch, pdf, xml
from assure.signatures.models import DocumentReport


def read_document(target: str, limits: fetch.Limits) -> bytes:
    """The bytes of a file or URL, at most `limits.max_bytes`; DataError otherwise."""
    if fetch.is_url(target):
        try:
            return fetch.fetch(target, limits)
        except fetch.FetchError as exc:
            raise DataError.at(target, f"download failed: {exc}") from None
    path = Path(target)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise DataError.at(
                target, f"file is {size} bytes, over the limit of {limits.max_bytes} (--max-size)"
            )
        with path.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise DataError.at(target, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limits.max_bytes:
        raise DataError.at(target, f"file is over the limit of {limits.max_bytes} bytes")
    return data


def verify_bytes(data: bytes, target: str, opts: chain.Options) -> DocumentReport:
    """Verify a document already in memory."""
    if not data:
        raise DataError.at(target, "the document is empty")
    sha = hashlib.sha256(data).hexdigest()
    named_pdf = urlsplit(target).path.lower().endswith(".pdf")
    if pdf.looks_like_pdf(data):
        report = DocumentReport(target, "pdf", len(data), sha)
        pdf.verify_pdf(data, target, report, opts)
    elif named_pdf:
        raise DataError.at(target, "named .pdf but is not a PDF file (no %PDF- header)")
    elif xml.looks_like_xml(data):
        report = DocumentReport(target, "xml", len(data), sha)
        xml.verify_xml(data, target, report, opts)
    else:
        raise DataError.at(target, "neither a PDF nor an XML document")
    return report


def verify_target(target: str, opts: chain.Options, limits: fetch.Limits) -> DocumentReport:
    """Verify the document at `target` (a path or an http(s) URL)."""
    return verify_bytes(read_document(target, limits), target, opts)
