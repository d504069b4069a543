"""XML Signature and XAdES (enveloped and enveloping) through signxml, parsed safely.

Documents are parsed with entity resolution, DTD loading and network access switched off,
and any DOCTYPE is refused: entity expansion ("billion laughs") and external entities are
the classic attacks on XML verifiers, and signed records never need a DTD. The refusal is
decided on the parsed prolog (the parser neither expands nor fetches anything), not by
searching the bytes for `<!DOCTYPE`, which a UTF-16 document spells differently.
Reference URIs other than same-document ones are never resolved, so a document cannot make
the tool fetch anything.

signxml checks the signature value and the reference digests; the signer's certificate is
pinned (`x509_cert`) so signxml does not judge trust, which `chain.evaluate` does against the
national anchors. Certificate validity is likewise ours to judge: signxml is told to check at
an instant inside the certificate's validity so that expiry shows up as a trust finding, not
as a broken signature.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms
from cryptography import x509
from lxml import etree
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from signxml.verifier import SignatureConfiguration, XMLVerifier
from signxml.xades.xades import XAdESSignatureConfiguration, XAdESVerifier

from assure import trust
from assure.errors import DataError
from assure.findings import Status
from assure.i18n import Msg
from assure.signatures import chain
from assure.signatures.models import (
    CHECK_COVERAGE,
    CHECK_TRUSTED,
    CHECK_VALID,
    DocumentReport,
    SignatureReport,
    Verdict,
)

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
NS = {"ds": DS, "xades": XADES}
DS_SIGNATURE = f"{{{DS}}}Signature"
WEAK = re.compile(r"(md5|sha1\b|sha1$|rsa-sha1|dsa-sha1|ecdsa-sha1)", re.IGNORECASE)

#: How an XML document can begin (XML 1.0 Appendix F): UTF-16 with a byte-order mark, or
#: without one (`<` or `<?` as two-byte units, big- or little-endian).
_UTF16_STARTS = (b"\xfe\xff", b"\xff\xfe", b"\x00<", b"<\x00")


def looks_like_xml(data: bytes) -> bool:
    if data.startswith(_UTF16_STARTS):
        return True
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def parser() -> etree.XMLParser:
    """The one parser for untrusted XML: no entities, no DTD, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse(data: bytes, target: str) -> Any:
    """Parse untrusted XML or raise DataError; a document with a DOCTYPE is refused."""
    try:
        root = etree.fromstring(data, parser=parser())
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None) or 1
        col = getattr(exc, "offset", None) or 1
        raise DataError.at(
            target, Msg.of("sig.err.xml_syntax", detail=exc.msg), line=line, column=col
        ) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise DataError.at(target, Msg.of("sig.err.doctype"))
    return root


def verify_xml(data: bytes, target: str, report: DocumentReport, opts: chain.Options) -> None:
    """Verify the XML signatures of `data`, adding them to `report`."""
    root = parse(data, target)
    if etree.QName(root).localname.lower() == "html":
        raise DataError.at(target, Msg.of("sig.err.html_page"))
    sigs = list(root.iter(DS_SIGNATURE))
    for index, sig in enumerate(sigs):
        xades = sig.find(".//xades:QualifyingProperties", NS) is not None
        name = sig.get("Id") or f"Signature[{index + 1}]"
        rep = SignatureReport(index, "xades" if xades else "xmldsig", name)
        report.signatures.append(rep)
        try:
            _verify_one(root, sig, index, rep, opts, xades=xades)
        except Exception as exc:  # malformed parts of hostile input surface late
            rep.malformed(str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)


def _certs(sig: Any) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for el in sig.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS):
        text = "".join((el.text or "").split())
        pem = "-----BEGIN CERTIFICATE-----\n" + text + "\n-----END CERTIFICATE-----\n"
        out.append(x509.load_pem_x509_certificate(pem.encode("ascii")))
    return out


def _algorithms(sig: Any) -> list[str]:
    out = [
        el.get("Algorithm") or ""
        for el in sig.findall("ds:SignedInfo/ds:SignatureMethod", NS)
        + sig.findall("ds:SignedInfo/ds:Reference/ds:DigestMethod", NS)
    ]
    return [a for a in out if a]


def _unreadable(rep: SignatureReport, why: Msg) -> None:
    rep.verdicts[CHECK_VALID] = Verdict(Status.FAIL, Msg.of("sig.bad", name=rep.name, why=why))
    na = Verdict(Status.NOT_APPLICABLE, Msg.of("sig.not_checked", name=rep.name))
    rep.verdicts[CHECK_TRUSTED] = na
    rep.verdicts[CHECK_COVERAGE] = na


def _verify_one(
    root: Any, sig: Any, index: int, rep: SignatureReport, opts: chain.Options, *, xades: bool
) -> None:
    algos = _algorithms(sig)
    rep.evidence["algorithms"] = algos
    weak = [a for a in algos if WEAK.search(a.rsplit("#", 1)[-1]) or "md5" in a.lower()]
    try:
        certs = _certs(sig)
    except ValueError as exc:
        _unreadable(rep, Msg.of("sig.why.not_certificate", detail=str(exc)[:120]))
        return
    if not certs:
        if sig.find("ds:KeyInfo/ds:KeyValue", NS) is not None:
            _verify_key_value(root, sig, index, rep, xades=xades, weak=weak)
            return
        _unreadable(rep, Msg.of("sig.why.no_key"))
        return
    signing_time = _xades_signing_time(sig) if xades else None
    rep.evidence["signing_time_claimed"] = signing_time
    signer: x509.Certificate | None = None
    errors: list[str] = []
    for cand in certs:
        try:
            _signxml_verify(root, index, cand, xades=xades)
            signer = cand
            break
        except Exception as exc:  # schema errors, unknown algorithms, bad keys: all "invalid"
            errors.append(str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    if signer is None:
        if weak:
            rep.verdicts[CHECK_VALID] = Verdict(
                Status.FAIL,
                Msg.of("sig.forbidden_algorithm", name=rep.name, algorithms=", ".join(weak)),
            )
        else:
            rep.verdicts[CHECK_VALID] = Verdict(
                Status.FAIL,
                Msg.of("sig.does_not_verify", name=rep.name, why=errors[0] if errors else "?"),
            )
        leaf = certs[0]
        rep.signer = trust.common_name(leaf.subject)
        na = Verdict(Status.NOT_APPLICABLE, Msg.of("sig.not_intact", name=rep.name))
        rep.verdicts[CHECK_TRUSTED] = na
        rep.verdicts[CHECK_COVERAGE] = na
        return
    rep.signer = trust.common_name(signer.subject)
    rep.evidence["signer_certificate_sha256"] = trust.fingerprint(signer)
    if weak:
        rep.verdicts[CHECK_VALID] = Verdict(
            Status.FAIL,
            Msg.of("sig.forbidden_algorithm", name=rep.name, algorithms=", ".join(weak)),
        )
    else:
        rep.verdicts[CHECK_VALID] = Verdict(
            Status.PASS,
            Msg.of("sig.xml_intact", name=rep.name, kind="XAdES" if xades else "XML Signature"),
        )
    rep.verdicts[CHECK_COVERAGE] = _coverage(root, sig, rep.name)
    others = [c for c in certs if c is not signer]
    ts = _xades_timestamp(sig, others, opts) if xades else None
    rep.evidence["timestamp"] = ts.evidence if ts else None
    moment = ts.time if ts and ts.trusted else None
    result = chain.evaluate(signer, others, opts, signing_moment=moment)
    rep.evidence["issuer_family"] = result.identification.family if result.identification else None
    rep.verdicts[CHECK_TRUSTED] = Verdict(
        result.status, result.summary, result.reason, result.evidence
    )


def _verify_key_value(
    root: Any, sig: Any, index: int, rep: SignatureReport, *, xades: bool, weak: list[str]
) -> None:
    """A signature whose key is only in KeyInfo/KeyValue: integrity and identity apart.

    The embedded key says whether the bytes are intact; it says nothing about who signed —
    anyone can put a key there — so the signer is untrusted for want of a certificate."""
    rep.evidence["key_source"] = "KeyValue"
    kind = next(
        (etree.QName(el).localname for el in sig.find("ds:KeyInfo/ds:KeyValue", NS)), "unknown"
    )
    rep.evidence["key_value"] = kind
    rep.signer = f"unidentified key ({kind})"
    try:
        _signxml_verify_in(root, index, None, xades=xades)
    except Exception as exc:  # schema errors, unknown algorithms, bad keys: all "invalid"
        why = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        rep.verdicts[CHECK_VALID] = Verdict(
            Status.FAIL, Msg.of("sig.key_value_fails", name=rep.name, why=why)
        )
        na = Verdict(Status.NOT_APPLICABLE, Msg.of("sig.not_intact", name=rep.name))
        rep.verdicts[CHECK_TRUSTED] = na
        rep.verdicts[CHECK_COVERAGE] = na
        return
    if weak:
        rep.verdicts[CHECK_VALID] = Verdict(
            Status.FAIL,
            Msg.of("sig.forbidden_algorithm", name=rep.name, algorithms=", ".join(weak)),
        )
    else:
        rep.verdicts[CHECK_VALID] = Verdict(
            Status.PASS, Msg.of("sig.key_value_intact", name=rep.name, kind=kind)
        )
    rep.verdicts[CHECK_COVERAGE] = _coverage(root, sig, rep.name)
    rep.verdicts[CHECK_TRUSTED] = Verdict(
        Status.FAIL,
        Msg.of("sig.bare_key", name=rep.name),
        "no certificate",
    )


class _Pick:
    """Make signxml verify the `pick`-th ds:Signature in document order, not the first.

    signxml locates "the" signature itself, on its own copies of the tree; counting in
    document order gives the same element in every copy.
    """

    pick = 0

    def _get_signature(self, root: Any) -> Any:
        return list(root.iter(DS_SIGNATURE))[self.pick]


class _XMLVerifier(_Pick, XMLVerifier):
    pass


class _XAdESVerifier(_Pick, XAdESVerifier):
    pass


def _signxml_verify(root: Any, index: int, cert: x509.Certificate, *, xades: bool) -> Any:
    """Verify signature `index` with `cert`, as the document stands, else as it stood.

    Signatures that reference disjoint parts, and the last signature, verify on the document
    as it is. An enveloped signature made before later signatures were appended verifies on
    the document without them (each signature's enveloped transform removes only itself).
    """
    try:
        return _signxml_verify_in(root, index, cert, xades=xades)
    except Exception as as_is:
        earlier = etree.fromstring(etree.tostring(root), parser=parser())
        later = list(earlier.iter(DS_SIGNATURE))[index + 1 :]
        if not later or any(el.getparent() is None for el in later):
            raise
        for el in later:
            el.getparent().remove(el)
        try:
            return _signxml_verify_in(earlier, index, cert, xades=xades)
        except Exception:
            raise as_is from None


def _signxml_verify_in(root: Any, index: int, cert: x509.Certificate | None, *, xades: bool) -> Any:
    """signxml with `cert` pinned; with None, the KeyValue key (public-key methods only)."""
    # Check the math at an instant the certificate was valid; validity is judged in chain.py.
    when = cert.not_valid_before_utc + dt.timedelta(seconds=1) if cert else None
    extra: dict[str, Any] = {}
    if cert is None:
        extra = {
            "require_x509": False,
            "signature_methods": frozenset(
                m for m in SignatureConfiguration().signature_methods if "hmac" not in m.value
            ),
        }
    if xades:
        v: _XMLVerifier | _XAdESVerifier = _XAdESVerifier()
        config: SignatureConfiguration = XAdESSignatureConfiguration(
            verification_time=when, expect_references=True, **extra
        )
    else:
        v = _XMLVerifier()
        config = SignatureConfiguration(verification_time=when, expect_references=True, **extra)
    v.pick = index
    return v.verify(root, x509_cert=cert, parser=parser(), expect_config=config)


C14N_EXCLUSIVE = "http://www.w3.org/2001/10/xml-exc-c14n#"


def c14n(el: Any, algorithm: str | None) -> bytes:
    """Canonical form of an element: C14N 1.0/1.1 inclusive or exclusive, comments kept only
    for the #WithComments variants. (C14N 1.1 differs from 1.0 only for xml:id and xml:base
    attributes, which a SignatureValue does not carry.)"""
    algo = algorithm or "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    out: bytes = etree.tostring(
        el,
        method="c14n",
        exclusive=algo.startswith(C14N_EXCLUSIVE),
        with_comments=algo.endswith("#WithComments"),
    )
    return out


@dataclass(frozen=True, slots=True)
class _Timestamp:
    """A XAdES SignatureTimeStamp after validation."""

    time: dt.datetime | None
    trusted: bool
    evidence: dict[str, Any]


def _xades_timestamp(
    sig: Any, others: list[x509.Certificate], opts: chain.Options
) -> _Timestamp | None:
    """Validate the first SignatureTimeStamp over ds:SignatureValue, if there is one.

    The token must carry the digest of the canonical SignatureValue and chain to the
    anchors; only then does its time count as the proven signing time.
    """
    el = sig.find(".//xades:UnsignedSignatureProperties/xades:SignatureTimeStamp", NS)
    if el is None:
        return None
    enc = el.find("xades:EncapsulatedTimeStamp", NS)
    method = el.find("ds:CanonicalizationMethod", NS)
    value = sig.find("ds:SignatureValue", NS)
    if enc is None or value is None:
        return _Timestamp(None, False, {"trusted": False, "problem": "no EncapsulatedTimeStamp"})
    try:
        token = cms.ContentInfo.load(base64.b64decode("".join((enc.text or "").split())))
        signed_data = token["content"]
        data = c14n(value, method.get("Algorithm") if method is not None else None)
        vc = chain.validation_context(opts.anchors, others, opts.now)
        kwargs = asyncio.run(
            validate_tst_signed_data(signed_data, vc, lambda alg: hashlib.new(alg, data).digest())
        )
        status = TimestampSignatureStatus(**kwargs)
    except Exception as exc:  # a garbage token breaks the CMS parser in many ways
        return _Timestamp(None, False, {"trusted": False, "problem": str(exc)[:200]})
    trusted = bool(status.intact and status.valid and status.trusted)
    return _Timestamp(
        status.timestamp,
        trusted,
        {
            "time": status.timestamp.isoformat(),
            "trusted": trusted,
            "intact": status.intact,
            "tsa": trust.common_name(chain.from_asn1(status.signing_cert).subject),
        },
    )


def _xades_signing_time(sig: Any) -> str | None:
    el = sig.find(".//xades:SignedSignatureProperties/xades:SigningTime", NS)
    return (el.text or "").strip() or None if el is not None else None


def _coverage(root: Any, sig: Any, name: str) -> Verdict:
    """Does a reference cover the whole document ("see what is signed")?"""
    uris = [r.get("URI") for r in sig.findall("ds:SignedInfo/ds:Reference", NS)]
    ev: dict[str, Any] = {"references": uris}
    root_id = root.get("Id") or root.get("ID") or root.get("id")
    whole = "" in uris or (root_id is not None and f"#{root_id}" in uris)
    if root is sig:
        # Enveloping: the document is the signature; every ds:Object in it must be signed,
        # except the one carrying XAdES properties (signed through SignedProperties).
        objects = [
            o
            for o in sig.findall("ds:Object", NS)
            if o.find("xades:QualifyingProperties", NS) is None
        ]
        unsigned = [o.get("Id") for o in objects if f"#{o.get('Id')}" not in uris]
        ev["unsigned_objects"] = unsigned
        whole = not unsigned
    if whole:
        return Verdict(Status.PASS, Msg.of("sig.covers_document", name=name), evidence=ev)
    return Verdict(
        Status.WARN,
        Msg.of("sig.covers_parts", name=name),
        evidence=ev,
    )


__all__ = ["c14n", "looks_like_xml", "parse", "verify_xml"]
