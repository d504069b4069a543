"""pyHanko's own signed test PDFs against `assure verify-signature` and pyHanko's verdict.

The files and the test PKI root are pyHanko's (tests/data/pyhanko/README.md). Each file goes
through the installed `assure verify-signature` and through pyHanko's `validate_pdf_signature`
(`validate_pdf_timestamp` for document timestamps) with the same trust root, the same
validation instant and no fetching. pyHanko's answer per signature is reduced to the three
questions assure's checks answer: is the signature intact and made with acceptable algorithms
(`doc_signature_valid`), does the signer chain to the root (`doc_signer_trusted`: `pass` or
`warn`, since revocation is not asked here), and does it cover the whole revision with only
allowed changes after it (`doc_signature_coverage`). A difference fails the test unless it is
listed in KNOWN with its reason (and docs/probes.md).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import cache
from pathlib import Path

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from tests.conftest import run_assure

DATA = Path(__file__).resolve().parent / "data" / "pyhanko"
ROOT = DATA / "root.cert.pem"
# inside every certificate's validity in pyHanko's test PKI, after every signing time
AT = dt.datetime(2020, 11, 29, tzinfo=dt.UTC)
FILES = sorted(p.name for p in DATA.glob("*.pdf"))

# file → {check: (assure's status, why it differs from pyHanko)}; empty: full agreement
KNOWN: dict[str, dict[str, tuple[str, str]]] = {}

WHOLE = {SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION}


def _context() -> ValidationContext:
    der = pem.unarmor(ROOT.read_bytes())[2]
    return ValidationContext(
        trust_roots=[x509.Certificate.load(der)], moment=AT, allow_fetching=False
    )


def pyhanko_verdict(name: str) -> dict[str, str]:
    """What pyHanko says about the file, in assure's check vocabulary.

    A file pyHanko cannot read, or a signature it refuses outright, is not valid and has
    nothing to trust or cover; with no signature at all the same holds (assure: `fail`
    then `not_applicable`).
    """
    unreadable = {
        "doc_signature_valid": "fail",
        "doc_signer_trusted": "not_applicable",
        "doc_signature_coverage": "not_applicable",
    }
    logging.disable(logging.CRITICAL)  # pyHanko logs every refused path with a traceback
    try:
        with (DATA / name).open("rb") as fh:
            try:
                sigs = PdfFileReader(fh, strict=False).embedded_signatures
            except ValueError:
                return unreadable
            if not sigs:
                return unreadable
            valid = trusted = covered = True
            for sig in sigs:
                try:
                    if sig.sig_object_type == "/DocTimeStamp":
                        st = validate_pdf_timestamp(sig, validation_context=_context())
                    else:
                        st = validate_pdf_signature(sig, _context())
                except Exception:  # pyHanko's refusal is the verdict
                    return unreadable
                refused = st.trust_problem_indic is AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE
                valid &= bool(st.intact and st.valid) and not refused
                trusted &= bool(st.trusted) and not refused
                covered &= st.coverage in WHOLE and getattr(st, "docmdp_ok", True) is not False
    finally:
        logging.disable(logging.NOTSET)
    return {
        "doc_signature_valid": "pass" if valid else "fail",
        "doc_signer_trusted": "pass" if trusted else "fail",
        "doc_signature_coverage": "pass" if covered else "fail",
    }


@cache
def assure_verdicts() -> dict[str, dict[str, str]]:
    """One run of the installed command over every file: file → check → status."""
    run = run_assure(
        "verify-signature",
        *(DATA / n for n in FILES),
        "--trust",
        ROOT,
        "--no-store",
        "--no-revocation",
        "--at",
        AT.isoformat(),
        "--format",
        "json",
    )
    assert run.code in (0, 1), run.err
    out: dict[str, dict[str, str]] = {}
    for f in json.loads(run.out)["findings"]:
        out.setdefault(Path(f["target"]).name, {})[f["check"]] = f["status"]
    return out


def _normal(status: str, check: str) -> str:
    """Revocation is not asked, so a trusted signer is `warn` in assure: same as `pass`."""
    return "pass" if check == "doc_signer_trusted" and status == "warn" else status


def test_the_set_is_what_the_readme_lists() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert FILES and all(f"`{n}`" in readme for n in FILES)


@pytest.mark.parametrize("name", FILES)
def test_assure_agrees_with_pyhanko(name: str) -> None:
    ours = assure_verdicts()[name]
    theirs = pyhanko_verdict(name)
    for check, expected in theirs.items():
        got = _normal(ours[check], check)
        known = KNOWN.get(name, {}).get(check)
        if known is not None:
            assert got == known[0], f"{name} {check}: the known difference changed ({got})"
            continue
        assert got == expected, f"{name} {check}: assure {ours[check]}, pyHanko {expected}"


def test_no_signature_pyhanko_refuses_is_passed() -> None:
    """The promise underneath: nothing pyHanko rejects is `pass` in assure."""
    for name in FILES:
        theirs = pyhanko_verdict(name)
        ours = assure_verdicts()[name]
        for check, verdict in theirs.items():
            if verdict != "pass":
                assert ours[check] != "pass", (name, check)
