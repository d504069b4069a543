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
from assure.signatures.fetch import Cache, FetchError, Limits

#: Clock skew tolerated between us and a responder.
SKEW = dt.timedelta(minutes=5)
#: Revocation data is small; a bigger answer is not a CRL we want to parse.
REVOCATION_LIMITS = Limits(max_bytes=10 * 1024 * 1024, timeout=10.0, deadline=20.0)


@dataclass(frozen=True, slots=True)
class Revocation:
    """Outcome for one certificate: PASS good, FAIL revoked, WARN no source, else INCONCLUSIVE."""

    status: Status
    source: str  # "ocsp", "crl" or "none"
    detail: str
    url: str | None = None
    revoked_at: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "source": self.source,
            "detail": self.detail,
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
    tried: list[str] = []
    sources = [("ocsp", u, _ocsp) for u in ocsp_urls(cert)]
    sources += [("crl", u, _crl) for u in crl_urls(cert)]
    for kind, url, how in sources:
        try:
            result = how(cert, issuer, url, now, limits, cache or Cache())
        except Exception as exc:  # a hostile responder's data can break lazy parsers late
            result = Revocation(
                Status.INCONCLUSIVE, kind, f"{kind.upper()} {url}: malformed answer ({exc})"[:300]
            )
        if result.status.decided:
            return result
        tried.append(result.detail)
    if embedded is not None and moment is not None:
        found = _embedded(cert, issuer, embedded, now, moment)
        if found is not None:
            return found
    if not tried:
        return Revocation(
            Status.WARN, "none", "certificate names no OCSP responder and no CRL to check"
        )
    return Revocation(Status.INCONCLUSIVE, "none", "; ".join(tried))


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
        return Revocation(Status.INCONCLUSIVE, "ocsp", f"OCSP {url}: unreachable ({exc})", url)
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

    def unknown(why: str) -> Revocation:
        return Revocation(Status.INCONCLUSIVE, source, f"{label}: {why}", url)

    try:
        resp = ocsp.load_der_ocsp_response(body)
    except ValueError as exc:
        return unknown(f"unreadable response ({exc})")
    if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return unknown(f"responder answered {resp.response_status.name}")
    responder = _ocsp_signer(resp, issuer)
    if responder is None:
        return unknown("response is not signed by the issuer or a responder it authorised")
    try:
        verify_signature(
            responder.public_key(),
            resp.signature,
            resp.tbs_response_bytes,
            resp.signature_hash_algorithm,
        )
    except (InvalidSignature, UnsupportedAlgorithm):
        return unknown("response signature does not verify")
    for single in resp.responses:
        if single.serial_number != cert.serial_number:
            continue
        if single.this_update_utc > now + SKEW:
            return unknown("response is dated in the future")
        if produced_after is not None:
            if single.this_update_utc < produced_after - SKEW:
                return unknown("response predates the moment judged")
        elif single.next_update_utc is not None and single.next_update_utc < now - SKEW:
            return unknown(f"response expired at {single.next_update_utc.isoformat()}")
        if single.certificate_status == ocsp.OCSPCertStatus.GOOD:
            return Revocation(Status.PASS, source, f"{label}: good", url)
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            at = single.revocation_time_utc
            reason = single.revocation_reason.name if single.revocation_reason else "unspecified"
            when = at.isoformat() if at else "unknown time"
            return Revocation(
                Status.FAIL, source, f"{label}: revoked at {when} ({reason})", url, at
            )
        return unknown("responder does not know the certificate")
    return unknown("response does not name the certificate")


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
        return Revocation(Status.INCONCLUSIVE, "crl", f"CRL {url}: unreachable ({exc})", url)
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

    def unknown(why: str) -> Revocation:
        return Revocation(Status.INCONCLUSIVE, source, f"{label}: {why}", url)

    try:
        crl = (
            x509.load_pem_x509_crl(body)
            if body.lstrip().startswith(b"-----BEGIN")
            else x509.load_der_x509_crl(body)
        )
    except ValueError as exc:
        return unknown(f"not a CRL ({exc})")
    if crl.issuer != issuer.subject:
        return unknown("CRL is issued by another authority")
    try:
        signed = crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, UnsupportedAlgorithm):
        signed = False
    if not signed:
        return unknown("CRL signature does not verify against the issuer")
    if crl.last_update_utc > now + SKEW:
        return unknown("CRL is dated in the future")
    if produced_after is not None:
        if crl.last_update_utc < produced_after - SKEW:
            return unknown("CRL predates the moment judged")
    elif crl.next_update_utc is not None and crl.next_update_utc < now - SKEW:
        return unknown(f"CRL is stale (next update was {crl.next_update_utc.isoformat()})")
    entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    if entry is None:
        return Revocation(Status.PASS, source, f"{label}: not revoked", url)
    at = entry.revocation_date_utc
    return Revocation(Status.FAIL, source, f"{label}: revoked at {at.isoformat()}", url, at)
