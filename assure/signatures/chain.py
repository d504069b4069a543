"""Is the signer trusted? Path to an anchor, key usage, validity in time, revocation.

Path building and validation use pyhanko-certvalidator with fetching switched off: the
certificates come from the document and the anchors from the user's store and `--trust`
files, nothing else. Validity is judged at the signing moment a trusted timestamp proves
(else at `--at`, else now), so a signature made while the certificate was valid stays valid
after the certificate expires, as the issue of long-lived signed records demands.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors

from assure import trust
from assure.findings import Status, worst
from assure.i18n import Msg
from assure.signatures import revocation
from assure.signatures.fetch import Cache, Limits

WEAK_HASHES = frozenset({"md2", "md5", "sha1"})


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def from_asn1(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def validation_context(
    anchors: trust.TrustSet, others: Sequence[x509.Certificate], moment: dt.datetime
) -> ValidationContext:
    """A context that trusts only `anchors` and never fetches anything."""
    return ValidationContext(
        trust_roots=[to_asn1(c) for c in anchors.roots],
        other_certs=[to_asn1(c) for c in (*others, *anchors.intermediates)],
        moment=moment,
        allow_fetching=False,
        revocation_mode="soft-fail",
        weak_hash_algos=set(WEAK_HASHES),
    )


@dataclass(frozen=True, slots=True)
class Options:
    """How trust is judged in one run."""

    anchors: trust.TrustSet
    at: dt.datetime | None = None  # --at: evaluate at this instant instead of now
    check_revocation: bool = True
    limits: Limits = revocation.REVOCATION_LIMITS
    cache: Cache = field(default_factory=Cache)  # revocation answers shared by the run

    @property
    def now(self) -> dt.datetime:
        return self.at or dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class TrustResult:
    """Verdict on one signer, with the parts an auditor needs to redo it."""

    status: Status
    summary: Msg
    reason: str | None = None
    path: tuple[x509.Certificate, ...] = ()  # leaf first, anchor last
    identification: trust.Identification | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
}


def key_usages(cert: x509.Certificate) -> dict[str, Any]:
    """Key usage and extended key usage names, for the evidence."""
    out: dict[str, Any] = {"key_usage": None, "extended_key_usage": None}
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        names = [
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
        ]
        out["key_usage"] = [n for n in names if getattr(ku, n)]
    except x509.ExtensionNotFound:
        pass
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        out["extended_key_usage"] = [_EKU_NAMES.get(o, o.dotted_string) for o in eku]
    except x509.ExtensionNotFound:
        pass
    return out


#: Extended key usages that, alone, confine a key to something other than signing documents.
_NOT_FOR_DOCUMENTS = frozenset(
    {
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.TIME_STAMPING,
        ExtendedKeyUsageOID.OCSP_SIGNING,
        ExtendedKeyUsageOID.CODE_SIGNING,
    }
)


def key_usage_problem(cert: x509.Certificate, purpose: str = "sign") -> Msg | None:
    """Why the certificate's key may not sign documents (or, for "timestamp", tokens)."""
    try:
        ku: x509.KeyUsage | None = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        ku = None  # RFC 5280: no restriction stated
    if ku is not None and not (ku.digital_signature or ku.content_commitment):
        allowed = [
            name
            for name in ("key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign")
            if getattr(ku, name)
        ]
        return Msg.of("sig.ku.no_signing", has=", ".join(allowed) or "-")
    try:
        eku = set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        eku = set()
    if purpose == "timestamp":
        if ExtendedKeyUsageOID.TIME_STAMPING not in eku:
            return Msg.of("sig.ku.no_timestamping")
        return None
    if eku and eku <= _NOT_FOR_DOCUMENTS:
        names = ", ".join(sorted(_EKU_NAMES.get(o, o.dotted_string) for o in eku))
        return Msg.of("sig.ku.confined", names=names)
    return None


def _validate_path(
    signer: x509.Certificate,
    others: Sequence[x509.Certificate],
    anchors: trust.TrustSet,
    moment: dt.datetime,
) -> tuple[x509.Certificate, ...]:
    vc = validation_context(anchors, others, moment)
    validator = CertificateValidator(
        to_asn1(signer),
        intermediate_certs=[to_asn1(c) for c in others],
        validation_context=vc,
    )
    path = asyncio.run(validator.async_validate_usage(set()))  # type: ignore[no-untyped-call]
    return tuple(from_asn1(c) for c in reversed(list(path.iter_certs(include_root=True))))


def evaluate(
    signer: x509.Certificate,
    others: Sequence[x509.Certificate],
    opts: Options,
    *,
    signing_moment: dt.datetime | None,
    purpose: str = "sign",
    embedded: revocation.Embedded | None = None,
) -> TrustResult:
    """Judge the signer: chain to an anchor at the signing moment, key usage, revocation.

    `signing_moment` is a time proven by a trusted timestamp (None when there is none); then
    the certificate must have been valid at that time, and is reported (not failed) when it
    has expired since.
    """
    now = opts.now
    moment = signing_moment or now
    ev: dict[str, Any] = {
        "validated_at": moment.isoformat(),
        "validity_basis": "trusted timestamp" if signing_moment else ("--at" if opts.at else "now"),
        "signer_certificate": {**trust.describe(signer), **key_usages(signer)},
    }
    ident = trust.identify([signer, *others])
    ev["issuer_family"] = ident.family
    if opts.anchors.empty:
        return TrustResult(
            Status.INCONCLUSIVE,
            Msg.of("sig.trust.no_anchors"),
            "no trust anchors",
            identification=ident,
            evidence=ev,
        )
    try:
        path = _validate_path(signer, others, opts.anchors, moment)
    except cv_errors.PathBuildingError:
        anchored = {trust.fingerprint(c) for c in opts.anchors.roots}
        if ident.anchor is not None and not (
            ident.anchor.role == "root" and ident.anchor.sha256 in anchored
        ):
            # The chain leads to a national PKI whose root this run does not have: a gap
            # in the auditor's set-up (complaint theme: trust configuration), not a verdict.
            label = trust.registry().family_label(ident.family)
            return TrustResult(
                Status.INCONCLUSIVE,
                Msg.of("sig.trust.root_not_imported", family=label, anchor=ident.anchor.name),
                "national root not imported",
                identification=ident,
                evidence=ev,
            )
        known = [signer, *others, *opts.anchors.roots, *opts.anchors.intermediates]
        missing = _missing_issuer(known)
        if missing is not None:
            # The chain breaks at a certificate nobody supplied: the document left out an
            # intermediate (common), so trust cannot be decided without it.
            return TrustResult(
                Status.INCONCLUSIVE,
                Msg.of("sig.trust.issuer_missing", name=trust.common_name(missing)),
                "issuer certificate missing",
                identification=ident,
                evidence={**ev, "missing_issuer": missing.rfc4514_string()},
            )
        return TrustResult(
            Status.FAIL,
            Msg.of("sig.trust.no_chain"),
            identification=ident,
            evidence=ev,
        )
    except cv_errors.ExpiredError as exc:
        return _fail("expired", moment, exc, ident, ev)
    except cv_errors.NotYetValidError as exc:
        return _fail("not_yet_valid", moment, exc, ident, ev)
    except cv_errors.DisallowedAlgorithmError as exc:
        return _fail("forbidden_algorithm", moment, exc, ident, ev)
    except (cv_errors.PathValidationError, cv_errors.InvalidCertificateError) as exc:
        return _fail("invalid", moment, exc, ident, ev)
    ident = trust.identify(path)
    ev["issuer_family"] = ident.family
    ev["chain"] = [trust.describe(c) for c in path]
    ev["anchor"] = {
        "sha256": trust.fingerprint(path[-1]),
        "source": opts.anchors.sources.get(trust.fingerprint(path[-1]), "unknown"),
        **ident.to_json(),
    }
    parts: list[tuple[Status, Msg]] = []
    ku = key_usage_problem(signer, purpose)
    parts.append(
        (Status.FAIL, Msg.of("sig.trust.key_usage", problem=ku))
        if ku
        else (Status.PASS, Msg.of("sig.trust.key_usage_ok"))
    )
    if purpose == "sign" and _is_ca(signer):
        parts.append((Status.WARN, Msg.of("sig.trust.signer_is_ca")))
    expired_now = [c for c in path if not (c.not_valid_before_utc <= now <= c.not_valid_after_utc)]
    ev["valid_now"] = not expired_now
    expired_since = Msg.of("sig.trust.expired_since")
    if expired_now and signing_moment is None:
        parts.append((Status.FAIL, Msg.of("sig.trust.not_valid_now")))
    elif expired_now:
        parts.append((Status.PASS, expired_since))
    rev_status, rev_text, rev_ev = _revocation(
        path, opts, moment, signing_moment is not None, embedded
    )
    ev["revocation"] = rev_ev
    parts.append((rev_status, rev_text))
    status = worst(s for s, _ in parts)
    bad = [t for s, t in parts if s == status and status != Status.PASS]
    name = trust.common_name(signer.subject)
    anchor_name = ident.anchor.name if ident.anchor else trust.common_name(path[-1].subject)
    summary = Msg.of("sig.trust.chains", name=name, anchor=anchor_name)
    if status == Status.PASS:
        if any(t == expired_since for _s, t in parts):
            summary = Msg.of("sig.join.space", a=summary, b=expired_since)
    else:
        problems = revocation.joined(bad, "space")
        summary = Msg.of("sig.trust.chains_but", name=name, anchor=anchor_name, problems=problems)
    reason = rev_text.text("en") if status == Status.INCONCLUSIVE else None
    return TrustResult(status, summary, reason, path, ident, ev)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _missing_issuer(certs: Sequence[x509.Certificate]) -> x509.Name | None:
    """The issuer name the chain from the signer (certs[0]) stops at, if no cert has it."""
    by_subject = {c.subject: c for c in certs}
    cert = certs[0]
    for _ in range(16):  # real chains are short; a loop in names must not spin
        if cert.issuer == cert.subject:
            return None
        issuer = by_subject.get(cert.issuer)
        if issuer is None:
            return cert.issuer
        cert = issuer
    return None


def _fail(
    what: str,
    moment: dt.datetime,
    exc: Exception,
    ident: trust.Identification,
    ev: dict[str, Any],
) -> TrustResult:
    ev["validator_message"] = str(exc)[:300]
    return TrustResult(
        Status.FAIL,
        Msg.of(f"sig.trust.{what}_at", time=moment.isoformat(), detail=str(exc)[:200]),
        identification=ident,
        evidence=ev,
    )


def _revocation(
    path: Sequence[x509.Certificate],
    opts: Options,
    moment: dt.datetime,
    timestamped: bool,
    embedded: revocation.Embedded | None,
) -> tuple[Status, Msg, list[dict[str, Any]]]:
    """Worst revocation status over the chain (the anchor itself is not checked)."""
    if not opts.check_revocation:
        return Status.WARN, Msg.of("sig.trust.revocation_unchecked"), []
    results: list[dict[str, Any]] = []
    statuses: list[tuple[Status, Msg]] = []
    for cert, issuer in itertools.pairwise(path):
        # Freshness of revocation data is judged against the real clock (it is fetched
        # now); the revocation date against the moment being judged.
        r = revocation.check(
            cert,
            issuer,
            now=dt.datetime.now(dt.UTC),
            limits=opts.limits,
            cache=opts.cache,
            embedded=embedded,
            moment=moment if timestamped or opts.at else None,
        )
        entry = {"certificate": trust.common_name(cert.subject), **r.to_json()}
        status, text = r.status, r.msg
        if r.status == Status.FAIL and r.revoked_at and r.revoked_at > moment:
            # revoked after the moment judged (a timestamped signing time, or --at)
            status = Status.PASS
            basis = "timestamp" if timestamped else "instant"
            text = Msg.of(f"sig.trust.revoked_after_{basis}", detail=r.msg)
        entry["verdict"] = status.value
        results.append(entry)
        name = trust.common_name(cert.subject)
        statuses.append((status, Msg.of("sig.trust.cert_says", cert=name, text=text)))
    st = worst((s for s, _ in statuses), default=Status.PASS)
    if st == Status.PASS:
        return Status.PASS, Msg.of("sig.trust.not_revoked"), results
    said = revocation.joined([t for s, t in statuses if s == st])
    return st, Msg.of("sig.trust.sentence", text=said), results
