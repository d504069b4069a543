"""Trust anchors and issuer families.

The default store is certifi's bundle when installed, else the system bundle; `--ca-file`
adds anchors. The issuer family (Vietnam National Root CA, Government specialised CA,
international public CA, other) is looked up in one small function over a data file, so it
can later be pointed at a shared trust registry.
"""

from __future__ import annotations

import hashlib
import ssl
import warnings
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.x509.oid import NameOID

from assure.errors import DataError
from assure.paths import checklists_dir

FAMILY_VN_ROOT = "vn_national_root"
FAMILY_VN_GOV = "vn_government_specialised"
FAMILY_PUBLIC = "international_public"
FAMILY_OTHER = "other"
FAMILY_LABELS = {
    FAMILY_VN_ROOT: "Vietnam National Root CA",
    FAMILY_VN_GOV: "Government specialised CA (Ban Cơ yếu Chính phủ)",
    FAMILY_PUBLIC: "international public CA",
    FAMILY_OTHER: "other",
}


def default_bundle() -> Path | None:
    """certifi's bundle if installed, else the system's default CA file."""
    try:
        import certifi

        return Path(certifi.where())
    except ImportError:
        paths = ssl.get_default_verify_paths()
        for p in (paths.cafile, paths.openssl_cafile):
            if p and Path(p).is_file():
                return Path(p)
    return None


def load_pem_file(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM file; a bad file is invalid input data (exit 3)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError.at(str(path), f"cannot read: {exc.strerror}", field="ca-file") from None
    try:
        with warnings.catch_warnings():
            # Public bundles still hold a few old roots with non-positive serial numbers.
            warnings.simplefilter("ignore")
            certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise DataError.at(
            str(path), f"not a PEM certificate file ({exc})", field="ca-file"
        ) from None
    return certs


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint in the colon-separated upper-case form documents use."""
    return cert.fingerprint(_sha256()).hex(":").upper()


def _sha256() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def der_sha256(der: bytes) -> bytes:
    return hashlib.sha256(der).digest()


@cache
def _families(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    fams: dict[str, Any] = data.get("families", {})
    return fams


def national_roots_file() -> Path:
    return checklists_dir() / "trust" / "national-roots.yaml"


def _names(cert: x509.Certificate, oid: x509.ObjectIdentifier, issuer: bool) -> list[str]:
    name = cert.issuer if issuer else cert.subject
    return [str(a.value) for a in name.get_attributes_for_oid(oid)]


def issuer_family(
    chain: Sequence[x509.Certificate],
    anchored_publicly: bool,
    registry: Path | None = None,
) -> str:
    """Family of the chain's issuer, by fingerprint then by subject/issuer names.

    `anchored_publicly`: the chain verified against the default (public) store alone.
    """
    fams = _families(registry or national_roots_file())
    prints = {fingerprint(c) for c in chain}
    for fam_id in (FAMILY_VN_ROOT, FAMILY_VN_GOV):
        fam = fams.get(fam_id) or {}
        if prints & {str(c.get("sha256", "")).upper() for c in fam.get("certificates", [])}:
            return fam_id
        cns = set(fam.get("subject_common_names", []))
        orgs = set(fam.get("subject_organizations", []))
        for c in chain:
            for issuer in (False, True):
                if cns & set(_names(c, NameOID.COMMON_NAME, issuer)):
                    return fam_id
                if orgs & set(_names(c, NameOID.ORGANIZATION_NAME, issuer)):
                    return fam_id
    return FAMILY_PUBLIC if anchored_publicly else FAMILY_OTHER


def dedupe(certs: Iterable[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    seen: dict[bytes, x509.Certificate] = {}
    for c in certs:
        seen.setdefault(c.fingerprint(_sha256()), c)
    return tuple(seen.values())
