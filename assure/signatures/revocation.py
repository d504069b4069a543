"""Revocation status of one certificate through its own OCSP responder or CRL.

Only URLs carried by certificates whose chain already verified to an anchor are fetched (a
document cannot make us contact a server of its choosing), through the bounded fetcher.
Responses are checked the way a relying party must: the CRL or OCSP response is signed by
the issuer (or an OCSP responder the issuer delegated to), names the certificate, and is
current. Anything short of that is `inconclusive`, never `pass`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from assure.findings import Status
from assure.i18n import Msg
from assure.signatures.fetch import Cache, FetchError, Limits

#: Clock skew tolerated between us and a responder.
SKEW = dt.timedelta(minutes=5)
#: Revocation data is small; a bigger answer is not a CRL we want to parse.
REVOCATION_LIMITS = Limits(max_bytes=10 * 1024 * 1024, timeout=10.0, deadline=20.0)


def joined(parts: list[Msg], sep: str = "semicolon") -> Msg:
    """Several messages as one ("a; b; c"), each worded in the reader's language."""
    out = parts[-1]
    for part in reversed(parts[:-1]):
        out = Msg.of(f"sig.join.{sep}", a=part, b=out)
    return out


@dataclass(frozen=True, slots=True)
class Revocation:
    """Outcome for one certificate: PASS good, FAIL revoked, WARN no source, else INCONCLUSIVE."""

    status: Status
    source: str  # "ocsp", "crl" or "none"
    msg: Msg  # what was found, worded in the reader's language when printed
    url: str | None = None
    revoked_at: dt.datetime | None = None

    @property
    def detail(self) -> str:
        """What was found, in English (the evidence's language)."""
        return self.msg.text("en")

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "source": self.source,
            "detail": self.detail,
            "message": self.msg.to_json(),
            "url": self.url,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def ocsp_urls(cert: x509.Certificate) -> list[str]:
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [
        str(d.access_location.value)
        for d in aia
        if d.access_method == AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def crl_urls(cert: x509.Certificate) -> list[str]:
    try:
        dps = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    out: list[str] = []
    for dp in dps:
        for name in dp.full_name or ():
            if isinstance(name, x509.UniformResourceIdentifier):
                out.append(str(name.value))
    return out


def verify_signature(
    key: Any, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm | None
) -> None:
    """Verify a PKCS#1 v1.5 / ECDSA / EdDSA signature; raise InvalidSignature if wrong."""
    if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
    elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
        key.verify(signature, data, ec.ECDSA(algorithm))
    elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        key.verify(signature, data)
    else:
        raise InvalidSignature("unsupported key type for revocation data")


def check(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    now: dt.datetime,
    limits: Limits = REVOCATION_LIMITS,
    cache: Cache | None = None,
    embedded: Embedded | None = None,
    moment: dt.datetime | None = None,
) -> Revocation:
    """Revocation status of `cert` (issued by `issuer`): OCSP first, then each CRL."""
    tried: list[Msg] = []
    sources = [("ocsp", u, _ocsp) for u in ocsp_urls(cert)]
    sources += [("crl", u, _crl) for u in crl_urls(cert)]
    for kind, url, how in sources:
        try:
            result = how(cert, issuer, url, now, limits, cache or Cache())
        except Exception as exc:  # a hostile responder's data can break lazy parsers late
            detail = str(exc)[:200]
            why = Msg.of("sig.rev.malformed", detail=detail)
            label = f"{kind.upper()} {url}"
            result = Revocation(
                Status.INCONCLUSIVE, kind, Msg.of("sig.rev.at", label=label, why=why)
            )
        if result.status.decided:
            return result
        tried.append(result.msg)
    if embedded is not None and moment is not None:
        found = _embedded(cert, issuer, embedded, now, moment)
        if found is not None:
            return found
    if not tried:
        return Revocation(Status.WARN, "none", Msg.of("sig.rev.no_source"))
    return Revocation(Status.INCONCLUSIVE, "none", joined(tried))


@dataclass(frozen=True, slots=True)
class Embedded:
    """Revocation data a document carries (PDF DSS, CMS adbe-revocationInfoArchival)."""

    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()


def _embedded(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    embedded: Embedded,
    now: dt.datetime,
    moment: dt.datetime,
) -> Revocation | None:
    """A verdict from data the document carries, produced after `moment`, if any decides."""
    judges = [(b, judge_ocsp, "embedded-ocsp", "embedded OCSP response") for b in embedded.ocsps]
    judges += [(b, judge_crl, "embedded-crl", "embedded CRL") for b in embedded.crls]
    for body, judge, source, label in judges:
        try:
            result = judge(
                body,
                cert,
                issuer,
                label=label,
                url=None,
                now=now,
                produced_after=moment,
                source=source,
            )
        except Exception:  # noqa: S112 (hostile embedded data: try the next item)
            continue
        if result.status.decided:
            return result
    return None


def _ocsp(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    url: str,
    now: dt.datetime,
    limits: Limits,
    cache: Cache,
) -> Revocation:
    try:
        # SHA-1 in the CertID is what RFC 6960 responders universally expect; it names the
        # certificate, it does not sign anything.
        req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()  # noqa: S303
        body = cache.fetch(
            url,
            limits,
            data=req.public_bytes(serialization.Encoding.DER),
            content_type="application/ocsp-request",
        )
    except FetchError as exc:
        why = Msg.of("sig.rev.unreachable", detail=exc.message)
        return Revocation(
            Status.INCONCLUSIVE, "ocsp", Msg.of("sig.rev.at", label=f"OCSP {url}", why=why), url
        )
    return judge_ocsp(body, cert, issuer, label=f"OCSP {url}", url=url, now=now)


def judge_ocsp(
    body: bytes,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    label: str,
    url: str | None,
    now: dt.datetime,
    produced_after: dt.datetime | None = None,
    source: str = "ocsp",
) -> Revocation:
    """Judge an OCSP response for `cert`.

    A live answer must be current (`produced_after` None); an answer a document carries
    must have been produced after the moment judged, which it then proves.
    """

    def unknown(key: str, **params: Any) -> Revocation:
        why = Msg.of(f"sig.rev.{key}", **params)
        return Revocation(
            Status.INCONCLUSIVE, source, Msg.of("sig.rev.at", label=label, why=why), url
        )

    try:
        resp = ocsp.load_der_ocsp_response(body)
    except ValueError as exc:
        return unknown("ocsp_unreadable", detail=str(exc))
    if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return unknown("ocsp_status", status=resp.response_status.name)
    responder = _ocsp_signer(resp, issuer)
    if responder is None:
        return unknown("ocsp_not_authorised")
    try:
        verify_signature(
            responder.public_key(),
            resp.signature,
            resp.tbs_response_bytes,
            resp.signature_hash_algorithm,
        )
    except (InvalidSignature, UnsupportedAlgorithm):
        return unknown("ocsp_signature")
    for single in resp.responses:
        if single.serial_number != cert.serial_number:
            continue
        if single.this_update_utc > now + SKEW:
            return unknown("ocsp_future")
        if produced_after is not None:
            if single.this_update_utc < produced_after - SKEW:
                return unknown("ocsp_predates")
        elif single.next_update_utc is not None and single.next_update_utc < now - SKEW:
            return unknown("ocsp_expired", time=single.next_update_utc.isoformat())
        if single.certificate_status == ocsp.OCSPCertStatus.GOOD:
            return Revocation(Status.PASS, source, Msg.of("sig.rev.good", label=label), url)
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            at = single.revocation_time_utc
            reason = single.revocation_reason.name if single.revocation_reason else "unspecified"
            when = at.isoformat() if at else "?"
            said = Msg.of("sig.rev.revoked_because", label=label, time=when, reason=reason)
            return Revocation(Status.FAIL, source, said, url, at)
        return unknown("ocsp_unknown_cert")
    return unknown("ocsp_not_named")


def _ocsp_signer(resp: ocsp.OCSPResponse, issuer: x509.Certificate) -> x509.Certificate | None:
    """The certificate that signed an OCSP response, if the issuer stands behind it."""
    issuer_key_hash = _key_hash(issuer)
    if resp.responder_name == issuer.subject or resp.responder_key_hash == issuer_key_hash:
        return issuer
    for cand in resp.certificates:
        named = resp.responder_name == cand.subject or resp.responder_key_hash == _key_hash(cand)
        if not named:
            continue
        try:
            cand.verify_directly_issued_by(issuer)
            eku = cand.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
            continue
        if ExtendedKeyUsageOID.OCSP_SIGNING in eku:
            return cand
    return None


def _key_hash(cert: x509.Certificate) -> bytes:
    """SHA-1 of the subjectPublicKey bits, as OCSP ResponderID byKey defines it."""
    return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest


def _crl(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    url: str,
    now: dt.datetime,
    limits: Limits,
    cache: Cache,
) -> Revocation:
    try:
        body = cache.fetch(url, limits)
    except FetchError as exc:
        why = Msg.of("sig.rev.unreachable", detail=exc.message)
        return Revocation(
            Status.INCONCLUSIVE, "crl", Msg.of("sig.rev.at", label=f"CRL {url}", why=why), url
        )
    return judge_crl(body, cert, issuer, label=f"CRL {url}", url=url, now=now)


def judge_crl(
    body: bytes,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    label: str,
    url: str | None,
    now: dt.datetime,
    produced_after: dt.datetime | None = None,
    source: str = "crl",
) -> Revocation:
    """Judge a CRL for `cert` (current when live; issued after the moment when embedded)."""

    def unknown(key: str, **params: Any) -> Revocation:
        why = Msg.of(f"sig.rev.{key}", **params)
        return Revocation(
            Status.INCONCLUSIVE, source, Msg.of("sig.rev.at", label=label, why=why), url
        )

    try:
        crl = (
            x509.load_pem_x509_crl(body)
            if body.lstrip().startswith(b"-----BEGIN")
            else x509.load_der_x509_crl(body)
        )
    except ValueError as exc:
        return unknown("crl_unreadable", detail=str(exc))
    if crl.issuer != issuer.subject:
        return unknown("crl_other_issuer")
    try:
        signed = crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, UnsupportedAlgorithm):
        signed = False
    if not signed:
        return unknown("crl_signature")
    if crl.last_update_utc > now + SKEW:
        return unknown("crl_future")
    if produced_after is not None:
        if crl.last_update_utc < produced_after - SKEW:
            return unknown("crl_predates")
    elif crl.next_update_utc is not None and crl.next_update_utc < now - SKEW:
        return unknown("crl_stale", time=crl.next_update_utc.isoformat())
    entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    if entry is None:
        return Revocation(Status.PASS, source, Msg.of("sig.rev.not_revoked", label=label), url)
    at = entry.revocation_date_utc
    said = Msg.of("sig.rev.revoked", label=label, time=at.isoformat())
    return Revocation(Status.FAIL, source, said, url, at)
