"""x509-limbo's server cases against `assure`, OpenSSL and cryptography on the same inputs.

For every case the same certificates go to three verifiers: `openssl verify -purpose
sslserver -verify_hostname` (the library behind most TLS clients), cryptography's strict
web-PKI verifier, and assure's certificate judges (`tls_cert_trusted`, `tls_cert_hostname`,
`tls_cert_expiry` together: a client accepts the endpoint only if all three allow it). Where
OpenSSL and cryptography both agree with limbo's expected result, assure must agree too; every
other case is listed in docs/probes.md with why the verifiers differ. A sample of cases is
also replayed as real TLS endpoints through `assure probe`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import ssl
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import PolicyBuilder, Store

from assure.findings import Status
from assure.probes import certs, second_opinion

DATA = Path(__file__).resolve().parents[1] / "data" / "x509-limbo" / "server-cases.json.gz"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)

pytestmark = [
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl"),
    # limbo's zero and negative serial numbers make cryptography warn while parsing
    pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning"),
]


@cache
def cases() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(gzip.decompress(DATA.read_bytes()))
    return loaded


def _when(case: dict[str, Any]) -> dt.datetime:
    t = case["validation_time"]
    return dt.datetime.fromisoformat(t) if t else NOW


def _load(pems: list[str]) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate(p.encode()) for p in pems]


def openssl_accepts(case: dict[str, Any], folder: Path) -> bool:
    (folder / "trusted.pem").write_text("".join(case["trusted_certs"]))
    (folder / "peer.pem").write_text(case["peer_certificate"])
    cmd = ["openssl", "verify", "-attime", str(int(_when(case).timestamp()))]
    cmd += ["-purpose", "sslserver", "-verify_hostname", case["expected_peer_name"]["value"]]
    cmd += ["-CAfile", str(folder / "trusted.pem")]
    if case["untrusted_intermediates"]:
        (folder / "untrusted.pem").write_text("".join(case["untrusted_intermediates"]))
        cmd += ["-untrusted", str(folder / "untrusted.pem")]
    try:
        run = subprocess.run(
            [*cmd, str(folder / "peer.pem")], capture_output=True, timeout=20, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return run.returncode == 0


def cryptography_accepts(case: dict[str, Any]) -> bool | None:
    """cryptography's strict verifier; None where it cannot answer in reasonable time (its
    path builder takes minutes on limbo's hundred-certificate pathological chains)."""
    if len(case["untrusted_intermediates"]) > certs.MAX_INTERMEDIATES:
        return None
    try:
        verifier = (
            PolicyBuilder()
            .store(Store(_load(case["trusted_certs"])))
            .time(_when(case))
            .build_server_verifier(x509.DNSName(case["expected_peer_name"]["value"]))
        )
        verifier.verify(
            x509.load_pem_x509_certificate(case["peer_certificate"].encode()),
            _load(case["untrusted_intermediates"]),
        )
    except Exception:
        return False
    return True


def assure_accepts(case: dict[str, Any]) -> tuple[bool, dict[str, str]]:
    """assure's verdicts on the chain a server would send (peer, then intermediates)."""
    chain = [x509.load_pem_x509_certificate(case["peer_certificate"].encode())]
    chain += _load(case["untrusted_intermediates"])
    der = [c.public_bytes(Encoding.DER) for c in chain]
    host, anchors = case["expected_peer_name"]["value"], _load(case["trusted_certs"])
    opinion = second_opinion.openssl_opinion(der, anchors, _when(case))
    ci = certs.CertInput(host, der, anchors, frozenset(), _when(case), opinion)
    got = {
        "trusted": certs.judge_trusted(ci).status,
        "hostname": certs.judge_hostname(ci).status,
        "expiry": certs.judge_expiry(ci).status,
    }
    ok = (
        got["trusted"] in (Status.PASS, Status.WARN)
        and got["hostname"] is Status.PASS
        and got["expiry"] in (Status.PASS, Status.WARN)
    )
    return ok, {k: v.value for k, v in got.items()}


@pytest.mark.parametrize("case", cases(), ids=[c["id"] for c in cases()])
def test_limbo_case(case: dict[str, Any], tmp_path: Path) -> None:
    """assure agrees with limbo wherever OpenSSL and cryptography both do; never crashes."""
    expected = case["expected_result"] == "SUCCESS"
    ok, statuses = assure_accepts(case)
    reference = (openssl_accepts(case, tmp_path), cryptography_accepts(case))
    if reference == (expected, expected):
        assert ok is expected, (case["id"], case["description"], statuses)
    if not ok:
        assert statuses["trusted"] != "error", statuses


# --- the same cases as real TLS endpoints ----------------------------------------------------


def _replayable() -> list[dict[str, Any]]:
    """Agreed cases judged at "now" (one probe run has one clock), in id order."""
    return [c for c in cases() if c["validation_time"] is None]


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests.conftest import assert_no_traceback, run_assure
    from tests.probes.servers import Server, response
    from tests.probes.test_loopback import closed_port

    tmp = tmp_path_factory.mktemp("limbo")
    servers: list[Server] = []
    targets: dict[str, str] = {}
    pins: list[str] = []
    anchors = ""
    for i, case in enumerate(_replayable()):
        chain = tmp / f"{i}.pem"
        key = tmp / f"{i}.key"
        chain.write_text(case["peer_certificate"] + "".join(case["untrusted_intermediates"]))
        key.write_text(case["peer_certificate_key"])
        try:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.set_ciphers("ALL:@SECLEVEL=0")
            ctx.load_cert_chain(str(chain), str(key))
        except (ssl.SSLError, ValueError):
            continue  # a key this OpenSSL cannot serve with (counted in docs/probes.md)
        srv = Server(tls=ctx, handler=lambda _p, _h: response(), v6=False)
        servers.append(srv)
        host = case["expected_peer_name"]["value"]
        targets[case["id"]] = f"https://{host}:{srv.port}/"
        pins += ["--resolve", f"{host}:{srv.port}:127.0.0.1"]
        anchors += "".join(case["trusted_certs"])
    (tmp / "anchors.pem").write_text(anchors)
    try:
        run = run_assure(
            "probe",
            *targets.values(),
            *pins,
            "--ca-file",
            tmp / "anchors.pem",
            "--timeout",
            "2",
            "--concurrency",
            "16",
            "--http-port",
            str(closed_port()),
            "--format",
            "json",
            timeout=600,
        )
    finally:
        for s in servers:
            s.close()
    assert_no_traceback(run)
    by = {(f["target"], f["check"]): f for f in json.loads(run.out)["findings"]}
    return {"targets": targets, "by": by}


def test_replayed_over_tls_matches_the_judges(replay: dict[str, Any]) -> None:
    """Served by a real TLS server and probed, each case gets exactly the verdicts the judges
    give the same chain in-process with the same anchors. (One run trusts the anchors of all
    cases together, and 143 of them share the subject CN=x509-limbo-root, which OpenSSL's
    lookup by subject can trip over; agreement with limbo is therefore asserted per case, with
    each case's own anchors, by `test_limbo_case`.)"""
    assert len(replay["targets"]) >= 100
    anchors = [a for c in _replayable() for a in _load(c["trusted_certs"])]
    mismatches = []
    no_handshake: list[str] = []
    for case in _replayable():
        target = replay["targets"].get(case["id"])
        if target is None:
            continue
        got = {
            k: replay["by"][(target, f"tls_cert_{k}")]["status"]
            for k in ("trusted", "hostname", "expiry")
        }
        if got["trusted"] == "inconclusive":
            no_handshake.append(case["id"])  # e.g. a DSA leaf: no suite both sides share
            continue
        chain = [x509.load_pem_x509_certificate(case["peer_certificate"].encode())]
        chain += _load(case["untrusted_intermediates"])
        der = [c.public_bytes(Encoding.DER) for c in chain]
        host = case["expected_peer_name"]["value"]
        now = dt.datetime.now(dt.UTC)
        opinion = second_opinion.openssl_opinion(der, anchors, now)
        ci = certs.CertInput(host, der, anchors, frozenset(), now, opinion)
        want = {
            "trusted": certs.judge_trusted(ci).status.value,
            "hostname": certs.judge_hostname(ci).status.value,
            "expiry": certs.judge_expiry(ci).status.value,
        }
        if got != want:
            mismatches.append((case["id"], got, want))
    assert not mismatches, mismatches
    assert len(no_handshake) <= 3, no_handshake
