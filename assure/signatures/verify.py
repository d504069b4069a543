"""Read a document (file or URL), recognise it by content, verify its signatures.

The format is decided by the bytes, never by the file name: a `.pdf` that holds HTML is
invalid data, not a PDF that fails. Files are read with the same byte cap as downloads, so a
huge input is refused before it is parsed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from assure import trust
from assure.errors import DataError, os_reason
from assure.findings import Finding, Status
from assure.i18n import Msg
from assure.signatures import chain, fetch, pdf, xml
from assure.signatures.models import CHECK_COVERAGE, CHECK_TRUSTED, CHECK_VALID, DocumentReport


def read_document(target: str, limits: fetch.Limits) -> bytes:
    """The bytes of a file or URL, at most `limits.max_bytes`.

    A file that cannot be read or is too big, and a download over the cap, are DataErrors
    (invalid input); a download that fails on the way raises FetchError, which the caller
    reports as `inconclusive` (not reachable from here is not a verdict on the document).
    """
    if fetch.is_url(target):
        try:
            return fetch.fetch(target, limits)
        except fetch.TooLargeError as exc:
            raise DataError.at(
                target, Msg.of("sig.err.download_refused", detail=exc.message)
            ) from None
    if target == "-":
        data = sys.stdin.buffer.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            raise DataError.at("-", Msg.of("sig.err.stdin_too_large", limit=limits.max_bytes))
        return data
    path = Path(target)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise DataError.at(
                target, Msg.of("sig.err.file_too_large", size=size, limit=limits.max_bytes)
            )
        with path.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise DataError.at(target, Msg.of("sig.err.cannot_read", reason=os_reason(exc))) from None
    if len(data) > limits.max_bytes:
        raise DataError.at(target, Msg.of("sig.err.over_limit", limit=limits.max_bytes))
    return data


class DocumentTimeout(BaseException):
    """The time limit for one document ran out.

    A BaseException, like KeyboardInterrupt, so that the broad handlers which turn parser
    failures on hostile input into findings cannot swallow it.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took longer than {seconds:g} s")
        self.seconds = seconds


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (main thread on POSIX only; else no limit).

    Parsers and the PDF difference analysis can be driven into very long runs by crafted
    input; a wall-clock limit per document turns that into an `error` finding, not a hang.
    """
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        raise DocumentTimeout(seconds)

    def quiet(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, DocumentTimeout):
            hook(unraisable)

    # The alarm repeats: if it lands in a finalizer, Python swallows the exception, and the
    # next one must still stop the block. Swallowed ones are not printed.
    start = time.monotonic()
    hook = sys.unraisablehook
    sys.unraisablehook = quiet
    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = hook
        if outer > 0:  # give back what remains of an enclosing timer
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 0.001))


def verify_bytes(
    data: bytes, target: str, opts: chain.Options, *, time_limit_s: float = 0
) -> DocumentReport:
    """Verify a document already in memory, within `time_limit_s` seconds (0: no limit)."""
    if not data:
        raise DataError.at(target, Msg.of("sig.err.empty"))
    sha = hashlib.sha256(data).hexdigest()
    fmt = "pdf" if pdf.looks_like_pdf(data) else "xml"
    try:
        with time_limit(time_limit_s):
            return _verify(data, target, opts, sha)
    except DocumentTimeout as exc:
        reason = f"verification {exc}"
        said = Msg.of("sig.why.timeout", seconds=f"{exc.seconds:g}")
    _collect_quietly()
    return DocumentReport(target, fmt, len(data), sha, error=reason, error_msg=said)


def _collect_quietly() -> None:
    """Collect what an interrupted verification left half-built (event loops, coroutines).

    Such objects complain when finalized; once the interruption's traceback is gone they can
    be collected here, with the complaints muted, instead of at some random later moment.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gc.collect()
    finally:
        sys.unraisablehook = _after_interruption(hook)
    # Stragglers outside reference cycles are finalized later; their complaints are noise.
    warnings.filterwarnings("ignore", message=r"coroutine .* was never awaited")


def _after_interruption(hook: Any) -> Any:
    """Wrap `hook` to drop the complaints of event loops an interruption left half-built."""
    if getattr(hook, "assure_quiet", False):
        return hook

    def quiet(unraisable: Any) -> None:
        where = getattr(unraisable.object, "__qualname__", "")
        if not str(where).startswith("BaseEventLoop."):
            hook(unraisable)

    quiet.assure_quiet = True  # type: ignore[attr-defined]
    return quiet


def _verify(data: bytes, target: str, opts: chain.Options, sha: str) -> DocumentReport:
    named_pdf = urlsplit(target).path.lower().endswith(".pdf")
    if pdf.looks_like_pdf(data):
        report = DocumentReport(target, "pdf", len(data), sha)
        pdf.verify_pdf(data, target, report, opts)
    elif named_pdf:
        raise DataError.at(target, Msg.of("sig.err.named_pdf"))
    elif xml.looks_like_xml(data):
        report = DocumentReport(target, "xml", len(data), sha)
        xml.verify_xml(data, target, report, opts)
    else:
        raise DataError.at(target, Msg.of("sig.err.neither"))
    return report


def verify_target(
    target: str, opts: chain.Options, limits: fetch.Limits, *, time_limit_s: float = 0
) -> DocumentReport:
    """Verify the document at `target` (a path or an http(s) URL)."""
    try:
        data = read_document(target, limits)
    except fetch.FetchError as exc:
        return DocumentReport(
            target, "unknown", 0, "", unavailable=str(exc), unavailable_msg=exc.message
        )
    return verify_bytes(data, target, opts, time_limit_s=time_limit_s)


def document_findings(
    targets: Sequence[str],
    *,
    anchors: trust.TrustSet | None = None,
    at: dt.datetime | None = None,
    timeout: float = fetch.DEFAULT_TIMEOUT,
    max_bytes: int = fetch.DEFAULT_MAX_BYTES,
) -> list[Finding]:
    """Findings for sample documents, for callers other than `verify-signature` (probes).

    A portal's sample document that is not a readable PDF or XML is a failing document, not
    invalid input to the caller, so it becomes a `fail` of `doc_signature_valid` here.
    """
    opts = chain.Options(anchors if anchors is not None else trust.load_trust_set(), at=at)
    limits = fetch.Limits(max_bytes=max_bytes, timeout=timeout, deadline=6 * timeout)
    out: list[Finding] = []
    for target in targets:
        try:
            out.extend(verify_target(target, opts, limits).findings())
        except DataError as exc:
            first = exc.problems[0]
            why: Msg | str = first.msg if first.msg is not None else first.message
            msg = Msg.of("sig.not_readable", why=why)
            out.append(
                Finding(
                    CHECK_VALID,
                    target,
                    Status.FAIL,
                    msg.text("en"),
                    {"problems": [str(p) for p in exc.problems]},
                    message=msg,
                )
            )
            nothing = Msg.of("sig.nothing_to_judge")
            out.extend(
                Finding(c, target, Status.NOT_APPLICABLE, nothing.text("en"), {}, message=nothing)
                for c in (CHECK_TRUSTED, CHECK_COVERAGE)
            )
    return out
