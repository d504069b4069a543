"""Trust anchors and issuer families.

The default store is certifi's bundle when installed, else the system bundle; `--ca-file`
adds anchors. The issuer family (Vietnam National Root CA, Government specialised CA,
international public CA, other) comes from the shared national trust registry
(`assure.trust`), the same one the signature checks use.
"""

from __future__ import annotations

import hashlib
import ssl
import threading
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.verification import Store

from assure import trust as national
from assure.errors import DataError

FAMILY_VN_ROOT = "neac"
FAMILY_VN_GOV = "gov-specialised"
FAMILY_PUBLIC = "international_public"
FAMILY_OTHER = national.FAMILY_OTHER
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


fingerprint = national.fingerprint


def der_sha256(der: bytes) -> bytes:
    return hashlib.sha256(der).digest()


# Certificates one run has already decoded, by DER. Both addresses of a portal, and every
# portal behind one wildcard certificate, send the same chain; each check reads it again.
DECODED_CERTS = 1024


@lru_cache(maxsize=DECODED_CERTS)
def load_der(der: bytes) -> x509.Certificate:
    """The certificate of these DER bytes, decoded once (certificates are immutable, so the
    object is shared; a DER that does not decode raises, and is not remembered)."""
    return x509.load_der_x509_certificate(der)


def issuer_family(chain: Sequence[x509.Certificate], anchored_publicly: bool) -> str:
    """Family of the chain's issuer, from the shared national trust registry (`assure.trust`).

    A chain the registry does not know is an international public CA when it verified against
    the default (public) store alone, else `other`.
    """
    family = _national_family(tuple(chain))
    if family != national.FAMILY_OTHER:
        return family
    return FAMILY_PUBLIC if anchored_publicly else FAMILY_OTHER


@lru_cache(maxsize=DECODED_CERTS)
def _national_family(chain: tuple[x509.Certificate, ...]) -> str:
    """The registry's family of a chain (the registry is read once per process, so the answer
    for a chain never changes; it is looked up once per distinct chain)."""
    return national.identify(chain).family


def dedupe(certs: Iterable[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    seen: dict[bytes, x509.Certificate] = {}
    for c in certs:
        seen.setdefault(der_sha256(c.public_bytes(serialization.Encoding.DER)), c)
    return tuple(seen.values())


class AnchorIndex:
    """The run's trust anchors as the verifier and the failure diagnosis need them, built once.

    A verifier store over the default bundle (≈ 120 roots) and the fingerprints and subjects
    of every anchor cost more than judging a chain; one probe run judges thousands of chains
    against the same anchors, so they are built on first use and shared by every thread.
    """

    def __init__(self, anchors: Sequence[x509.Certificate]) -> None:
        self.anchors = tuple(anchors)
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._subjects: frozenset[x509.Name] | None = None
        self._prints: frozenset[str] | None = None

    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store(list(self.anchors))
            return self._store

    def subjects(self) -> frozenset[x509.Name]:
        with self._lock:
            if self._subjects is None:
                self._subjects = frozenset(a.subject for a in self.anchors)
            return self._subjects

    def fingerprints(self) -> frozenset[str]:
        with self._lock:
            if self._prints is None:
                self._prints = frozenset(fingerprint(a) for a in self.anchors)
            return self._prints
