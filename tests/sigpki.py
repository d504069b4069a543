"""A throw-away test PKI, a loopback CRL/OCSP responder, and signed fixtures.

Everything is generated with `cryptography` and signed with pyHanko and signxml at test
time; nothing is downloaded. Keys are P-256 so the whole PKI builds in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)


def name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Assure Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


@dataclass
class Identity:
    """A certificate with its private key."""

    cert: x509.Certificate
    key: Any  # EC P-256, or RSA for the TSA (pyHanko's test TSA is RSA-only)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))

    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def issue(
    cn: str,
    issuer: Identity | None,
    *,
    ca: bool = False,
    not_before: dt.datetime = NOW - 30 * DAY,
    not_after: dt.datetime = NOW + 365 * DAY,
    key_usage: str = "sign",
    eku: Sequence[x509.ObjectIdentifier] = (),
    ocsp_url: str | None = None,
    crl_url: str | None = None,
    rsa_key: bool = False,
    edwards: str | None = None,
) -> Identity:
    """Issue a certificate (self-signed when `issuer` is None); `edwards` = 'ed25519' or
    'ed448' gives an EdDSA key."""
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

    key: Any = (
        rsa.generate_private_key(65537, 2048)
        if rsa_key
        else ed448.Ed448PrivateKey.generate()
        if edwards == "ed448"
        else ed25519.Ed25519PrivateKey.generate()
        if edwards == "ed25519"
        else ec.generate_private_key(ec.SECP256R1())
    )
    subject = name(cn)
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if issuer is not None:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
    ku = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    if ca:
        ku.update(key_cert_sign=True, crl_sign=True, digital_signature=True)
    elif key_usage == "sign":
        ku.update(digital_signature=True, content_commitment=True)
    else:
        ku.update(key_agreement=True)
    b = b.add_extension(x509.KeyUsage(**ku), critical=True)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=True)
    if ocsp_url:
        b = b.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(ocsp_url),
                    )
                ]
            ),
            False,
        )
    if crl_url:
        b = b.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(crl_url)], None, None, None
                    )
                ]
            ),
            False,
        )
    signer_key = issuer.key if issuer else key
    return Identity(b.sign(signer_key, hashes.SHA256()), key)


@dataclass
class Responder:
    """CRLs and OCSP answers for the test PKI, served on loopback."""

    revoked: dict[int, dt.datetime] = field(default_factory=dict)
    crls: dict[str, bytes] = field(default_factory=dict)
    ocsp_issuer: Identity | None = None
    hits: list[str] = field(default_factory=list)
    down: set[str] = field(default_factory=set)  # paths that answer 503 (responder outage)

    def ocsp_answer(self, body: bytes) -> bytes:
        req = ocsp.load_der_ocsp_request(body)
        assert self.ocsp_issuer is not None
        serial = req.serial_number
        b = ocsp.OCSPResponseBuilder()
        at = self.revoked.get(serial)
        b = b.add_response_by_hash(
            issuer_name_hash=req.issuer_name_hash,
            issuer_key_hash=req.issuer_key_hash,
            serial_number=serial,
            algorithm=req.hash_algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if at else ocsp.OCSPCertStatus.GOOD,
            this_update=dt.datetime.now(dt.UTC).replace(microsecond=0),
            next_update=NOW + 7 * DAY,
            revocation_time=at,
            revocation_reason=x509.ReasonFlags.key_compromise if at else None,
        )
        b = b.responder_id(ocsp.OCSPResponderEncoding.HASH, self.ocsp_issuer.cert)
        resp = b.sign(self.ocsp_issuer.key, hashes.SHA256())
        return resp.public_bytes(serialization.Encoding.DER)


def make_crl(
    issuer: Identity,
    revoked: dict[int, dt.datetime],
    *,
    next_update: dt.datetime = NOW + 7 * DAY,
    signing_key: Any = None,
) -> bytes:
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(NOW - 30 * DAY)
        .next_update(next_update)
    )
    for serial, at in revoked.items():
        b = b.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(at).build()
        )
    key = signing_key or issuer.key
    return b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def serve(responder: Responder) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start the responder on 127.0.0.1, port chosen by the system; return it and its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            responder.hits.append(self.path)
            if self.path in responder.down:
                self._send(503, b"down", "text/plain")
                return
            body = responder.crls.get(self.path)
            if body is None:
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, body, "application/pkix-crl")

        def do_POST(self) -> None:
            responder.hits.append(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if self.path in responder.down:
                self._send(503, b"down", "text/plain")
                return
            canned = responder.crls.get(self.path)  # canned answers for broken responders
            answer = canned if canned is not None else responder.ocsp_answer(body)
            self._send(200, answer, "application/ocsp-response")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}"


def closed_port_url() -> str:
    """A loopback URL nobody listens on (bound, then closed)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


@dataclass
class Pki:
    """Root → intermediate → signers, a TSA, and an unrelated root, all on one responder."""

    base: str
    root: Identity
    inter: Identity
    signer: Identity
    expired: Identity
    later_expired: Identity
    revoked: Identity
    wrong_usage: Identity
    unreachable: Identity
    crl_revoked: Identity
    tsa: Identity
    stranger_root: Identity
    stranger: Identity
    responder: Responder

    def chain_of(self, who: Identity) -> list[Identity]:
        return [self.stranger_root] if who is self.stranger else [self.inter, self.root]


def build_pki(base: str, responder: Responder) -> Pki:
    old = NOW - 1000 * DAY
    root = issue("Test Root CA", None, ca=True, not_before=old, not_after=NOW + 3650 * DAY)
    inter = issue(
        "Test Issuing CA",
        root,
        ca=True,
        crl_url=f"{base}/root.crl",
        not_before=old,
        not_after=NOW + 1800 * DAY,
    )
    ocsp_url = f"{base}/ocsp"

    def leaf(cn: str, **kw: object) -> Identity:
        kw.setdefault("ocsp_url", ocsp_url)
        return issue(cn, inter, **kw)  # type: ignore[arg-type]

    signer = leaf("Nguyễn Văn An")
    expired = leaf("Expired Signer", not_before=NOW - 400 * DAY, not_after=NOW - 10 * DAY)
    later_expired = leaf("Later Expired", not_before=NOW - 60 * DAY, not_after=NOW - 5 * DAY)
    revoked = leaf("Revoked Signer")
    wrong = leaf("Encryption Only", key_usage="encrypt")
    unreachable = leaf("No Responder", ocsp_url=f"{closed_port_url()}/ocsp")
    crl_revoked = issue("CRL Revoked", inter, crl_url=f"{base}/inter.crl")
    tsa = issue(
        "Test TSA",
        root,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        rsa_key=True,
        not_before=old,
        crl_url=f"{base}/root.crl",
    )
    stranger_root = issue("Stranger Root", None, ca=True)
    stranger = issue("Stranger Signer", stranger_root)
    responder.revoked[revoked.cert.serial_number] = NOW - 2 * DAY
    responder.ocsp_issuer = inter
    responder.crls["/root.crl"] = make_crl(root, {})
    responder.crls["/inter.crl"] = make_crl(inter, {crl_revoked.cert.serial_number: NOW - 3 * DAY})
    return Pki(
        base,
        root,
        inter,
        signer,
        expired,
        later_expired,
        revoked,
        wrong,
        unreachable,
        crl_revoked,
        tsa,
        stranger_root,
        stranger,
        responder,
    )


# --- signed fixtures ---------------------------------------------------------------------


def blank_pdf() -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    w = PdfFileWriter()
    content = w.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Ket qua) Tj ET")
    )
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(x) for x in (0, 0, 595, 842)]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(),
            generic.NameObject("/Contents"): content,
        }
    )
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def pdf_with_fields() -> bytes:
    """A blank PDF with an empty signature field and a text field (for form filling)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    w = IncrementalPdfFileWriter(io.BytesIO(blank_pdf()))
    append_signature_field(w, SigFieldSpec("Sig1"))
    append_signature_field(w, SigFieldSpec("Sig2"))
    # a plain text field, for an allowed form fill after signing
    page = w.root["/Pages"]["/Kids"].raw_get(0)  # the indirect reference, not a copy
    tf = generic.DictionaryObject(
        {
            generic.NameObject("/FT"): generic.NameObject("/Tx"),
            generic.NameObject("/T"): generic.TextStringObject("Name"),
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.FloatObject(x) for x in (10, 10, 100, 30)]
            ),
            generic.NameObject("/P"): page,
        }
    )
    ref = w.add_object(tf)
    w.root["/AcroForm"]["/Fields"].append(ref)
    page_obj = w.root["/Pages"]["/Kids"][0].get_object()
    annots = page_obj.get("/Annots")
    if annots is None:
        page_obj[generic.NameObject("/Annots")] = generic.ArrayObject([ref])
    else:
        annots.get_object().append(ref)
    w.update_container(page_obj)
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def sign_pdf(
    data: bytes,
    who: Identity,
    chain: Sequence[Identity],
    *,
    field_name: str = "Sig1",
    timestamper: object | None = None,
    md: str = "sha256",
    certify_no_changes: bool = False,
    embed_revinfo_root: Identity | None = None,
    force_digest: bool = False,
) -> bytes:
    """Sign with pyHanko. `force_digest` skips pyHanko's own check that `md` is the digest
    the key's mechanism implies (how pyHanko's tests build an ed448 + sha512 signature)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class Unchecked(signers.SimpleSigner):
        def _check_digest_algorithm(self, digest_algorithm: str) -> None:
            return None

    signer = (Unchecked if force_digest else signers.SimpleSigner)(
        signing_cert=who.asn1_cert(),
        signing_key=who.asn1_key(),
        cert_registry=SimpleCertificateStore.from_certs([c.asn1_cert() for c in chain]),
    )
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    from pyhanko.sign.fields import MDPPerm
    from pyhanko_certvalidator import ValidationContext

    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=md,
        certify=certify_no_changes,
        docmdp_permissions=MDPPerm.NO_CHANGES if certify_no_changes else MDPPerm.FILL_FORMS,
        # with a root given, fetch revocation data from the loopback responder and embed it
        # (adbe-revocationInfoArchival), as long-term signing tools do
        embed_validation_info=embed_revinfo_root is not None,
        validation_context=None
        if embed_revinfo_root is None
        else ValidationContext(trust_roots=[embed_revinfo_root.asn1_cert()], allow_fetching=True),
    )
    out = signers.sign_pdf(w, meta, signer=signer, timestamper=timestamper)  # type: ignore[arg-type]
    return out.getvalue()


def timestamper(pki: Pki, at: dt.datetime) -> object:
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return DummyTimeStamper(
        tsa_cert=pki.tsa.asn1_cert(),
        tsa_key=pki.tsa.asn1_key(),
        certs_to_embed=SimpleCertificateStore.from_certs([pki.root.asn1_cert()]),
        fixed_dt=at,
    )


def fill_text_field(data: bytes) -> bytes:
    """An incremental update that only fills the text field `Name` (allowed after signing)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(data))
    for ref in w.root["/AcroForm"]["/Fields"]:
        fld = ref.get_object()
        if fld.get("/T") == "Name":
            fld[generic.NameObject("/V")] = generic.TextStringObject("Trần Thị Bình")
            w.update_container(fld)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def change_page_content(data: bytes) -> bytes:
    """An incremental update that replaces the page content: not allowed after signing."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Forged) Tj ET")
    page[generic.NameObject("/Contents")] = w.add_object(stream)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def tamper(data: bytes) -> bytes:
    """Flip one byte inside the signed range (in the first kilobytes, outside /Contents)."""
    idx = data.index(b"/Type /Catalog") if b"/Type /Catalog" in data else 20
    b = bytearray(data)
    b[idx + 1] = ord("t") if b[idx + 1] != ord("t") else ord("T")
    return bytes(b)


def write_pem(path: Path, *who: Identity) -> Path:
    path.write_bytes(b"".join(w.pem for w in who))
    return path


def garble_cms(data: bytes) -> bytes:
    """Overwrite the CMS blob of the (first) signature with garbage of the same length."""
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    junk = (b"3082deadbeef" * ((end - start) // 12 + 1))[: end - start]
    return data[:start] + junk + data[end:]


RESULT_XML = b'<KetQua Id="kq1"><HoSo>H-2026-0001</HoSo><TrangThai>Da duyet</TrangThai></KetQua>'


def sign_xml(
    who: Identity,
    chain: Sequence[Identity],
    *,
    enveloping: bool = False,
    document: bytes = RESULT_XML,
) -> bytes:
    """XML Signature (enveloped, or enveloping) with the signer's chain in KeyInfo."""
    from lxml import etree
    from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, methods

    signer = XMLSigner(
        method=methods.enveloping if enveloping else methods.enveloped,
        signature_algorithm=SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
    )
    doc = etree.fromstring(document)
    certs = [who.pem.decode(), *(c.pem.decode() for c in chain)]
    signed = signer.sign(doc, key=who.key_pem, cert=certs)
    return bytes(etree.tostring(signed))


def sign_xades(
    who: Identity, chain: Sequence[Identity], *, timestamper: object | None = None
) -> bytes:
    """XAdES-BES (enveloped) with the signer's chain in KeyInfo; XAdES-T with `timestamper`."""
    from lxml import etree
    from signxml import DigestAlgorithm, SignatureMethod
    from signxml.xades import XAdESSigner

    signer = XAdESSigner(
        signature_algorithm=SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
    )
    doc = etree.fromstring(RESULT_XML)
    certs = [who.pem.decode(), *(c.pem.decode() for c in chain)]
    signed = signer.sign(doc, key=who.key_pem, cert=certs)
    if timestamper is not None:
        add_signature_timestamp(signed, timestamper)
    return bytes(etree.tostring(signed))


def add_signature_timestamp(signed: Any, timestamper: Any) -> None:
    """Add a XAdES SignatureTimeStamp over the canonical (C14N 1.0) ds:SignatureValue."""
    import asyncio
    import base64
    import hashlib

    from lxml import etree

    ds = "http://www.w3.org/2000/09/xmldsig#"
    xades = "http://uri.etsi.org/01903/v1.3.2#"
    value = signed.find(f".//{{{ds}}}SignatureValue")
    digest = hashlib.sha256(etree.tostring(value, method="c14n")).digest()
    token = asyncio.run(timestamper.async_timestamp(digest, "sha256"))
    qp = signed.find(f".//{{{xades}}}QualifyingProperties")
    up = etree.SubElement(qp, f"{{{xades}}}UnsignedProperties")
    usp = etree.SubElement(up, f"{{{xades}}}UnsignedSignatureProperties")
    sts = etree.SubElement(usp, f"{{{xades}}}SignatureTimeStamp")
    enc = etree.SubElement(sts, f"{{{xades}}}EncapsulatedTimeStamp")
    enc.text = base64.b64encode(token.dump()).decode("ascii")


def add_document_timestamp(data: bytes, timestamper: Any) -> bytes:
    """Append a PAdES document timestamp (an LTA-style update) to a signed PDF."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    w = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.PdfTimeStamper(timestamper).timestamp_pdf(w, "sha256")
    return bytes(out.getvalue())
