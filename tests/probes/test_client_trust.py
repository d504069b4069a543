"""`tls_cert_trusted` follows what clients accept, checked against OpenSSL on the same chains.

Each case is a real chain built here; `openssl verify -purpose sslserver -verify_hostname` is
the independent reference. A chain OpenSSL accepts is `pass` (strict web-PKI profile met) or
`warn` (a strict-profile rule that clients tolerate, named with its RFC 5280 / CA/B Forum
section); a chain OpenSSL rejects is `fail`, never `pass` or `warn`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from assure.findings import Status
from assure.probes import certs

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)
HOST = "portal.test"

Ext = list[tuple[x509.ExtensionType, bool]]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ku(**on: bool) -> x509.KeyUsage:
    fields = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    ]
    return x509.KeyUsage(
        **{f: on.get(f, False) for f in fields}, encipher_only=False, decipher_only=False
    )


def _cert(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    exts: Ext,
) -> x509.Certificate:
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0] if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 300 * DAY)
    )
    for ext, critical in exts:
        b = b.add_extension(ext, critical)
    return b.sign(issuer[1] if issuer else key, hashes.SHA256())


def _ca_exts(key: ec.EllipticCurvePrivateKey, parent: ec.EllipticCurvePrivateKey | None) -> Ext:
    exts: Ext = [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (_ku(key_cert_sign=True, crl_sign=True, digital_signature=True), True),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
    ]
    if parent is not None:
        exts.append(
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.public_key()), False)
        )
    return exts


def _leaf_exts(key: ec.EllipticCurvePrivateKey, issuer: ec.EllipticCurvePrivateKey) -> Ext:
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_ku(digital_signature=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.SubjectAlternativeName([x509.DNSName(HOST)]), False),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()), False),
    ]


Edit = Callable[[Ext], Ext]


def _replace(cls: type[x509.ExtensionType], new: tuple[x509.ExtensionType, bool] | None) -> Edit:
    def edit(exts: Ext) -> Ext:
        out = [e for e in exts if not isinstance(e[0], cls)]
        return out + ([new] if new else [])

    return edit


def _keep(exts: Ext) -> Ext:
    return exts


def build(inter_edit: Edit = _keep, leaf_edit: Edit = _keep) -> list[x509.Certificate]:
    """root, intermediate (edited), leaf (edited): leaf first, root last."""
    rk, ik, lk = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _cert(_name("Trust Case Root"), rk, None, _ca_exts(rk, None))
    inter = _cert(
        _name("Trust Case Intermediate"), ik, (root.subject, rk), inter_edit(_ca_exts(ik, rk))
    )
    leaf = _cert(_name(HOST), lk, (inter.subject, ik), leaf_edit(_leaf_exts(lk, ik)))
    return [leaf, inter, root]


CASES: dict[str, tuple[Edit, Edit, str, str | None]] = {
    # case: (intermediate edit, leaf edit, expected status, rule named in a warn)
    "good": (_keep, _keep, "pass", None),
    "san_critical": (
        _keep,
        _replace(
            x509.SubjectAlternativeName, (x509.SubjectAlternativeName([x509.DNSName(HOST)]), True)
        ),
        "warn",
        "san_critical_with_subject",
    ),
    "ca_bc_not_critical": (
        _replace(x509.BasicConstraints, (x509.BasicConstraints(ca=True, path_length=None), False)),
        _keep,
        "warn",
        "ca_basic_constraints_not_critical",
    ),
    "leaf_no_aki": (_keep, _replace(x509.AuthorityKeyIdentifier, None), "warn", "leaf_without_aki"),
    "ca_no_bc": (_replace(x509.BasicConstraints, None), _keep, "fail", None),
    "ca_not_ca": (
        _replace(x509.BasicConstraints, (x509.BasicConstraints(ca=False, path_length=None), True)),
        _keep,
        "fail",
        None,
    ),
    "ca_ku_no_certsign": (
        _replace(x509.KeyUsage, (_ku(digital_signature=True), True)),
        _keep,
        "fail",
        None,
    ),
    "leaf_client_auth_only": (
        _keep,
        _replace(
            x509.ExtendedKeyUsage, (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
        ),
        "fail",
        None,
    ),
    "leaf_ku_cert_sign_only": (
        _keep,
        _replace(x509.KeyUsage, (_ku(key_cert_sign=True), True)),
        "fail",
        None,
    ),
}


def _pem(c: x509.Certificate) -> bytes:
    return c.public_bytes(serialization.Encoding.PEM)


def openssl_accepts(chain: list[x509.Certificate], folder: Path) -> bool:
    """The independent reference: OpenSSL's own verifier, as a TLS client would use it."""
    leaf, inter, root = chain
    (folder / "leaf.pem").write_bytes(_pem(leaf))
    (folder / "inter.pem").write_bytes(_pem(inter))
    (folder / "root.pem").write_bytes(_pem(root))
    run = subprocess.run(
        [
            "openssl",
            "verify",
            "-purpose",
            "sslserver",
            "-verify_hostname",
            HOST,
            "-CAfile",
            str(folder / "root.pem"),
            "-untrusted",
            str(folder / "inter.pem"),
            str(folder / "leaf.pem"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return run.returncode == 0


def judge(chain: list[x509.Certificate]) -> certs.Verdict:
    der = [c.public_bytes(serialization.Encoding.DER) for c in chain[:2]]
    return certs.judge_trusted(certs.CertInput(HOST, der, [chain[2]], frozenset(), NOW))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.parametrize("case", list(CASES))
def test_trust_follows_clients_and_agrees_with_openssl(case: str, tmp_path: Path) -> None:
    inter_edit, leaf_edit, expected, rule = CASES[case]
    chain = build(inter_edit, leaf_edit)
    v = judge(chain)
    assert v.status.value == expected, (case, v.summary, v.evidence.get("verifier_error"))
    # Differential: OpenSSL accepts ⇔ pass or warn.
    assert openssl_accepts(chain, tmp_path) == (v.status in (Status.PASS, Status.WARN)), (case, v)
    if rule:
        named = [f["rule"] for f in v.evidence["profile"]]  # type: ignore[union-attr]
        assert rule in named, v.evidence
        assert "RFC 5280" in v.text


def test_trustme_chain_is_accepted_with_a_named_rule(tmp_path: Path) -> None:
    """Every trustme leaf has a critical subjectAltName beside a subject: clients accept it,
    so it warns (RFC 5280 §4.2.1.6) instead of failing."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    leaf = ca.issue_cert(HOST)
    chain_pem = b"".join(b.bytes() for b in leaf.cert_chain_pems)
    chain = x509.load_pem_x509_certificates(chain_pem)
    anchor = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    der = [c.public_bytes(serialization.Encoding.DER) for c in chain]
    v = certs.judge_trusted(certs.CertInput(HOST, der, [anchor], frozenset(), NOW))
    assert v.status is Status.WARN, v
    assert "§4.2.1.6" in v.text
