"""TLS gathering (handshakes per address) and judging of versions and cipher suites.

Python's `ssl` can only offer what the local OpenSSL offers. Each legacy version and each weak
cipher family is first tried against ourselves in memory: what this client cannot even offer is
reported as "could not test from this client", never as "not offered by the server".
"""

from __future__ import annotations

import datetime as dt
import ssl
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from assure.findings import JSONValue, Status
from assure.i18n import Msg
from assure.probes import hello
from assure.probes.context import Deadline
from assure.probes.net import (
    NetError,
    ProbeNetError,
    classify_oserror,
    connect,
    insecure_context,
    set_versions,
    sni_for,
    tls_wrap,
)
from assure.probes.verdict import Verdict

VERSIONS: dict[str, ssl.TLSVersion] = {
    "SSLv3": ssl.TLSVersion.SSLv3,
    "TLSv1.0": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
LEGACY = ("SSLv3", "TLSv1.0", "TLSv1.1")
# OpenSSL cipher-string names of the families that must never be accepted.
WEAK_FAMILIES: dict[str, str] = {
    "NULL": "eNULL",
    "anonymous": "aNULL",
    "EXPORT": "EXP",
    "RC4": "RC4",
    "3DES": "3DES",
    "DES": "DES",
}
_NOT_WEAK = ":".join(f"!{s}" for s in WEAK_FAMILIES.values())
_ALL_LEGACY_CIPHERS = "ALL:COMPLEMENTOFALL:@SECLEVEL=0"


@dataclass
class TlsObservation:
    """What one TLS endpoint (address:port) showed us."""

    address: str
    port: int
    error: tuple[str, str] | None = None  # (NetError kind, detail) of the main handshake
    version: str | None = None
    cipher: str | None = None
    chain_der: list[bytes] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)  # offered|not_offered|untestable|unknown
    weak_accepted: list[str] = field(default_factory=list)
    weak_untestable: list[str] = field(default_factory=list)
    weak_unknown: bool = False
    static_rsa_accepted: str | None = None
    forward_secrecy: bool | None = None
    raw_hello: list[str] = field(default_factory=list)  # asked by raw ClientHello, not OpenSSL
    static_rsa_unknown: bool = False
    control_connections: int = 0  # control handshakes spent to confirm bare closes
    confirmed_closes: int = 0  # bare closes a control handshake turned into refusals
    interference: str | None = None  # why later answers of this endpoint were not believed


# --- local capability ----------------------------------------------------------------------


@cache
def _self_cert() -> tuple[str, str]:
    """A throw-away certificate for in-memory handshakes with ourselves."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())  # fast; serves every version we test
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="assure-selftest-"))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def _self_handshake(client: ssl.SSLContext, version: ssl.TLSVersion, ciphers: str) -> bool:
    """Can `client` complete a handshake at `version` with a server that allows anything?"""
    try:
        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.set_ciphers(ciphers)
        set_versions(server, version, version)
        server.load_cert_chain(*_self_cert())
    except (ssl.SSLError, ValueError):
        return False
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    cli = client.wrap_bio(c_in, c_out, server_hostname=None)
    srv = server.wrap_bio(s_in, s_out, server_side=True)
    done = [False, False]
    for _ in range(20):
        for i, end in enumerate((cli, srv)):
            if done[i]:
                continue
            try:
                end.do_handshake()
                done[i] = True
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLError, OSError):
                return False
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done):
            return True
    return False


@cache
def client_can_offer(version: str) -> bool:
    """True when this machine's OpenSSL can still speak `version` (as a client)."""
    try:
        ctx = insecure_context(
            min_version=VERSIONS[version],
            max_version=VERSIONS[version],
            ciphers=_ALL_LEGACY_CIPHERS,
        )
    except (ssl.SSLError, ValueError):
        return False
    return _self_handshake(ctx, VERSIONS[version], _ALL_LEGACY_CIPHERS)


@cache
def client_cipher_families() -> tuple[dict[str, list[str]], list[str]]:
    """Weak families this client can offer (with their suites) and those it cannot."""
    have: dict[str, list[str]] = {}
    missing: list[str] = []
    for fam, spec in WEAK_FAMILIES.items():
        try:
            ctx = insecure_context(
                max_version=ssl.TLSVersion.TLSv1_2, ciphers=f"{spec}:@SECLEVEL=0"
            )
            names = [c["name"] for c in ctx.get_ciphers() if c.get("protocol") != "TLSv1.3"]
        except ssl.SSLError:
            names = []
        if names:
            have[fam] = names
        else:
            missing.append(fam)
    return have, missing


# --- gathering -------------------------------------------------------------------------------


# How many control handshakes one endpoint may cost. Two addresses per target stay within
# six extra full handshakes; servers that refuse with an alert (OpenSSL, nginx, IIS…) cost none.
MAX_CONTROLS = 3
_MAIN_CIPHERS = "DEFAULT:@SECLEVEL=0"


class EndpointProber:
    """Sequential probes on one endpoint, each answer classed by whether the server provably
    spoke to us when it answered.

    An accepted handshake or a TLS alert comes from the server itself. A bare close or reset
    does not: a refusing server and a connection limiter, a rate limiter or a middlebox look
    the same. Such an answer counts as a refusal only when a control handshake (the one that
    already worked for the main handshake) succeeds right after it; a timeout is retried the
    same way before the next probe is spent. Once a control fails, nothing this endpoint says
    afterwards is believed: every further probe is `unknown`, so the verdict is inconclusive.
    """

    def __init__(
        self,
        address: str,
        port: int,
        host: str,
        deadline: Deadline,
        max_controls: int = MAX_CONTROLS,
    ) -> None:
        self.address, self.port, self.host, self.deadline = address, port, host, deadline
        self.max_controls = max_controls
        self.controls = 0
        self.confirmed_closes = 0
        self.interference: str | None = None

    def control(self) -> bool:
        """A known-good handshake: does the server speak to us right now?"""
        self.controls += 1
        try:
            sock = connect(self.address, self.port, self.deadline)
            with tls_wrap(
                sock, insecure_context(ciphers=_MAIN_CIPHERS), sni_for(self.host), self.deadline
            ):
                return True
        except (ProbeNetError, OSError):
            return False

    def settle(self, result: str) -> str:
        """'accepted' | 'refused' | 'closed' | 'unknown' → 'accepted' | 'refused' | 'unknown'."""
        if result in ("accepted", "refused"):
            return result
        if self.interference is not None:
            return "unknown"
        if self.controls >= self.max_controls:
            if result == "closed":
                self.interference = (
                    f"the connection was closed without an alert after {self.controls} "
                    "control handshakes were spent"
                )
            return "unknown"
        ok = self.control()
        if not ok:
            self.interference = (
                "a control handshake right after a "
                + ("closed connection" if result == "closed" else "probe that got no answer")
                + " failed too: the server (or something in front of it) stopped answering"
            )
            return "unknown"
        if result == "closed":
            self.confirmed_closes += 1
            return "refused"
        return "unknown"

    def attempt(self, ctx: ssl.SSLContext) -> tuple[str, str | None]:
        """One probing handshake: ('accepted', cipher) | ('refused', None) | ('unknown', why)."""
        if self.interference is not None:
            return "unknown", "interference"
        try:
            sock = connect(self.address, self.port, self.deadline)
            with tls_wrap(sock, ctx, sni_for(self.host), self.deadline) as tls:
                c = tls.cipher()
                return "accepted", c[0] if c else None
        except ProbeNetError as exc:
            if exc.kind is NetError.TLS_ALERT:
                return "refused", None  # the server answered in TLS: an alert or a ServerHello
            raw = "closed" if exc.kind is NetError.RESET else "unknown"
            settled = self.settle(raw)
            return settled, None if settled != "unknown" else exc.kind.value

    def hello(
        self, ctx: ssl.SSLContext, suites: list[int] | None = None
    ) -> tuple[str, int | None, int | None]:
        """One probe that stops at the server's first answer: OpenSSL's own ClientHello for
        `ctx` (its suites replaced by `suites` when given), and the version and suite the
        ServerHello names → ('accepted', version, suite) | ('refused' | 'unknown', None, None).

        The server decides on the ClientHello alone, so its answer is the one a complete
        handshake would have started with; the rest of that handshake would cost both ends
        about as much again for nothing a verdict uses."""
        if self.interference is not None:
            return "unknown", None, None
        record = hello.openssl_hello(ctx, sni_for(self.host))
        if suites is not None:
            spliced = hello.with_suites(record, suites)
            if spliced is None:
                return "unknown", None, None
            record = spliced
        result, version, suite = hello.send_hello(self.address, self.port, record, self.deadline)
        settled = self.settle(result)
        return (settled, version, suite) if settled == "accepted" else (settled, None, None)

    def raw_settle(self, result: str) -> str:
        """`settle` for raw ClientHello probes, which also stop once the endpoint is doubted."""
        return self.settle(result) if self.interference is None else "unknown"


@dataclass(frozen=True)
class MainHandshake:
    """What the main handshake (default suites, SNI) showed: the best the server offers."""

    version: str | None
    cipher: str | None
    chain_der: list[bytes]

    @classmethod
    def of(cls, tls: ssl.SSLSocket) -> MainHandshake:
        c = tls.cipher()
        return cls(tls.version(), c[0] if c else None, peer_chain(tls))


def gather_tls(
    address: str,
    port: int,
    host: str,
    deadline: Deadline,
    main: MainHandshake | None = None,
) -> TlsObservation:
    """Main handshake (chain, version, cipher), then the version and cipher probes.

    `main` is that handshake when the caller already made it (the HTTPS page is fetched over
    the very same ClientHello), so it is not made twice.
    """
    obs = TlsObservation(address, port)
    if main is None:
        try:
            sock = connect(address, port, deadline)
            with tls_wrap(
                sock, insecure_context(ciphers=_MAIN_CIPHERS), sni_for(host), deadline
            ) as tls:
                main = MainHandshake.of(tls)
        except ProbeNetError as exc:
            obs.error = (exc.kind.value, exc.detail)
            return obs
        except Exception as exc:  # gathering never crashes the run
            e = classify_oserror(exc)
            obs.error = (e.kind.value, e.detail)
            return obs
    obs.version, obs.cipher, obs.chain_der = main.version, main.cipher, list(main.chain_der)
    prober = EndpointProber(address, port, host, deadline)
    try:
        _probe_versions_and_suites(obs, prober)
    finally:
        obs.control_connections = prober.controls
        obs.confirmed_closes = prober.confirmed_closes
        obs.interference = prober.interference
    return obs


def _version_hello(prober: EndpointProber, name: str) -> str:
    """'offered' | 'not_offered' | 'unknown' for one version OpenSSL can offer, from the
    server's answer to OpenSSL's ClientHello for exactly that version."""
    ver = VERSIONS[name]
    ctx = insecure_context(min_version=ver, max_version=ver, ciphers=_ALL_LEGACY_CIPHERS)
    result, got, _ = prober.hello(ctx)
    code = hello.VERSION_CODES[name]
    if result == "accepted" and got is not None:
        # A lower version in the ServerHello is the server's way of saying it does not speak
        # this one (OpenSSL would end that handshake: not offered); a higher one than was
        # offered is a broken answer, which says nothing.
        return "offered" if got == code else "not_offered" if got < code else "unknown"
    return {"refused": "not_offered"}.get(result, "unknown")


def _legacy_pair(obs: TlsObservation, prober: EndpointProber) -> None:
    """TLS 1.0 and 1.1 asked in one ClientHello offering both.

    A server takes the highest version both sides have: a refusal (or an SSLv3 answer) says
    neither is offered, a 1.0 answer says 1.1 is not, and only a 1.1 answer (1.0 still
    unknown) or no answer at all sends each version its own probe."""
    ctx = insecure_context(
        min_version=VERSIONS["TLSv1.0"],
        max_version=VERSIONS["TLSv1.1"],
        ciphers=_ALL_LEGACY_CIPHERS,
    )
    result, got, _ = prober.hello(ctx)
    if result == "refused" or (result == "accepted" and got == hello.VERSION_CODES["SSLv3"]):
        obs.versions["TLSv1.0"] = obs.versions["TLSv1.1"] = "not_offered"
    elif result == "accepted" and got == hello.VERSION_CODES["TLSv1.0"]:
        obs.versions["TLSv1.0"], obs.versions["TLSv1.1"] = "offered", "not_offered"
    elif result == "accepted" and got == hello.VERSION_CODES["TLSv1.1"]:
        obs.versions["TLSv1.1"] = "offered"


def _probe_versions_and_suites(obs: TlsObservation, prober: EndpointProber) -> None:
    address, port, host, deadline = prober.address, prober.port, prober.host, prober.deadline
    if (
        client_can_offer("TLSv1.0")
        and client_can_offer("TLSv1.1")
        and obs.version not in ("TLSv1.0", "TLSv1.1")
    ):
        _legacy_pair(obs, prober)
    for name, ver in VERSIONS.items():
        if name in obs.versions:  # answered by the shared legacy probe
            continue
        if not client_can_offer(name):
            if name in hello.VERSION_CODES:
                if prober.interference is not None:
                    obs.versions[name] = "unknown"
                else:
                    obs.versions[name] = hello.version_offered(
                        address, port, host, name, deadline, prober.raw_settle
                    )
                obs.raw_hello.append(name)
            else:
                obs.versions[name] = "untestable"
            continue
        if obs.version == name:
            obs.versions[name] = "offered"
            continue
        if name in hello.VERSION_CODES:
            obs.versions[name] = _version_hello(prober, name)
            continue
        ctx = insecure_context(min_version=ver, max_version=ver, ciphers=_ALL_LEGACY_CIPHERS)
        result, _ = prober.attempt(ctx)
        obs.versions[name] = {"accepted": "offered", "refused": "not_offered"}.get(
            result, "unknown"
        )

    if not any(obs.versions.get(v) == "offered" for v in ("TLSv1.0", "TLSv1.1", "TLSv1.2")):
        if obs.versions.get("TLSv1.2") == "unknown":
            obs.forward_secrecy = None  # TLS 1.2 may be there, with suites we could not ask
            obs.weak_unknown = True
            return
        obs.forward_secrecy = obs.versions.get("TLSv1.3") == "offered" or None
        return
    have, missing = client_cipher_families()
    combined = _weak_and_static_rsa(prober, have, missing)
    if combined == "refused":
        obs.raw_hello.extend(missing)
        _forward_secrecy(obs, prober)
        return
    if missing:
        # What OpenSSL cannot offer is asked with a raw ClientHello instead.
        if prober.interference is not None:
            cut = True
        else:
            accepted, cut = hello.weak_suites_accepted(
                address, port, host, missing, deadline, settle=prober.raw_settle
            )
            obs.weak_accepted.extend(accepted)
        obs.weak_unknown = cut
        obs.raw_hello.extend(missing)
    if have:
        exclude: list[str] = []
        for _ in range(6):
            spec = ":".join(WEAK_FAMILIES[f] for f in have) + "".join(f":!{x}" for x in exclude)
            try:
                ctx = insecure_context(
                    max_version=ssl.TLSVersion.TLSv1_2, ciphers=spec + ":@SECLEVEL=0"
                )
            except ssl.SSLError:
                break
            result, cipher = prober.attempt(ctx)
            if result == "accepted" and cipher:
                obs.weak_accepted.append(cipher)
                exclude.append(cipher)
                continue
            obs.weak_unknown = obs.weak_unknown or result == "unknown"
            break
    if combined.startswith("kRSA:"):
        obs.static_rsa_accepted = combined[len("kRSA:") :]
    else:
        ctx = insecure_context(max_version=ssl.TLSVersion.TLSv1_2, ciphers=_STATIC_RSA)
        result, cipher = prober.attempt(ctx)
        if result == "accepted":
            obs.static_rsa_accepted = cipher
        obs.static_rsa_unknown = result == "unknown"
    _forward_secrecy(obs, prober)


_STATIC_RSA = f"kRSA:{_NOT_WEAK}:@SECLEVEL=0"


@cache
def _suite_names(spec: str) -> dict[int, str]:
    """IANA code → OpenSSL name of the TLS ≤ 1.2 suites an OpenSSL cipher string selects."""
    try:
        ctx = insecure_context(max_version=ssl.TLSVersion.TLSv1_2, ciphers=spec)
    except ssl.SSLError:
        return {}
    return {
        int(c["id"]) & 0xFFFF: str(c["name"])
        for c in ctx.get_ciphers()
        if c.get("protocol") != "TLSv1.3"
    }


def _weak_and_static_rsa(
    prober: EndpointProber, have: dict[str, list[str]], missing: list[str]
) -> str:
    """Every weak suite and every static-RSA suite offered in one ClientHello.

    A well-configured server refuses the lot with one alert, which answers both questions
    ('refused'); a server taking a static-RSA suite from the lot answers that one
    ('kRSA:<suite>') while weak suites still get their own probes; anything else ('other':
    a weak suite taken, no answer) leaves both to their own probes, as if this one had not
    been asked. A refusal of all of them is a refusal of each: a server picks among what is
    offered, and refuses only when nothing offered is acceptable to it."""
    weak = {
        c: n for fam in have for c, n in _suite_names(f"{WEAK_FAMILIES[fam]}:@SECLEVEL=0").items()
    }
    for fam in missing:
        weak.update({c: n for c, n in hello.WEAK_SUITES.get(fam, {}).items() if c not in weak})
    static_rsa = {c: n for c, n in _suite_names(_STATIC_RSA).items() if c not in weak}
    if not weak and not static_rsa:
        return "other"
    ctx = insecure_context(max_version=ssl.TLSVersion.TLSv1_2, ciphers=_ALL_LEGACY_CIPHERS)
    result, _, suite = prober.hello(ctx, [*weak, *static_rsa])
    if result == "refused":
        return "refused"
    if result == "accepted" and suite in static_rsa:
        return "kRSA:" + static_rsa[suite]
    return "other"


def _forward_secrecy(obs: TlsObservation, prober: EndpointProber) -> None:
    """Forward secrecy: known from the main handshake, else asked with ECDHE/DHE suites only."""
    if obs.versions.get("TLSv1.3") == "offered" or (obs.cipher or "").startswith(("ECDHE", "DHE")):
        obs.forward_secrecy = True
    else:
        ctx = insecure_context(
            max_version=ssl.TLSVersion.TLSv1_2, ciphers=f"ECDHE:DHE:{_NOT_WEAK}:@SECLEVEL=0"
        )
        result, _ = prober.attempt(ctx)
        obs.forward_secrecy = {"accepted": True, "refused": False}.get(result)


def peer_chain(tls: ssl.SSLSocket) -> list[bytes]:
    """The certificates the server sent, leaf first, as DER.

    Python ≥ 3.13 has `get_unverified_chain()`; 3.10–3.12 expose the same call on the
    underlying `_sslobj`. Without either we keep at least the leaf.
    """
    for obj in (tls, getattr(tls, "_sslobj", None)):
        fn = getattr(obj, "get_unverified_chain", None)
        if fn is None:
            continue
        chain = fn() or []
        out = []
        for c in chain:
            der = c if isinstance(c, bytes) else c.public_bytes(ssl._ssl.ENCODING_DER)  # type: ignore[attr-defined]
            out.append(bytes(der))
        if out:
            return out
    leaf = tls.getpeercert(binary_form=True)
    return [leaf] if leaf else []


# --- judging ---------------------------------------------------------------------------------


def _interference_evidence(obs: TlsObservation) -> dict[str, JSONValue]:
    """How much the verdict leaned on control handshakes, and why answers were doubted."""
    ev: dict[str, JSONValue] = {
        "control_connections": obs.control_connections,
        "confirmed_closes": obs.confirmed_closes,
    }
    if obs.interference:
        ev["interference"] = obs.interference
    return ev


def _cut_reason(obs: TlsObservation, what: str) -> str:
    return (
        f"interference during {what}: {obs.interference}"
        if obs.interference
        else f"interference during {what}"
    )


def judge_versions(obs: TlsObservation) -> Verdict:
    """Pass: 1.2 and/or 1.3 only. Fail: SSLv3/1.0/1.1 offered, or neither 1.2 nor 1.3.

    "Not offered" rests only on answers the server provably gave (see `EndpointProber`); a
    legacy version we got no such answer about makes the verdict inconclusive, never pass."""
    ev: dict[str, JSONValue] = {
        "versions": dict(obs.versions),
        "negotiated": obs.version,
        "raw_client_hello": [v for v in obs.raw_hello if v in VERSIONS],
        **_interference_evidence(obs),
    }
    offered_legacy = [v for v in LEGACY if obs.versions.get(v) == "offered"]
    if offered_legacy:
        return Verdict(Status.FAIL, Msg.of("tls.legacy", versions=", ".join(offered_legacy)), ev)
    unknown = [v for v in LEGACY if obs.versions.get(v) == "unknown"]
    if not any(obs.versions.get(v) == "offered" for v in ("TLSv1.2", "TLSv1.3")):
        if not unknown and "unknown" not in (obs.versions.get(v) for v in ("TLSv1.2", "TLSv1.3")):
            return Verdict(Status.FAIL, Msg.of("tls.none_modern"), ev)
        unknown = [v for v in VERSIONS if obs.versions.get(v) == "unknown"]
    if unknown:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("tls.unknown_versions", versions=", ".join(unknown)),
            ev,
            _cut_reason(obs, "version probes"),
        )
    untestable = [v for v in ("TLSv1.0", "TLSv1.1") if obs.versions.get(v) == "untestable"]
    if untestable:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("tls.untestable", versions=", ".join(untestable)),
            ev,
            "client limitation",
        )
    good = [v for v in ("TLSv1.2", "TLSv1.3") if obs.versions.get(v) == "offered"]
    msg = Msg.of("probe.tls.only", versions=", ".join(good))
    if obs.versions.get("SSLv3") == "untestable":
        msg = Msg.of("probe.tls.note_sslv3", text=msg)
    if obs.versions.get("TLSv1.2") == "unknown":
        msg = Msg.of("probe.tls.note_tls12", text=msg)
    return Verdict(Status.PASS, Msg.of("probe.sentence", text=msg), ev)


def judge_ciphers(obs: TlsObservation) -> Verdict:
    """Fail on any weak suite or no forward secrecy; warn when static RSA is still accepted."""
    ev = {
        "negotiated": obs.cipher,
        "weak_accepted": list(obs.weak_accepted),
        "weak_families_untestable": list(obs.weak_untestable),
        "static_rsa_accepted": obs.static_rsa_accepted,
        "forward_secrecy": obs.forward_secrecy,
        "raw_client_hello": [f for f in obs.raw_hello if f in WEAK_FAMILIES],
        **_interference_evidence(obs),
    }
    if obs.weak_accepted:
        return Verdict(Status.FAIL, Msg.of("tls.weak", suites=", ".join(obs.weak_accepted)), ev)
    if obs.forward_secrecy is False:
        return Verdict(Status.FAIL, Msg.of("tls.no_fs"), ev)
    if obs.weak_unknown or obs.forward_secrecy is None:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("tls.cipher_cut"),
            ev,
            _cut_reason(obs, "cipher probes"),
        )
    if obs.static_rsa_accepted:
        return Verdict(
            Status.WARN,
            Msg.of("tls.static_rsa", suite=obs.static_rsa_accepted),
            ev,
        )
    if obs.static_rsa_unknown:
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("probe.tls.static_rsa_unknown"),
            ev,
            _cut_reason(obs, "cipher probes"),
        )
    msg = (
        Msg.of("tls.ciphers_ok_untested", families=", ".join(obs.weak_untestable))
        if obs.weak_untestable
        else Msg.of("tls.ciphers_ok")
    )
    return Verdict(Status.PASS, msg, ev)
