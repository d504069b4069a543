"""OpenSSL's verdict on a server chain, asked through the `openssl verify` command (I/O).

Most TLS clients of a portal (curl, Python, PHP, Java's native stacks, load balancers) verify
with OpenSSL. `tls_cert_trusted` is decided by cryptography's verifiers; where OpenSSL refuses
a chain they accept (a root whose authorityKeyIdentifier names an issuer and serial, a
cross-signed root without one, some name-constraint cases), the chain must not pass. The
answer is gathered here, with the same instant and anchors the judge uses, and handed to
the judge as data. Without the command the opinion is None and the verdict says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

Opinion = tuple[bool, str]  # (accepted, OpenSSL's error line when refused)


def evaluation_instant(leaf_der: bytes, now: dt.datetime) -> dt.datetime:
    """The instant trust is judged at: now, moved inside the leaf's validity (expiry is a
    check of its own)."""
    leaf = x509.load_der_x509_certificate(leaf_der)
    return min(
        max(now, leaf.not_valid_before_utc + dt.timedelta(seconds=1)),
        leaf.not_valid_after_utc - dt.timedelta(seconds=1),
    )


@cache
def _anchors_file(anchors: tuple[x509.Certificate, ...]) -> Path:
    """One PEM bundle of the run's anchors (written once per set of anchors)."""
    folder = Path(tempfile.mkdtemp(prefix="assure-anchors-"))
    path = folder / "anchors.pem"
    path.write_bytes(b"".join(a.public_bytes(Encoding.PEM) for a in anchors))
    return path


def openssl_opinion(
    chain_der: Sequence[bytes],
    anchors: Sequence[x509.Certificate],
    now: dt.datetime,
    timeout: float = 10.0,
) -> Opinion | None:
    """`openssl verify -purpose sslserver` on the chain as sent, at the judging instant; None
    when the command is missing or does not answer. The host name is not part of it: like the
    trust verdict, this is about the chain; names are `tls_cert_hostname`'s."""
    exe = shutil.which("openssl")
    if exe is None or not chain_der or not anchors:
        return None
    at = evaluation_instant(chain_der[0], now)
    # A dual-stack portal sends the same chain on both addresses, judged moments apart: one
    # `openssl verify` (a process start, the costliest step of judging trust) answers both,
    # as long as no certificate of the chain starts or ends its validity between the two
    # instants. Only answers are remembered; a command that did not answer is asked again.
    key = (tuple(chain_der), _anchors_key(anchors))
    with _memo_lock:
        known = _memo.get(key)
    if known is not None and _same_validity(chain_der, known[0], at):
        return known[1]
    opinion = _ask_openssl(exe, chain_der, anchors, at, timeout)
    if opinion is not None:
        with _memo_lock:
            if len(_memo) >= _MEMO_SIZE:
                _memo.pop(next(iter(_memo)))
            _memo[key] = (at, opinion)
    return opinion


_MEMO_SIZE = 4096
_memo: dict[tuple[tuple[bytes, ...], bytes], tuple[dt.datetime, Opinion]] = {}
_memo_lock = threading.Lock()
# id(anchors) → (the anchors, kept alive so the id is not reused; their digest)
_anchor_keys: dict[int, tuple[Sequence[x509.Certificate], bytes]] = {}


def _anchors_key(anchors: Sequence[x509.Certificate]) -> bytes:
    """A digest of the anchors' DER, computed once per anchors object: a run asks with the
    same anchors every time, and hashing 120 certificates for every lookup of the memo
    cost more than the lookup."""
    with _memo_lock:
        known = _anchor_keys.get(id(anchors))
        if known is not None and known[0] is anchors:
            return known[1]
    digest = hashlib.sha256()
    for a in anchors:
        der = a.public_bytes(Encoding.DER)
        digest.update(len(der).to_bytes(4, "big") + der)
    key = digest.digest()
    with _memo_lock:
        if len(_anchor_keys) >= 16:
            _anchor_keys.pop(next(iter(_anchor_keys)))
        _anchor_keys[id(anchors)] = (anchors, key)
    return key


_REUSE = dt.timedelta(minutes=5)


def _same_validity(chain_der: Sequence[bytes], then: dt.datetime, at: dt.datetime) -> bool:
    """Whether every certificate of the chain is in the same validity state at both instants
    (and they are at most a few minutes apart), so OpenSSL's answer cannot differ."""
    lo, hi = min(then, at), max(then, at)
    if hi - lo > _REUSE:
        return False
    for der in chain_der:
        cert = x509.load_der_x509_certificate(der)
        for edge in (cert.not_valid_before_utc, cert.not_valid_after_utc):
            if lo <= edge <= hi:
                return False
    return True


def _ask_openssl(
    exe: str,
    chain_der: Sequence[bytes],
    anchors: Sequence[x509.Certificate],
    at: dt.datetime,
    timeout: float,
) -> Opinion | None:
    """Run `openssl verify` once; None when it does not answer."""
    with tempfile.TemporaryDirectory(prefix="assure-verify-") as tmp:
        folder = Path(tmp)
        certs = [x509.load_der_x509_certificate(d) for d in chain_der]
        (folder / "leaf.pem").write_bytes(certs[0].public_bytes(Encoding.PEM))
        cmd = [exe, "verify", "-purpose", "sslserver", "-attime", str(int(at.timestamp()))]
        reachable = reachable_anchors(certs, anchors)
        if reachable:
            (folder / "anchors.pem").write_bytes(
                b"".join(a.public_bytes(Encoding.PEM) for a in reachable)
            )
            cmd += ["-CAfile", str(folder / "anchors.pem")]
        else:  # no anchor is named by the chain: let OpenSSL say so in its own words
            cmd += ["-CAfile", str(_anchors_file(tuple(anchors)))]
        if certs[1:]:
            (folder / "sent.pem").write_bytes(
                b"".join(c.public_bytes(Encoding.PEM) for c in certs[1:])
            )
            cmd += ["-untrusted", str(folder / "sent.pem")]
        try:
            run = subprocess.run(  # noqa: S603 — a fixed program and arguments we built, no shell
                [*cmd, str(folder / "leaf.pem")],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (subprocess.TimeoutExpired, OSError):
            return None
    if run.returncode == 0:
        return True, ""
    lines = [ln for ln in (run.stdout + run.stderr).splitlines() if "error" in ln.lower()]
    why = lines[0].split(":", 1)[-1].strip() if lines else "refused"
    return False, why[:200]


def reachable_anchors(
    chain: Sequence[x509.Certificate], anchors: Sequence[x509.Certificate]
) -> list[x509.Certificate]:
    """The anchors a path from this chain can reach by issuer names, in their order.

    OpenSSL links a certificate to its issuer by name; any path it can build from the leaf
    runs through the sent certificates and anchors whose subject is the issuer of one
    already on the way. Handing it only those (the closure over issuer names) gives the same
    verdict as the whole bundle, and parsing two anchors instead of 120 is most of the cost
    of `openssl verify`.
    """
    wanted = {c.issuer for c in chain} | {c.subject for c in chain}
    chosen: list[x509.Certificate] = []
    grew = True
    while grew:
        grew = False
        for a in anchors:
            if a.subject in wanted and a not in chosen:
                chosen.append(a)
                wanted.add(a.issuer)
                grew = True
    return [a for a in anchors if a in chosen]
