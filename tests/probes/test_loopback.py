"""`assure probe` against real servers on 127.0.0.1 and ::1 (no internet).

One module fixture builds a test PKI, starts every server (certificate cases, protocol and
cipher cases, HSTS cases, redirect cases, hostile servers), runs the installed command once
over all of them and keeps the JSON; each test then reads one target's verdicts, per check and
per address (IPv4 and IPv6).
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assure.probes import hello, tls
from tests.conftest import assert_no_traceback, run_assure
from tests.probes import pki
from tests.probes.servers import (
    LegacyProxy,
    Server,
    closed_port,
    has_ipv6_loopback,
    response,
    server_context,
)

V6 = has_ipv6_loopback()
ADDRS = ["127.0.0.1", "::1"] if V6 else ["127.0.0.1"]
GOOD_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:@SECLEVEL=0"
HSTS = {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}
REDIRECT_HOSTS = [
    "redir-ok.test",
    "redir-plain.test",
    "redir-other.test",
    "redir-dg.test",
    "redir-loop.test",
    "redir-long.test",
]


class Fleet:
    """Servers by case name, with the command-line targets and pins that reach them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.servers: dict[str, Server] = {}
        self.targets: dict[str, str] = {}
        self.pins: list[str] = []
        self.root = pki.make_ca("Assure Test Root")
        self.inter = pki.make_ca("Assure Test Intermediate", self.root)
        self.ca_file = tmp / "root.pem"
        self.ca_file.write_bytes(pki.pem(self.root.cert))

    def tls(
        self,
        case: str,
        leaf: pki.Issued,
        *extra: Any,
        handler: Any = None,
        mode: str = "http",
        v6_handler: Any = None,
        **ctx_kw: Any,
    ) -> Server:
        chain = list(extra) if extra else [self.inter.cert]
        if extra == (None,):
            chain = []
        cert, key = pki.write_chain(self.tmp, case, leaf, *chain)
        ctx_kw.setdefault("min_version", ssl.TLSVersion.TLSv1_2)
        ctx_kw.setdefault("ciphers", GOOD_CIPHERS)
        srv = Server(
            tls=server_context(cert, key, **ctx_kw),
            handler=handler or (lambda _p, _h: response(headers=HSTS)),
            mode=mode,
            v6=V6,
            v6_handler=v6_handler,
        )
        return self.add(case, f"{case}.test", srv, f"https://{case}.test:{srv.port}/")

    def add(self, case: str, host: str, srv: Server, target: str) -> Server:
        self.servers[case] = srv
        self.targets[case] = target
        for a in ADDRS:
            self.pins += ["--resolve", f"{host}:{srv.port}:{'[' + a + ']' if ':' in a else a}"]
        return srv

    def leaf(self, case: str, **kw: Any) -> pki.Issued:
        return pki.make_leaf(f"{case}.test", kw.pop("issuer", self.inter), **kw)


def build(tmp: Path) -> Fleet:
    f = Fleet(tmp)
    now, day = pki.NOW, pki.DAY
    f.tls("valid", f.leaf("valid"))
    f.tls("expired", f.leaf("expired", not_before=now - 400 * day, not_after=now - day))
    f.tls("notyet", f.leaf("notyet", not_before=now + 10 * day, not_after=now + 400 * day))
    f.tls("soon", f.leaf("soon", not_after=now + 10 * day))
    f.tls("wronghost", f.leaf("wronghost", san=["other.test"]))
    f.tls("cnonly", f.leaf("cnonly", with_san=False))
    f.tls("incomplete", f.leaf("incomplete"), None)
    other_root = pki.make_ca("Unknown Root")
    f.tls("untrusted", f.leaf("untrusted", issuer=other_root), other_root.cert)
    f.tls("selfsigned", f.leaf("selfsigned", issuer=None), None)
    f.tls("sha1", pki.sha1_leaf("sha1.test", f.inter, tmp / "sha1"))
    f.tls("rsa1024", f.leaf("rsa1024", rsa_bits=1024))
    for case, version in (("tls10", ssl.TLSVersion.TLSv1), ("tls11", ssl.TLSVersion.TLSv1_1)):
        if tls.client_can_offer("TLSv1.0" if case == "tls10" else "TLSv1.1"):
            f.tls(
                case,
                f.leaf(case),
                min_version=version,
                max_version=version,
                ciphers="ALL:@SECLEVEL=0",
            )
    backend = f.tls("legacy-backend", f.leaf("legacy"))
    f.targets.pop("legacy-backend")
    weak = frozenset(c for fam in hello.WEAK_SUITES.values() for c in fam)
    f.add(
        "legacy",
        "legacy.test",
        LegacyProxy(backend.port, weak, v6=V6),
        "https://legacy.test:{port}/",
    )
    f.targets["legacy"] = f.targets["legacy"].format(port=f.servers["legacy"].port)
    f.tls(
        "weakcipher",
        f.leaf("weakcipher"),
        max_version=ssl.TLSVersion.TLSv1_2,
        ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0",
    )
    f.tls(
        "staticrsa",
        f.leaf("staticrsa", rsa_bits=2048),
        max_version=ssl.TLSVersion.TLSv1_2,
        ciphers="ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:@SECLEVEL=0",
    )
    f.tls(
        "nofs",
        f.leaf("nofs", rsa_bits=2048),
        max_version=ssl.TLSVersion.TLSv1_2,
        ciphers="AES128-GCM-SHA256:@SECLEVEL=0",
    )
    f.tls(
        "hstsshort",
        f.leaf("hstsshort"),
        handler=lambda _p, _h: response(headers={"Strict-Transport-Security": "max-age=86400"}),
    )
    f.tls("hstsnone", f.leaf("hstsnone"), handler=lambda _p, _h: response())
    f.tls(
        "hstsbad",
        f.leaf("hstsbad"),
        handler=lambda _p, _h: response(headers={"Strict-Transport-Security": "max-age=soon"}),
    )
    f.tls("blocked", f.leaf("blocked"), handler=lambda _p, _h: response(429, b"slow down"))
    f.tls(
        "waf",
        f.leaf("waf"),
        handler=lambda _p, _h: response(
            403, b"<html><title>Attention Required! | Cloudflare</title>cf-chl</html>"
        ),
    )
    f.tls(
        "parity",
        f.leaf("parity"),
        handler=lambda _p, _h: response(
            body=b"<html>" + b"IPv4 page " * 200 + b"</html>", headers=HSTS
        ),
        v6_handler=lambda _p, _h: response(
            body=b"<html>" + b"another site! " * 200 + b"</html>", headers=HSTS
        ),
    )
    for case, v6_body in (("parity-http", b"another site! "), ("same-http", b"IPv4 page ")):
        srv = Server(
            handler=lambda _p, _h: response(body=b"<html>" + b"IPv4 page " * 200 + b"</html>"),
            v6_handler=lambda _p, _h, b=v6_body: response(body=b"<html>" + b * 200 + b"</html>"),
            v6=V6,
        )
        f.add(case, f"{case}.test", srv, f"http://{case}.test:{srv.port}/")
    for mode in ("silent", "garbage", "reset", "endless"):
        f.tls(mode, f.leaf(mode), mode=mode)

    # Redirect cases: plain HTTP servers in front of one HTTPS server for all their names.
    ports: dict[str, int] = {}

    def https_handler(path: str, host: str) -> bytes:
        name = host.split(":")[0]
        if path == "/dg1":
            return response(301, b"", {"Location": f"http://{name}:{ports['redir-dg']}/x"})
        if path == "/loop":
            return response(301, b"", {"Location": "/loop"})
        if path.startswith("/n/"):
            return response(301, b"", {"Location": f"/n/{int(path[3:]) + 1}"})
        return response(headers=HSTS)

    front = pki.make_leaf("redir-ok.test", f.inter, san=REDIRECT_HOSTS)
    cert, key = pki.write_chain(tmp, "front", front, f.inter.cert)
    tls_front = Server(
        tls=server_context(cert, key, ciphers=GOOD_CIPHERS), handler=https_handler, v6=V6
    )
    f.servers["front"] = tls_front
    tp = tls_front.port

    def plain(case: str, handler: Any) -> None:
        srv = Server(handler=handler, v6=V6)
        ports[case] = srv.port
        host = f"{case}.test"
        f.add(case, host, srv, f"http://{host}:{srv.port}/")
        for a in ADDRS:
            f.pins += ["--resolve", f"{host}:{tp}:{'[' + a + ']' if ':' in a else a}"]

    def to(loc: str) -> Any:
        return lambda _p, h: response(
            301, b"", {"Location": loc.replace("HOST", h.split(":")[0]).replace("TP", str(tp))}
        )

    plain("redir-ok", to("https://HOST:TP/"))
    plain("redir-plain", lambda _p, _h: response(body=b"plain page"))
    plain("redir-other", to("https://redir-ok.test:TP/"))
    plain(
        "redir-dg",
        lambda p, h: to("https://HOST:TP/dg1")(p, h) if p == "/" else to("https://HOST:TP/")(p, h),
    )
    plain("redir-loop", to("https://HOST:TP/loop"))
    plain("redir-long", to("https://HOST:TP/n/1"))
    return f


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    f = build(tmp_path_factory.mktemp("fleet"))
    yield f
    for s in f.servers.values():
        s.close()


@pytest.fixture(scope="module")
def report(fleet: Fleet) -> dict[str, Any]:
    run = run_assure(
        "probe",
        *fleet.targets.values(),
        *fleet.pins,
        "--ca-file",
        fleet.ca_file,
        "--timeout",
        "2",
        "--deadline",
        "20",
        "--concurrency",
        "8",
        "--http-port",
        str(closed_port()),
        "--format",
        "json",
        timeout=240,
    )
    assert_no_traceback(run)
    assert run.code == 1, run.err
    data: dict[str, Any] = json.loads(run.out)
    data["_by"] = {(f["target"], f["check"]): f for f in data["findings"]}
    return data


def verdict(report: dict[str, Any], fleet: Fleet, case: str, check: str) -> dict[str, Any]:
    found: dict[str, Any] = report["_by"][(fleet.targets[case], check)]
    return found


CASES = [
    (
        "valid",
        {
            "tls_cert_trusted": "pass",
            "tls_cert_hostname": "pass",
            "tls_cert_expiry": "pass",
            "tls_cert_key": "pass",
            "tls_cert_signature": "pass",
            "tls_versions": "pass",
            "tls_ciphers": "pass",
            "https_available": "pass",
            "https_hsts": "pass",
        },
    ),
    ("expired", {"tls_cert_expiry": "fail", "tls_cert_trusted": "pass"}),
    ("notyet", {"tls_cert_expiry": "fail"}),
    ("soon", {"tls_cert_expiry": "warn"}),
    ("wronghost", {"tls_cert_hostname": "fail", "tls_cert_trusted": "pass"}),
    ("cnonly", {"tls_cert_hostname": "fail", "tls_cert_trusted": "fail"}),
    ("incomplete", {"tls_cert_trusted": "fail"}),
    ("untrusted", {"tls_cert_trusted": "fail"}),
    ("selfsigned", {"tls_cert_trusted": "fail"}),
    ("sha1", {"tls_cert_signature": "fail", "tls_cert_hostname": "pass"}),
    ("rsa1024", {"tls_cert_key": "fail", "tls_cert_hostname": "pass"}),
    ("tls10", {"tls_versions": "fail", "tls_cert_trusted": "pass"}),
    ("tls11", {"tls_versions": "fail", "tls_cert_trusted": "pass"}),
    ("weakcipher", {"tls_ciphers": "fail"}),
    ("legacy", {"tls_versions": "fail", "tls_ciphers": "fail", "tls_cert_trusted": "pass"}),
    ("staticrsa", {"tls_ciphers": "warn"}),
    ("nofs", {"tls_ciphers": "fail"}),
    ("hstsshort", {"https_hsts": "warn"}),
    ("hstsnone", {"https_hsts": "fail"}),
    ("hstsbad", {"https_hsts": "fail"}),
    ("blocked", {"https_hsts": "inconclusive", "https_available": "pass"}),
    ("waf", {"https_hsts": "inconclusive"}),
    (
        "silent",
        {
            "https_available": "inconclusive",
            "tls_cert_trusted": "inconclusive",
            "tls_versions": "inconclusive",
        },
    ),
    ("garbage", {"https_available": "inconclusive", "tls_cert_trusted": "inconclusive"}),
    ("reset", {"https_available": "inconclusive", "tls_versions": "inconclusive"}),
    ("endless", {"https_available": "pass", "https_hsts": "pass"}),
    ("redir-ok", {"https_redirect": "pass", "https_available": "pass", "tls_cert_trusted": "pass"}),
    ("redir-plain", {"https_redirect": "fail"}),
    ("redir-other", {"https_redirect": "fail"}),
    ("redir-dg", {"https_redirect": "fail"}),
    ("redir-loop", {"https_redirect": "inconclusive"}),
    ("redir-long", {"https_redirect": "inconclusive"}),
]


@pytest.mark.parametrize(("case", "expected"), CASES, ids=[c for c, _ in CASES])
def test_case_verdicts_per_address(
    report: dict[str, Any], fleet: Fleet, case: str, expected: dict[str, str]
) -> None:
    """Each server case gets the expected status per check, on IPv4 and on IPv6."""
    if case not in fleet.targets:
        pytest.skip(f"the local OpenSSL cannot serve the {case} case")
    for check, status in expected.items():
        f = verdict(report, fleet, case, check)
        assert f["status"] == status, (check, f)
        per = f["evidence"]["addresses"]
        assert sorted(per) == sorted(ADDRS), (check, per)
        assert {a: v["status"] for a, v in per.items()} == dict.fromkeys(ADDRS, status), check


def test_trust_causes_are_told_apart(report: dict[str, Any], fleet: Fleet) -> None:
    """Self-signed, untrusted root and incomplete chain are named as such, with the chain."""
    for case, cause in (
        ("selfsigned", "self_signed"),
        ("untrusted", "untrusted_root"),
        ("incomplete", "incomplete_chain"),
    ):
        ev = verdict(report, fleet, case, "tls_cert_trusted")["evidence"]["addresses"]["127.0.0.1"]
        assert ev["cause"] == cause
        assert all(len(c["sha256"]) == 95 for c in ev["chain"])
    good = verdict(report, fleet, "valid", "tls_cert_trusted")["evidence"]["addresses"]
    assert good["127.0.0.1"]["issuer_family"] == "other"
    assert len(good["127.0.0.1"]["chain"]) == 2


def test_weak_certificates_are_named(report: dict[str, Any], fleet: Fleet) -> None:
    """A SHA-1 or RSA-1024 certificate is named, not reported as a failed handshake."""
    assert "SHA1" in verdict(report, fleet, "sha1", "tls_cert_signature")["summary"]
    assert "1024" in verdict(report, fleet, "rsa1024", "tls_cert_key")["summary"]


def test_legacy_version_and_cipher_named(report: dict[str, Any], fleet: Fleet) -> None:
    """The offered legacy version and the accepted weak suite appear in the summary; what
    OpenSSL cannot offer (SSLv3, RC4) is found with a raw ClientHello."""
    legacy_v = verdict(report, fleet, "legacy", "tls_versions")
    assert "SSLv3" in legacy_v["summary"]
    assert "SSLv3" in legacy_v["evidence"]["addresses"]["127.0.0.1"]["raw_client_hello"]
    assert "RC4" in verdict(report, fleet, "legacy", "tls_ciphers")["summary"]
    if "tls10" in fleet.targets:
        assert "TLSv1.0" in verdict(report, fleet, "tls10", "tls_versions")["summary"]
    assert "NULL" in verdict(report, fleet, "weakcipher", "tls_ciphers")["summary"]


def test_parity_detects_different_page_over_ipv6(report: dict[str, Any], fleet: Fleet) -> None:
    """A different page over ::1 than over 127.0.0.1 fails web_ipv46_parity."""
    if not V6:
        pytest.skip("no ::1 on this machine")
    assert verdict(report, fleet, "parity", "web_ipv46_parity")["status"] == "fail"
    assert verdict(report, fleet, "valid", "web_ipv46_parity")["status"] == "pass"
    assert verdict(report, fleet, "valid", "web_aaaa")["status"] == "pass"
    assert verdict(report, fleet, "valid", "web_reach_ipv6")["status"] == "pass"


def test_parity_over_plain_http(report: dict[str, Any], fleet: Fleet) -> None:
    """Without HTTPS, IPv4 and IPv6 are compared over HTTP: a different page over ::1 on the
    HTTP port fails, the same page passes, and the evidence says HTTP was compared."""
    if not V6:
        pytest.skip("no ::1 on this machine")
    diff = verdict(report, fleet, "parity-http", "web_ipv46_parity")
    assert diff["status"] == "fail", diff
    assert "HTTP" in diff["summary"]
    same = verdict(report, fleet, "same-http", "web_ipv46_parity")
    assert same["status"] == "pass", same
    assert same["evidence"]["compared"] == ["http"]
    both = verdict(report, fleet, "valid", "web_ipv46_parity")
    assert "https" in both["evidence"]["compared"]


def test_json_shape(report: dict[str, Any], fleet: Fleet) -> None:
    """The JSON document has findings, targets, summary and tool; one finding per check."""
    assert set(report) >= {"findings", "targets", "summary", "tool"}
    assert len(report["findings"]) == 15 * len(fleet.targets)
    for f in report["findings"]:
        assert {"check", "target", "status", "summary", "evidence"} <= set(f)
        if f["status"] in ("inconclusive", "error"):
            assert f.get("reason"), f


def test_expiry_honours_at(fleet: Fleet) -> None:
    """--at moves the clock: the valid certificate is expired two years from now."""
    later = (pki.NOW.replace(year=pki.NOW.year + 2)).isoformat()
    pins = [
        p
        for i, p in enumerate(fleet.pins)
        if "valid.test" in p or (i + 1 < len(fleet.pins) and "valid.test" in fleet.pins[i + 1])
    ]
    run = run_assure(
        "probe",
        fleet.targets["valid"],
        *pins,
        "--ca-file",
        fleet.ca_file,
        "--timeout",
        "2",
        "--http-port",
        str(closed_port()),
        "--at",
        later,
        "--format",
        "json",
    )
    data = json.loads(run.out)
    by = {f["check"]: f for f in data["findings"]}
    assert by["tls_cert_expiry"]["status"] == "fail"
    assert by["tls_cert_trusted"]["status"] == "pass"
    assert run.code == 1
