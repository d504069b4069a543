"""The national trust registry, `assure trust add/list`, and issuer families."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from assure import i18n, trust
from assure.cli import run
from assure.errors import DataError
from tests import sigpki
from tests.conftest import assert_no_traceback, run_assure


@pytest.fixture(autouse=True)
def _english(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """These tests compare the English wording of messages (`ASSURE_LANG=en`), except one
    that reads the default (Vietnamese) wording; `tests/test_language_scan.py` holds the
    rest of the Vietnamese."""
    if request.node.originalname != "test_trust_add_accepts_a_registered_root":
        monkeypatch.setenv("ASSURE_LANG", "en")
        with i18n.speaking("en"):  # in-process calls too, whatever an earlier run chose
            yield
    else:
        yield


# Facts of legal.md §6.3, written out independently of the data file they check.
LEGAL_ROOTS = {
    "BA:C8:BF:60:9A:B4:20:A8:EE:17:80:D7:4F:4D:E5:C7"
    ":F7:18:49:59:D2:A7:37:5B:0A:75:E4:C2:9F:09:08:E7": (
        "Vietnam National Root CA",
        "neac",
        "9592BB8CEEAD5A24A6B8F71D7D323B5A",
    ),
    "7B:32:69:E7:D7:9A:EB:BF:AE:50:95:F4:5B:BB:70:74"
    ":77:1E:69:0C:B7:DF:02:B4:41:06:2B:12:F7:69:0E:CE": (
        "Vietnam National Root CA G3",
        "neac",
        "F64AEE58000000006673A905",
    ),
    "F0:4B:A4:B4:59:A7:C9:A1:B9:71:AD:9B:1C:B8:33:E6"
    ":95:A8:0C:79:AE:A6:3B:17:4B:66:A7:0E:DF:E2:FD:B8": (
        "RootCA chuyên dùng Chính phủ G2",
        "gov-specialised",
        "3B65B0A03006F9AB",
    ),
    "D8:CA:B7:A4:AE:F9:2E:6B:B2:50:9D:7C:61:CE:E7:B4"
    ":4F:37:31:B2:D2:10:74:96:35:30:27:7B:36:6F:AE:4B": (
        "CA phục vụ các cơ quan Nhà nước G2",
        "gov-specialised",
        "7AF2DF52182653D3",
    ),
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private user data folder for the store."""
    d = tmp_path / "data"
    monkeypatch.setenv("ASSURE_DATA_DIR", str(d))
    return d


@pytest.fixture
def test_root() -> sigpki.Identity:
    """A self-signed root standing in for a national root in a patched registry."""
    return sigpki.issue("Test National Root", None, ca=True)


@pytest.fixture
def patched_registry(monkeypatch: pytest.MonkeyPatch, test_root: sigpki.Identity) -> trust.Registry:
    """The bundled registry plus an entry for `test_root`."""
    real = trust.registry()
    fake = trust.Anchor(
        id="test-root",
        name="Test National Root",
        family=trust.FAMILY_NEAC,
        role="root",
        subject={"C": "VN", "O": "Assure Test PKI", "CN": "Test National Root"},
        sha256=trust.fingerprint(test_root.cert),
        serial=format(test_root.cert.serial_number, "X"),
        not_before="2026-01-01",
        not_after="2036-01-01",
        download_url="https://example.invalid/root.crt",
        source="test",
    )
    reg = trust.Registry((*real.anchors, fake), real.families)
    monkeypatch.setattr(trust, "registry", lambda path=None: reg)
    return reg


def test_registry_holds_the_roots_of_legal_6_3() -> None:
    """Every root and intermediate of legal.md §6.3 is registered with its facts."""
    reg = trust.registry()
    for fp, (name, family, serial) in LEGAL_ROOTS.items():
        anchor = reg.lookup(fp)
        assert anchor is not None, fp
        assert (anchor.name, anchor.family, anchor.serial) == (name, family, serial)
        assert anchor.unconfirmed, "fingerprints come from third-party copies"
        assert anchor.download_url or anchor.download_page


def test_registry_entries_are_well_formed() -> None:
    """Fingerprints are 32 bytes in colon form, families are known, ids unique."""
    reg = trust.registry()
    assert len({a.id for a in reg.anchors}) == len(reg.anchors)
    for a in reg.anchors:
        assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", a.sha256)
        assert a.family in reg.families
        assert a.role in ("root", "intermediate")
        assert a.not_before < a.not_after


def test_lookup_accepts_any_fingerprint_spelling() -> None:
    """Lower case, no colons or spaces all find the same entry."""
    fp = next(iter(LEGAL_ROOTS))
    assert trust.lookup(fp.replace(":", "").lower()) is not None
    assert trust.lookup(fp.replace(":", " ")) is not None
    assert trust.lookup("00" * 32) is None


MIC = "Ministry of Information and Communications"
NCDSA = "National Centre of Digital Signature Authentication"


def _cert_issued_by_name(issuer_name: x509.Name) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portal.gov.vn")]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(sigpki.NOW)
        .not_valid_after(sigpki.NOW + sigpki.DAY)
        .sign(key, hashes.SHA256())
    )


def test_issuer_family_by_issuer_name() -> None:
    """A chain whose top names a registered root as issuer is attributed to its family."""
    neac = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, "Ministry of Information and Communications"
            ),
            x509.NameAttribute(
                NameOID.ORGANIZATIONAL_UNIT_NAME,
                "National Centre of Digital Signature Authentication",
            ),
            x509.NameAttribute(NameOID.COMMON_NAME, "Vietnam National Root CA"),
        ]
    )
    ident = trust.identify([_cert_issued_by_name(neac)])
    assert (ident.family, ident.how) == ("neac", "issuer-name")
    gov = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ban Cơ yếu Chính phủ"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CA phục vụ các cơ quan Nhà nước G2"),
        ]
    )
    assert trust.issuer_family([_cert_issued_by_name(gov)]) == "gov-specialised"
    other = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some Web CA")])
    assert trust.issuer_family([_cert_issued_by_name(other)]) == "other"


def test_issuer_family_by_fingerprint(
    patched_registry: trust.Registry, test_root: sigpki.Identity
) -> None:
    """A chain that contains a registered certificate is attributed by fingerprint."""
    leaf = sigpki.issue("Portal", test_root)
    ident = trust.identify([leaf.cert, test_root.cert])
    assert (ident.family, ident.how) == ("neac", "fingerprint")
    assert ident.anchor is not None and ident.anchor.id == "test-root"


def test_parse_pem_der_and_pkcs7(tmp_path: Path) -> None:
    """Certificates are read from PEM, DER, and PKCS#7 bundles in PEM and DER."""
    a = sigpki.issue("A", None, ca=True)
    b = sigpki.issue("B", a)
    der = a.cert.public_bytes(serialization.Encoding.DER)
    p7_der = pkcs7.serialize_certificates([a.cert, b.cert], serialization.Encoding.DER)
    p7_pem = pkcs7.serialize_certificates([a.cert, b.cert], serialization.Encoding.PEM)
    assert trust.parse_certificates(a.pem + b.pem, "x.pem") == [a.cert, b.cert]
    assert trust.parse_certificates(der, "x.cer") == [a.cert]
    assert len(trust.parse_certificates(p7_der, "x.p7b")) == 2
    assert len(trust.parse_certificates(p7_pem, "x.p7b")) == 2
    with pytest.raises(DataError, match=r"x\.crt:1:1: not a certificate"):
        trust.parse_certificates(b"<html>not found</html>", "x.crt")


def test_parse_pem_after_explanatory_text() -> None:
    """`openssl x509 -text` output (text, then the PEM block) reads as the certificate.

    Published CA files often look like this (signxml's interop CA does); RFC 7468 lets
    parsers skip text outside the boundaries. Text without any block is still refused.
    """
    a = sigpki.issue("A", None, ca=True)
    text = b"Certificate:\n    Data:\n        Version: 3 (0x2)\n"
    assert trust.parse_certificates(text + a.pem, "x.pem") == [a.cert]
    with pytest.raises(DataError, match=r"x\.pem:1:1: not a certificate"):
        trust.parse_certificates(text, "x.pem")


def test_trust_add_rejects_unknown_fingerprint(tmp_path: Path) -> None:
    """A certificate matching no national root is refused with exit 3 and nothing stored."""
    other = sigpki.issue("Look-alike Vietnam National Root CA", None, ca=True)
    f = sigpki.write_pem(tmp_path / "vnrca256.crt", other)
    data = tmp_path / "data"
    r = run_assure("trust", "add", f, env={"ASSURE_DATA_DIR": str(data)})
    assert r.code == 3, r.err
    assert "matches no national root" in r.err and str(f) in r.err
    assert_no_traceback(r)
    assert not (data / "trust").exists() or not any((data / "trust").iterdir())


def test_trust_add_custom_then_list(tmp_path: Path) -> None:
    """`--custom` stores any certificate; `trust list` shows it and the missing national roots."""
    own = sigpki.issue("Own Root", None, ca=True)
    f = sigpki.write_pem(tmp_path / "own.pem", own)
    env = {"ASSURE_DATA_DIR": str(tmp_path / "data")}
    r = run_assure("trust", "add", "--custom", f, env=env)
    assert r.code == 0, r.err
    r = run_assure("trust", "list", "--format", "json", env=env)
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [c["sha256"] for c in data["custom"]] == [trust.fingerprint(own.cert)]
    assert {a["id"] for a in data["national"]} >= {"vnrca-g2", "vnrca-g3", "vgca-root-g2"}
    assert not any(a["present"] for a in data["national"])
    table = run_assure("trust", "list", env=env)
    assert "MISSING" in table.out and "https://rootca.gov.vn/crt/vnrca256.p7b" in table.out


def test_trust_add_accepts_a_registered_root(
    tmp_path: Path,
    data_dir: Path,
    patched_registry: trust.Registry,
    test_root: sigpki.Identity,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A certificate whose fingerprint is registered is stored (from a .p7b with extras)."""
    stray = sigpki.issue("Stray", None, ca=True)
    p7 = tmp_path / "bundle.p7b"
    p7.write_bytes(
        pkcs7.serialize_certificates([stray.cert, test_root.cert], serialization.Encoding.DER)
    )
    assert run(["trust", "add", str(p7)]) == 0
    err = capsys.readouterr().err
    assert "bỏ qua" in err and "Test National Root" in err
    stored = trust.stored()
    assert [s.cert for s in stored] == [test_root.cert]
    assert stored[0].anchor is not None and stored[0].anchor.id == "test-root"
    assert stored[0].path.parent == data_dir / "trust"
    assert run(["trust", "list", "--format", "json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    present = {a["id"] for a in listing["national"] if a["present"]}
    assert present == {"test-root"}
    # the stored anchor is used by later runs
    assert trust.load_trust_set().roots == (test_root.cert,)


def test_trust_add_unreadable_file(tmp_path: Path) -> None:
    """A missing or non-certificate file is exit 3 naming the file."""
    junk = tmp_path / "root.crt"
    junk.write_bytes(b"\x00\x01garbage")
    r = run_assure(
        "trust", "add", junk, tmp_path / "missing.crt", env={"ASSURE_DATA_DIR": str(tmp_path)}
    )
    assert r.code == 3
    assert f"{junk}:1:1: not a certificate" in r.err
    assert_no_traceback(r)


def test_data_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without ASSURE_DATA_DIR the store lives under $XDG_DATA_HOME/assure/trust."""
    monkeypatch.delenv("ASSURE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert trust.store_dir() == tmp_path / "assure" / "trust"


def test_broken_registry_is_reported_with_position(tmp_path: Path) -> None:
    """A registry entry with a malformed fingerprint or family is a DataError at its line."""
    bad = tmp_path / "roots.yaml"
    bad.write_text(
        "version: 1\n"
        "families: {other: {vi: khác, en: other}}\n"
        "anchors:\n"
        "  - id: x\n"
        "    name: X\n"
        "    family: other\n"
        "    role: root\n"
        "    subject: {CN: X}\n"
        "    not_before: 2020-01-01\n"
        "    not_after: 2030-01-01\n"
        "    serial: AB01\n"
        "    sha256: 'AB:CD'\n"
        "    source: test\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"roots\.yaml:12:\d+: anchors\[0\]\.sha256"):
        trust.registry(bad)
    bad.write_text(
        bad.read_text(encoding="utf-8")
        .replace("'AB:CD'", ":".join(["AB"] * 32))
        .replace("family: other", "family: nowhere"),
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"roots\.yaml:6:\d+: anchors\[0\]\.family: unknown"):
        trust.registry(bad)
