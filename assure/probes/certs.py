"""Certificate judging: trust, host name, validity, key and signature (pure functions).

Gathering handed us the chain exactly as the server sent it (leaf first, DER). Trust follows
what the clients of a portal accept: a path to an anchor with CA certificates that are CAs,
signatures the verifier accepts, a subjectAltName on the leaf and key usages that allow a TLS
server (the client profile below). Where cryptography's strict web-PKI profile objects to
something clients tolerate (a critical subjectAltName beside a subject, a CA whose
basicConstraints is not critical, a leaf without authorityKeyIdentifier…), the verdict is
`warn` naming the rule; when the client profile says no, the chain itself tells why
(self-signed, unknown root, missing intermediate, rejected), so an auditor reads a cause, not
"handshake failed". The rule is written down in docs/probes.md.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from assure.findings import JSONValue, Status
from assure.i18n import Msg, Msgs, has
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
    # OpenSSL's verdict on the same chain, instant and host (second_opinion.openssl_opinion):
    # (accepted, error); None when it was not asked.
    openssl: tuple[bool, str] | None = None
    index: trust.AnchorIndex | None = None  # the run's prebuilt index of `anchors`


def parse_chain(chain_der: Sequence[bytes]) -> list[x509.Certificate]:
    """The chain decoded (each certificate once per run: `trust.load_der`)."""
    return [trust.load_der(d) for d in chain_der]


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
    """The certificate as evidence shows it (a fresh dict: callers may add to it)."""
    return dict(_describe(cert))


@lru_cache(maxsize=trust.DECODED_CERTS)
def _describe(cert: x509.Certificate) -> dict[str, JSONValue]:
    """Pure over the certificate, so worked out once per distinct certificate."""
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


@lru_cache(maxsize=trust.DECODED_CERTS)
def _is_self_signed(cert: x509.Certificate) -> bool:
    """Issued by itself, signature checked (a signature check per distinct certificate)."""
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


_SERVER_AUTH = x509.oid.ExtendedKeyUsageOID.SERVER_AUTH
_ANY_EKU = x509.oid.ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE


#: What the client policy's own rules say when a chain breaks them (`probe.cert.client.*`
#: words them for a reader; the verifier's error, kept in evidence, quotes this English).
CLIENT_RULES: dict[str, str] = {
    "ca_not_ca": "basicConstraints does not mark the issuer as a CA",
    "ca_may_not_sign": "the issuer's keyUsage does not allow keyCertSign",
    "ee_server_auth": "extendedKeyUsage does not allow TLS server authentication",
    "ee_key_usage": "keyUsage allows neither digitalSignature nor keyEncipherment",
}


def _ca_is_ca(_policy: Policy, _cert: x509.Certificate, bc: x509.BasicConstraints) -> None:
    if not bc.ca:
        raise ValueError(CLIENT_RULES["ca_not_ca"])


def _ca_may_sign(_policy: Policy, _cert: x509.Certificate, ku: x509.KeyUsage | None) -> None:
    if ku is not None and not ku.key_cert_sign:
        raise ValueError(CLIENT_RULES["ca_may_not_sign"])


def _ee_server_auth(
    _policy: Policy, _cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None
) -> None:
    if eku is not None and _SERVER_AUTH not in eku and _ANY_EKU not in eku:
        raise ValueError(CLIENT_RULES["ee_server_auth"])


def _ee_key_usage(_policy: Policy, _cert: x509.Certificate, ku: x509.KeyUsage | None) -> None:
    if ku is not None and not (ku.digital_signature or ku.key_encipherment or ku.key_agreement):
        raise ValueError(CLIENT_RULES["ee_key_usage"])


def rejection(error: str) -> Msg:
    """Why the client profile refused a chain, for a reader: one of our own rules in the
    reader's words, else the verifier's (or a parser's) own English, quoted as data."""
    for key, phrase in CLIENT_RULES.items():
        if phrase in error:
            return Msg.of("cert.rejected", error=Msg.of(f"probe.cert.client.{key}"))
    if has("probe.reason." + re.sub(r"[^a-z0-9]+", "_", error.lower()).strip("_")):
        return Msg.of("cert.rejected", error=error)  # a phrase of ours (`i18n.reason`)
    return Msg.of("cert.rejected_by_verifier", error=error)


def client_policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    """(CA, leaf) extension policies of what TLS clients (browsers, OpenSSL) enforce.

    Issuers must be CAs (basicConstraints cA, any criticality) and, when keyUsage is present,
    allow certificate signing; the leaf needs a subjectAltName (any criticality: browsers
    stopped reading the CN) and, when present, an extendedKeyUsage with serverAuth and a
    keyUsage fit for TLS. Everything else is left to the strict profile, which only warns.
    """
    agnostic = Criticality.AGNOSTIC
    ca = (
        ExtensionPolicy.permit_all()
        .require_present(x509.BasicConstraints, agnostic, _ca_is_ca)
        .may_be_present(x509.KeyUsage, agnostic, _ca_may_sign)
    )
    ee = (
        ExtensionPolicy.permit_all()
        .require_present(x509.SubjectAlternativeName, agnostic, None)
        .may_be_present(x509.ExtendedKeyUsage, agnostic, _ee_server_auth)
        .may_be_present(x509.KeyUsage, agnostic, _ee_key_usage)
    )
    return ca, ee


# Strict-profile rules that clients tolerate: (id, reference, what the rule asks).
PROFILE_RULES: dict[str, tuple[str, str]] = {
    "san_critical_with_subject": (
        "RFC 5280 §4.2.1.6",
        "subjectAltName is marked critical although the subject is not empty",
    ),
    "ca_basic_constraints_not_critical": (
        "RFC 5280 §4.2.1.9; CA/B Forum BR §7.1.2.10.4",
        "a CA certificate's basicConstraints is not marked critical",
    ),
    "leaf_without_aki": (
        "RFC 5280 §4.2.1.1; CA/B Forum BR §7.1.2.7",
        "the leaf has no authorityKeyIdentifier",
    ),
    "ca_without_ski": (
        "RFC 5280 §4.2.1.2",
        "a CA certificate has no subjectKeyIdentifier",
    ),
    "ca_without_key_usage": (
        "RFC 5280 §4.2.1.3; CA/B Forum BR §7.1.2.10.7",
        "a CA certificate has no keyUsage",
    ),
    "leaf_without_eku": (
        "CA/B Forum BR §7.1.2.7.10",
        "the leaf has no extendedKeyUsage",
    ),
    "other": ("cryptography web-PKI profile", "the strict verifier objected"),
}


def _ext(
    cert: x509.Certificate, cls: type[x509.ExtensionType]
) -> x509.Extension[x509.ExtensionType] | None:
    try:
        return cert.extensions.get_extension_for_class(cls)
    except x509.ExtensionNotFound:
        return None


def profile_findings(chain: Sequence[x509.Certificate]) -> list[dict[str, JSONValue]]:
    """The strict-profile rules a verified chain (leaf first, anchor last) breaks."""
    out: list[dict[str, JSONValue]] = []

    def add(rule: str, cert: x509.Certificate) -> None:
        ref, text = PROFILE_RULES[rule]  # the rule's English stays in evidence (data)
        out.append({"rule": rule, "reference": ref, "text": text, "certificate": _cn(cert)})

    leaf = chain[0]
    san = _ext(leaf, x509.SubjectAlternativeName)
    if san is not None and san.critical and len(leaf.subject) > 0:
        add("san_critical_with_subject", leaf)
    if _ext(leaf, x509.AuthorityKeyIdentifier) is None and not _is_self_signed(leaf):
        add("leaf_without_aki", leaf)
    if _ext(leaf, x509.ExtendedKeyUsage) is None:
        add("leaf_without_eku", leaf)
    for ca in chain[1:]:
        bc = _ext(ca, x509.BasicConstraints)
        if bc is not None and not bc.critical:
            add("ca_basic_constraints_not_critical", ca)
        if _ext(ca, x509.SubjectKeyIdentifier) is None:
            add("ca_without_ski", ca)
        if _ext(ca, x509.KeyUsage) is None:
            add("ca_without_key_usage", ca)
    return out


def _verify(
    ci: CertInput,
    leaf: x509.Certificate,
    rest: list[x509.Certificate],
    subject: x509.DNSName | x509.IPAddress,
    at: dt.datetime,
    strict: bool,
) -> tuple[list[x509.Certificate] | None, str]:
    store = ci.index.store() if ci.index is not None else Store(list(ci.anchors))
    builder = PolicyBuilder().store(store).time(at)
    if not strict:
        ca, ee = client_policies()
        builder = builder.extension_policies(ca_policy=ca, ee_policy=ee)
    try:
        return list(builder.build_server_verifier(subject).verify(leaf, rest)), ""
    except VerificationError as exc:
        return None, str(exc)


# Intermediates handed to the path builder. Servers send one to three; a hostile one can send
# a hundred near-identical certificates, which makes path building take minutes (x509-limbo's
# pathological chains), so repeats are dropped and the rest is capped.
MAX_INTERMEDIATES = 10


def candidate_intermediates(certs_sent: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """The sent intermediates, in order, without repeats of (subject, issuer, key), capped."""
    seen: set[tuple[bytes, bytes, bytes]] = set()
    out: list[x509.Certificate] = []
    for c in certs_sent:
        key = (
            c.subject.public_bytes(),
            c.issuer.public_bytes(),
            c.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo),
        )
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out[:MAX_INTERMEDIATES]


def malformed(chain: Sequence[x509.Certificate]) -> str | None:
    """Why a certificate of the chain cannot be read (duplicate or undecodable extensions, a
    subjectAltName that is not a valid name…), or None. Clients refuse such certificates."""
    for c in chain:
        try:
            list(c.extensions)
            san = _san(c)
            if san is not None:
                for name in san.get_values_for_type(x509.DNSName):
                    x509.DNSName(name.removeprefix("*.") or "x")
        except Exception as exc:  # DuplicateExtension, undecodable values: all malformed
            return f"{_cn(c)}: {str(exc).splitlines()[0][:160] or type(exc).__name__}"
    return None


# Extensions TLS clients act on when critical (OpenSSL's handled set); any other critical
# extension makes them refuse the certificate (RFC 5280 §4.2). AKI and SKI must not be
# critical (RFC 5280 §4.2.1.1, §4.2.1.2) and OpenSSL refuses them when they are.
_HANDLED_CRITICAL = frozenset(
    {
        x509.oid.ExtensionOID.BASIC_CONSTRAINTS,
        x509.oid.ExtensionOID.KEY_USAGE,
        x509.oid.ExtensionOID.EXTENDED_KEY_USAGE,
        x509.oid.ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
        x509.oid.ExtensionOID.NAME_CONSTRAINTS,
        x509.oid.ExtensionOID.POLICY_CONSTRAINTS,
        x509.oid.ExtensionOID.CERTIFICATE_POLICIES,
        x509.oid.ExtensionOID.INHIBIT_ANY_POLICY,
        x509.oid.ExtensionOID.POLICY_MAPPINGS,
    }
)


def unhandled_critical(chain: Sequence[x509.Certificate]) -> Msg | None:
    """A critical extension clients do not handle, in the verified chain, or None."""
    for c in chain:
        for e in c.extensions:
            if e.critical and e.oid not in _HANDLED_CRITICAL:
                name = getattr(e.oid, "_name", None) or e.oid.dotted_string
                return Msg.of("probe.cert.client.critical", cert=_cn(c), extension=name)
    return None


def judge_trusted(ci: CertInput) -> Verdict:
    """Pass when the chain verifies to an anchor under the strict web-PKI profile; warn when
    only the client profile accepts it (naming the rules); fail names why clients refuse it."""
    chain = parse_chain(ci.chain_der)
    broken = malformed(chain[:1] + candidate_intermediates(chain[1:]))
    if broken:
        return Verdict(
            Status.FAIL,
            Msg.of("probe.cert.malformed", problem=broken),
            {"chain": [describe(c) for c in chain[: MAX_INTERMEDIATES + 1]], "cause": "malformed"},
        )
    leaf, sent = chain[0], chain[1:]
    rest = candidate_intermediates(sent)
    ev: dict[str, JSONValue] = {"chain": [describe(c) for c in chain[: MAX_INTERMEDIATES + 1]]}
    if len(rest) < len(sent):
        ev["intermediates_considered"] = (
            f"{len(rest)} of {len(sent)} sent (repeats and excess dropped)"
        )
    at = min(
        max(ci.now, leaf.not_valid_before_utc + dt.timedelta(seconds=1)),
        leaf.not_valid_after_utc - dt.timedelta(seconds=1),
    )
    ev["evaluated_at"] = at.isoformat()
    subject = _verifier_subject(leaf)
    error = "no trust anchors available"
    verified: list[x509.Certificate] | None = None
    refused: Msg | None = None  # why, when the words are ours rather than the verifier's
    strict_error = ""
    index = ci.index if ci.index is not None else trust.AnchorIndex(ci.anchors)
    if subject is None:
        error = "the certificate has no subjectAltName, which clients require"
    elif ci.anchors:
        try:
            verified, strict_error = _verify(ci, leaf, rest, subject, at, strict=True)
            if verified is None:
                verified, error = _verify(ci, leaf, rest, subject, at, strict=False)
                if verified is not None and (bad := unhandled_critical(verified)):
                    verified, error, refused = None, bad.text("en"), bad
        except Exception as exc:  # names or values the verifier cannot even take
            verified, error = None, f"{type(exc).__name__}: {str(exc)[:160]}"
    if verified is not None:
        root = verified[-1]
        public = trust.der_sha256(root.public_bytes(_der())) in ci.public_anchors
        family = trust.issuer_family(verified, public)
        ev.update(
            verified_chain=[trust.fingerprint(c) for c in verified],
            issuer_family=family,
            issuer_family_label=trust.FAMILY_LABELS[family],
        )
        trusted = Msg.of(
            "probe.cert.trusted", root=_cn(root), family=Msg.of(f"probe.issuer_family.{family}")
        )
        if ci.openssl is not None:
            ev["openssl_accepts"] = ci.openssl[0]
        if ci.openssl is not None and not ci.openssl[0]:
            ev.update(cause="openssl_rejects", openssl_error=ci.openssl[1])
            return Verdict(
                Status.FAIL,
                Msg.of("probe.cert.openssl_refuses", error=ci.openssl[1]),
                ev,
            )
        if not strict_error:
            return Verdict(Status.PASS, Msg.of("probe.sentence", text=trusted), ev)
        rules = [f for f in profile_findings(verified) if f["rule"] != "leaf_without_eku"]
        if not rules:
            ref, _text = PROFILE_RULES["other"]
            rules = [{"rule": "other", "reference": ref, "text": strict_error}]
        ev.update(profile=rules, strict_verifier_error=strict_error)
        named = Msgs(
            tuple(
                Msg.of(
                    "probe.cert.rule",
                    text=Msg.of(f"probe.cert.rule.{f['rule']}", error=f["text"]),
                    reference=(
                        Msg.of("probe.cert.reference.other")
                        if f["rule"] == "other"
                        else f["reference"]
                    ),
                )
                for f in rules
            ),
            "; ",
        )
        return Verdict(
            Status.WARN,
            Msg.of("probe.cert.profile_rule", trusted=trusted, rules=named),
            ev,
        )
    family = trust.issuer_family(chain, False)
    ev.update(
        issuer_family=family, issuer_family_label=trust.FAMILY_LABELS[family], verifier_error=error
    )
    top = chain[-1]
    anchor_subjects = index.subjects()
    anchor_prints = index.fingerprints()
    said: Msg
    if len(chain) == 1 and _is_self_signed(leaf):
        cause, said = "self_signed", Msg.of("cert.self_signed")
    elif _is_self_signed(top) and trust.fingerprint(top) not in anchor_prints:
        cause, said = "untrusted_root", Msg.of("cert.untrusted_root", root=_cn(top))
    elif not _is_self_signed(top) and top.issuer not in anchor_subjects and len(chain) == 1:
        cause, said = (
            "incomplete_chain",
            Msg.of("cert.incomplete", cert=_cn(top), issuer=_cn_of(top.issuer)),
        )
    elif not _is_self_signed(top) and top.issuer not in anchor_subjects:
        # The server sent intermediates and the last one's issuer is unknown. Servers rarely
        # send roots, so this reads as a private or unknown root; a missing second
        # intermediate would look the same, hence the wording.
        cause, said = (
            "untrusted_root",
            Msg.of("cert.unknown_root", cert=_cn(top), issuer=_cn_of(top.issuer)),
        )
    else:
        cause, said = "rejected", refused or rejection(error)
    ev["cause"] = cause
    return Verdict(Status.FAIL, said, ev)


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
    broken = malformed([leaf])
    if broken:
        return Verdict(
            Status.FAIL, Msg.of("probe.cert.names_unreadable", problem=broken), {"host": ci.host}
        )
    san = _san(leaf)
    cn = _cn(leaf)
    if san is None:
        return Verdict(
            Status.FAIL,
            Msg.of("cert.no_san", cn=cn),
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
        return Verdict(Status.PASS, Msg.of("cert.covers", host=ci.host), ev)
    return Verdict(
        Status.FAIL, Msg.of("cert.not_covers", host=ci.host, san=", ".join(dns + ips)), ev
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
        return Verdict(Status.FAIL, Msg.of("cert.not_yet", date=f"{nb:%Y-%m-%d}"), ev)
    if ci.now > na:
        return Verdict(Status.FAIL, Msg.of("cert.expired", date=f"{na:%Y-%m-%d}"), ev)
    days = (na - ci.now).days
    ev["days_left"] = days
    if days < EXPIRY_WARN_DAYS:
        return Verdict(
            Status.WARN, Msg.of("cert.expires_soon", days=days, date=f"{na:%Y-%m-%d}"), ev
        )
    return Verdict(Status.PASS, Msg.of("cert.valid_until", days=days, date=f"{na:%Y-%m-%d}"), ev)


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
        return Verdict(Status.PASS, Msg.of("cert.key", kind=kind, bits=bits), ev)
    return Verdict(Status.FAIL, Msg.of("cert.key_weak", kind=kind, bits=bits), ev)


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
            Msg.of(
                "cert.weak_signature",
                subject=weak[0]["subject"],
                hash=weak[0]["signature_hash"].upper(),
            ),
            ev,
        )
    return Verdict(
        Status.PASS, Msg.of("cert.signatures", hashes=", ".join(sorted(set(ev_hashes(chain))))), ev
    )


def ev_hashes(chain: Sequence[x509.Certificate]) -> list[str]:
    return [sig_hash(c).upper() for c in chain]
