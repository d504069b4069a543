"""Vietnam's national trust anchors: the registry of known roots and the user's trust store.

The project ships facts about the national roots (`checklists/trust/national-roots.yaml`),
keyed by SHA-256 fingerprint, and never the certificate files themselves: a copy of a root
taken from a third party is exactly what an auditor must not have to trust. The user
downloads a certificate from the official site and imports it with `assure trust add`, which
stores it only when its fingerprint is in the registry (or when the user says `--custom`).

Probes and signature checks call `lookup` and `issuer_family` to name where a chain leads,
and `load_trust_set` to get the anchors for one run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from assure import atomic
from assure.errors import DataError, os_reason
from assure.i18n import Msg
from assure.inputs.validation import validate, validator_for_file
from assure.inputs.yamldoc import load_yaml
from assure.paths import checklists_dir, schema_path

FAMILY_NEAC = "neac"
FAMILY_GOV = "gov-specialised"
FAMILY_OTHER = "other"

#: Biggest certificate file `trust add` reads; real roots and bundles are a few kilobytes.
MAX_CERT_FILE = 1 << 20

_DN_KEYS: Mapping[str, x509.ObjectIdentifier] = {
    "C": NameOID.COUNTRY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "CN": NameOID.COMMON_NAME,
    "L": NameOID.LOCALITY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
}


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint written as registries and browsers show it: `AB:CD:…`."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def normalise_fingerprint(text: str) -> str:
    """Accept `ab:cd…`, `ABCD…` or `ab cd…`; return the colon form used everywhere."""
    hexdigits = "".join(ch for ch in text if ch not in ": \t").lower()
    try:
        raw = bytes.fromhex(hexdigits)
    except ValueError:
        return text.strip().upper()
    return raw.hex(":").upper()


@dataclass(frozen=True, slots=True)
class Anchor:
    """One known national certificate (a registry entry), not the certificate itself."""

    id: str
    name: str
    family: str
    role: str  # "root" or "intermediate"
    subject: Mapping[str, str]
    sha256: str
    serial: str
    not_before: str
    not_after: str
    download_url: str | None
    source: str
    unconfirmed: tuple[str, ...] = ()
    download_page: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON form for `trust list --format json` and evidence."""
        return {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "role": self.role,
            "subject": dict(self.subject),
            "sha256": self.sha256,
            "serial": self.serial,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "download_url": self.download_url or self.download_page,
            "source": self.source,
            "unconfirmed": list(self.unconfirmed),
        }

    def matches_name(self, name: x509.Name) -> bool:
        """True when `name` carries exactly this anchor's subject attributes."""
        want = {(_DN_KEYS[k], v) for k, v in self.subject.items() if k in _DN_KEYS}
        have = {(a.oid, str(a.value)) for a in name}
        return want == have


@dataclass(frozen=True, slots=True)
class Registry:
    """The registry of national anchors with the family labels."""

    anchors: tuple[Anchor, ...]
    families: Mapping[str, Mapping[str, str]]

    def lookup(self, sha256: str) -> Anchor | None:
        fp = normalise_fingerprint(sha256)
        return next((a for a in self.anchors if a.sha256 == fp), None)

    def family_label(self, family: str, lang: str = "en") -> str:
        labels = self.families.get(family) or self.families.get(FAMILY_OTHER) or {}
        return str(labels.get(lang) or labels.get("en") or family)


def _text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


@cache
def registry(path: Path | None = None) -> Registry:
    """Load the registry (bundled file unless `path` is given); a bad file is a DataError."""
    file = path or checklists_dir() / "trust" / "national-roots.yaml"
    doc = load_yaml(file)
    problems = validate(doc, validator_for_file(schema_path("trust-registry")))
    if problems:
        raise DataError(problems)
    data = doc.data
    anchors: list[Anchor] = []
    for i, item in enumerate(data["anchors"]):
        try:
            anchors.append(
                Anchor(
                    id=str(item["id"]),
                    name=str(item["name"]),
                    family=str(item["family"]),
                    role=str(item.get("role", "root")),
                    subject={str(k): str(v) for k, v in dict(item["subject"]).items()},
                    sha256=normalise_fingerprint(str(item["sha256"])),
                    serial=_text(item.get("serial")).upper(),
                    not_before=_text(item.get("not_before")),
                    not_after=_text(item.get("not_after")),
                    download_url=item.get("download_url"),
                    download_page=item.get("download_page"),
                    source=_text(item.get("source")).strip(),
                    unconfirmed=tuple(str(u) for u in item.get("unconfirmed") or ()),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise doc.error(("anchors", i), f"bad registry entry: {exc}") from None
    families = {str(k): dict(v) for k, v in dict(data.get("families") or {}).items()}
    for i, a in enumerate(anchors):
        if a.family not in families:
            raise doc.error(("anchors", i, "family"), f"unknown family {a.family!r}")
    return Registry(tuple(anchors), families)


def lookup(sha256: str) -> Anchor | None:
    """The national anchor with this SHA-256 fingerprint, if any."""
    return registry().lookup(sha256)


@dataclass(frozen=True, slots=True)
class Identification:
    """Where a chain leads: the family, and the anchor that proves it (when known)."""

    family: str
    anchor: Anchor | None
    how: str  # "fingerprint", "issuer-name" or "none"

    def to_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "family_label": registry().family_label(self.family),
            "anchor": self.anchor.id if self.anchor else None,
            "matched_by": self.how,
        }


def identify(chain: Sequence[x509.Certificate]) -> Identification:
    """Name the issuer family of a chain (leaf first, any order tolerated).

    A certificate of the chain whose fingerprint is in the registry is proof; failing that, a
    chain whose top certificate names a registered subject as its issuer is attributed by
    name (portals rarely send the root itself), and `how` says so.
    """
    reg = registry()
    for cert in chain:
        anchor = reg.lookup(fingerprint(cert))
        if anchor is not None:
            return Identification(anchor.family, anchor, "fingerprint")
    for cert in chain:
        for anchor in reg.anchors:
            if anchor.matches_name(cert.issuer):
                return Identification(anchor.family, anchor, "issuer-name")
    return Identification(FAMILY_OTHER, None, "none")


def issuer_family(chain: Sequence[x509.Certificate]) -> str:
    """`neac`, `gov-specialised` or `other`: the family a certificate chain leads to."""
    return identify(chain).family


# --- reading certificate files ------------------------------------------------------------


#: A PEM encapsulation boundary at the start of a line (RFC 7468 section 2).
_PEM_LINE = re.compile(rb"(?m)^-----BEGIN [A-Z0-9 ]+-----")


def parse_certificates(data: bytes, file: str) -> list[x509.Certificate]:
    """Certificates in `data`: PEM (one or more), DER, or a PKCS#7 bundle (PEM or DER).

    Anything else is a DataError naming the file, so a wrong download reads as such. Text
    before a PEM block (`openssl x509 -text` output, a CA's notes) is ignored, as RFC 7468
    section 5.2 lets parsers do: many published CA files begin that way.
    """
    if len(data) > MAX_CERT_FILE:
        raise DataError.at(file, Msg.of("trust.err.too_large", limit=MAX_CERT_FILE))
    stripped = data.lstrip()
    certs: list[x509.Certificate] = []
    try:
        if stripped.startswith(b"-----BEGIN") or (
            not stripped.startswith(b"\x30") and _PEM_LINE.search(data) is not None
        ):
            if b"-----BEGIN PKCS7-----" in data or b"-----BEGIN CMS-----" in data:
                certs = list(pkcs7.load_pem_pkcs7_certificates(data))
            else:
                certs = list(x509.load_pem_x509_certificates(data))
        else:
            try:
                certs = [x509.load_der_x509_certificate(data)]
            except ValueError:
                certs = list(pkcs7.load_der_pkcs7_certificates(data))
    except ValueError as exc:
        raise DataError.at(file, Msg.of("trust.err.not_certificate", detail=_short(exc))) from None
    if not certs:
        raise DataError.at(file, Msg.of("trust.err.no_certificate"))
    return certs


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def read_certificate_file(path: Path) -> list[x509.Certificate]:
    """Read and parse a certificate file, with the file named in every error."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CERT_FILE + 1)
    except OSError as exc:
        raise DataError.at(
            str(path), Msg.of("trust.err.cannot_read", reason=os_reason(exc))
        ) from None
    return parse_certificates(data, str(path))


def describe(cert: x509.Certificate) -> dict[str, Any]:
    """Evidence for one certificate: names, serial, validity, fingerprint."""
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "X"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": fingerprint(cert),
    }


def common_name(name: x509.Name) -> str:
    """The CN of a name, else its RFC 4514 form."""
    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cns[0].value) if cns else name.rfc4514_string()


# --- the user's trust store ---------------------------------------------------------------


def data_dir() -> Path:
    """The user's data folder: `$ASSURE_DATA_DIR`, else XDG's `$XDG_DATA_HOME/assure`."""
    explicit = os.environ.get("ASSURE_DATA_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "assure"


def store_dir() -> Path:
    """Folder of imported anchors, one PEM file per certificate named by its fingerprint."""
    return data_dir() / "trust"


@dataclass(frozen=True, slots=True)
class Stored:
    """A certificate in the user's trust store."""

    cert: x509.Certificate
    path: Path
    anchor: Anchor | None  # None: imported with --custom

    @property
    def custom(self) -> bool:
        return self.anchor is None


def _file_name(cert: x509.Certificate) -> str:
    return fingerprint(cert).replace(":", "").lower() + ".pem"


def stored(directory: Path | None = None) -> list[Stored]:
    """Certificates in the store; unreadable files are skipped (the store is ours to write)."""
    folder = directory or store_dir()
    out: list[Stored] = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.pem")):
        try:
            certs = x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError):
            continue
        for cert in certs:
            out.append(Stored(cert, path, lookup(fingerprint(cert))))
    return out


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """What `trust add` did with one certificate of the input file."""

    cert: x509.Certificate
    anchor: Anchor | None
    accepted: bool
    path: Path | None
    message: Msg  # worded when printed, in the run's language


def add(
    certs: Iterable[x509.Certificate], *, custom: bool, directory: Path | None = None
) -> list[AddOutcome]:
    """Store each certificate that is a known national one (any one, with `custom`).

    Files are written atomically and named by fingerprint, so adding twice is harmless.
    """
    folder = directory or store_dir()
    out: list[AddOutcome] = []
    for cert in certs:
        fp = fingerprint(cert)
        anchor = lookup(fp)
        if anchor is None and not custom:
            out.append(
                AddOutcome(
                    cert,
                    None,
                    False,
                    None,
                    Msg.of("trust.add.unknown", fingerprint=fp, name=common_name(cert.subject)),
                )
            )
            continue
        path = folder / _file_name(cert)
        try:
            atomic.write_bytes(path, cert.public_bytes(serialization.Encoding.PEM))
        except OSError as exc:
            raise DataError.at(
                str(folder), Msg.of("trust.err.cannot_write", detail=str(exc))
            ) from None
        if anchor:
            said = Msg.of("trust.add.stored", what=f"{anchor.name} ({anchor.id})", path=str(path))
        else:
            key = "trust.add.stored_custom" if _is_ca(cert) else "trust.add.stored_custom_leaf"
            said = Msg.of(key, name=common_name(cert.subject), path=str(path))
        out.append(AddOutcome(cert, anchor, True, path, said))
    return out


@dataclass(frozen=True, slots=True)
class TrustSet:
    """Anchors and helper intermediates for one run, with where each came from."""

    roots: tuple[x509.Certificate, ...] = ()
    intermediates: tuple[x509.Certificate, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> origin

    @property
    def empty(self) -> bool:
        return not self.roots


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def load_trust_set(
    extra_files: Sequence[Path] = (),
    *,
    use_store: bool = True,
    intermediate_files: Sequence[Path] = (),
) -> TrustSet:
    """The user's stored anchors plus `--trust` files for this run.

    Registry entries marked `intermediate` help build paths but are not anchors; a `--trust`
    file's certificates are all anchors for the run (the user said so explicitly);
    `--intermediates` files only help build paths (documents often leave them out).
    """
    roots: dict[str, x509.Certificate] = {}
    inter: dict[str, x509.Certificate] = {}
    sources: dict[str, str] = {}
    if use_store:
        for s in stored():
            fp = fingerprint(s.cert)
            if s.anchor is not None and s.anchor.role == "intermediate":
                inter[fp] = s.cert
            else:
                roots[fp] = s.cert
            sources[fp] = f"store:{s.anchor.id if s.anchor else 'custom'}"
    for f in extra_files:
        for cert in read_certificate_file(f):
            fp = fingerprint(cert)
            roots[fp] = cert
            sources[fp] = f"--trust {f}"
    for f in intermediate_files:
        for cert in read_certificate_file(f):
            fp = fingerprint(cert)
            if fp not in roots:
                inter[fp] = cert
                sources.setdefault(fp, f"--intermediates {f}")
    return TrustSet(tuple(roots.values()), tuple(inter.values()), sources)


__all__ = [
    "FAMILY_GOV",
    "FAMILY_NEAC",
    "FAMILY_OTHER",
    "Anchor",
    "Identification",
    "Registry",
    "TrustSet",
    "add",
    "data_dir",
    "describe",
    "fingerprint",
    "identify",
    "issuer_family",
    "load_trust_set",
    "lookup",
    "parse_certificates",
    "registry",
    "store_dir",
    "stored",
]
