"""Fewer connections per endpoint, the same answers.

The version and suite probes stop at the server's first answer to OpenSSL's own ClientHello,
TLS 1.0 and 1.1 share one hello, every weak and static-RSA suite shares another, and the
ports' reachability is read from the connections the page and the redirect make anyway.
These tests hold each shortcut to what the separate, complete probe answers, on real servers
(Python's OpenSSL on 127.0.0.1), and count the connections an endpoint gets.
"""

from __future__ import annotations

import json
import ssl
import struct
from pathlib import Path

import pytest

from assure.probes import hello, tls
from assure.probes.context import Deadline
from assure.probes.net import insecure_context
from tests.conftest import assert_no_traceback, run_assure
from tests.probes import pki
from tests.probes.servers import Gate, Server, closed_port, server_context

LEGACY_OK = tls.client_can_offer("TLSv1.0") and tls.client_can_offer("TLSv1.1")
V = ssl.TLSVersion


def _chain(tmp: Path, name: str) -> tuple[Path, Path]:
    """An RSA leaf for `name`.test and its key; the root is written to `name`-root.pem."""
    root = pki.make_ca(f"{name} Root")
    (tmp / f"{name}-root.pem").write_bytes(pki.pem(root.cert))
    leaf = pki.make_leaf(f"{name}.test", root, rsa_bits=2048)  # static RSA needs an RSA key
    return pki.write_chain(tmp, name, leaf, root.cert)


def _extensions(record: bytes) -> bytes:
    """Everything of a ClientHello after its cipher suites (compression and extensions)."""
    body = record[9:]
    pos = 35 + body[34]
    (n,) = struct.unpack("!H", body[pos : pos + 2])
    return body[pos + 2 + n :]


def test_spliced_hello_keeps_openssl_extensions_and_is_understood(tmp_path: Path) -> None:
    """Suites spliced into OpenSSL's hello: the rest is byte for byte OpenSSL's, and an
    OpenSSL server picks the spliced suite it has (and refuses when it has none of them)."""
    cert, key = _chain(tmp_path, "splice")
    srv = Server(
        tls=server_context(cert, key, max_version=V.TLSv1_2, ciphers="AES256-SHA:@SECLEVEL=0"),
        v6=False,
    )
    try:
        ctx = insecure_context(max_version=V.TLSv1_2, ciphers="ECDHE:@SECLEVEL=0")
        record = hello.openssl_hello(ctx, "splice.test")
        spliced = hello.with_suites(record, [0x0004, 0x0035])
        assert spliced is not None
        assert _extensions(spliced) == _extensions(record)
        assert 0x0017 in _ext_types(spliced)  # extended_master_secret: OpenSSL's own hello
        got = hello.send_hello("127.0.0.1", srv.port, spliced, Deadline(10, 3))
        assert got == ("accepted", 0x0303, 0x0035)
        none = hello.with_suites(record, [0x0004])
        assert none is not None
        assert hello.send_hello("127.0.0.1", srv.port, none, Deadline(10, 3))[0] == "refused"
        # OpenSSL's own suites (ECDHE only) are refused by this static-RSA-only server.
        assert hello.send_hello("127.0.0.1", srv.port, record, Deadline(10, 3))[0] == "refused"
    finally:
        srv.close()
    assert hello.with_suites(b"\x15\x03\x03\x00\x02\x02\x28", [1]) is None  # not a hello


def _ext_types(record: bytes) -> set[int]:
    rest = _extensions(record)
    pos = 1 + rest[0]  # compression methods
    end = pos + 2 + struct.unpack("!H", rest[pos : pos + 2])[0]
    pos += 2
    types = set()
    while pos + 4 <= end:
        t, n = struct.unpack("!HH", rest[pos : pos + 4])
        types.add(t)
        pos += 4 + n
    return types


def _full_probe(port: int, host: str, version: str) -> str:
    """What a complete handshake at exactly `version` says (the probe these shortcuts replace)."""
    ver = tls.VERSIONS[version]
    ctx = insecure_context(min_version=ver, max_version=ver, ciphers=tls._ALL_LEGACY_CIPHERS)
    prober = tls.EndpointProber("127.0.0.1", port, host, Deadline(20, 3))
    result, _ = prober.attempt(ctx)
    return {"accepted": "offered", "refused": "not_offered"}.get(result, "unknown")


@pytest.mark.skipif(not LEGACY_OK, reason="the local OpenSSL cannot speak TLS 1.0/1.1")
@pytest.mark.parametrize(
    ("low", "high"),
    [
        (V.TLSv1, V.TLSv1),
        (V.TLSv1_1, V.TLSv1_1),
        (V.TLSv1, V.TLSv1_1),
        (V.TLSv1, V.TLSv1_3),
        (V.TLSv1_1, V.TLSv1_2),
        (V.TLSv1_2, V.TLSv1_2),
        (V.TLSv1_2, V.TLSv1_3),
        (V.TLSv1_3, V.TLSv1_3),
    ],
    ids=lambda v: v.name,
)
def test_shared_version_probes_answer_as_complete_handshakes(
    tmp_path: Path, low: ssl.TLSVersion, high: ssl.TLSVersion
) -> None:
    """Whatever range a server takes, the versions gathered with the shared and partial
    probes are those complete handshakes at each version report, with no control spent."""
    cert, key = _chain(tmp_path, "range")
    srv = Server(
        tls=server_context(cert, key, min_version=low, max_version=high, ciphers="ALL:@SECLEVEL=0"),
        v6=False,
    )
    try:
        obs = tls.gather_tls("127.0.0.1", srv.port, "range.test", Deadline(30, 3))
        expected = {
            v: _full_probe(srv.port, "range.test", v) for v in ("TLSv1.0", "TLSv1.1", "TLSv1.2")
        }
    finally:
        srv.close()
    assert obs.error is None, obs
    assert {v: obs.versions[v] for v in expected} == expected
    assert obs.control_connections == 0


def test_static_rsa_from_the_shared_hello_names_the_same_suite(tmp_path: Path) -> None:
    """A server taking static RSA (and no weak suite) is named with the suite a complete
    static-RSA handshake gets; a modern server refuses weak and static-RSA suites at once."""
    cert, key = _chain(tmp_path, "krsa")
    rsa_only = Server(
        tls=server_context(
            cert, key, max_version=V.TLSv1_2, ciphers="ECDHE:AES128-SHA:AES256-GCM-SHA384"
        ),
        v6=False,
    )
    try:
        obs = tls.gather_tls("127.0.0.1", rsa_only.port, "krsa.test", Deadline(30, 3))
        prober = tls.EndpointProber("127.0.0.1", rsa_only.port, "krsa.test", Deadline(20, 3))
        full = prober.attempt(insecure_context(max_version=V.TLSv1_2, ciphers=tls._STATIC_RSA))
    finally:
        rsa_only.close()
    assert full[0] == "accepted"
    assert obs.static_rsa_accepted == full[1]
    assert obs.weak_accepted == [] and not obs.weak_unknown
    assert tls.judge_ciphers(obs).status.value == "warn"


@pytest.mark.skipif(not LEGACY_OK, reason="the local OpenSSL cannot speak TLS 1.0/1.1")
def test_weak_and_static_rsa_server_is_still_named(tmp_path: Path) -> None:
    """A server taking anonymous and static-RSA suites: the shared hello does not stand for
    the weak probes, which still name every weak suite taken, and static RSA is named too."""
    cert, key = _chain(tmp_path, "weak")
    srv = Server(
        tls=server_context(
            cert, key, min_version=V.TLSv1, max_version=V.TLSv1_2, ciphers="ALL:aNULL:@SECLEVEL=0"
        ),
        v6=False,
    )
    try:
        obs = tls.gather_tls("127.0.0.1", srv.port, "weak.test", Deadline(30, 3))
    finally:
        srv.close()
    assert any(s.startswith(("ADH", "AECDH")) for s in obs.weak_accepted), obs
    assert obs.static_rsa_accepted, obs
    assert tls.judge_ciphers(obs).status.value == "fail"


def test_a_modern_endpoint_gets_five_connections(tmp_path: Path) -> None:
    """Every check of a TLS 1.2/1.3 endpoint in five connections to its HTTPS port: the page
    (its handshake gives chain, version and suite, and proves the port open), SSLv3, TLS
    1.0 + 1.1, TLS 1.2, and the weak + static-RSA suites; verdicts as ever."""
    cert, key = _chain(tmp_path, "count")
    backend = Server(
        tls=server_context(cert, key, min_version=V.TLSv1_2, ciphers="ECDHE+AESGCM"),
        v6=False,
    )
    gate = Gate(backend.port, lambda _i, _first: "pass", v6=False)
    try:
        run = run_assure(
            "probe",
            f"https://count.test:{gate.port}/",
            "--resolve",
            f"count.test:{gate.port}:127.0.0.1",
            "--ca-file",
            str(tmp_path / "count-root.pem"),
            "--http-port",
            str(closed_port()),
            "--format",
            "json",
            "--lang",
            "en",
        )
        connections = gate.count
    finally:
        gate.close()
        backend.close()
    assert_no_traceback(run)
    got = {f["check"]: f for f in json.loads(run.out)["findings"]}
    assert got["tls_versions"]["status"] == "pass", got["tls_versions"]
    assert got["tls_ciphers"]["status"] == "pass", got["tls_ciphers"]
    assert got["https_available"]["status"] == "pass"
    reach = got["web_reach_ipv6"]["evidence"]["reach"]["127.0.0.1"]
    assert reach[str(gate.port)] == "ok" and reach[str(closed_port_of(reach, gate.port))] == (
        "refused"
    )
    assert connections == 5, connections


def closed_port_of(reach: dict[str, str], open_port: int) -> int:
    return next(int(p) for p in reach if int(p) != open_port)
