"""`assure verify-signature`: each signed fixture gets the expected status per check.

The test PKI, the CRL/OCSP responder (loopback, port chosen by the system) and every signed
document are generated here; nothing touches the internet.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from assure import i18n, trust
from assure.errors import DataError
from assure.signatures import chain, verify
from assure.signatures.fetch import Limits
from tests import sigpki
from tests.conftest import assert_no_traceback, run_assure
from tests.schemas import assert_valid_junit

#: Tests of the default (Vietnamese) wording; the others compare English messages.
_VIETNAMESE = {"test_cli_json_and_exit_codes", "test_at_option_parses_dates"}


@pytest.fixture(autouse=True)
def _english(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Most tests here compare the English wording of messages (`ASSURE_LANG=en`); the
    Vietnamese wording is held by `tests/test_language_scan.py` and `_VIETNAMESE`."""
    if request.node.originalname not in _VIETNAMESE:
        monkeypatch.setenv("ASSURE_LANG", "en")
        with i18n.speaking("en"):  # in-process calls too, whatever an earlier run chose
            yield
    else:
        yield


@dataclass
class World:
    """The PKI, its responder, and where the fixture files are."""

    pki: sigpki.Pki
    folder: Path
    root_pem: Path
    blank: bytes

    def opts(self, **kw: object) -> chain.Options:
        anchors = trust.TrustSet((self.pki.root.cert,), (), {})
        return chain.Options(anchors, **kw)  # type: ignore[arg-type]

    def signed(self, who: sigpki.Identity, **kw: object) -> bytes:
        return sigpki.sign_pdf(self.blank, who, self.pki.chain_of(who), **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One PKI and responder for the whole test run (building them is the slow part)."""
    responder = sigpki.Responder()
    server, base = sigpki.serve(responder)
    pki = sigpki.build_pki(base, responder)
    folder = tmp_path_factory.mktemp("sig")
    root_pem = sigpki.write_pem(folder / "root.pem", pki.root)
    yield World(pki, folder, root_pem, sigpki.pdf_with_fields())
    server.shutdown()
    server.server_close()


def statuses(w: World, data: bytes, **opts: object) -> dict[str, str]:
    """check → status of one document verified in-process."""
    report = verify.verify_bytes(data, "doc", w.opts(**opts))
    return {f.check: f.status.value for f in report.findings()}


def evidence(w: World, data: bytes, check: str, **opts: object) -> dict[str, object]:
    report = verify.verify_bytes(data, "doc", w.opts(**opts))
    finding = next(f for f in report.findings() if f.check == check)
    sigs = finding.evidence["signatures"]
    assert isinstance(sigs, list)
    return dict(sigs[0])


PASS3 = {
    "doc_signature_valid": "pass",
    "doc_signer_trusted": "pass",
    "doc_signature_coverage": "pass",
}


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_valid(world: World) -> None:
    """A PDF signed by a trusted, unrevoked signer passes every check."""
    assert statuses(world, world.signed(world.pki.signer)) == PASS3


def test_pdf_tampered(world: World) -> None:
    """A byte changed inside the signed range breaks integrity."""
    data = sigpki.tamper(world.signed(world.pki.signer))
    assert statuses(world, data)["doc_signature_valid"] == "fail"


def test_pdf_incremental_change_is_not_covered(world: World) -> None:
    """New page content appended after signing fails coverage; the signature stays intact."""
    data = sigpki.change_page_content(world.signed(world.pki.signer))
    got = statuses(world, data)
    assert got["doc_signature_valid"] == "pass"
    assert got["doc_signature_coverage"] == "fail"


def test_pdf_form_fill_after_signing_is_allowed(world: World) -> None:
    """Filling a form field after signing passes coverage, and the evidence says why."""
    data = sigpki.fill_text_field(world.signed(world.pki.signer))
    assert statuses(world, data) == PASS3
    ev = evidence(world, data, "doc_signature_coverage")
    assert ev["modification_level"] == "FORM_FILLING"


def test_pdf_second_signature_is_allowed(world: World) -> None:
    """A further signature after the first is an allowed change for the first."""
    first = world.signed(world.pki.signer)
    both = sigpki.sign_pdf(
        first, world.pki.signer, world.pki.chain_of(world.pki.signer), field_name="Sig2"
    )
    report = verify.verify_bytes(both, "doc", world.opts())
    assert len(report.signatures) == 2
    assert {f.check: f.status.value for f in report.findings()} == PASS3


def test_pdf_timestamp_keeps_expired_signer_valid(world: World) -> None:
    """Signer expired since, but a trusted timestamp proves signing while valid: pass."""
    pki = world.pki
    ts = sigpki.timestamper(pki, sigpki.NOW - 20 * sigpki.DAY)
    data = world.signed(pki.later_expired, timestamper=ts)
    assert statuses(world, data)["doc_signer_trusted"] == "pass"
    ev = evidence(world, data, "doc_signer_trusted")
    assert ev["valid_now"] is False and ev["validity_basis"] == "trusted timestamp"
    assert isinstance(ev["timestamp"], dict) and ev["timestamp"]["trusted"] is True


def test_pdf_expired_signer_without_timestamp_fails(world: World) -> None:
    """Without a timestamp an expired signer certificate fails trust."""
    data = world.signed(world.pki.later_expired)
    assert statuses(world, data)["doc_signer_trusted"] == "fail"


def test_pdf_at_evaluates_validity_in_the_past(world: World) -> None:
    """`--at` before expiry judges the expired signer valid at that instant."""
    data = world.signed(world.pki.expired)
    assert statuses(world, data)["doc_signer_trusted"] == "fail"
    at = sigpki.NOW - 100 * sigpki.DAY
    assert statuses(world, data, at=at)["doc_signer_trusted"] == "pass"


def test_pdf_revoked_by_ocsp(world: World) -> None:
    """A signer the OCSP responder reports revoked fails trust."""
    data = world.signed(world.pki.revoked)
    assert statuses(world, data)["doc_signer_trusted"] == "fail"
    ev = evidence(world, data, "doc_signer_trusted")
    rev = ev["revocation"]
    assert isinstance(rev, list) and rev[0]["source"] == "ocsp" and rev[0]["status"] == "fail"


def test_pdf_revoked_by_crl(world: World) -> None:
    """A signer listed on its issuer's CRL fails trust."""
    data = world.signed(world.pki.crl_revoked)
    assert statuses(world, data)["doc_signer_trusted"] == "fail"
    assert "/inter.crl" in world.pki.responder.hits


def test_pdf_revocation_unreachable_is_inconclusive(world: World) -> None:
    """An OCSP responder nobody answers at makes trust inconclusive, never pass."""
    data = world.signed(world.pki.unreachable)
    got = statuses(world, data)
    assert got["doc_signer_trusted"] == "inconclusive"
    assert got["doc_signature_valid"] == "pass"


def test_pdf_revocation_skipped_is_warn(world: World) -> None:
    """With revocation checking off, a trusted signer is at best `warn`."""
    data = world.signed(world.pki.signer)
    assert statuses(world, data, check_revocation=False)["doc_signer_trusted"] == "warn"


def test_pdf_untrusted_signer(world: World) -> None:
    """A signer chaining to a root that is not an anchor fails trust."""
    data = world.signed(world.pki.stranger)
    got = statuses(world, data)
    assert got["doc_signature_valid"] == "pass"
    assert got["doc_signer_trusted"] == "fail"


def test_pdf_wrong_key_usage(world: World) -> None:
    """Key-agreement-only and TLS-server-only certificates are not fit for signing."""
    pki = world.pki
    data = world.signed(pki.wrong_usage)
    assert statuses(world, data)["doc_signer_trusted"] == "fail"
    tls = sigpki.issue(
        "portal.example.gov.vn",
        pki.inter,
        eku=[ExtendedKeyUsageOID.SERVER_AUTH],
        ocsp_url=f"{pki.base}/ocsp",
    )
    report = verify.verify_bytes(world.signed(tls), "doc", world.opts())
    trusted = next(f for f in report.findings() if f.check == "doc_signer_trusted")
    assert trusted.status.value == "fail" and "serverAuth" in trusted.summary


def test_pdf_no_anchor_is_inconclusive(world: World) -> None:
    """Without any anchor configured trust cannot be decided."""
    report = verify.verify_bytes(
        world.signed(world.pki.signer), "doc", chain.Options(trust.TrustSet())
    )
    got = {f.check: f.status.value for f in report.findings()}
    assert got["doc_signer_trusted"] == "inconclusive"


def test_pdf_sha1_digest_fails_policy(world: World) -> None:
    """A SHA-1 message digest is refused by the algorithm policy."""
    data = world.signed(world.pki.signer, md="sha1")
    assert statuses(world, data)["doc_signature_valid"] == "fail"


def test_pdf_garbage_cms(world: World) -> None:
    """A signature whose CMS is garbage fails, without a traceback."""
    data = sigpki.garble_cms(world.signed(world.pki.signer))
    got = statuses(world, data)
    assert got["doc_signature_valid"] == "fail"


def test_pdf_unsigned(world: World) -> None:
    """A PDF without signatures fails validity; the other checks do not apply."""
    assert statuses(world, world.blank) == {
        "doc_signature_valid": "fail",
        "doc_signer_trusted": "not_applicable",
        "doc_signature_coverage": "not_applicable",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>Not found</body></html>\n", "not a PDF|neither a PDF"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "cannot read the PDF"),
        (b"\x00\x01\x02binary", "is not a PDF"),
        (b"", "empty"),
    ],
)
def test_unreadable_documents_are_data_errors(world: World, data: bytes, message: str) -> None:
    """Non-PDF data, truncated PDFs and empty files are invalid input, not findings."""
    with pytest.raises(DataError, match=message):
        verify.verify_bytes(data, "doc.pdf", world.opts())


def test_truncated_signed_pdf(world: World) -> None:
    """A signed PDF cut in half is invalid input or a failing signature, never a crash."""
    data = world.signed(world.pki.signer)
    try:
        got = statuses(world, data[: len(data) // 2])
    except DataError:
        return
    assert got["doc_signature_valid"] == "fail"


# --- XML -----------------------------------------------------------------------------------


def test_xml_enveloped_valid_and_tampered(world: World) -> None:
    """Enveloped XML Signature: valid passes, a changed value fails integrity."""
    pki = world.pki
    data = sigpki.sign_xml(pki.signer, [pki.inter])
    assert statuses(world, data) == PASS3
    bad = data.replace(b"Da duyet", b"Tu choi")
    assert statuses(world, bad)["doc_signature_valid"] == "fail"


def test_xml_enveloping_valid(world: World) -> None:
    """Enveloping XML Signature verifies and covers the document; an added object does not."""
    pki = world.pki
    data = sigpki.sign_xml(pki.signer, [pki.inter], enveloping=True)
    assert statuses(world, data) == PASS3
    end = data.rindex(b"</ds:Signature>")
    extra = data[:end] + b'<ds:Object Id="added">Tu choi</ds:Object>' + data[end:]
    got = statuses(world, extra)
    assert got["doc_signature_valid"] == "pass"
    assert got["doc_signature_coverage"] == "warn"


def test_xades_valid_and_tampered(world: World) -> None:
    """XAdES: valid passes with its signing time as evidence; tampering fails."""
    pki = world.pki
    data = sigpki.sign_xades(pki.signer, [pki.inter])
    assert statuses(world, data) == PASS3
    ev = evidence(world, data, "doc_signature_valid")
    assert ev["signing_time_claimed"]
    bad = data.replace(b"H-2026-0001", b"H-2026-0002")
    assert statuses(world, bad)["doc_signature_valid"] == "fail"


def test_xml_untrusted_and_revoked(world: World) -> None:
    """XML signers go through the same trust checks as PDF signers."""
    pki = world.pki
    stranger = sigpki.sign_xml(pki.stranger, [pki.stranger_root])
    assert statuses(world, stranger)["doc_signer_trusted"] == "fail"
    revoked = sigpki.sign_xml(pki.revoked, [pki.inter])
    assert statuses(world, revoked)["doc_signer_trusted"] == "fail"


def test_xml_weak_algorithm(world: World) -> None:
    """A SHA-1 digest method is refused by the algorithm policy."""
    pki = world.pki
    data = sigpki.sign_xml(pki.signer, [pki.inter]).replace(
        b"http://www.w3.org/2001/04/xmlenc#sha256", b"http://www.w3.org/2000/09/xmldsig#sha1"
    )
    assert statuses(world, data)["doc_signature_valid"] == "fail"


def test_xml_entities_are_refused_without_fetching(world: World) -> None:
    """Entity expansion and external entities are refused before parsing; nothing is fetched."""
    hits = len(world.pki.responder.hits)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>'
    )
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "'
        + world.pki.base.encode()
        + b'/secret">]><r>&x;</r>'
    )
    for data in (bomb, xxe):
        with pytest.raises(DataError, match="DOCTYPE"):
            verify.verify_bytes(data, "doc.xml", world.opts())
    assert len(world.pki.responder.hits) == hits


def test_xml_malformed_is_data_error(world: World) -> None:
    """Malformed and absurdly deep XML is invalid input with a line and column."""
    for data in (b"<a><b></a>", b"<a>" * 5000 + b"</a>" * 5000):
        with pytest.raises(DataError, match=r"doc\.xml:1:\d+: not well-formed XML"):
            verify.verify_bytes(data, "doc.xml", world.opts())


def test_xml_garbage_certificate(world: World) -> None:
    """A KeyInfo certificate that is not a certificate fails validity, no traceback."""
    pki = world.pki
    data = sigpki.sign_xml(pki.signer, [])
    start = data.index(b"<ds:X509Certificate>") + len(b"<ds:X509Certificate>")
    data = data[:start] + b"AAAA" + data[start + 4 :]
    assert statuses(world, data)["doc_signature_valid"] == "fail"


# --- the command ---------------------------------------------------------------------------


def _write(world: World, name: str, data: bytes) -> Path:
    path = world.folder / name
    path.write_bytes(data)
    return path


def test_cli_json_and_exit_codes(world: World, tmp_path: Path) -> None:
    """JSON output carries findings and documents; exit 0 when good, 1 when a check fails."""
    good = _write(world, "good.pdf", world.signed(world.pki.signer))
    bad = _write(world, "bad.pdf", sigpki.tamper(world.signed(world.pki.signer)))
    env = {"ASSURE_DATA_DIR": str(tmp_path)}
    r = run_assure("verify-signature", good, "--trust", world.root_pem, "--format", "json", env=env)
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [f["check"] for f in data["findings"]] == [
        "doc_signature_valid",
        "doc_signer_trusted",
        "doc_signature_coverage",
    ]
    assert all(f["status"] == "pass" and f["target"] == str(good) for f in data["findings"])
    doc = data["documents"][0]
    assert doc["format"] == "pdf" and doc["signatures"][0]["signer"] == "Nguyễn Văn An"
    trusted = data["findings"][1]["evidence"]["signatures"][0]
    assert trusted["anchor"]["source"].startswith("--trust")
    assert trusted["signer_certificate_sha256"] == trust.fingerprint(world.pki.signer.cert)
    r = run_assure("verify-signature", good, bad, "--trust", world.root_pem, env=env)
    assert r.code == 1, r.err
    assert "Nguyễn Văn An" in r.out and "không đạt" in r.out


def test_cli_invalid_input_exit_3(world: World, tmp_path: Path) -> None:
    """A .pdf holding HTML and an oversized file are exit 3 with `file: message`."""
    fake = _write(world, "fake.pdf", b"<html>Error 404</html>")
    big = _write(world, "big.pdf", b"%PDF-1.7\n" + b"0" * 5000)
    r = run_assure(
        "verify-signature",
        fake,
        big,
        "--max-size",
        "2K",
        "--trust",
        world.root_pem,
        env={"ASSURE_DATA_DIR": str(tmp_path)},
    )
    assert r.code == 3
    assert f"{big}:1:1: file is 5009 bytes, over the limit of 2048" in r.err
    assert f"{fake}:1:1:" in r.err
    assert_no_traceback(r)


def test_cli_undecided_trust_exit_4_junit(world: World, tmp_path: Path) -> None:
    """Exit 4 when nothing failed but trust could not be decided; JUnit marks it skipped."""
    unreachable = _write(world, "unreach.pdf", world.signed(world.pki.unreachable))
    r = run_assure(
        "verify-signature",
        unreachable,
        "--trust",
        world.root_pem,
        "--format",
        "junit",
        env={"ASSURE_DATA_DIR": str(tmp_path)},
    )
    assert r.code == 4, r.err
    assert "<testsuite" in r.out and 'name="doc_signer_trusted"' in r.out and "<skipped" in r.out
    assert_valid_junit(r.out)


def test_cli_uses_the_trust_store(world: World, tmp_path: Path) -> None:
    """Anchors imported with `trust add --custom` are used by later runs."""
    env = {"ASSURE_DATA_DIR": str(tmp_path)}
    assert run_assure("trust", "add", "--custom", world.root_pem, env=env).code == 0
    xml = _write(world, "result.xml", sigpki.sign_xades(world.pki.signer, [world.pki.inter]))
    r = run_assure("verify-signature", xml, "--format", "json", env=env)
    assert r.code == 0, r.err
    statuses_ = {f["check"]: f["status"] for f in json.loads(r.out)["findings"]}
    assert statuses_ == PASS3


# --- downloads -----------------------------------------------------------------------------


@pytest.fixture
def doc_server(world: World) -> Iterator[str]:
    """Loopback server: /good.pdf, /big.pdf (no length header), /slow.pdf (stalls)."""
    good = world.signed(world.pki.signer)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/good.pdf":
                self.send_response(200)
                self.send_header("Content-Length", str(len(good)))
                self.end_headers()
                self.wfile.write(good)
            elif self.path == "/big.pdf":
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"%PDF-1.7\n" + b"0" * 200_000)
            elif self.path == "/slow.pdf":
                self.send_response(200)
                self.end_headers()
                for _ in range(40):
                    try:
                        self.wfile.write(b"%")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.1)
            else:
                self.send_response(404)
                self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def test_url_download_is_verified(world: World, doc_server: str) -> None:
    """A document downloaded from a URL is verified like a file."""
    report = verify.verify_target(f"{doc_server}/good.pdf", world.opts(), Limits())
    assert {f.check: f.status.value for f in report.findings()} == PASS3
    assert report.findings()[0].target == f"{doc_server}/good.pdf"


def test_url_limits(world: World, doc_server: str) -> None:
    """Oversized downloads are invalid; stalled or missing ones inconclusive, in time."""
    with pytest.raises(DataError, match="over the limit"):
        verify.verify_target(f"{doc_server}/big.pdf", world.opts(), Limits(max_bytes=50_000))
    start = time.monotonic()
    slow = verify.verify_target(
        f"{doc_server}/slow.pdf", world.opts(), Limits(timeout=1.0, deadline=1.0)
    )
    assert time.monotonic() - start < 3.5
    assert "took longer" in (slow.unavailable or "")
    missing = verify.verify_target(f"{doc_server}/none.pdf", world.opts(), Limits())
    assert {f.status.value for f in missing.findings()} == {"inconclusive"}
    assert "HTTP 404" in (missing.unavailable or "")


def test_cli_unreachable_url_exit_4(world: World, tmp_path: Path) -> None:
    """A URL nobody answers at is inconclusive: exit 4, not invalid input."""
    url = sigpki.closed_port_url() + "/kq.pdf"
    r = run_assure(
        "verify-signature",
        url,
        "--trust",
        world.root_pem,
        "--format",
        "json",
        "--timeout",
        "2",
        env={"ASSURE_DATA_DIR": str(tmp_path)},
    )
    assert r.code == 4, r.err
    assert {f["status"] for f in json.loads(r.out)["findings"]} == {"inconclusive"}


def test_at_option_parses_dates(world: World, tmp_path: Path) -> None:
    """`--at` takes a date or a date-time; a bad value is a usage error (exit 2)."""
    good = _write(world, "at.pdf", world.signed(world.pki.signer))
    env = {"ASSURE_DATA_DIR": str(tmp_path)}
    r = run_assure("verify-signature", good, "--at", "yesterday", env=env)
    assert r.code == 2
    day = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    r = run_assure(
        "verify-signature", good, "--trust", world.root_pem, "--at", day, "--no-revocation", env=env
    )
    assert r.code == 0, r.err
    assert "cảnh báo" in r.out


def test_html_error_page_named_xml(world: World) -> None:
    """An HTML error page served for a document is invalid input, not an unsigned record."""
    with pytest.raises(DataError, match="HTML page"):
        verify.verify_bytes(b"<html><body>Not found</body></html>", "kq.xml", world.opts())


def test_document_time_limit_gives_error_findings(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document that takes too long ends as `error` findings, not a hang."""
    from assure.signatures import pdf

    def slow(*_args: object) -> None:
        time.sleep(5)

    monkeypatch.setattr(pdf, "verify_pdf", slow)
    start = time.monotonic()
    report = verify.verify_bytes(world.blank, "doc.pdf", world.opts(), time_limit_s=0.2)
    assert time.monotonic() - start < 2
    assert {f.status.value for f in report.findings()} == {"error"}
    assert "took longer than 0.2 s" in (report.error or "")


def test_untrusted_chain_triggers_no_fetch(world: World) -> None:
    """Revocation URLs of a chain that does not reach an anchor are never contacted."""
    pki = world.pki
    lure = sigpki.issue(
        "Lure Signer",
        pki.stranger_root,
        ocsp_url=f"{pki.base}/lure-ocsp",
        crl_url=f"{pki.base}/lure.crl",
    )
    pdf_data = sigpki.sign_pdf(world.blank, lure, [pki.stranger_root])
    xml_data = sigpki.sign_xml(lure, [pki.stranger_root])
    for data in (pdf_data, xml_data):
        assert statuses(world, data)["doc_signer_trusted"] == "fail"
    assert not [h for h in pki.responder.hits if "lure" in h]


def test_xades_timestamp_keeps_expired_signer_valid(world: World) -> None:
    """XAdES-T: a trusted SignatureTimeStamp proves signing while the signer was valid."""
    pki = world.pki
    ts = sigpki.timestamper(pki, sigpki.NOW - 20 * sigpki.DAY)
    data = sigpki.sign_xades(pki.later_expired, [pki.inter], timestamper=ts)
    assert statuses(world, data) == PASS3
    ev = evidence(world, data, "doc_signer_trusted")
    assert ev["validity_basis"] == "trusted timestamp" and ev["valid_now"] is False
    plain = sigpki.sign_xades(pki.later_expired, [pki.inter])
    assert statuses(world, plain)["doc_signer_trusted"] == "fail"


def test_xades_timestamp_over_other_data_is_not_trusted(world: World) -> None:
    """A timestamp whose imprint is not the SignatureValue's does not count."""
    pki = world.pki
    ts = sigpki.timestamper(pki, sigpki.NOW - 20 * sigpki.DAY)
    data = sigpki.sign_xades(pki.later_expired, [pki.inter], timestamper=ts)
    other = sigpki.sign_xades(pki.later_expired, [pki.inter], timestamper=ts)
    # graft the first document's token onto the second signature
    start = data.index(b"<xades:EncapsulatedTimeStamp>")
    end = data.index(b"</xades:EncapsulatedTimeStamp>")
    o_start = other.index(b"<xades:EncapsulatedTimeStamp>")
    o_end = other.index(b"</xades:EncapsulatedTimeStamp>")
    grafted = other[:o_start] + data[start:end] + other[o_end:]
    assert statuses(world, grafted)["doc_signer_trusted"] == "fail"
    ev = evidence(world, grafted, "doc_signer_trusted")
    assert isinstance(ev["timestamp"], dict) and ev["timestamp"]["trusted"] is False


def test_national_family_and_missing_national_root(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A registered national root names the family; without it as anchor: inconclusive."""
    pki = world.pki
    real = trust.registry()
    national = trust.Anchor(
        id="test-national",
        name="Test Root CA",
        family=trust.FAMILY_NEAC,
        role="root",
        subject={"C": "VN", "O": "Assure Test PKI", "CN": "Test Root CA"},
        sha256=trust.fingerprint(pki.root.cert),
        serial="",
        not_before="",
        not_after="",
        download_url=None,
        source="test",
    )
    reg = trust.Registry((*real.anchors, national), real.families)
    monkeypatch.setattr(trust, "registry", lambda path=None: reg)
    data = world.signed(pki.signer)
    ev = evidence(world, data, "doc_signer_trusted")
    assert ev["issuer_family"] == "neac"
    assert isinstance(ev["anchor"], dict) and ev["anchor"]["anchor"] == "test-national"
    other_anchor = chain.Options(trust.TrustSet((pki.stranger_root.cert,), (), {}))
    report = verify.verify_bytes(data, "doc", other_anchor)
    finding = next(f for f in report.findings() if f.check == "doc_signer_trusted")
    assert finding.status.value == "inconclusive"
    assert "assure trust add" in finding.summary


def test_pdf_document_timestamp(world: World) -> None:
    """A document timestamp after a signature is an allowed update and is itself verified."""
    pki = world.pki
    ts = sigpki.timestamper(pki, sigpki.NOW)
    data = sigpki.add_document_timestamp(world.signed(pki.signer), ts)
    report = verify.verify_bytes(data, "doc", world.opts())
    assert [s.kind for s in report.signatures] == ["pdf", "pdf-document-timestamp"]
    assert {f.check: f.status.value for f in report.findings()} == PASS3


@pytest.fixture(scope="module")
def signed_samples(world: World) -> list[bytes]:
    """A signed PDF and a signed XAdES document to mutate."""
    pki = world.pki
    return [world.signed(pki.signer), sigpki.sign_xades(pki.signer, [pki.inter])]


def test_mutated_documents_never_crash(world: World, signed_samples: list[bytes]) -> None:
    """Truncated or byte-flipped documents give findings or a DataError, nothing else."""
    import random

    opts = world.opts(check_revocation=False)
    rnd = random.Random(20261122)
    for _ in range(300):
        data = bytearray(signed_samples[rnd.randrange(2)])
        for _ in range(rnd.randrange(1, 4)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            data = data[: rnd.randrange(1, len(data))]
        try:
            report = verify.verify_bytes(bytes(data), "fuzz", opts)
        except DataError:
            continue
        assert len(report.findings()) == 3


def test_bad_revocation_data_is_inconclusive(world: World) -> None:
    """Garbage OCSP answers, stale CRLs and CRLs signed by another key are never a pass."""
    pki = world.pki
    crls = pki.responder.crls
    crls["/garbage-ocsp"] = b"\x30\x03garbage"
    crls["/stale.crl"] = sigpki.make_crl(pki.inter, {}, next_update=sigpki.NOW - 2 * sigpki.DAY)
    forger = sigpki.issue("Forger", None, ca=True)
    crls["/forged.crl"] = sigpki.make_crl(pki.inter, {}, signing_key=forger.key)
    cases = {
        "garbage": sigpki.issue("G", pki.inter, ocsp_url=f"{pki.base}/garbage-ocsp"),
        "stale": sigpki.issue("S", pki.inter, crl_url=f"{pki.base}/stale.crl"),
        "forged": sigpki.issue("F", pki.inter, crl_url=f"{pki.base}/forged.crl"),
    }
    for name, who in cases.items():
        data = sigpki.sign_pdf(world.blank, who, [pki.inter, pki.root])
        got = statuses(world, data)["doc_signer_trusted"]
        assert got == "inconclusive", name


def test_xml_two_sequential_signatures(world: World) -> None:
    """A second enveloped signature over a signed document: both verify; each is judged."""
    pki = world.pki
    first = sigpki.sign_xml(pki.signer, [pki.inter])
    second_signer = sigpki.issue("Trần Thị Bình", pki.inter, ocsp_url=f"{pki.base}/ocsp")
    both = sigpki.sign_xml(second_signer, [pki.inter], document=first)
    report = verify.verify_bytes(both, "doc", world.opts())
    assert [s.signer for s in report.signatures] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert {f.check: f.status.value for f in report.findings()} == PASS3
    assert statuses(world, both.replace(b"Da duyet", b"Tu choi"))["doc_signature_valid"] == "fail"
    # breaking only the second signature leaves the first one valid
    last = both.rindex(b"<ds:SignatureValue>") + len(b"<ds:SignatureValue>")
    broken = both[:last] + (b"A" if both[last : last + 1] != b"A" else b"B") + both[last + 1 :]
    report = verify.verify_bytes(broken, "doc", world.opts())
    valid = [s.verdicts["doc_signature_valid"].status.value for s in report.signatures]
    assert valid == ["pass", "fail"]


def test_document_findings_for_probes(world: World, doc_server: str) -> None:
    """The probe-facing call turns a non-document into a failing finding, not an exception."""
    anchors = trust.TrustSet((world.pki.root.cert,), (), {})
    html = _write(world, "page.html", b"<html><body>Trang chu</body></html>")
    found = verify.document_findings([f"{doc_server}/good.pdf", str(html)], anchors=anchors)
    got = [(f.target.rsplit("/", 1)[-1], f.check, f.status.value) for f in found]
    assert got == [
        ("good.pdf", "doc_signature_valid", "pass"),
        ("good.pdf", "doc_signer_trusted", "pass"),
        ("good.pdf", "doc_signature_coverage", "pass"),
        ("page.html", "doc_signature_valid", "fail"),
        ("page.html", "doc_signer_trusted", "not_applicable"),
        ("page.html", "doc_signature_coverage", "not_applicable"),
    ]


def test_revocation_answers_are_fetched_once_per_run(world: World) -> None:
    """Two documents under the same CRL cost one download within one run."""
    pki = world.pki
    opts = world.opts()
    docs = [world.signed(pki.crl_revoked), world.signed(pki.crl_revoked)]
    before = pki.responder.hits.count("/inter.crl")
    for data in docs:
        report = verify.verify_bytes(data, "doc", opts)
        trusted = next(f for f in report.findings() if f.check == "doc_signer_trusted")
        assert trusted.status.value == "fail"
    assert pki.responder.hits.count("/inter.crl") == before + 1


def test_missing_intermediate_is_inconclusive_until_given(world: World, tmp_path: Path) -> None:
    """A document without its intermediate is undecided; --intermediates completes the path."""
    pki = world.pki
    leaf_only = sigpki.sign_pdf(world.blank, pki.signer, [])
    report = verify.verify_bytes(leaf_only, "doc", world.opts())
    trusted = next(f for f in report.findings() if f.check == "doc_signer_trusted")
    assert trusted.status.value == "inconclusive"
    assert "Test Issuing CA" in trusted.summary and "--intermediates" in trusted.summary
    doc = _write(world, "leaf-only.pdf", leaf_only)
    inter = sigpki.write_pem(tmp_path / "inter.pem", pki.inter)
    env = {"ASSURE_DATA_DIR": str(tmp_path)}
    r = run_assure("verify-signature", doc, "--trust", world.root_pem, env=env)
    assert r.code == 4, r.err
    r = run_assure(
        "verify-signature", doc, "--trust", world.root_pem, "--intermediates", inter, env=env
    )
    assert r.code == 0, r.out + r.err


def test_pdf_certified_no_changes_then_form_fill(world: World) -> None:
    """A certification signature forbidding changes fails coverage after a form fill."""
    data = world.signed(world.pki.signer, certify_no_changes=True)
    assert statuses(world, data) == PASS3
    got = statuses(world, sigpki.fill_text_field(data))
    assert got["doc_signature_coverage"] == "fail"
    assert got["doc_signature_valid"] == "pass"


def test_cli_reads_standard_input(world: World, tmp_path: Path) -> None:
    """`-` reads the document from standard input."""
    import subprocess

    from tests.conftest import assure_command

    proc = subprocess.run(
        [*assure_command(), "verify-signature", "-", "--trust", str(world.root_pem)],
        input=sigpki.sign_xades(world.pki.signer, [world.pki.inter]),
        capture_output=True,
        env={**os.environ, "ASSURE_DATA_DIR": str(tmp_path)},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"doc_signer_trusted" in proc.stdout


def test_embedded_revocation_data_decides_when_responder_is_down(world: World) -> None:
    """A timestamped PDF carrying its OCSP answer is decided after the responder goes away."""
    pki = world.pki
    who = sigpki.issue("Long Term", pki.inter, ocsp_url=f"{pki.base}/lt-ocsp")
    ts = sigpki.timestamper(pki, sigpki.NOW)
    data = sigpki.sign_pdf(
        world.blank, who, [pki.inter, pki.root], timestamper=ts, embed_revinfo_root=pki.root
    )
    pki.responder.down.add("/lt-ocsp")
    try:
        ev = evidence(world, data, "doc_signer_trusted")
        assert statuses(world, data)["doc_signer_trusted"] == "pass"
    finally:
        pki.responder.down.discard("/lt-ocsp")
    rev = ev["revocation"]
    assert isinstance(rev, list) and rev[0]["source"] == "embedded-ocsp"
    # without a trusted timestamp the embedded answer proves nothing about "now"
    plain = sigpki.sign_pdf(world.blank, who, [pki.inter, pki.root], embed_revinfo_root=pki.root)
    pki.responder.down.add("/lt-ocsp")
    try:
        assert statuses(world, plain)["doc_signer_trusted"] == "inconclusive"
    finally:
        pki.responder.down.discard("/lt-ocsp")


def test_ed448_follows_pyhanko_algorithm_constraints(world: World) -> None:
    """ed448 over a SHAKE256 digest is intact; over sha512 (built the way pyHanko's own test
    builds it, skipping its signing-side check) pyHanko's policy refuses the combination, so
    the signature is neither intact nor attributable, and pyHanko agrees it is not valid."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    ed = sigpki.issue("Ed448 Signer", world.pki.inter, edwards="ed448")
    chain_ = [world.pki.inter, world.pki.root]
    good = sigpki.sign_pdf(world.blank, ed, chain_, md="shake256")
    bad = sigpki.sign_pdf(world.blank, ed, chain_, md="sha512", force_digest=True)
    assert statuses(world, good, check_revocation=False)["doc_signature_valid"] == "pass"
    got = statuses(world, bad, check_revocation=False)
    assert got["doc_signature_valid"] == "fail", got
    assert got["doc_signer_trusted"] == "fail", got
    report = verify.verify_bytes(bad, "doc", world.opts(check_revocation=False))
    valid = next(f for f in report.findings() if f.check == "doc_signature_valid")
    assert "ed448" in valid.summary and "sha512" in valid.summary
    # Differential: pyHanko on the same bytes, with the same root, does not say valid.
    for data, ok in ((good, True), (bad, False)):
        st = validate_pdf_signature(
            PdfFileReader(io.BytesIO(data)).embedded_signatures[0],
            ValidationContext(trust_roots=[world.pki.root.asn1_cert()], allow_fetching=False),
        )
        assert (st.intact and st.valid and st.trust_problem_indic is None) is ok


def test_xml_key_value_only_separates_integrity_from_identity(world: World) -> None:
    """A signature whose key is only in KeyValue is verified with that key (intact), and
    its signer is not trusted for want of a certificate; a tampered one does not verify.
    signxml, on the same bytes with the embedded key, agrees on integrity."""
    from lxml import etree
    from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier, methods
    from signxml.verifier import SignatureConfiguration

    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
    )
    doc = etree.fromstring(sigpki.RESULT_XML)
    data = bytes(etree.tostring(signer.sign(doc, key=world.pki.signer.key_pem)))
    assert b"KeyValue" in data and b"X509Certificate" not in data
    got = statuses(world, data)
    assert got == {
        "doc_signature_valid": "pass",
        "doc_signer_trusted": "fail",
        "doc_signature_coverage": "pass",
    }, got
    report = verify.verify_bytes(data, "doc", world.opts())
    trusted = next(f for f in report.findings() if f.check == "doc_signer_trusted")
    assert "no certificate" in (trusted.reason or "")
    tampered = data.replace(b"Da duyet", b"Tu choi")
    assert statuses(world, tampered)["doc_signature_valid"] == "fail"
    # Differential: signxml with the embedded key, on the same two documents.
    config = SignatureConfiguration(require_x509=False)
    XMLVerifier().verify(data, expect_config=config)
    with pytest.raises(Exception):  # noqa: B017 — any signxml refusal
        XMLVerifier().verify(tampered, expect_config=config)
