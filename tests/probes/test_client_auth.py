"""TLS 1.2 on a server that requires a client certificate, judged against OpenSSL and sslyze.

Such a server answers a TLS 1.2 ClientHello with its ServerHello (and a CertificateRequest),
then ends the handshake with an alert because no client certificate comes. The version
probes stop at the ServerHello, so assure counts TLS 1.2 as offered. The references agree
that the version was negotiated: `openssl s_client -tls1_2` prints the session as
"New, TLSv1.2, Cipher is …" before the alert (a refused version prints "Cipher is (NONE)"),
and sslyze lists TLS 1.2 suites as accepted on such a server. These tests run the references
on the same real servers (127.0.0.1) and pin assure's verdict to theirs; the sslyze
comparison is skipped when sslyze is not installed (`SSLYZE` names its command, else PATH).

A server that speaks TLS 1.2 alone and demands a client certificate ends even assure's main
handshake, so nothing is probed there: the version check is inconclusive ("no TLS
handshake"), never "not offered", which the references would contradict.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_no_traceback, run_assure
from tests.probes import pki
from tests.probes.servers import Server, closed_port, server_context

OPENSSL = shutil.which("openssl")
SSLYZE = os.environ.get("SSLYZE") or shutil.which("sslyze")

# case → (lowest, highest) version the server speaks; every one demands a client certificate
CASES = {
    "auth12-13.test": (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3),
    "auth12.test": (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2),
    "auth13.test": (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3),
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("client-auth")
    root = pki.make_ca("Client Auth Test Root")
    (tmp / "root.pem").write_bytes(pki.pem(root.cert))
    servers: dict[str, Server] = {}
    for host, (low, high) in CASES.items():
        leaf = pki.make_leaf(host, root)
        cert, key = pki.write_chain(tmp, host, leaf, root.cert)
        ctx = server_context(cert, key, min_version=low, max_version=high)
        ctx.verify_mode = ssl.CERT_REQUIRED  # the client must show a certificate of this CA
        ctx.load_verify_locations(str(tmp / "root.pem"))
        servers[host] = Server(tls=ctx, v6=False)
    yield {"servers": servers, "ca": tmp / "root.pem"}
    for s in servers.values():
        s.close()


@pytest.fixture(scope="module")
def assure_tls12(fleet: dict[str, Any]) -> dict[str, str]:
    """What `assure probe` says of TLS 1.2 on each server (the tls_versions evidence)."""
    servers: dict[str, Server] = fleet["servers"]
    pins = [x for h, s in servers.items() for x in ("--resolve", f"{h}:{s.port}:127.0.0.1")]
    run = run_assure(
        "probe",
        *(f"https://{h}:{s.port}/" for h, s in servers.items()),
        *pins,
        "--ca-file",
        str(fleet["ca"]),
        "--http-port",
        str(closed_port()),
        "--timeout",
        "2",
        "--format",
        "json",
        timeout=120,
    )
    assert_no_traceback(run)
    out: dict[str, str] = {}
    for f in json.loads(run.out)["findings"]:
        if f["check"] == "tls_versions":
            host = f["target"].split("//")[1].split(":")[0]
            seen = f["evidence"]["addresses"]["127.0.0.1"]
            out[host] = seen["versions"]["TLSv1.2"] if "versions" in seen else NO_HANDSHAKE
            if "versions" not in seen:
                assert (seen["status"], seen["error"]) == ("inconclusive", "tls_alert"), seen
    return out


NO_HANDSHAKE = "inconclusive: the main handshake ended with an alert"


def agrees(assure: str, reference: str) -> bool:
    """assure's answer matches the reference's, or assure made no claim (no handshake)."""
    return assure == reference or (assure == NO_HANDSHAKE and reference == "offered")


def openssl_tls12(port: int, host: str) -> str:
    """'offered' when `openssl s_client -tls1_2` negotiated TLS 1.2 (a session line naming a
    suite, even if the server then ends the handshake), else 'not_offered'."""
    assert OPENSSL is not None
    run = subprocess.run(
        [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-servername", host, "-tls1_2"],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )
    m = re.search(r"^New, (\S+), Cipher is (\S+)", run.stdout, re.MULTILINE)
    assert m, run.stdout + run.stderr
    return "offered" if m.group(1) == "TLSv1.2" and m.group(2) != "(NONE)" else "not_offered"


@pytest.mark.skipif(OPENSSL is None, reason="no openssl command")
@pytest.mark.parametrize("host", list(CASES))
def test_tls12_matches_openssl_s_client(
    host: str, fleet: dict[str, Any], assure_tls12: dict[str, str]
) -> None:
    """assure's TLS 1.2 answer is `openssl s_client -tls1_2`'s on a client-auth server."""
    port = fleet["servers"][host].port
    expected = openssl_tls12(port, host)
    low, _ = CASES[host]
    assert expected == ("offered" if low <= ssl.TLSVersion.TLSv1_2 else "not_offered")
    assert agrees(assure_tls12[host], expected)
    # Where TLS 1.3 carries the main handshake, TLS 1.2 is probed and named as the reference
    # names it; only the 1.2-only server leaves assure without a handshake.
    assert (assure_tls12[host] == NO_HANDSHAKE) == (host == "auth12.test")


@pytest.mark.skipif(SSLYZE is None, reason="sslyze is not installed (SSLYZE or PATH)")
@pytest.mark.parametrize("host", list(CASES))
def test_tls12_matches_sslyze(
    host: str, fleet: dict[str, Any], assure_tls12: dict[str, str], tmp_path: Path
) -> None:
    """assure's TLS 1.2 answer is sslyze's (TLS 1.2 suites accepted or none) on the same server."""
    assert SSLYZE is not None
    port = fleet["servers"][host].port
    out = tmp_path / "sslyze.json"
    subprocess.run(
        [SSLYZE, "--tlsv1_2", f"{host}:{port}{{127.0.0.1}}", "--json_out", str(out), "--quiet"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    result = json.loads(out.read_text(encoding="utf-8"))["server_scan_results"][0]
    scan = result["scan_result"]["tls_1_2_cipher_suites"]
    assert scan["status"] == "COMPLETED", scan
    accepted = scan["result"]["accepted_cipher_suites"]
    assert agrees(assure_tls12[host], "offered" if accepted else "not_offered")
