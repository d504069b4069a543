"""OpenSSL's verdict on a server chain, asked through the `openssl verify` command (I/O).

Most TLS clients of a portal (curl, Python, PHP, Java's native stacks, load balancers) verify
with OpenSSL. `tls_cert_trusted` is decided by cryptography's verifiers; where OpenSSL refuses
a chain they accept (a root whose authorityKeyIdentifier names an issuer and serial, a
cross-signed root without one, some name-constraint cases), the chain must not pass. The
answer is gathered here, with the same instant and anchors the judge uses, and handed to
the judge as data. Without the command the opinion is None and the verdict says so.

The command's answer is asked of libcrypto in this process when it can be (`_in_process`:
the same library, set up as the command sets itself up), and of the command otherwise.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from assure.probes import trust

Opinion = tuple[bool, str]  # (accepted, OpenSSL's error line when refused)


def evaluation_instant(leaf_der: bytes, now: dt.datetime) -> dt.datetime:
    """The instant trust is judged at: now, moved inside the leaf's validity (expiry is a
    check of its own)."""
    leaf = trust.load_der(leaf_der)
    return min(
        max(now, leaf.not_valid_before_utc + dt.timedelta(seconds=1)),
        leaf.not_valid_after_utc - dt.timedelta(seconds=1),
    )


@lru_cache(maxsize=4)
def _openssl_command(path: str | None) -> str | None:
    """The `openssl` command on this PATH, looked up once per PATH (a lookup is a file
    check per folder of the PATH, for every chain judged)."""
    return shutil.which("openssl", path=path)


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
    exe = _openssl_command(os.environ.get("PATH"))
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
    opinion = _ask(exe, chain_der, anchors, at, timeout)
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
        cert = trust.load_der(der)
        for edge in (cert.not_valid_before_utc, cert.not_valid_after_utc):
            if lo <= edge <= hi:
                return False
    return True


def _ask(
    exe: str,
    chain_der: Sequence[bytes],
    anchors: Sequence[x509.Certificate],
    at: dt.datetime,
    timeout: float,
) -> Opinion | None:
    """The command's answer: from libcrypto in this process when it can give it, else from
    the command itself; None when neither answers."""
    opinion = _in_process(chain_der, anchors, at)
    return opinion if opinion is not None else _ask_openssl(exe, chain_der, anchors, at, timeout)


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
        certs = [trust.load_der(d) for d in chain_der]
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


# --- OpenSSL in this process -----------------------------------------------------------------
#
# `openssl verify` is a process start per chain (about 5.6 ms here, most of it the start
# itself); a national list has a chain per portal. The same library the command runs on
# (libcrypto, which Python's own `ssl` is linked with) is called here directly, set up as
# the command sets itself up: the anchors as its -CAfile, the system's default certificate
# directory and store (which the command also consults unless told not to), purpose
# sslserver and the instant as its -purpose and -attime, the rest of the chain as its
# -untrusted list. Anything it cannot take (no libcrypto, a certificate it does not parse)
# goes to the command instead, so the answer is always the command's.

_X509_L_ADD_DIR = 2
_X509_L_ADD_STORE = 4
_X509_FILETYPE_DEFAULT = 3
_X509_PURPOSE_SSL_SERVER = 2


@cache
def _libcrypto() -> ctypes.CDLL | None:
    """libcrypto 3 with the prototypes used here, or None."""
    name = ctypes.util.find_library("crypto")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        if lib.OpenSSL_version_num() >> 28 < 3:
            return None
    except (OSError, AttributeError):
        return None
    p, i, c = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    protos: dict[str, tuple[Any, list[Any]]] = {
        "d2i_X509": (p, [p, ctypes.POINTER(c), ctypes.c_long]),
        "X509_free": (None, [p]),
        "X509_STORE_new": (p, []),
        "X509_STORE_free": (None, [p]),
        "X509_STORE_add_cert": (i, [p, p]),
        "X509_STORE_add_lookup": (p, [p, p]),
        "X509_STORE_set1_param": (i, [p, p]),
        "X509_LOOKUP_hash_dir": (p, []),
        "X509_LOOKUP_store": (p, []),
        "X509_LOOKUP_ctrl": (i, [p, i, c, ctypes.c_long, p]),
        "X509_VERIFY_PARAM_new": (p, []),
        "X509_VERIFY_PARAM_free": (None, [p]),
        "X509_VERIFY_PARAM_set_purpose": (i, [p, i]),
        "X509_VERIFY_PARAM_set_time": (None, [p, ctypes.c_int64]),
        "X509_STORE_CTX_new": (p, []),
        "X509_STORE_CTX_free": (None, [p]),
        "X509_STORE_CTX_init": (i, [p, p, p, p]),
        "X509_STORE_CTX_get_error": (i, [p]),
        "X509_verify_cert": (i, [p]),
        "X509_verify_cert_error_string": (c, [ctypes.c_long]),
        "OPENSSL_sk_new_null": (p, []),
        "OPENSSL_sk_push": (i, [p, p]),
        "OPENSSL_sk_free": (None, [p]),
        "ERR_clear_error": (None, []),
    }
    try:
        for fn, (res, args) in protos.items():
            f = getattr(lib, fn)
            f.restype, f.argtypes = res, args
    except AttributeError:
        return None
    return lib


def _in_process(
    chain_der: Sequence[bytes], anchors: Sequence[x509.Certificate], at: dt.datetime
) -> Opinion | None:
    """`openssl verify -purpose sslserver -attime … -CAfile anchors -untrusted rest leaf`,
    answered by libcrypto in this process; None when it cannot be asked this way."""
    lib = _libcrypto()
    if lib is None:
        return None
    try:
        certs = [trust.load_der(d) for d in chain_der]
    except ValueError:
        return None
    reachable = reachable_anchors(certs, anchors) or list(anchors)
    owned: list[int] = []
    store = vpm = ctx = untrusted = None
    try:

        def parse(der: bytes) -> int | None:
            buf = ctypes.c_char_p(der)
            x = lib.d2i_X509(None, ctypes.byref(buf), len(der))
            if x:
                owned.append(x)
            return x or None

        store = lib.X509_STORE_new()
        vpm = lib.X509_VERIFY_PARAM_new()
        ctx = lib.X509_STORE_CTX_new()
        untrusted = lib.OPENSSL_sk_new_null()
        if not (store and vpm and ctx and untrusted):
            return None
        for a in reachable:
            x = parse(a.public_bytes(Encoding.DER))
            if x is None or lib.X509_STORE_add_cert(store, x) != 1:
                return None
        # The command's defaults beside -CAfile: the certificate directory and store.
        by_dir = lib.X509_STORE_add_lookup(store, lib.X509_LOOKUP_hash_dir())
        by_store = lib.X509_STORE_add_lookup(store, lib.X509_LOOKUP_store())
        if not by_dir or not by_store:
            return None
        lib.X509_LOOKUP_ctrl(by_dir, _X509_L_ADD_DIR, None, _X509_FILETYPE_DEFAULT, None)
        lib.X509_LOOKUP_ctrl(by_store, _X509_L_ADD_STORE, None, 0, None)
        if lib.X509_VERIFY_PARAM_set_purpose(vpm, _X509_PURPOSE_SSL_SERVER) != 1:
            return None
        lib.X509_VERIFY_PARAM_set_time(vpm, int(at.timestamp()))
        if lib.X509_STORE_set1_param(store, vpm) != 1:
            return None
        leaf = parse(chain_der[0])
        if leaf is None:
            return None
        for der in chain_der[1:]:
            x = parse(der)
            if x is None or lib.OPENSSL_sk_push(untrusted, x) <= 0:
                return None
        if lib.X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1:
            return None
        ok = lib.X509_verify_cert(ctx)
        err = lib.X509_STORE_CTX_get_error(ctx)
        if ok == 1 and err == 0:
            return True, ""
        if ok < 0:
            return None
        why = lib.X509_verify_cert_error_string(err) or b"refused"
        return False, why.decode("utf-8", "replace")[:200]
    finally:
        if ctx:
            lib.X509_STORE_CTX_free(ctx)
        if untrusted:
            lib.OPENSSL_sk_free(untrusted)
        if vpm:
            lib.X509_VERIFY_PARAM_free(vpm)
        if store:
            lib.X509_STORE_free(store)
        for x in owned:
            lib.X509_free(x)
        lib.ERR_clear_error()
