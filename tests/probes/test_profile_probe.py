"""`assure probe --profile`: a profile's endpoints are probed and its sample documents verified."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import assert_no_traceback, run_assure, write
from tests.probes import pki
from tests.probes.servers import Server, has_ipv6_loopback, response, server_context
from tests.probes.test_cli import closed_port


@pytest.fixture
def documents(tmp_path: Path) -> Iterator[str]:
    """A plain HTTP server on loopback serving a 'signed result' that is no PDF at all."""
    (tmp_path / "ket-qua.pdf").write_bytes("<html>Trang lỗi</html>".encode())

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: object, **kw: object) -> None:
            super().__init__(*a, directory=str(tmp_path), **kw)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/ket-qua.pdf"
    finally:
        srv.shutdown()
        srv.server_close()


def test_profile_endpoints_and_documents(tmp_path: Path, documents: str) -> None:
    """Endpoints become targets; a sample document that is not a signed PDF fails the gate."""
    root = pki.make_ca("Profile Probe Root")
    leaf = pki.make_leaf("dvc.test", root, san=["dvc.test"])
    cert, key = pki.write_chain(tmp_path, "leaf", leaf, root.cert)
    (tmp_path / "root.pem").write_bytes(pki.pem(root.cert))
    srv = Server(
        tls=server_context(cert, key),
        handler=lambda _p, _h: response(headers={"Strict-Transport-Security": "max-age=31536000"}),
        v6=has_ipv6_loopback(),
    )
    try:
        url = f"https://dvc.test:{srv.port}/"
        prof = write(
            tmp_path / "p.yaml",
            "id: dvc-thu\nname: Cổng dịch vụ công thử\nclassification:\n"
            "  system_type: citizen_business\n  online_public_service_level: 3\n"
            f"endpoints:\n  - url: {url}\n    signed_documents: [{documents}]\n",
        )
        run = run_assure(
            "probe",
            "--profile",
            prof,
            "--resolve",
            f"dvc.test:{srv.port}:127.0.0.1",
            "--ca-file",
            tmp_path / "root.pem",
            "--timeout",
            "2",
            "--http-port",
            str(closed_port()),
            "--format",
            "json",
        )
    finally:
        srv.close()
    assert_no_traceback(run)
    data = json.loads(run.out)
    by = {(f["target"], f["check"]): f["status"] for f in data["findings"]}
    assert by[(url, "tls_cert_trusted")] == "pass"
    assert by[(url, "https_hsts")] == "pass"
    assert by[(documents, "doc_signature_valid")] == "fail"
    assert run.code == 1


def test_bad_profile_is_invalid_input(tmp_path: Path) -> None:
    """A profile that does not validate stops the probe with exit 3 and its position."""
    prof = write(tmp_path / "p.yaml", "id: x\nname: X\nclassification: {system_type: nope}\n")
    run = run_assure("probe", "--profile", prof)
    assert run.code == 3
    assert f"{prof}:3:" in run.err
