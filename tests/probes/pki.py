"""A test PKI generated with cryptography (openssl CLI where cryptography refuses)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)


def _name(cn: str, org: str = "Assure Test PKI") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


@dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _pem_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_ca(
    cn: str,
    issuer: Issued | None = None,
    org: str = "Assure Test PKI",
    *,
    basic_constraints_critical: bool = True,
) -> Issued:
    """A CA; `basic_constraints_critical=False` breaks the strict profile (RFC 5280
    §4.2.1.9) in a way clients tolerate."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(cn, org)
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - 30 * DAY)
        .not_valid_after(NOW + 3650 * DAY)
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=basic_constraints_critical
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )  # type: ignore[arg-type]
    cert = b.sign(issuer.key if issuer else key, hashes.SHA256())
    return Issued(cert, key)


def make_leaf(
    host: str,
    issuer: Issued | None,
    *,
    san: list[str] | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    rsa_bits: int | None = None,
    with_san: bool = True,
) -> Issued:
    """A server certificate; issuer None = self-signed."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
        if rsa_bits
        else ec.generate_private_key(ec.SECP256R1())
    )
    names = san if san is not None else [host]
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(issuer.cert.subject if issuer else _name(host))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - DAY)
        .not_valid_after(not_after or NOW + 365 * DAY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )  # type: ignore[arg-type]
    if with_san:
        gn: list[x509.GeneralName] = []
        for n in names:
            try:
                gn.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                gn.append(x509.DNSName(n))
        b = b.add_extension(x509.SubjectAlternativeName(gn), critical=False)
    cert = b.sign(issuer.key if issuer else key, hashes.SHA256())
    return Issued(cert, key)


def sha1_leaf(host: str, issuer: Issued, folder: Path) -> Issued:
    """A SHA-1 signed leaf: cryptography may refuse SHA-1 signing, so openssl signs it."""
    key = ec.generate_private_key(ec.SECP256R1())
    try:
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(issuer.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - DAY)
            .not_valid_after(NOW + 365 * DAY)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(issuer.key, hashes.SHA1())  # noqa: S303 — the weak case under test
        )
        return Issued(cert, key)
    except Exception:  # noqa: S110 — refused: the openssl command line signs it
        pass
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed for the SHA-1 certificate"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leaf.key").write_bytes(_pem_key(key))
    (folder / "ca.pem").write_bytes(pem(issuer.cert))
    (folder / "ca.key").write_bytes(_pem_key(issuer.key))
    (folder / "ext.cnf").write_text(f"subjectAltName=DNS:{host}\n")
    subprocess.run(
        [
            openssl,
            "req",
            "-new",
            "-key",
            str(folder / "leaf.key"),
            "-subj",
            f"/CN={host}",
            "-out",
            str(folder / "leaf.csr"),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            openssl,
            "x509",
            "-req",
            "-in",
            str(folder / "leaf.csr"),
            "-CA",
            str(folder / "ca.pem"),
            "-CAkey",
            str(folder / "ca.key"),
            "-CAcreateserial",
            "-sha1",
            "-days",
            "365",
            "-extfile",
            str(folder / "ext.cnf"),
            "-out",
            str(folder / "leaf.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return Issued(x509.load_pem_x509_certificate((folder / "leaf.pem").read_bytes()), key)


def write_chain(
    folder: Path, name: str, leaf: Issued, *extra: x509.Certificate
) -> tuple[Path, Path]:
    """cert chain PEM (leaf + what the server sends) and key PEM."""
    folder.mkdir(parents=True, exist_ok=True)
    c = folder / f"{name}.pem"
    k = folder / f"{name}.key"
    c.write_bytes(pem(leaf.cert) + b"".join(pem(x) for x in extra))
    k.write_bytes(_pem_key(leaf.key))
    return c, k
