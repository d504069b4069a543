"""False passes under interference: limiters, silence and stalls in front of a weak server.

A weak TLS server (TLS 1.0/1.1 and anonymous suites) sits behind real TCP fronts that cut,
reset, hold or rate-limit connections the way load balancers and middleboxes do. A closed
follow-up connection must never read as "the server rejected that version": whatever the
front does, `tls_versions` and `tls_ciphers` are `fail` (the weakness was seen) or
`inconclusive` (it could not be told) — never `pass`. The same server without a front fails.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assure.probes import tls
from assure.probes.context import Deadline
from tests.conftest import assert_no_traceback, run_assure
from tests.probes import pki
from tests.probes.servers import (
    Gate,
    Server,
    after,
    per_second,
    response,
    server_context,
    stall_raw_hellos,
)
from tests.probes.test_loopback import closed_port

pytestmark = pytest.mark.skipif(
    not (tls.client_can_offer("TLSv1.0") and tls.client_can_offer("TLSv1.1")),
    reason="the local OpenSSL cannot speak TLS 1.0/1.1, so cannot serve the weak server",
)

GATES: dict[str, Callable[[], Callable[[int, bytes], str]]] = {
    **{f"fin{n}": (lambda n=n: after(n, "fin")) for n in (1, 2, 3)},
    **{f"rst{n}": (lambda n=n: after(n, "rst")) for n in (1, 2, 3)},
    **{f"silent{n}": (lambda n=n: after(n, "silent")) for n in (1, 2, 3)},
    "stallraw": stall_raw_hellos,
    "rate": per_second,
}


def weak_context(tmp: Path, name: str) -> ssl.SSLContext:
    root = pki.make_ca("Interference Root")
    cert, key = pki.write_chain(tmp, name, pki.make_leaf(f"{name}.test", root), root.cert)
    return server_context(
        cert, key, min_version=ssl.TLSVersion.TLSv1, ciphers="ALL:aNULL:@SECLEVEL=0"
    )


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("interference")
    backend = Server(tls=weak_context(tmp, "weak"), handler=lambda _p, _h: response(), v6=False)
    servers: list[Server] = [backend]
    targets: dict[str, str] = {"plain": f"https://plain.test:{backend.port}/"}
    pins = ["--resolve", f"plain.test:{backend.port}:127.0.0.1"]
    for case, make in GATES.items():
        gate = Gate(backend.port, make(), v6=False)
        servers.append(gate)
        targets[case] = f"https://{case}.test:{gate.port}/"
        pins += ["--resolve", f"{case}.test:{gate.port}:127.0.0.1"]
    yield {"targets": targets, "pins": pins, "backend": backend.port}
    for s in servers:
        s.close()


@pytest.fixture(scope="module")
def report(fleet: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    run = run_assure(
        "probe",
        *fleet["targets"].values(),
        *fleet["pins"],
        "--timeout",
        "1",
        "--deadline",
        "30",
        "--concurrency",
        "16",
        "--http-port",
        str(closed_port()),
        "--format",
        "json",
        timeout=200,
    )
    assert_no_traceback(run)
    data = json.loads(run.out)
    return {(f["target"], f["check"]): f for f in data["findings"]}


def test_plain_weak_server_still_fails(
    report: dict[tuple[str, str], dict[str, Any]], fleet: dict[str, Any]
) -> None:
    """Without a front the weakness is seen: legacy versions and anonymous suites fail."""
    t = fleet["targets"]["plain"]
    versions, ciphers = report[(t, "tls_versions")], report[(t, "tls_ciphers")]
    assert versions["status"] == "fail", versions
    assert "TLSv1.0" in versions["summary"]
    assert ciphers["status"] == "fail", ciphers
    assert "ADH" in ciphers["summary"] or "AECDH" in ciphers["summary"]


@pytest.mark.parametrize("case", list(GATES))
def test_interference_never_passes(
    report: dict[tuple[str, str], dict[str, Any]], fleet: dict[str, Any], case: str
) -> None:
    """Behind a limiter, silence or stall, a weak server is `fail` or `inconclusive`, and an
    inconclusive verdict says why."""
    t = fleet["targets"][case]
    for check in ("tls_versions", "tls_ciphers"):
        f = report[(t, check)]
        assert f["status"] in ("fail", "inconclusive"), (case, check, f)
        if f["status"] == "inconclusive":
            assert f.get("reason"), f


@pytest.mark.parametrize("case", ["fin1", "rst1", "silent1"])
def test_cut_follow_ups_are_inconclusive_with_controls_counted(
    report: dict[tuple[str, str], dict[str, Any]], fleet: dict[str, Any], case: str
) -> None:
    """The main handshake works, every later connection is cut: the close is checked by a
    control handshake, which fails, so the probe says interference and spends no more.
    (The main handshake, which also carries the page, is the first connection an address
    gets: its port's reachability is read from it, not from a connection of its own.)"""
    f = report[(fleet["targets"][case], "tls_versions")]
    assert f["status"] == "inconclusive", f
    ev = f["evidence"]["addresses"]["127.0.0.1"]
    assert ev["control_connections"] == 1, ev
    assert "control handshake" in ev["interference"]
    assert "control handshake" in f["reason"]


def test_stall_on_raw_hellos_is_not_a_refusal(
    report: dict[tuple[str, str], dict[str, Any]], fleet: dict[str, Any]
) -> None:
    """OpenSSL's handshakes are served, the hand-written ClientHellos time out: TLS 1.0 is
    still seen (fail) while what only raw hellos ask stays unknown, not "not offered"."""
    f = report[(fleet["targets"]["stallraw"], "tls_versions")]
    assert f["status"] == "fail", f
    ev = f["evidence"]["addresses"]["127.0.0.1"]
    assert ev["versions"]["SSLv3"] == "unknown", ev


def test_alert_refusals_need_no_control(tmp_path: Path) -> None:
    """A server that refuses with TLS alerts (OpenSSL) costs no control connection, and a
    modern one passes."""
    root = pki.make_ca("Alert Root")
    cert, key = pki.write_chain(tmp_path, "modern", pki.make_leaf("modern.test", root))
    srv = Server(tls=server_context(cert, key, min_version=ssl.TLSVersion.TLSv1_2), v6=False)
    try:
        obs = tls.gather_tls("127.0.0.1", srv.port, "modern.test", Deadline(20, 2))
    finally:
        srv.close()
    assert obs.error is None
    assert obs.control_connections == 0
    assert tls.judge_versions(obs).status.value in ("pass", "inconclusive")
    assert obs.versions["TLSv1.0"] == "not_offered"
    assert obs.versions["TLSv1.1"] == "not_offered"


def test_bare_close_refusal_is_confirmed_by_a_control(tmp_path: Path) -> None:
    """A server that refuses legacy versions by closing without an alert (some balancers do)
    is believed only after a control handshake succeeds; the controls are counted."""
    root = pki.make_ca("Close Root")
    cert, key = pki.write_chain(tmp_path, "closer", pki.make_leaf("closer.test", root))
    backend = Server(tls=server_context(cert, key, min_version=ssl.TLSVersion.TLSv1_2), v6=False)

    def close_legacy(_i: int, first: bytes) -> str:
        # ClientHello body version at offset 9..11: 0x0301/0x0302 are TLS 1.0/1.1 hellos
        # offering nothing newer (no supported_versions up to 1.2 in them).
        return "fin" if first[9:11] in (b"\x03\x01", b"\x03\x02") else "pass"

    close_legacy.peeks = True  # type: ignore[attr-defined]
    gate = Gate(backend.port, close_legacy, v6=False)
    try:
        obs = tls.gather_tls("127.0.0.1", gate.port, "closer.test", Deadline(30, 2))
    finally:
        gate.close()
        backend.close()
    assert obs.versions["TLSv1.0"] == "not_offered", obs
    assert obs.versions["TLSv1.1"] == "not_offered", obs
    # TLS 1.0 and 1.1 are asked in one ClientHello: one close, confirmed by one control.
    assert obs.control_connections == 1
    assert obs.confirmed_closes == 1
    assert obs.control_connections <= tls.MAX_CONTROLS
