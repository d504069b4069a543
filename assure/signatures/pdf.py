"""PDF signatures through pyHanko: integrity, algorithm policy, coverage, signer trust.

pyHanko checks the CMS signature and the byte ranges and runs its difference analysis on
incremental updates made after signing; we map its findings to our statuses. Its validation
context is built by `chain.validation_context` (our anchors, fetching off), so nothing in a
PDF can make the tool contact a server. Trust is judged by `chain.evaluate` at the moment a
trusted timestamp proves.

Input that is not a PDF at all (no header, unreadable cross-reference structure) is a
DataError (exit 3); a readable PDF with a broken signature yields `fail` findings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
from typing import Any

from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureCoverageLevel,
)

from assure import trust
from assure.errors import DataError
from assure.findings import Status
from assure.i18n import Msg
from assure.signatures import chain, revocation
from assure.signatures.models import (
    CHECK_COVERAGE,
    CHECK_TRUSTED,
    CHECK_VALID,
    DocumentReport,
    SignatureReport,
    Verdict,
)

WEAK_DIGESTS = frozenset({"md5", "sha1", "md2"})

# pyHanko logs its own diagnostics (e.g. about unsupported SubFilters); our findings say it.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


def looks_like_pdf(data: bytes) -> bool:
    """PDF readers accept the header anywhere in the first kilobyte; so do we."""
    return b"%PDF-" in data[:1024]


def verify_pdf(data: bytes, target: str, report: DocumentReport, opts: chain.Options) -> None:
    """Verify every signature of the PDF in `data`, adding them to `report`."""
    if not looks_like_pdf(data):
        raise DataError.at(target, Msg.of("sig.err.not_pdf"))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:  # any parser failure on hostile input is bad data
        raise DataError.at(target, Msg.of("sig.err.pdf_structure", detail=_short(exc))) from None
    for index, (name, _sig_obj, sig_field) in enumerate(fields):
        rep = SignatureReport(index, "pdf", str(name))
        report.signatures.append(rep)
        try:
            emb = EmbeddedPdfSignature(reader, sig_field, name)
            signer = chain.from_asn1(emb.signer_cert)
            others = [chain.from_asn1(c) for c in emb.other_embedded_certs]
        except Exception as exc:  # garbage CMS is the document's fault
            _unreadable(rep, Msg.of("sig.why.not_cms", detail=_short(exc)))
            continue
        try:
            embedded, dss_certs = _embedded_revinfo(reader, emb)
            others += [c for c in dss_certs if c not in others]
            if emb.sig_object_type == "/DocTimeStamp":
                rep.kind = "pdf-document-timestamp"
                _verify_doc_timestamp(emb, signer, others, rep, opts)
            else:
                _verify_one(emb, signer, others, rep, opts, embedded)
        except Exception as exc:  # malformed parts of hostile input surface late
            rep.malformed(_short(exc))


def _embedded_revinfo(
    reader: PdfFileReader, emb: EmbeddedPdfSignature
) -> tuple[revocation.Embedded, list[x509.Certificate]]:
    """Revocation data and certificates the PDF carries for long-term validation.

    Two places hold it: the document security store (/DSS, PAdES) and the signature's
    adbe-revocationInfoArchival attribute (the Adobe form most signing tools still write).
    Unreadable items are skipped; they can only fail to help.
    """
    crls: list[bytes] = []
    ocsps: list[bytes] = []
    certs: list[x509.Certificate] = []
    with contextlib.suppress(Exception):
        dss = reader.root.get("/DSS")
        if dss is not None:
            for item in dss.get("/OCSPs", ()):
                ocsps.append(bytes(item.get_object().data))
            for item in dss.get("/CRLs", ()):
                crls.append(bytes(item.get_object().data))
            for item in dss.get("/Certs", ()):
                certs.append(x509.load_der_x509_certificate(bytes(item.get_object().data)))
    with contextlib.suppress(Exception):
        for attr in emb.signer_info["signed_attrs"]:
            if attr["type"].native != "adobe_revocation_info_archival":
                continue
            for value in attr["values"]:
                crls += [c.dump() for c in (value["crl"] or ())]
                ocsps += [o.dump() for o in (value["ocsp"] or ())]
    return revocation.Embedded(tuple(crls), tuple(ocsps)), certs


def _verify_doc_timestamp(
    emb: EmbeddedPdfSignature,
    tsa: x509.Certificate,
    others: list[x509.Certificate],
    rep: SignatureReport,
    opts: chain.Options,
) -> None:
    """A document timestamp (PAdES-LTA) is judged like a signature made by its TSA."""
    rep.signer = trust.common_name(tsa.subject)
    try:
        status = validate_pdf_timestamp(
            emb, validation_context=chain.validation_context(opts.anchors, others, opts.now)
        )
    except Exception as exc:  # hostile tokens break validators in many ways
        _unreadable(rep, Msg.of("sig.why.timestamp_invalid", detail=_short(exc)))
        return
    rep.evidence.update(
        {
            "signer_certificate_sha256": trust.fingerprint(tsa),
            "timestamp": {"time": _iso(status.timestamp), "tsa": rep.signer},
            "digest_algorithm": emb.md_algorithm,
        }
    )
    rep.verdicts[CHECK_VALID] = _integrity(emb, status, rep.name)
    rep.verdicts[CHECK_COVERAGE] = _coverage(status, rep.name)
    result = chain.evaluate(tsa, others, opts, signing_moment=None, purpose="timestamp")
    rep.evidence["issuer_family"] = result.identification.family if result.identification else None
    rep.verdicts[CHECK_TRUSTED] = Verdict(
        result.status, result.summary, result.reason, result.evidence
    )


def _unreadable(rep: SignatureReport, why: Msg) -> None:
    rep.verdicts[CHECK_VALID] = Verdict(Status.FAIL, Msg.of("sig.bad", name=rep.name, why=why))
    na = Verdict(Status.NOT_APPLICABLE, Msg.of("sig.unreadable", name=rep.name))
    rep.verdicts[CHECK_TRUSTED] = na
    rep.verdicts[CHECK_COVERAGE] = na


def _verify_one(
    emb: EmbeddedPdfSignature,
    signer: x509.Certificate,
    others: list[x509.Certificate],
    rep: SignatureReport,
    opts: chain.Options,
    embedded: revocation.Embedded,
) -> None:
    rep.signer = trust.common_name(signer.subject)
    vc = chain.validation_context(opts.anchors, others, opts.now)
    try:
        status = validate_pdf_signature(
            emb,
            signer_validation_context=vc,
            ts_validation_context=chain.validation_context(opts.anchors, others, opts.now),
            key_usage_settings=KeyUsageConstraints(),
        )
    except Exception as exc:  # hostile signatures break validators in many ways
        _unreadable(rep, Msg.of("sig.why.cannot_validate", detail=_short(exc)))
        return
    ts = status.timestamp_validity
    ts_trusted = bool(ts is not None and ts.intact and ts.valid and ts.trusted)
    claimed = status.signer_reported_dt
    rep.evidence.update(
        {
            "signer_certificate_sha256": trust.fingerprint(signer),
            "signing_time_claimed": _iso(claimed),
            "timestamp": None
            if ts is None
            else {
                "time": _iso(ts.timestamp),
                "trusted": ts_trusted,
                "tsa": trust.common_name(chain.from_asn1(ts.signing_cert).subject),
            },
            "digest_algorithm": emb.md_algorithm,
            "signature_mechanism": status.pkcs7_signature_mechanism,
        }
    )
    rep.verdicts[CHECK_VALID] = _integrity(emb, status, rep.name)
    rep.verdicts[CHECK_COVERAGE] = _coverage(status, rep.name)
    refused = algorithm_refusal(emb, status)
    if refused:
        rep.verdicts[CHECK_TRUSTED] = Verdict(
            Status.FAIL,
            Msg.of("sig.not_attributable", name=rep.name, signer=rep.signer, why=refused),
            "algorithm constraints",
        )
        return
    result = chain.evaluate(
        signer,
        others,
        opts,
        signing_moment=ts.timestamp if ts_trusted and ts else None,
        embedded=embedded,
    )
    rep.evidence["embedded_revocation_data"] = {
        "crls": len(embedded.crls),
        "ocsp_responses": len(embedded.ocsps),
    }
    rep.evidence["issuer_family"] = result.identification.family if result.identification else None
    rep.verdicts[CHECK_TRUSTED] = Verdict(
        result.status, result.summary, result.reason, result.evidence
    )


def _integrity(
    emb: EmbeddedPdfSignature, status: PdfSignatureStatus | DocumentTimestampStatus, name: str
) -> Verdict:
    algo = f"{emb.md_algorithm}, {status.pkcs7_signature_mechanism}"
    if emb.md_algorithm.lower() in WEAK_DIGESTS:
        return Verdict(
            Status.FAIL, Msg.of("sig.forbidden_digest", name=name, digest=emb.md_algorithm)
        )
    mech = status.pkcs7_signature_mechanism.lower()
    if any(w in mech for w in ("md5", "sha1_", "sha1with")):
        return Verdict(Status.FAIL, Msg.of("sig.forbidden_algorithm", name=name, algorithms=mech))
    refused = algorithm_refusal(emb, status)
    if refused:
        return Verdict(
            Status.FAIL,
            Msg.of("sig.policy_refuses", name=name, algorithms=algo, why=refused),
            "algorithm constraints",
        )
    if not status.intact:
        return Verdict(Status.FAIL, Msg.of("sig.altered", name=name))
    if not status.valid:
        return Verdict(Status.FAIL, Msg.of("sig.value_fails", name=name))
    return Verdict(Status.PASS, Msg.of("sig.intact", name=name, algorithms=algo))


def algorithm_refusal(
    emb: EmbeddedPdfSignature, status: PdfSignatureStatus | DocumentTimestampStatus
) -> str | Msg | None:
    """Why pyHanko's algorithm usage policy refused the signature, or None.

    pyHanko checks the bytes (intact, valid) apart from its algorithm constraints, and a
    refusal shows only as `trust_problem_indic` CRYPTO_CONSTRAINTS_FAILURE. An ed448
    signature over a sha512 message digest is one: RFC 8419 makes the digest SHAKE256.
    Such a signature is neither intact for us nor attributable to its signer."""
    indic = getattr(status, "trust_problem_indic", None)
    if indic is None or getattr(indic, "name", "") != "CRYPTO_CONSTRAINTS_FAILURE":
        return None
    from pyhanko.sign.validation.utils import CMSAlgorithmUsagePolicy
    from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy

    policy = CMSAlgorithmUsagePolicy.lift_policy(
        DisallowWeakAlgorithmsPolicy(weak_hash_algos=frozenset(WEAK_DIGESTS))  # type: ignore[no-untyped-call]
    )
    info = emb.signer_info
    combo = policy.digest_combination_allowed(
        info["signature_algorithm"], info["digest_algorithm"], None
    )
    if not combo and combo.failure_reason:
        return str(combo.failure_reason)
    return Msg.of("sig.why.algorithm_not_allowed")


def _coverage(status: PdfSignatureStatus | DocumentTimestampStatus, name: str) -> Verdict:
    cov = status.coverage
    level = status.modification_level
    ev: dict[str, Any] = {
        "coverage": cov.name if cov else None,
        "modification_level": level.name if level else None,
        "docmdp_ok": status.docmdp_ok,
    }
    if cov == SignatureCoverageLevel.ENTIRE_FILE:
        return Verdict(Status.PASS, Msg.of("sig.covers_file", name=name), evidence=ev)
    if cov != SignatureCoverageLevel.ENTIRE_REVISION:
        return Verdict(
            Status.FAIL,
            Msg.of("sig.covers_part", name=name, coverage=cov.name if cov else "unknown"),
            evidence=ev,
        )
    if status.docmdp_ok is False and level != ModificationLevel.OTHER:
        return Verdict(
            Status.FAIL,
            Msg.of("sig.exceeds_certification", name=name),
            evidence=ev,
        )
    if level == ModificationLevel.NONE:
        return Verdict(
            Status.PASS,
            Msg.of("sig.covers_revision_unchanged", name=name),
            evidence=ev,
        )
    if level == ModificationLevel.LTA_UPDATES:
        return Verdict(
            Status.PASS,
            Msg.of("sig.covers_revision_lta", name=name),
            evidence=ev,
        )
    if level in (ModificationLevel.FORM_FILLING, ModificationLevel.ANNOTATIONS):
        what = "form_filling" if level == ModificationLevel.FORM_FILLING else "annotations"
        return Verdict(
            Status.PASS,
            Msg.of(f"sig.covers_revision_{what}", name=name),
            evidence=ev,
        )
    diff = status.diff_result
    ev["diff"] = _short(diff) if isinstance(diff, Exception) else None
    return Verdict(
        Status.FAIL,
        Msg.of("sig.changed_after", name=name),
        evidence=ev,
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _short(exc: object) -> str:
    text = str(exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__
