"""Certificate judging: trust, host name, validity, key and signature (pure functions).

Gathering handed us the chain exactly as the server sent it (leaf first, DER). Trust is
decided by cryptography's X.509 verifier against the trust anchors; when it says no, the chain
itself tells why (self-signed, unknown root, missing intermediate, rejected by policy), so an
auditor reads a cause, not "handshake failed".
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import PolicyBuilder, VerificationError

from assure.findings import JSONValue, Status
from assure.probes import trust
from assure.probes.verdict import Verdict

EXPIRY_WARN_DAYS = 30
WEAK_HASHES = ("sha1", "md5", "md2", "md4")


@dataclass(frozen=True)
class CertInput:
    """What the certificate checks need: the host, the chain and the trust settings."""

    host: str
    chain_der: Sequence[bytes]
    anchors: Sequence[x509.Certificate]
    public_anchors: frozenset[bytes]
    now: dt.datetime
    index: trust.AnchorIndex | None = None  # the run's prebuilt index of `anchors`


def parse_chain(chain_der: Sequence[bytes]) -> list[x509.Certificate]:
    return [x509.load_der_x509_certificate(d) for d in chain_der]


def key_text(cert: x509.Certificate) -> tuple[str, int | None]:
    k = cert.public_key()
    if isinstance(k, rsa.RSAPublicKey):
        return "RSA", k.key_size
    if isinstance(k, ec.EllipticCurvePublicKey):
        return f"EC {k.curve.name}", k.curve.key_size
    if isinstance(k, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(k, ed448.Ed448PublicKey):
        return "Ed448", 456
    if isinstance(k, dsa.DSAPublicKey):
        return "DSA", k.key_size
    return type(k).__name__, None


def sig_hash(cert: x509.Certificate) -> str:
    h = cert.signature_hash_algorithm
    if h is not None:
        return h.name.lower()
    return cert.signature_algorithm_oid._name.lower()  # Ed25519/Ed448: hash is built in


def describe(cert: x509.Certificate) -> dict[str, JSONValue]:
    kind, bits = key_text(cert)
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "sha256": trust.fingerprint(cert),
        "serial": format(cert.serial_number, "X"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key": f"{kind} {bits}" if bits else kind,
        "signature_hash": sig_hash(cert),
    }


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, Exception):
        return False
    return True


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def _verifier_subject(cert: x509.Certificate) -> x509.DNSName | x509.IPAddress | None:
    san = _san(cert)
    if san is None:
        return None
    for name in san:
        if isinstance(name, x509.DNSName):
            value = name.value[2:] if name.value.startswith("*.") else name.value
            return x509.DNSName(("x." if name.value.startswith("*.") else "") + value)
        if isinstance(name, x509.IPAddress):
            return name
    return None


def judge_trusted(ci: CertInput) -> Verdict:
    """Pass when the chain verifies to an anchor; fail names why it does not."""
    chain = parse_chain(ci.chain_der)
    leaf, rest = chain[0], chain[1:]
    ev: dict[str, JSONValue] = {"chain": [describe(c) for c in chain]}
    at = min(
        max(ci.now, leaf.not_valid_before_utc + dt.timedelta(seconds=1)),
        leaf.not_valid_after_utc - dt.timedelta(seconds=1),
    )
    ev["evaluated_at"] = at.isoformat()
    subject = _verifier_subject(leaf)
    error = "no trust anchors available"
    verified: list[x509.Certificate] | None = None
    index = ci.index if ci.index is not None else trust.AnchorIndex(ci.anchors)
    if subject is None:
        error = "the certificate has no subjectAltName, which the verifier requires"
    elif ci.anchors:
        try:
            verifier = PolicyBuilder().store(index.store()).time(at).build_server_verifier(subject)
            verified = list(verifier.verify(leaf, rest))
        except VerificationError as exc:
            error = str(exc)
    if verified is not None:
        root = verified[-1]
        public = trust.der_sha256(root.public_bytes(_der())) in ci.public_anchors
        family = trust.issuer_family(verified, public)
        ev.update(
            verified_chain=[trust.fingerprint(c) for c in verified],
            issuer_family=family,
            issuer_family_label=trust.FAMILY_LABELS[family],
        )
        return Verdict(
            Status.PASS,
            f"The chain is trusted (root: {_cn(root)}; issuer family: "
            f"{trust.FAMILY_LABELS[family]}).",
            ev,
        )
    family = trust.issuer_family(chain, False)
    ev.update(
        issuer_family=family, issuer_family_label=trust.FAMILY_LABELS[family], verifier_error=error
    )
    top = chain[-1]
    anchor_subjects = index.subjects()
    anchor_prints = index.fingerprints()
    if len(chain) == 1 and _is_self_signed(leaf):
        cause, text = "self_signed", "The certificate is self-signed."
    elif _is_self_signed(top) and trust.fingerprint(top) not in anchor_prints:
        cause, text = "untrusted_root", f"The chain ends at an untrusted root ({_cn(top)})."
    elif not _is_self_signed(top) and top.issuer not in anchor_subjects and len(chain) == 1:
        cause, text = (
            "incomplete_chain",
            f"The chain is incomplete: the server sent no intermediate, and the issuer of "
            f"{_cn(top)} ({_cn_of(top.issuer)}) is not a trust anchor.",
        )
    elif not _is_self_signed(top) and top.issuer not in anchor_subjects:
        # The server sent intermediates and the last one's issuer is unknown. Servers rarely
        # send roots, so this reads as a private or unknown root; a missing second
        # intermediate would look the same, hence the wording.
        cause, text = (
            "untrusted_root",
            f"The chain leads to a root that is not trusted: the issuer of {_cn(top)} "
            f"({_cn_of(top.issuer)}) is neither sent nor a trust anchor (unknown root, or an "
            "intermediate is missing).",
        )
    else:
        cause, text = "rejected", f"The chain was rejected by the verifier: {error}."
    ev["cause"] = cause
    return Verdict(Status.FAIL, text, ev)


def _der() -> Encoding:
    return Encoding.DER


def _cn_of(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()


def _cn(cert: x509.Certificate) -> str:
    return _cn_of(cert.subject)


def host_matches(pattern: str, host: str) -> bool:
    """RFC 6125 matching: exact, or one wildcard as the whole left-most label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern == host:
        return True
    if pattern.startswith("*.") and "*" not in pattern[2:]:
        first, _, rest = host.partition(".")
        return bool(first) and rest == pattern[2:] and rest.count(".") >= 1
    return False


def judge_hostname(ci: CertInput) -> Verdict:
    """SAN only: the common name is never used (RFC 6125, CA/B Forum)."""
    leaf = parse_chain(ci.chain_der[:1])[0]
    san = _san(leaf)
    cn = _cn(leaf)
    if san is None:
        return Verdict(
            Status.FAIL,
            f"The certificate has no subjectAltName (CN {cn!r} is not used for host matching).",
            {"common_name": cn, "san": []},
        )
    dns = san.get_values_for_type(x509.DNSName)
    ips = [str(i) for i in san.get_values_for_type(x509.IPAddress)]
    ev: dict[str, JSONValue] = {"host": ci.host, "san": dns + ips}
    try:
        ip = ipaddress.ip_address(ci.host)
        ok = str(ip) in ips
    except ValueError:
        ok = any(host_matches(p, ci.host) for p in dns)
    if ok:
        return Verdict(Status.PASS, f"The certificate covers {ci.host}.", ev)
    return Verdict(
        Status.FAIL, f"The certificate does not cover {ci.host} (SAN: {', '.join(dns + ips)}).", ev
    )


def judge_expiry(ci: CertInput) -> Verdict:
    """Fail when expired or not yet valid at `now`; warn under 30 days left."""
    leaf = parse_chain(ci.chain_der[:1])[0]
    nb, na = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    ev: dict[str, JSONValue] = {
        "not_before": nb.isoformat(),
        "not_after": na.isoformat(),
        "evaluated_at": ci.now.isoformat(),
    }
    if ci.now < nb:
        return Verdict(Status.FAIL, f"The certificate is not valid until {nb:%Y-%m-%d}.", ev)
    if ci.now > na:
        return Verdict(Status.FAIL, f"The certificate expired on {na:%Y-%m-%d}.", ev)
    days = (na - ci.now).days
    ev["days_left"] = days
    if days < EXPIRY_WARN_DAYS:
        return Verdict(Status.WARN, f"The certificate expires in {days} days ({na:%Y-%m-%d}).", ev)
    return Verdict(Status.PASS, f"The certificate is valid until {na:%Y-%m-%d} ({days} days).", ev)


def judge_key(ci: CertInput) -> Verdict:
    """RSA ≥ 2048 bits, EC ≥ 256 bits, EdDSA; DSA and smaller keys fail."""
    leaf = parse_chain(ci.chain_der[:1])[0]
    kind, bits = key_text(leaf)
    ev: dict[str, JSONValue] = {"key": kind, "bits": bits}
    ok = (
        (kind == "RSA" and (bits or 0) >= 2048)
        or (kind.startswith("EC") and (bits or 0) >= 256)
        or kind in ("Ed25519", "Ed448")
    )
    if ok:
        return Verdict(Status.PASS, f"The key is {kind} {bits} bits.", ev)
    return Verdict(
        Status.FAIL, f"The key is too weak: {kind} {bits} bits (need RSA ≥ 2048 or EC ≥ 256).", ev
    )


def judge_signature(ci: CertInput) -> Verdict:
    """Leaf and intermediates must not be signed with SHA-1 or MD5 (a root's own does not count)."""
    chain = parse_chain(ci.chain_der)
    weak = []
    for c in chain:
        if _is_self_signed(c) and c is not chain[0]:
            continue
        if sig_hash(c) in WEAK_HASHES:
            weak.append({"subject": c.subject.rfc4514_string(), "signature_hash": sig_hash(c)})
    ev: dict[str, JSONValue] = {"signatures": [sig_hash(c) for c in chain], "weak": weak}
    if weak:
        return Verdict(
            Status.FAIL,
            f"Weak signature: {weak[0]['subject']} is signed with "
            f"{weak[0]['signature_hash'].upper()}.",
            ev,
        )
    return Verdict(Status.PASS, f"Signatures use {', '.join(sorted(set(ev_hashes(chain))))}.", ev)


def ev_hashes(chain: Sequence[x509.Certificate]) -> list[str]:
    return [sig_hash(c).upper() for c in chain]
